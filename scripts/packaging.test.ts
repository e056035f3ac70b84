// Packages the built app (out/) with electron-builder.config.ts for Linux, `--dir` (the
// unpacked app, no installer), against a stand-in Electron distribution, then opens what
// came out. Run with `npm run test:packaging` after `npm run build` (vitest.packaging.config.mts).
//
// What cannot be had here (no internet): Electron's real zip and the Electron headers. So
// the Electron "binary" is a placeholder file carrying the fuse wire in Electron's format
// (what @electron/fuses looks for), and the "Electron build" of better-sqlite3 is a copy of
// the Node build with a build-info.json saying it is for this Electron. Everything else is
// electron-builder's real packaging of the real bundles with the real configuration.

import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { extractFile, getRawHeader, listPackage } from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FUSES, PACKAGED_NATIVE_DIR } from '../electron-builder.config'

const root = path.resolve(__dirname, '..')
const require = createRequire(import.meta.url)
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string
  devDependencies: Record<string, string>
}
const ELECTRON_VERSION = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
// Electron's own defaults, in FuseV1Options order: RunAsNode, EnableCookieEncryption,
// EnableNodeOptionsEnvironmentVariable, EnableNodeCliInspectArguments,
// EnableEmbeddedAsarIntegrityValidation, OnlyLoadAppFromAsar,
// LoadBrowserProcessSpecificV8Snapshot, GrantFileProtocolExtraPrivileges.
const ELECTRON_DEFAULT_WIRE = '10110001'

/**
 * A folder shaped like Electron's Linux distribution. The executable is no ELF file, only
 * bytes around the fuse wire: sentinel, wire version 1, wire length, one ASCII '0'/'1' a fuse.
 * No resources/default_app.asar: electron-builder deletes it from a downloaded zip, but from a
 * custom distribution it keeps it and hashes every .asar in resources/ (a stand-in one fails).
 */
function makeStandInElectron(dir: string): void {
  mkdirSync(path.join(dir, 'resources'), { recursive: true })
  mkdirSync(path.join(dir, 'locales'))
  const wire = Buffer.from(ELECTRON_DEFAULT_WIRE, 'ascii')
  const binary = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in for the Electron binary, made by scripts/packaging.test.ts"\nexit 1\n# '),
    Buffer.from(FUSE_SENTINEL, 'ascii'),
    Buffer.from([1, wire.length]),
    wire,
    Buffer.from('\n'),
  ])
  writeFileSync(path.join(dir, 'electron'), binary)
  chmodSync(path.join(dir, 'electron'), 0o755)
  writeFileSync(path.join(dir, 'LICENSE'), 'stand-in for Electron’s LICENSE\n')
  writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '<!-- stand-in -->\n')
  writeFileSync(path.join(dir, 'version'), `${ELECTRON_VERSION}\n`)
  writeFileSync(path.join(dir, 'locales', 'en-US.pak'), 'stand-in')
}

/**
 * The stand-in Electron build of better-sqlite3, in a folder inside the project (see the
 * config): the Node build with a marker appended, so it cannot be mistaken for node_modules' own.
 */
function makeNativeBuild(dir: string, electron: string): void {
  mkdirSync(dir, { recursive: true })
  const nodeBuild = readFileSync(require.resolve('better-sqlite3/build/Release/better_sqlite3.node'))
  writeFileSync(path.join(dir, 'better_sqlite3.node'), Buffer.concat([nodeBuild, Buffer.from('stand-in Electron build, scripts/packaging.test.ts')]))
  writeFileSync(path.join(dir, 'build-info.json'), JSON.stringify({ electron, platform: 'linux', arch: 'x64' }))
}

/** electron-builder in a process of its own (scripts/package-linux-dir.ts); its output, and whether it succeeded. */
function packageLinuxDir(nativeBuildDir: string, output: string): { ok: boolean; log: string } {
  const args = { electronDist: standInElectron, electronVersion: ELECTRON_VERSION, nativeBuildDir: path.relative(root, nativeBuildDir), output }
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'package-linux-dir.ts'), JSON.stringify(args)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  })
  return { ok: run.status === 0, log: `${run.stdout}\n${run.stderr}` }
}

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex')

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(full, base) : [path.relative(base, full).split(path.sep).join('/')]
  })
}

let work: string
let scratch: string
let standInElectron: string
let nativeBuildDir: string
let appOutDir: string
let asarFile: string
/** Every file and folder in app.asar, as '/out/main/index.js'. */
let entries: Set<string>

