import type { z } from 'zod'
import { PROTOCOL_HEADER, RETRYABLE_SYNC_ERRORS, SYNC_PROTOCOL_VERSION, SyncErrorBody, type SyncErrorCode } from '../../shared/sync-protocol'
import type { RetryVerdict } from './backoff'

/**
 * Talking to the sync service: one request, one attempt, one verdict. Every failure becomes
 * a SyncRequestError that says what was asked, what went wrong, and whether asking again
 * may help (network errors, timeouts, 5xx, 429, answers cut short or not JSON) or not
 * (401, 403, 400, an answer that parses but breaks the protocol). The token is sent in a
 * header and never appears in a message: errors are built here from the request's purpose,
 * the status and the server's own words, never from the request.
 */

export type SyncFailureKind =
  /** Could not connect, or the connection broke. */
  | 'network'
  | 'timeout'
  /** The server answered with an error status. */
  | 'http'
  /** An answer that is not JSON, is cut short, or does not match the protocol's schema. */
  | 'invalid_response'
  | 'protocol_mismatch'

/** Longest piece of the server's own error message passed on: it is untrusted text. */
const MAX_SERVER_MESSAGE = 300

export class SyncRequestError extends Error {
  constructor(
    /** What was being done, e.g. "push of 500 decisions". */
    readonly what: string,
    readonly kind: SyncFailureKind,
    problem: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly code: SyncErrorCode | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${what}: ${problem}`)
    this.name = 'SyncRequestError'
  }

  verdict(): RetryVerdict {
    return { retryable: this.retryable, retryAfterMs: this.retryAfterMs }
  }
}

/** For withRetries: a SyncRequestError knows; anything else (a bug, a full disk) is final. */
export function retryVerdict(err: unknown): RetryVerdict {
  return err instanceof SyncRequestError ? err.verdict() : { retryable: false }
}

export interface HttpOptions {
  /** The server's base URL as normalizeServerUrl gives it (no trailing slash). */
  baseUrl: string
  /** The bearer token; null sends none (health, enroll). */
  token: () => string | null
  /** One attempt, answer body included. */
  timeoutMs: number
  fetch?: typeof fetch
  /**
   * The server answered `401 device_revoked`: the organisation revoked this device. Called
   * at once, before the error is thrown, so the profile is wiped whichever request heard it
   * (and whatever its caller does with the error). Never on a plain 401.
   */
  onDeviceRevoked?: () => void
}

export interface JsonRequest<T> {
  what: string
  method: 'GET' | 'POST'
  path: string
  query?: Record<string, string | number | undefined>
  body?: Uint8Array<ArrayBuffer> | string
  headers?: Record<string, string>
  schema: z.ZodType<T>
  signal?: AbortSignal | undefined
  auth?: boolean
}

/**
 * The server URL as the client keeps it: http or https, no user name or password (they
 * would end up in settings and messages), no query or fragment, no trailing slash.
 */
export function normalizeServerUrl(input: string): string {
  let url: URL
  try {
    url = new URL(input.trim())
  } catch {
    throw new Error(`"${input.slice(0, 200)}" is not a URL (expected e.g. https://sync.example.org)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the sync server URL must start with https:// or http://, not ${url.protocol}`)
  if (url.username || url.password) throw new Error('the sync server URL must not hold a user name or password')
  if (url.search || url.hash) throw new Error('the sync server URL must not have a query or fragment')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isFinite(at) ? Math.max(0, at - now) : null
}

/** "the first 3 problems" of a zod error, as paths and messages, for an error message. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const list = error.issues.slice(0, max).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : ''
  return `${list.join('; ')}${more}`
}

export class SyncHttp {
  private readonly fetch: typeof fetch

  constructor(private readonly opts: HttpOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch
  }

  get baseUrl(): string {
    return this.opts.baseUrl
  }

  get timeoutMs(): number {
    return this.opts.timeoutMs
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    const u = new URL(`${this.opts.baseUrl}${path}`)
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u.toString()
  }

  headers(extra: Record<string, string> = {}, auth = true): Record<string, string> {
    const h: Record<string, string> = { [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION), ...extra }
    if (auth) {
      const token = this.opts.token()
      if (token === null) throw new SyncRequestError('sync', 'http', 'this device is not enrolled with a sync server', false, null, 'unauthorized')
      h.authorization = `Bearer ${token}`
    }
    return h
  }

  /**
   * Start a request; the answer's headers have arrived when this returns, and the body is
   * the caller's to read under the returned signal. `timeout` bounds the whole attempt, body
   * included; null: the caller times the body itself (media downloads time out on silence,
   * not on length).
   */
  async send(what: string, url: string, init: RequestInit, callerSignal: AbortSignal | undefined, timeout: AbortSignal | null): Promise<{ res: Response; signal: AbortSignal }> {
    const combined = AbortSignal.any([...(callerSignal ? [callerSignal] : []), ...(timeout ? [timeout] : [])])
    let res: Response
    try {
      res = await this.fetch(url, { ...init, signal: combined })
    } catch (err) {
      throw this.transportError(what, err, callerSignal, timeout)
    }
    const theirs = res.headers.get(PROTOCOL_HEADER)
    if (res.status === 426 || (theirs !== null && theirs.trim() !== String(SYNC_PROTOCOL_VERSION))) {
      await res.body?.cancel().catch(() => {})
      throw new SyncRequestError(
        what,
        'protocol_mismatch',
        `the server speaks sync protocol ${theirs ?? '(unknown)'}, this app speaks ${SYNC_PROTOCOL_VERSION}; update the app or ask the operator`,
        false,
        res.status,
        'protocol_mismatch',
      )
    }
    if (!res.ok) throw await this.statusError(what, res, callerSignal, timeout)
    return { res, signal: combined }
  }

  /** A JSON request whose answer must match `schema`. */
  async json<T>(req: JsonRequest<T>): Promise<T> {
    return (await this.jsonWithRaw(req)).data
  }

  /**
   * The same, with the answer also as JSON.parse gave it: the schema's output rebuilds
   * objects, and a pulled clip is stored as the server sent it, unknown fields in place.
   */
  async jsonWithRaw<T>(req: JsonRequest<T>): Promise<{ data: T; raw: unknown }> {
    const init: RequestInit = {
      method: req.method,
      headers: this.headers({ accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers }, req.auth ?? true),
      ...(req.body !== undefined ? { body: req.body } : {}),
    }
    const timeout = AbortSignal.timeout(this.opts.timeoutMs)
    const { res } = await this.send(req.what, this.url(req.path, req.query), init, req.signal, timeout)
    let text: string
    try {
      text = await res.text()
    } catch (err) {
      throw this.transportError(req.what, err, req.signal, timeout)
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      // Cut short (a dropped connection can end a body early without an error) or not JSON:
      // asking again may well get the whole answer.
      throw new SyncRequestError(req.what, 'invalid_response', `the server's answer (${text.length} characters) is not complete JSON`, true, res.status)
    }
    const parsed = req.schema.safeParse(value)
    if (!parsed.success) {
      throw new SyncRequestError(req.what, 'invalid_response', `the server's answer does not match sync protocol ${SYNC_PROTOCOL_VERSION}: ${describeIssues(parsed.error)}`, false, res.status)
    }
    return { data: parsed.data, raw: value }
  }

  transportError(what: string, err: unknown, callerSignal: AbortSignal | undefined, timeout: AbortSignal | null): unknown {
    // The caller's own stop is not a failure to report: it is passed on as it is.
    if (callerSignal?.aborted) return callerSignal.reason
    if (timeout?.aborted) return new SyncRequestError(what, 'timeout', 'the server did not answer in time', true)
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    const detail = cause?.code ?? cause?.message ?? (err as Error).message ?? String(err)
    return new SyncRequestError(what, 'network', `the server could not be reached (${String(detail).slice(0, 200)})`, true)
  }

  private async statusError(what: string, res: Response, callerSignal: AbortSignal | undefined, timeout: AbortSignal | null): Promise<unknown> {
    let body: unknown = null
    try {
      const text = await res.text()
      body = JSON.parse(text)
    } catch (err) {
      if (callerSignal?.aborted || timeout?.aborted) return this.transportError(what, err, callerSignal, timeout)
    }
    const parsed = SyncErrorBody.safeParse(body)
    const code = parsed.success ? parsed.data.error.code : null
    const message = parsed.success ? parsed.data.error.message.slice(0, MAX_SERVER_MESSAGE) : res.statusText
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408 || (code !== null && RETRYABLE_SYNC_ERRORS.includes(code))
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'))
    if (res.status === 401 && code === 'device_revoked') this.opts.onDeviceRevoked?.()
    return new SyncRequestError(what, 'http', `the server answered ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, retryable, res.status, code, retryAfter)
  }
}
