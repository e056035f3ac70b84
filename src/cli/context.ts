import type { Tinjau } from '../core/tinjau'
import { findPackageRoot, openProfile, packageVersion } from '../core/host-env'
import type { CliIo } from './io'

/**
 * One CLI run: the writers, and the profile, opened on first use (so `--help` and usage
 * errors never touch the data folder) and closed when the run ends.
 */
export class CliContext {
  private tinjau: Tinjau | null = null

  constructor(
    readonly io: CliIo,
    private readonly dataDir: () => string | undefined,
  ) {}

  get env(): Record<string, string | undefined> {
    return this.io.env ?? process.env
  }

  get cwd(): string {
    return this.io.cwd ?? process.cwd()
  }

  version(): string {
    return packageVersion(findPackageRoot(__dirname))
  }

  /** `host` is what `app.info` reports: `web` when the CLI runs the web host (`serve`). */
  profile(host: 'cli' | 'web' = 'cli'): Tinjau {
    this.tinjau ??= openProfile({ host, dataDir: this.dataDir(), from: __dirname, env: this.env, cwd: this.cwd })
    return this.tinjau
  }

  /** Hand the profile to someone who will close it (`serve`). */
  releaseProfile(host: 'cli' | 'web'): Tinjau {
    const t = this.profile(host)
    this.tinjau = null
    return t
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