beforeAll(async () => {
  for (const built of [pkg.main, 'out/preload/index.js', 'out/renderer/index.html']) {
    if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` before \`npm run test:packaging\``)
  }
  work = mkdtempSync(path.join(os.tmpdir(), 'tinjau-packaging-'))
  mkdirSync(path.join(root, '.packaging-test'), { recursive: true })
  scratch = mkdtempSync(path.join(root, '.packaging-test', 'run-'))
  standInElectron = path.join(work, 'electron-dist')
  makeStandInElectron(standInElectron)
  nativeBuildDir = path.join(scratch, 'native')
  makeNativeBuild(nativeBuildDir, ELECTRON_VERSION)
  const packed = packageLinuxDir(nativeBuildDir, path.join(work, 'dist'))
  if (!packed.ok) throw new Error(`electron-builder failed:\n${packed.log}`)
  appOutDir = path.join(work, 'dist', 'linux-unpacked')
  asarFile = path.join(appOutDir, 'resources', 'app.asar')
  entries = new Set(listPackage(asarFile, { isPack: false }))
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

const read = (entry: string) => extractFile(asarFile, entry.replace(/^\//, ''))

/** Relative requires of a bundle, followed through the asar; returns the bundles and the packages required. */
function requireGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    expect(entries, `${file} is required by the app but not in app.asar`).toContain(file)
    files.add(file)
    for (const m of read(file).toString('utf8').matchAll(/require\("([^"]+)"\)/g)) {
      const spec = m[1]!
      if (spec.startsWith('.')) visit(path.posix.resolve(path.posix.dirname(file), spec))
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
    }
  }
  visit(entry)
  return { files, packages }
}

/** Node's lookup inside the asar: node_modules folders from `fromDir` up. */
function resolvePackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.posix.dirname(dir)) {
    const candidate = path.posix.join(dir, 'node_modules', name)
    if (entries.has(`${candidate}/package.json`)) return candidate
    if (dir === '/') return null
  }
}

