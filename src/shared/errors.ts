/**
 * The one error shape every host returns. Core throws `TinjauError`; hosts turn it into
 * `ApiError` on the wire (IPC or HTTP) and the renderer turns it back, so a message
 * written in core reaches the reviewer intact whatever carried it.
 */

export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'invalid_pack',
  'policy_violation',
  'unauthorized',
  /** The user stopped it (an import cancelled part-way): nothing was changed. */
  'cancelled',
  /** The profile is locked (issue 15): unlock it first. Nothing was read or changed. */
  'locked',
  /** An unlock with a passphrase that does not open the profile's key. */
  'wrong_passphrase',
  /** Too many wrong passphrases in a row: the host waits before it accepts another (details say how long). */
  'too_many_attempts',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorDetail {
  /** Where: a dotted path into the input (`categories.1`) or a pack location. */
  path: string
  message: string
}

export interface ApiError {
  code: ErrorCode
  message: string
  details?: ErrorDetail[]
}

export class TinjauError extends Error {
  readonly code: ErrorCode
  readonly details: ErrorDetail[] | undefined

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message)
    this.name = 'TinjauError'
    this.code = code
    this.details = details
  }

  toApiError(): ApiError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message }
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.code === 'string' && (ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string'
}
