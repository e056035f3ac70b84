// electron-builder configuration: Tinjau's installers (docs/installers.md). `npm run dist`
// (scripts/dist.mjs) passes it with --config.
//
// Why TypeScript and not electron-builder.yml: the packaging test (scripts/packaging.test.ts)
// imports this very configuration and changes only what cannot work offline (the Electron
// distribution, the native build's folder, the output folder), so what it proves is this
// configuration; `tsc` checks every key against electron-builder's own types; and the check
// of the native build (checkNativeBuild) lives next to the rule that ships it.
// electron-builder reads .ts configurations itself (through jiti).

import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { AfterPackContext, Configuration } from 'electron-builder'

/**
 * The Electron fuses (flipped in the Electron binary at packaging, before signing, so the
 * OS's signature check keeps them flipped): no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or
 * --inspect turning the signed app into a general-purpose Node; code only from app.asar,
 * whose integrity Electron checks (macOS and Windows); Chromium's cookies encrypted with
 * the OS key store.
 */
export const FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
} satisfies Configuration['electronFuses']

/** Where `npm run electron:native` leaves the Electron-ABI build of better-sqlite3. */
export const NATIVE_BUILD_DIR = '.electron-native'
/** Where the packaged app looks for it (src/main/native-binding.ts, PACKAGED_NATIVE_DIR; the
 * main process must not import this file, nor this file the main process's code). */
export const PACKAGED_NATIVE_DIR = 'node_modules/better-sqlite3/build/Release'

const PLATFORM_BY_BUILDER_NAME: Record<string, string> = { linux: 'linux', mac: 'darwin', darwin: 'darwin', win: 'win32', win32: 'win32', mas: 'darwin' }
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']

/**
 * Refuses to package a native build that cannot run in the app being made: none at all, one
 * for another Electron, or one for another OS or processor (electron-builder can cross-build
 * the JavaScript, but a .node file is one OS's machine code). Returns the reason, or null.
 */
export interface PackagedFor {
  electronVersion: string | null | undefined
  platform: string
  arch: string | undefined
}

export function checkNativeBuild(nativeDir: string, { electronVersion, platform, arch }: PackagedFor): string | null {
  const file = path.join(nativeDir, 'better_sqlite3.node')
  const infoFile = path.join(nativeDir, 'build-info.json')
  const fix = 'Run `npm run electron:native` on the OS and processor you package for (it needs internet access for the Electron headers).'
  if (!existsSync(file)) return `no Electron build of better-sqlite3 at ${file}. ${fix}`
  if (!existsSync(infoFile)) return `${infoFile} is missing, so the build at ${file} cannot be checked. ${fix}`
  let info: { electron?: unknown; platform?: unknown; arch?: unknown }
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as typeof info
  } catch (err) {
    return `${infoFile} is not JSON (${err instanceof Error ? err.message : String(err)}). ${fix}`
  }
  if (info.electron !== electronVersion) return `${file} was built for Electron ${String(info.electron)}, but the app is packaged with Electron ${electronVersion}. ${fix}`
  if (info.platform !== platform) return `${file} was built for ${String(info.platform)}, but the app is packaged for ${platform}. ${fix}`
  if (info.arch !== arch) return `${file} was built for ${String(info.arch)}, but the app is packaged for ${arch}. ${fix}`
  return null
}

/**
 * The configuration, with the folder of the native build as a parameter (the packaging
 * test hands it a stand-in). Everything else is what `npm run dist` uses.
 */