describe('the packaged app (linux, --dir, stand-in Electron)', () => {
  test('the executable carries the product name, Electron’s licence stays beside it', () => {
    expect(statSync(path.join(appOutDir, 'tinjau')).mode & 0o111).not.toBe(0)
    expect(existsSync(path.join(appOutDir, 'electron'))).toBe(false)
    expect(existsSync(path.join(appOutDir, 'LICENSE.electron.txt'))).toBe(true)
  })

  test('main, workers, preload and renderer bundles are inside, with every chunk and asset they load', () => {
    const shippedPkg = JSON.parse(read('/package.json').toString('utf8')) as { main: string; name: string }
    expect(shippedPkg.main).toBe('out/main/index.js')
    for (const bundle of ['/out/main/index.js', '/out/main/import-worker.js', '/out/main/dsa-worker.js']) requireGraph(bundle)
    // A sandboxed preload can require nothing but electron: all of it must be bundled.
    expect([...requireGraph('/out/preload/index.js').packages]).toEqual(['electron'])
    const html = read('/out/renderer/index.html').toString('utf8')
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `/out/renderer/${m[1]}`)
    expect(assets.length).toBeGreaterThan(2)
    for (const asset of assets) expect(entries).toContain(asset)
  })

  test('every package the shipped bundles require is inside, with its own dependencies', () => {
    const required = new Set<string>()
    for (const bundle of ['/out/main/index.js', '/out/main/import-worker.js', '/out/main/dsa-worker.js']) {
      for (const p of requireGraph(bundle).packages) required.add(p)
    }
    required.delete('electron') // built into Electron
    expect([...required]).toEqual(expect.arrayContaining(['better-sqlite3', 'drizzle-orm', 'zod', 'yauzl', 'yazl']))
    const missing: string[] = []
    // better-sqlite3 needs prebuild-install only to install; everything else at run time.
    const installOnly = new Set(['prebuild-install'])
    const seen = new Set<string>()
    const queue = [...required].map((name) => ({ name, from: '/' }))
    while (queue.length > 0) {
      const { name, from } = queue.shift()!
      const dir = resolvePackage(name, from)
      if (!dir) {
        missing.push(`${name} (needed from ${from})`)
        continue
      }
      if (seen.has(dir)) continue
      seen.add(dir)
      const manifest = JSON.parse(read(`${dir}/package.json`).toString('utf8')) as { dependencies?: Record<string, string> }
      for (const dep of Object.keys(manifest.dependencies ?? {})) if (!installOnly.has(dep)) queue.push({ name: dep, from: dir })
    }
    expect(missing).toEqual([])
  })

  test('migrations and the policy are inside; the demo pack is unpacked beside the asar, file for file', () => {
    for (const folder of ['migrations', 'policy']) {
      const expected = filesUnder(path.join(root, 'resources', folder))
      expect(expected.length).toBeGreaterThan(0)
      for (const f of expected) {
        const entry = `/resources/${folder}/${f}`
        expect(entries).toContain(entry)
        expect(sha256(read(entry))).toBe(sha256(readFileSync(path.join(root, 'resources', folder, f))))
      }
    }
    const demo = filesUnder(path.join(root, 'resources', 'demo'))
    expect(demo).toContain('pack.json')
    const header = JSON.stringify(getRawHeader(asarFile).header)
    for (const f of demo) {
      const unpacked = path.join(appOutDir, 'resources', 'app.asar.unpacked', 'resources', 'demo', f)
      expect(sha256(readFileSync(unpacked))).toBe(sha256(readFileSync(path.join(root, 'resources', 'demo', f))))
    }
    expect(header).toContain('"pack.json":{"size"')
  })

  test('the native module is unpacked where the main process looks, and it is the Electron build, not node_modules’ own', () => {
    const dir = path.join(appOutDir, 'resources', 'app.asar.unpacked', ...PACKAGED_NATIVE_DIR.split('/'))
    const shipped = readFileSync(path.join(dir, 'better_sqlite3.node'))
    expect(sha256(shipped)).toBe(sha256(readFileSync(path.join(nativeBuildDir, 'better_sqlite3.node'))))
    expect(sha256(shipped)).not.toBe(sha256(readFileSync(require.resolve('better-sqlite3/build/Release/better_sqlite3.node'))))
    expect(JSON.parse(readFileSync(path.join(dir, 'build-info.json'), 'utf8'))).toMatchObject({ electron: ELECTRON_VERSION })
    // In the asar's index it is marked unpacked, so Electron's fs sends reads there.
    const release = getRawHeader(asarFile).header.files['node_modules']!
    const node = (release as { files: Record<string, { files: Record<string, { files: Record<string, { files: Record<string, { unpacked?: boolean }> }> }> }> }).files[
      'better-sqlite3'
    ]!.files['build']!.files['Release']!.files['better_sqlite3.node']!
    expect(node.unpacked).toBe(true)
    // Nothing else of better-sqlite3's build tree: no C sources, no objects, no test extension.
    const sqliteEntries = [...entries].filter((e) => e.startsWith('/node_modules/better-sqlite3/'))
    expect(sqliteEntries.filter((e) => /\/(src|deps)(\/|$)|\.(a|o|c|cpp|h|gyp|mk)$|test_extension/.test(e))).toEqual([])
  })

  test('nothing from src/, tests, bench/, e2e/, docs/, scripts/, the other hosts, or dev dependencies', () => {
    const all = [...entries]
    const ours = all.filter((e) => !e.startsWith('/node_modules/'))
    expect(ours.filter((e) => /^\/(src|bench|e2e|docs|scripts|bin|test-results|dist|\.electron-native|\.packaging-test)(\/|$)/.test(e))).toEqual([])
    expect(ours.filter((e) => /^\/out\/(lead|main\/(cli|web|server)\.js)/.test(e) || /^\/resources\/(server-migrations|icons)/.test(e))).toEqual([])
    expect(ours.filter((e) => /\.map$/.test(e))).toEqual([])
    expect(all.filter((e) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(e))).toEqual([])
    const devShipped = Object.keys(pkg.devDependencies).filter((name) => entries.has(`/node_modules/${name}`))
    expect(devShipped).toEqual([])
    // And the large dev-only packages underneath them.
    for (const name of ['vitest', 'vite', 'electron', 'electron-vite', 'electron-builder', 'app-builder-lib', '@playwright/test', 'playwright-core', 'typescript', 'esbuild']) {
      expect(entries.has(`/node_modules/${name}`), name).toBe(false)
    }
    // Production dependencies only the sync service, web host or CLI use stay out too.
    for (const name of ['pg', '@electric-sql/pglite', 'hono', 'commander', 'react']) expect(entries.has(`/node_modules/${name}`), name).toBe(false)
  })

  test('the fuses are flipped in the executable as the configuration says', async () => {
    const wire = await getCurrentFuseWire(path.join(appOutDir, 'tinjau'))
    // A fuse's state is one ASCII byte: '1' on, '0' off (@electron/fuses' FuseState, not exported).
    const state = (on: boolean) => (on ? '1' : '0').charCodeAt(0)
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      enableCookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      enableNodeOptionsEnvironmentVariable: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      enableNodeCliInspectArguments: wire[FuseV1Options.EnableNodeCliInspectArguments],
      enableEmbeddedAsarIntegrityValidation: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyLoadAppFromAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
    }).toEqual({
      runAsNode: state(false),
      enableCookieEncryption: state(true),
      enableNodeOptionsEnvironmentVariable: state(false),
      enableNodeCliInspectArguments: state(false),
      enableEmbeddedAsarIntegrityValidation: state(true),
      onlyLoadAppFromAsar: state(true),
    })
    // The configuration says exactly that, and leaves the other two at Electron's defaults.
    expect(FUSES).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    })
    expect([wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot], wire[FuseV1Options.GrantFileProtocolExtraPrivileges]]).toEqual([
      ELECTRON_DEFAULT_WIRE.charCodeAt(6),
      ELECTRON_DEFAULT_WIRE.charCodeAt(7),
    ])
  })
})

describe('a native build for another Electron', () => {
  test('packaging stops before anything is packed, saying which build and which Electron', () => {
    const stale = path.join(scratch, 'stale-native')
    makeNativeBuild(stale, '44.0.0')
    const output = path.join(work, 'dist-stale')
    const packed = packageLinuxDir(stale, output)
    expect(packed.ok).toBe(false)
    expect(packed.log).toContain(`was built for Electron 44.0.0, but the app is packaged with Electron ${ELECTRON_VERSION}. Run \`npm run electron:native\``)
    expect(existsSync(path.join(output, 'linux-unpacked', 'resources', 'app.asar'))).toBe(false)
  })
})
