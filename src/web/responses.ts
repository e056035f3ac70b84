import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode, ErrorDetail, Result } from '../shared/errors'

/** The wire shape of bridge.ts: `{ ok: true, value }` or `{ ok: false, error }`. */

export function jsonError(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, details?: ErrorDetail[]): Response {
  const body: Result<never> = { ok: false, error: details ? { code, message, details } : { code, message } }
  return c.json(body, status)
}
