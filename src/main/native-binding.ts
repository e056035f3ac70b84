import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * better-sqlite3 is a native module, and Node and Electron have different ABIs. The
 * installed build in node_modules stays the Node one (tests, CLI, web host); the Electron
 * build is made separately by `npm run electron:native` (scripts/build-electron-native.mjs)
 * into `.electron-native/` and handed to better-sqlite3 as `nativeBinding`. See DESIGN.md.
 */

export const NATIVE_DIR = '.electron-native'
export const NATIVE_FILE = 'better_sqlite3.node'
export const BUILD_INFO_FILE = 'build-info.json'
export const NATIVE_FIX = 'Run `npm run electron:native` (it needs internet access to fetch the Electron headers), then start Tinjau again.'

export type NativeBinding = { ok: true; path: string } | { ok: false; message: string }

export function nativeBindingPath(appRoot: string): string {
  return path.join(appRoot, NATIVE_DIR, NATIVE_FILE)
}

/**
 * The Electron-ABI build, or why it cannot be used. `electronVersion` is
 * `process.versions.electron`: a build for another Electron (left over from an upgrade)
 * would fail to load with an opaque dlopen error, so say so plainly instead.
 */
export function findNativeBinding(appRoot: string, electronVersion: string | undefined): NativeBinding {
  const file = nativeBindingPath(appRoot)
  if (!existsSync(file)) {
    return { ok: false, message: `Tinjau's database engine (better-sqlite3) has no Electron build at ${file}.\n\n${NATIVE_FIX}` }
  }
  const infoFile = path.join(appRoot, NATIVE_DIR, BUILD_INFO_FILE)
  if (electronVersion && existsSync(infoFile)) {
    let builtFor: unknown
    try {
      builtFor = (JSON.parse(readFileSync(infoFile, 'utf8')) as { electron?: unknown }).electron
    } catch {
      builtFor = undefined
    }
    if (typeof builtFor === 'string' && builtFor !== electronVersion) {
      return {
        ok: false,
        message: `The database engine at ${file} was built for Electron ${builtFor}, but this is Electron ${electronVersion}.\n\n${NATIVE_FIX}`,
      }
    }
  }
  return { ok: true, path: file }
}
