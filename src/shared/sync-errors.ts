import { z } from 'zod'

/**
 * The errors every service answer may carry, `{ "error": { code, message, details? } }`:
 * the sync protocol's and the lead API's alike. Apart from the rest of the protocol so that
 * a client reading only errors (the lead console) does not load the push and pull schemas.
 */

export const SYNC_ERROR_CODES = [
  /** The body or query does not match the schema; `details` say where. */
  'invalid_request',
  /** No token, or a token that is unknown or given up (unenroll). */
  'unauthorized',
  /**
   * The token of a device the organisation revoked (`device revoke`, the lead console): the
   * device wipes its profile's key (docs/encryption.md, "Wiping"). An older client, which
   * does not know the code, sees a 401 and treats it as `unauthorized`.
   */
  'device_revoked',
  /** Authenticated, but not allowed: another reviewer's decision, a clip not assigned to them. */
  'forbidden',
  /** The enrollment code is unknown, used or expired. */
  'enrollment_refused',
  /** The signature header is missing or does not verify with the device's key. */
  'bad_signature',
  'not_found',
  /** The request is stale: the state it was made against has changed (a lead settling a clip another lead just settled). */
  'conflict',
  /** A decision or outcome that the policy does not allow (an unknown category, a missing rationale). */
  'policy_violation',
  'payload_too_large',
  /** Too many requests: wait `Retry-After` seconds. */
  'rate_limited',
  /** The other side speaks another protocol version. */
  'protocol_mismatch',
  /** Server-side failure; the request may be repeated. */
  'server_error',
  /** The server is starting, stopping or has lost its database; repeat later. */
  'unavailable',
] as const
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number]

export const SYNC_ERROR_STATUS: Record<SyncErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  device_revoked: 401,
  forbidden: 403,
  enrollment_refused: 403,
  bad_signature: 401,
  not_found: 404,
  conflict: 409,
  policy_violation: 422,
  payload_too_large: 413,
  rate_limited: 429,
  protocol_mismatch: 426,
  server_error: 500,
  unavailable: 503,
}

/** Errors a client should retry (with backoff); any other is final for that request. */
export const RETRYABLE_SYNC_ERRORS: readonly SyncErrorCode[] = ['rate_limited', 'server_error', 'unavailable']

export const SyncError = z.strictObject({
  code: z.enum(SYNC_ERROR_CODES),
  message: z.string(),
  details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
})
export type SyncError = z.infer<typeof SyncError>
export const SyncErrorBody = z.strictObject({ error: SyncError })
