#!/usr/bin/env node
// `npm run server [-- --port 8787 --data-dir ./tinjau-server-data]`: build (the lead console too), then run the
// sync service (`tinjau-server serve`) with the arguments given. Without DATABASE_URL it
// keeps an embedded PostgreSQL (PGlite) in its data directory, so it needs no set-up;
// with DATABASE_URL it uses that PostgreSQL server. Operator commands: npx tinjau-server --help.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(root, 'package.json'))

// The service and the lead console it serves (out/lead), as `npm run build` makes them.
function runBin(pkg, name, args) {
  const pkgJson = require.resolve(`${pkg}/package.json`)
  const binField = JSON.parse(readFileSync(pkgJson, 'utf8')).bin
  const bin = path.join(path.dirname(pkgJson), typeof binField === 'string' ? binField : binField[name])
  const built = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' })
  if (built.error) throw built.error
  if (built.status !== 0) {
    console.error(`server: "${name} ${args.join(' ')}" failed (exit ${built.status ?? built.signal})`)
    process.exit(built.status || 1)
  }
}
runBin('electron-vite', 'electron-vite', ['build'])
runBin('vite', 'vite', ['build', '-c', 'vite.lead.config.mts', '--logLevel', 'warn'])

const child = spawn(process.execPath, [path.join(root, 'bin', 'tinjau-server.js'), 'serve', ...process.argv.slice(2)], { cwd: process.cwd(), stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
