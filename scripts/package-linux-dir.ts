// Used by scripts/packaging.test.ts: packages the built app for Linux with `--dir` against a
// given Electron distribution and native build, with electron-builder.config.ts. A process
// of its own, as `npm run dist` runs electron-builder: inside vitest's worker,
// electron-builder reads back its freshly written app.asar before the archive is complete.
//
//   node --import tsx scripts/package-linux-dir.ts '{"electronDist":…,"electronVersion":…,"nativeBuildDir":…,"output":…}'

import path from 'node:path'
import { Arch, build, Platform } from 'electron-builder'
import { tinjauBuilderConfig } from '../electron-builder.config'

interface Args {
  electronDist: string
  electronVersion: string
  /** Relative to the project, as the configuration wants it. */
  nativeBuildDir: string
  output: string
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args
const root = path.resolve(__dirname, '..')
const config = tinjauBuilderConfig({ nativeBuildDir: args.nativeBuildDir })
build({
  projectDir: root,
  targets: Platform.LINUX.createTarget('dir', Arch.x64),
  publish: 'never',
  config: { ...config, electronDist: args.electronDist, electronVersion: args.electronVersion, directories: { ...config.directories, output: args.output } },
}).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`package-linux-dir: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
