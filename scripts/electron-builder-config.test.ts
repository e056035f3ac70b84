// The rules of electron-builder.config.ts that need no packaging run: which native build it
// accepts. The packaging itself is scripts/packaging.test.ts (npm run test:packaging).

import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { checkNativeBuild, tinjauBuilderConfig } from '../electron-builder.config'

const target = { electronVersion: '45.5.0', platform: 'linux', arch: 'x64' }

function nativeDir(info: unknown, withBinary = true): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-native-check-'))
  if (withBinary) writeFileSync(path.join(dir, 'better_sqlite3.node'), 'not really machine code')
  if (info !== undefined) writeFileSync(path.join(dir, 'build-info.json'), typeof info === 'string' ? info : JSON.stringify(info))
  return dir
}

describe('checkNativeBuild', () => {
  test('accepts a build for this Electron, OS and processor', () => {
    expect(checkNativeBuild(nativeDir({ electron: '45.5.0', platform: 'linux', arch: 'x64' }), target)).toBeNull()
  })

  test.each([
    ['no build at all', nativeDir(undefined, false), /no Electron build of better-sqlite3 at .*better_sqlite3\.node\. Run `npm run electron:native`/],
    ['no build-info.json', nativeDir(undefined), /build-info\.json is missing, so the build at .* cannot be checked/],
    ['build-info.json not JSON', nativeDir('{electron:'), /build-info\.json is not JSON/],
    ['another Electron', nativeDir({ electron: '44.0.0', platform: 'linux', arch: 'x64' }), /built for Electron 44\.0\.0, but the app is packaged with Electron 45\.5\.0/],
    ['another OS', nativeDir({ electron: '45.5.0', platform: 'win32', arch: 'x64' }), /built for win32, but the app is packaged for linux/],
    ['another processor', nativeDir({ electron: '45.5.0', platform: 'linux', arch: 'arm64' }), /built for arm64, but the app is packaged for x64/],
  ])('refuses %s, saying what and where', (_what, dir, message) => {
    const problem = checkNativeBuild(dir, target)
    expect(problem).toMatch(message)
    expect(problem).toContain('npm run electron:native')
  })
})

describe('tinjauBuilderConfig', () => {
  test('the native build folder must be named inside the project (asarUnpack matches it there)', () => {
    expect(() => tinjauBuilderConfig({ nativeBuildDir: path.join(os.tmpdir(), 'native') })).toThrow(/must be a path inside the project/)
    expect(() => tinjauBuilderConfig({ nativeBuildDir: '../elsewhere' })).toThrow(/must be a path inside the project/)
    const config = tinjauBuilderConfig({ nativeBuildDir: 'build/native' })
    expect(config.asarUnpack).toContain('build/native/**')
    expect(config.npmRebuild).toBe(false)
  })
})

