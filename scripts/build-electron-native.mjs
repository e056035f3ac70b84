#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .electron-native/better_sqlite3.node,
// without touching node_modules/better-sqlite3 (that build stays the Node one, used by
// tests, the CLI and the web host). The Electron main process hands this file to
// better-sqlite3 as `nativeBinding` (src/main/native-binding.ts; DESIGN.md).
//
//   npm run electron:native
//
// Needs: internet access to https://electronjs.org/headers (the Electron headers), Python
// 3 and a C++ toolchain, as any node-gyp build. Node built-ins only.

import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outDir = path.join(root, '.electron-native')
const DIST_URL = 'https://electronjs.org/headers'

function die(message) {
  console.error(`build-electron-native: ${message}`)
  process.exit(1)
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))

const sqliteDir = path.join(root, 'node_modules', 'better-sqlite3')
const electronPkg = path.join(root, 'node_modules', 'electron', 'package.json')
if (!existsSync(sqliteDir)) die('node_modules/better-sqlite3 is missing; run `npm install` first.')
if (!existsSync(electronPkg)) die('node_modules/electron is missing; run `npm install` first.')
const electronVersion = readJson(electronPkg).version
const sqliteVersion = readJson(path.join(sqliteDir, 'package.json')).version

/** node-gyp: npm's bundled copy (npm sets npm_config_node_gyp), next to node, or npx. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean)
  const found = candidates.find((c) => existsSync(c))
  if (found) return { cmd: process.execPath, pre: [found] }
  return { cmd: process.platform === 'win32' ? 'npx.cmd' : 'npx', pre: ['--yes', 'node-gyp'] }
}

// Work on a copy, so a failed or half-done build never leaves node_modules' Node build
// replaced by an Electron one (or by nothing).
const work = mkdtempSync(path.join(os.tmpdir(), 'tinjau-electron-native-'))
const copy = path.join(work, 'better-sqlite3')
cpSync(sqliteDir, copy, { recursive: true, filter: (src) => !src.startsWith(path.join(sqliteDir, 'build')) })

const gyp = nodeGyp()
const args = [...gyp.pre, 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, `--dist-url=${DIST_URL}`]
// Headers go to a private dev dir, so a half-downloaded one from a failed run is not reused.
const devdir = path.join(work, 'gyp')
console.log(`build-electron-native: better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (in ${copy})`)
// A `nodedir` in npm's configuration (npm exports it as npm_config_nodedir; machines without
// internet set it to build against the local Node's headers) would make node-gyp ignore
// --target and build for Node's ABI: a Node build labelled as Electron's. Drop it.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.toLowerCase() !== 'npm_config_nodedir'))
const run = spawnSync(gyp.cmd, [...args, `--devdir=${devdir}`], { cwd: copy, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
const log = `${run.stdout ?? ''}\n${run.stderr ?? ''}`
const logFile = path.join(work, 'node-gyp.log')
writeFileSync(logFile, log)

if (run.error || run.status !== 0) {
  const offline = /network connectivity|install got an error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|status code downloading|self[- ]signed|unable to get local issuer/.test(log)
  const why = run.error
    ? `could not run node-gyp (${run.error.message}).`
    : offline
      ? `could not download the Electron ${electronVersion} headers from ${DIST_URL} (no internet access?). Run this on a machine that can reach it.`
      : `node-gyp failed (exit ${run.status}); is a C++ toolchain and Python 3 installed?`
  die(`${why} Full log: ${logFile}`)
}

const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node')
if (!existsSync(built)) die(`node-gyp reported success but ${built} does not exist. Full log: ${logFile}`)
mkdirSync(outDir, { recursive: true })
copyFileSync(built, path.join(outDir, 'better_sqlite3.node'))
// Read by src/main/native-binding.ts to refuse a build left over from another Electron.
writeFileSync(
  path.join(outDir, 'build-info.json'),
  `${JSON.stringify({ electron: electronVersion, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch, builtAt: new Date().toISOString() }, null, 2)}\n`,
)
rmSync(work, { recursive: true, force: true })
console.log(`build-electron-native: wrote ${path.relative(root, path.join(outDir, 'better_sqlite3.node'))} for Electron ${electronVersion}`)