export function tinjauBuilderConfig({ nativeBuildDir = NATIVE_BUILD_DIR }: { nativeBuildDir?: string } = {}): Configuration {
  // electron-builder matches asarUnpack against where a from/to file comes FROM, relative
  // to the project: so the native build's folder must be inside it, named relatively.
  if (path.isAbsolute(nativeBuildDir) || nativeBuildDir.split(/[\\/]/).includes('..')) {
    throw new Error(`tinjau packaging: the native build's folder must be a path inside the project, relative to it (got ${nativeBuildDir})`)
  }
  const nativeSource = nativeBuildDir.split(path.sep).join('/')
  return {
    appId: 'org.tinjau.app',
    productName: 'Tinjau',
    copyright: 'Copyright © Tinjau contributors',
    directories: { output: 'dist', buildResources: 'resources/icons' },
    icon: 'resources/icons/icon.png',

    // Only what the desktop app runs. The web host, CLI and sync service bundles
    // (out/main/{web,cli,server}.js) and the lead console (out/lead) are not part of it.
    files: [
      'package.json',
      'out/main/index.js',
      'out/main/import-worker.js',
      'out/main/dsa-worker.js',
      'out/main/chunks/**',
      'out/preload/**',
      'out/renderer/**',
      'resources/policy/**',
      'resources/migrations/**',
      'resources/demo/**',
      '!**/*.map',
      // Production dependencies that only the sync service, the web host or the CLI
      // require, or that are bundled into the renderer (React, i18next). The packaging
      // test checks that every package the shipped bundles require is still inside.
      '!node_modules/{pg,pg-*,pgpass,postgres-*,split2,@electric-sql,hono,@hono,commander,uuid,react,react-dom,scheduler,i18next,react-i18next,html-parse-stringify,void-elements}{,/**}',
      // better-sqlite3's C sources, build intermediates and its Node-ABI build: only the
      // Electron build below ships.
      '!node_modules/better-sqlite3/{src,deps,build,binding.gyp,README.md}{,/**}',
      // Packages' own tests and sources and type declarations: nothing that runs.
      '!node_modules/**/*.{test,spec}.{js,cjs,mjs,ts,cts,mts}',
      '!node_modules/**/*.{d.ts,d.cts,d.mts,map}',
      '!node_modules/zod/src{,/**}',
      { from: nativeSource, to: PACKAGED_NATIVE_DIR, filter: ['better_sqlite3.node', 'build-info.json'] },
    ],
    // dlopen needs a real file (the native build lands in app.asar.unpacked/PACKAGED_NATIVE_DIR;
    // the pattern names its source, see above); the demo pack's clips are opened by file
    // descriptor and read by byte range, which Electron serves from inside an asar only
    // through a temporary copy.
    asarUnpack: [`${nativeSource}/**`, 'resources/demo/**'],

    // The Electron-ABI build is made by `npm run electron:native` (scripts/dist.mjs runs it)
    // from a copy, so node_modules keeps the Node build the tests, CLI and web host need;
    // electron-builder's own rebuild would replace that build in place.
    npmRebuild: false,
    // beforePack's context has afterPack's type; electron-builder exports only that name.
    beforePack: async (context: AfterPackContext) => {
      const platform = PLATFORM_BY_BUILDER_NAME[context.electronPlatformName] ?? context.electronPlatformName
      const problem = checkNativeBuild(path.resolve(context.packager.projectDir, nativeSource), {
        electronVersion: context.packager.config.electronVersion,
        platform,
        arch: ARCH_NAMES[context.arch],
      })
      if (problem) throw new Error(`tinjau packaging: ${problem}`)
    },

    electronFuses: FUSES,

    // No file association for .zip: a field pack is an ordinary zip, so claiming the
    // extension would make Tinjau the opener of every zip on the machine, and the app has
    // no "open this file at launch" path yet (docs/installers.md).

    win: { target: ['nsis'] },
    nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
    mac: {
      target: ['dmg'],
      category: 'public.app-category.productivity',
      hardenedRuntime: true,
    },
    linux: {
      target: ['AppImage', 'deb'],
      executableName: 'tinjau',
      category: 'Office',
      synopsis: 'Offline review workstation for trust-and-safety reviewers',
      maintainer: 'Tinjau maintainers <maintainers@tinjau.invalid>',
    },
  }
}

export default tinjauBuilderConfig()
