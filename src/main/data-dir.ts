import { currentPlatformEnv, resolveDataDir } from '../core/paths'

/**
 * `--data-dir <dir>` or `--data-dir=<dir>` from the command line (last one wins), the
 * same flag the CLI and web host take. Electron passes its own switches through argv
 * too; anything we do not know is ignored.
 */
export function parseDataDirFlag(argv: readonly string[]): string | undefined {
  let found: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--data-dir') {
      const next = argv[i + 1]
      if (next !== undefined && !next.startsWith('--')) {
        found = next
        i++
      }
    } else if (arg.startsWith('--data-dir=')) {
      const value = arg.slice('--data-dir='.length)
      if (value) found = value
    }
  }
  return found
}

/** The profile folder: `--data-dir`, then TINJAU_DATA_DIR, then the OS default. */
export function dataDirFor(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): string {
  return resolveDataDir(parseDataDirFlag(argv), currentPlatformEnv(env), cwd)
}
