#!/usr/bin/env node
// `npm start [-- --data-dir <dir>]`: build, then run the desktop app — or, where no
// Electron binary exists (offline build and CI machines), the web host with the same
// arguments. See DESIGN.md, "Why a web host".
//
//   --web   skip the Electron check and start the web host (consumed here, not passed on)
//   TINJAU_ELECTRON_TIMEOUT_MS   how long the first-launch binary download may take
//                                (default 180000; 0 = do not try to download)

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(root, 'package.json'))

const rawArgs = process.argv.slice(2)
const forceWeb = rawArgs.includes('--web')
const args = rawArgs.filter((a) => a !== '--web')

function build() {
  // The CLI is not in the package's exports; find it from package.json's "bin".
  const pkgJson = require.resolve('electron-vite/package.json')
  const binField = JSON.parse(readFileSync(pkgJson, 'utf8')).bin
  const bin = path.join(path.dirname(pkgJson), typeof binField === 'string' ? binField : binField['electron-vite'])
  const result = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' })
  if (result.error) throw result.error
  if (result.status !== 0) {
    console.error(`start: "electron-vite build" failed (exit ${result.status ?? result.signal})`)
    process.exit(result.status || 1)
  }
}

/**
 * The Electron binary's path, or the reason there is none. The electron package's main
 * module returns the path, but downloads the binary first when it is missing; that
 * download hangs or fails offline, so it runs in a child process with a time limit.
 */
function findElectron() {
  if (forceWeb) return { reason: '--web given' }
  let pkgDir
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'))
  } catch {
    return { reason: 'the electron package is not installed' }
  }
  const pathFile = path.join(pkgDir, 'path.txt')
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH && existsSync(pathFile)) {
    const exe = path.join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim())
    if (existsSync(exe)) return { path: exe }
  }
  const timeout = Number(process.env.TINJAU_ELECTRON_TIMEOUT_MS ?? 180_000)
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH && timeout === 0) return { reason: 'binary not downloaded' }
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("electron")))'], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeout || undefined,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (probe.error?.code === 'ETIMEDOUT') return { reason: `download did not finish in ${timeout / 1000} s` }
  if (probe.status !== 0) {
    // Node ends a crash report with its version line: the error line says what happened.
    const lines = (probe.stderr || '').split('\n').map((l) => l.trim()).filter(Boolean)
    const line = lines.find((l) => /^(\w*Error|Error):/.test(l)) ?? lines[0] ?? `exit ${probe.status}`
    return { reason: `it is fetched on first launch, and the download failed: ${line.replace(/^\w*Error: /, '')}`.slice(0, 200) }
  }
  const exe = probe.stdout.trim()
  return existsSync(exe) ? { path: exe } : { reason: `no binary at ${exe}` }
}

/** Run a child with our terminal; pass termination on to it and exit with its code. */
function runChild(command, childArgs, env = process.env) {
  const child = spawn(command, childArgs, { cwd: root, stdio: 'inherit', env })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      // Ctrl+C reaches the child through the terminal already; a signal sent to this
      // process alone is passed on, and we exit when the child does.
      if (child.exitCode === null && child.signalCode === null) child.kill(sig)
    })
  }
  child.on('error', (err) => {
    console.error(`start: could not run ${command}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

build()
const electron = findElectron()
if (electron.path) {
  const env = { ...process.env }
  delete env.ELECTRON_RUN_AS_NODE
  runChild(electron.path, ['.', ...args], env)
} else {
  console.log(`Electron binary not available (${electron.reason}); starting the web host instead.`)
  runChild(process.execPath, [path.join(root, 'out', 'main', 'web.js'), ...args])
}
