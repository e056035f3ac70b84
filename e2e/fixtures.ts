import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { test as base, _electron, type Page, type ElectronApplication } from '@playwright/test'
import { openTestProfileReadonly, TEST_PASSPHRASE } from '../src/core/testing/test-profile-key'

/**
 * `tinjau` is the app under test, whichever host runs it: a page, the data dir it uses,
 * and `restart()` that stops the host and starts it again on the same data dir.
 * Every test gets a fresh data dir.
 */

const ROOT = path.resolve(__dirname, '..')

export interface TinjauApp {
  page: Page
  dataDir: string
  restart(): Promise<Page>
}

/**
 * Why Electron cannot run here, or null when its binary is present. Reads what the
 * electron package recorded instead of require('electron'), which would try to download.
 */
export function electronUnavailableReason(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  let binary: string | null = null
  if (override) {
    binary = path.join(override, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron')
  } else {
    const pkgDir = path.dirname(createRequire(path.join(ROOT, 'package.json')).resolve('electron/package.json'))
    const pathFile = path.join(pkgDir, 'path.txt')
    if (existsSync(pathFile)) binary = path.join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  }
  if (!binary || !existsSync(binary)) {
    return 'no Electron binary (electron downloads it on first launch, and this machine cannot reach its download site)'
  }
  if (!existsSync(path.join(ROOT, '.electron-native', 'better_sqlite3.node'))) {
    return 'no Electron-ABI build of better-sqlite3 (run npm run electron:native)'
  }
  return null
}

interface WebHost {
  url: string
  child: ChildProcess
  /** What the host printed to stderr so far (the last 64 KiB), for a failure's message. */
  stderr(): string
}

/** How long a host gets to close after SIGTERM before it counts as hung. */
const HOST_STOP_MS = 20_000

/**
 * The passphrase the web host is started with (TINJAU_PASSPHRASE), so specs find the profile
 * open: the tests' one, so the CLI a spec runs on the same profile opens it too.
 */
export const E2E_PASSPHRASE = TEST_PASSPHRASE

/** The profile's SQLite file, read-only, for a spec to check what the store kept (encrypted: unlocked with E2E_PASSPHRASE, the tests' one). */
export const openProfileDatabase = openTestProfileReadonly

export interface WebHostEnv {
  /** TINJAU_PASSPHRASE; null starts the host locked (the lock screen's specs). */
  passphrase: string | null
  /** TINJAU_IDLE_LOCK_SECONDS; null leaves the profile's setting in force. */
  idleLockSeconds: number | null
}

function startWebHost(dataDir: string, opts: WebHostEnv): Promise<WebHost> {
  const entry = path.join(ROOT, 'out', 'main', 'web.js')
  if (!existsSync(entry)) throw new Error('out/main/web.js is missing: run "npm run build" before the end-to-end tests')
  const env: Record<string, string | undefined> = { ...process.env, TINJAU_PASSPHRASE: opts.passphrase ?? undefined, TINJAU_IDLE_LOCK_SECONDS: opts.idleLockSeconds === null ? undefined : String(opts.idleLockSeconds) }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const child = spawn(process.execPath, [entry, '--data-dir', dataDir, '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`web host did not start in 20 s\n${out}\n${err}`)), 20_000)
    child.stderr!.on('data', (d) => (err = (err + d).slice(-65_536)))
    child.stdout!.on('data', (d) => {
      out += d
      const m = /Tinjau web host: (http:\/\/127\.0\.0\.1:\d+\/\?k=[A-Za-z0-9_-]+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve({ url: m[1], child, stderr: () => err })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited with ${code}\n${out}\n${err}`))
    })
  })
}

/**
 * Stops the host and says how it ended. A host that already died is an error of the spec's
 * run, not something to wait on: one killed by a signal has no exit code, and its 'exit'
 * event has been and gone. A host that does not close after SIGTERM is killed and reported.
 */
async function stopWebHost(host: WebHost): Promise<void> {
  const { child } = host
  const died = (how: string) => new Error(`the web host ${how} during the spec\n--- its stderr ---\n${host.stderr()}`)
  if (child.signalCode !== null) throw died(`was killed by ${child.signalCode}`)
  if (child.exitCode !== null) {
    if (child.exitCode !== 0) throw died(`exited with ${child.exitCode}`)
    return
  }
  const exited = new Promise<'exited'>((r) => child.once('exit', () => r('exited')))
  child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), HOST_STOP_MS)))])
  clearTimeout(timer)
  if (outcome === 'hung') {
    child.kill('SIGKILL')
    await exited
    throw died(`did not close within ${HOST_STOP_MS / 1000} s of SIGTERM (killed)`)
  }
}

export const test = base.extend<{ tinjau: TinjauApp; webPassphrase: string | null; idleLockSeconds: number | null }>({
  webPassphrase: [E2E_PASSPHRASE, { option: true }],
  idleLockSeconds: [null, { option: true }],
  // Built on `playwright`, not `page`: the Electron project must not launch a browser.
  tinjau: async ({ playwright, webPassphrase, idleLockSeconds }, use, testInfo) => {
    const hostEnv: WebHostEnv = { passphrase: webPassphrase, idleLockSeconds }
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-e2e-'))
    if (testInfo.project.name === 'electron') {
      const reason = electronUnavailableReason()
      test.skip(reason !== null, `Electron project skipped: ${reason}`)
      let app: ElectronApplication = await _electron.launch({ args: [ROOT, '--data-dir', dataDir], cwd: ROOT })
      const restart = async () => {
        await app.close()
        app = await _electron.launch({ args: [ROOT, '--data-dir', dataDir], cwd: ROOT })
        return app.firstWindow()
      }
      await use({ page: await app.firstWindow(), dataDir, restart })
      await app.close()
    } else {
      const browser = await playwright.chromium.launch(testInfo.project.use.launchOptions)
      let host = await startWebHost(dataDir, hostEnv)
      let current = await browser.newPage()
      await current.goto(host.url)
      const restart = async () => {
        await stopWebHost(host)
        host = await startWebHost(dataDir, hostEnv)
        // A new host has a new secret: open it in a fresh page, as a reviewer would.
        await current.close()
        current = await browser.newPage()
        await current.goto(host.url)
        return current
      }
      try {
        await use({ page: current, dataDir, restart })
      } finally {
        // On a failure the host's own words go with the report, whatever the page showed.
        if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('web host stderr', { body: host.stderr(), contentType: 'text/plain' })
        try {
          await stopWebHost(host)
        } finally {
          await browser.close()
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true })
  },
})

export { expect } from '@playwright/test'
