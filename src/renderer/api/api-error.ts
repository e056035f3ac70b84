import type { ApiMethod } from '../../shared/api-methods'
import { isApiError, type ApiError, type ErrorCode, type ErrorDetail, type Result } from '../../shared/errors'

/**
 * The renderer's side of `ApiError`: what a failed `api.call` throws, whatever transport
 * carried it. It keeps the host's code, message and details intact so the UI can show
 * exactly what core said, and names the method that failed.
 */
export class ApiCallError extends Error implements ApiError {
  readonly code: ErrorCode
  readonly details: ErrorDetail[] | undefined
  readonly method: ApiMethod | undefined

  constructor(error: ApiError, method?: ApiMethod) {
    super(error.message)
    this.name = 'ApiCallError'
    this.code = error.code
    this.details = error.details
    this.method = method
  }

  toApiError(): ApiError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message }
  }
}

/** The value of an `ok` result; an `ApiCallError` for anything else, malformed included. */
export function unwrapResult<T>(result: unknown, method: ApiMethod): T {
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    const r = result as Result<T>
    if (r.ok === true) return r.value
    if (r.ok === false && isApiError(r.error)) throw new ApiCallError(r.error, method)
  }
  throw new ApiCallError({ code: 'internal', message: `malformed answer from the host for ${method}` }, method)
}

/** Any thrown value as an ApiError, for display. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiCallError) return err.toApiError()
  if (isApiError(err)) return err
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) }
}
