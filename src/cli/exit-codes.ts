import type { ApiError } from '../shared/errors'

/** Exit codes, for scripts: stable, and documented in `tinjau --help`. */
export const EXIT = {
  ok: 0,
  /** Unknown command or option, missing argument: the command line itself is wrong. */
  usage: 1,
  /** The request was understood and refused: invalid input, unknown clip, conflict, invalid pack, policy. */
  refused: 2,
  /** A bug or an environment failure (disk, database). */
  internal: 3,
  /**
   * The profile cannot be unlocked: no passphrase (TINJAU_PASSPHRASE unset and no terminal),
   * a wrong one, a profile sealed only by the app's OS key store, or a wiped profile.
   */
  locked: 4,
} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export function exitCodeFor(error: Pick<ApiError, 'code'>): ExitCode {
  return error.code === 'internal' ? EXIT.internal : EXIT.refused
}

/** Thrown by a command to end with `code` once its message has been written. */
export class CliExit extends Error {
  constructor(readonly code: ExitCode) {
    super(`exit ${code}`)
    this.name = 'CliExit'
  }
}
