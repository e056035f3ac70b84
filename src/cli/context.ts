import type { Tinjau } from '../core/tinjau'
import { findPackageRoot, openProfile, packageVersion, profileDataDir } from '../core/host-env'
import type { CliIo } from './io'
import { unlockForCli } from './unlock'

/**
 * One CLI run: the writers, and the profile, unlocked and opened on first use (so `--help`,
 * usage errors and commands that do not read it never ask for the passphrase nor touch the
 * data folder), once per run, and closed when the run ends.
 */
export class CliContext {
  private tinjau: Tinjau | null = null
  private opening: Promise<Tinjau> | null = null

  constructor(
    readonly io: CliIo,
    private readonly dataDirOption: () => string | undefined,
  ) {}

  get env(): Record<string, string | undefined> {
    return this.io.env ?? process.env
  }

  get cwd(): string {
    return this.io.cwd ?? process.cwd()
  }

  /** The profile folder this run works on: --data-dir, TINJAU_DATA_DIR, the OS default. */
  dataDir(): string {
    return profileDataDir({ dataDir: this.dataDirOption(), env: this.env, cwd: this.cwd })
  }

  version(): string {
    return packageVersion(findPackageRoot(__dirname))
  }

  /** `host` is what `app.info` reports: `web` when the CLI runs the web host (`serve`). */
  profile(host: 'cli' | 'web' = 'cli'): Promise<Tinjau> {
    this.opening ??= (async () => {
      const dataDir = this.dataDir()
      const keys = await unlockForCli(dataDir, this.io, this.env)
      this.tinjau = openProfile({ host, dataDir, from: __dirname, env: this.env, cwd: this.cwd, keys })
      return this.tinjau
    })()
    return this.opening
  }

  out(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : `${text}\n`)
  }

  json(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`)
  }

  close(): void {
    this.tinjau?.close()
    this.tinjau = null
  }
}
