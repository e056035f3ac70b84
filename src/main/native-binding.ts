import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * better-sqlite3 is a native module, and Node and Electron have different ABIs. The
 * installed build in node_modules stays the Node one (tests, CLI, web host); the Electron
 * build is made separately by `npm run electron:native` (scripts/build-electron-native.mjs)
 * into `.electron-native/` and handed to better-sqlite3 as `nativeBinding`. See DESIGN.md.
 *
 * A packaged app carries that same build (and its build-info.json) where better-sqlite3's
 * own build would sit, unpacked beside the asar: dlopen needs a real file, and
 * electron-builder.config.mjs puts it there in place of the Node build.
 */

export const NATIVE_DIR = '.electron-native'
export const NATIVE_FILE = 'better_sqlite3.node'
export const BUILD_INFO_FILE = 'build-info.json'
export const PACKAGED_NATIVE_DIR = path.join('node_modules', 'better-sqlite3', 'build', 'Release')
export const NATIVE_FIX = 'Run `npm run electron:native` (it needs internet access to fetch the Electron headers), then start Tinjau again.'
export const PACKAGED_FIX = 'This installation of Tinjau is damaged or incomplete: install it again.'

export type NativeBinding = { ok: true; path: string } | { ok: false; message: string }

/**
 * The folder holding the Electron build. `appRoot` is `app.getAppPath()`: in a packaged app
 * that is `…/resources/app.asar`, and what asarUnpack took out of it is in `app.asar.unpacked`.
 */
export function nativeBindingDir(appRoot: string, isPackaged = false): string {
  if (!isPackaged) return path.join(appRoot, NATIVE_DIR)
  const unpacked = appRoot.endsWith('.asar') ? `${appRoot}.unpacked` : appRoot
  return path.join(unpacked, PACKAGED_NATIVE_DIR)
}

export function nativeBindingPath(appRoot: string, isPackaged = false): string {
  return path.join(nativeBindingDir(appRoot, isPackaged), NATIVE_FILE)
}

/**
 * The Electron-ABI build, or why it cannot be used. `electronVersion` is
 * `process.versions.electron`: a build for another Electron (left over from an upgrade)
 * would fail to load with an opaque dlopen error, so say so plainly instead.
 */
export function findNativeBinding(appRoot: string, electronVersion: string | undefined, isPackaged = false): NativeBinding {
  const dir = nativeBindingDir(appRoot, isPackaged)
  const file = path.join(dir, NATIVE_FILE)
  const fix = isPackaged ? PACKAGED_FIX : NATIVE_FIX
  if (!existsSync(file)) {
    return { ok: false, message: `Tinjau's database engine (better-sqlite3) has no Electron build at ${file}.\n\n${fix}` }
  }
  const infoFile = path.join(dir, BUILD_INFO_FILE)
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
        message: `The database engine at ${file} was built for Electron ${builtFor}, but this is Electron ${electronVersion}.\n\n${fix}`,
      }
    }
  }
  return { ok: true, path: file }
}
