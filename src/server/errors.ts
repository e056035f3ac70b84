import type { z } from 'zod'
import { SYNC_ERROR_STATUS, type SyncError, type SyncErrorCode } from '../shared/sync-protocol'

/**
 * The one error the service throws on purpose. The HTTP layer turns it into
 * `{ "error": { code, message, details? } }` with the protocol's status; anything else that
 * escapes a handler is a `server_error` whose text (and stack) stays in the log.
 */
export class ServerError extends Error {
  readonly code: SyncErrorCode
  readonly details: { path: string; message: string }[] | undefined
  /** Seconds, for `rate_limited`. */
  readonly retryAfter: number | undefined

  constructor(code: SyncErrorCode, message: string, details?: { path: string; message: string }[], retryAfter?: number) {
    super(message)
    this.name = 'ServerError'
    this.code = code
    this.details = details
    this.retryAfter = retryAfter
  }

  get status(): number {
    return SYNC_ERROR_STATUS[this.code]
  }

  toBody(): { error: SyncError } {
    return { error: this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message } }
  }
}

const MAX_DETAILS = 20

/** A schema failure as `invalid_request`, each problem with its path (prefixed by `where`: "body", "query"). */
export function schemaError(where: string, error: z.ZodError): ServerError {
  const details = error.issues.slice(0, MAX_DETAILS).map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }))
  const more = error.issues.length > MAX_DETAILS ? ` (and ${error.issues.length - MAX_DETAILS} more)` : ''
  const first = details[0]
  return new ServerError('invalid_request', `the ${where} does not match the protocol: ${first ? `${first.path}: ${first.message}` : 'invalid'}${more}`, details)
}
