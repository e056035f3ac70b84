import { readBoundedBody } from '../shared/bounded-body'
import type { ApiError } from '../shared/errors'

/**
 * Read a request body as JSON, refusing more than `maxBytes` before buffering it all
 * (Content-Length is checked first, then the bytes actually received, since a client may
 * stream without one). An empty body reads as `undefined`: methods without input may be
 * called with no body at all.
 */

export const MAX_JSON_BODY_BYTES = 1024 * 1024

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; error: ApiError }

const tooLarge = (maxBytes: number): BodyResult => ({
  ok: false,
  status: 413,
  error: { code: 'invalid_input', message: `request body is larger than ${maxBytes} bytes` },
})

export async function readJsonBody(req: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<BodyResult> {
  const bytes = await readBoundedBody(req, maxBytes)
  if (!bytes) return tooLarge(maxBytes)
  if (bytes.byteLength === 0) return { ok: true, value: undefined }

  const type = (req.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    return {
      ok: false,
      status: 415,
      error: { code: 'invalid_input', message: `request body must be JSON (Content-Type: application/json), not ${JSON.stringify(type || 'none')}` },
    }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { ok: false, status: 400, error: { code: 'invalid_input', message: 'request body is not valid UTF-8' } }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    return { ok: false, status: 400, error: { code: 'invalid_input', message: `request body is not valid JSON: ${reason}`, details: [{ path: '(body)', message: reason }] } }
  }
}
