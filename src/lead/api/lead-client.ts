import type { z } from 'zod'
import type { ErrorDetail } from '../../shared/errors'
import { SyncErrorBody } from '../../shared/sync-errors'
import type { EarlyAnswers } from './early-answers'
import { leadUrl, type LeadQuery } from './lead-url'

export { leadUrl } from './lead-url'

/**
 * The lead console's one way to the service (docs/lead-api.md): same-origin fetch with the
 * session cookie, JSON both ways, and every answer checked against its schema in
 * src/shared/lead-api.ts. A refusal becomes a LeadApiError with the service's code,
 * message and details; a broken answer (not JSON, not the schema) becomes one too, saying
 * what and where, so the console never renders half-understood data.
 */

/** The service's error codes, plus the console's own for what never reached it or came back broken. */
export type LeadErrorCode = z.infer<typeof SyncErrorBody>['error']['code'] | 'network' | 'invalid_response'

export class LeadApiError extends Error {
  constructor(
    readonly code: LeadErrorCode,
    message: string,
    readonly status: number,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message)
    this.name = 'LeadApiError'
  }
}

export interface CallOptions {
  /** A JSON body (sent as application/json), or a Blob sent as is with its own type. */
  body?: unknown
  signal?: AbortSignal
  /** Query parameters; undefined values are left out. */
  query?: LeadQuery
}

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>

export class LeadClient {
  /** `early`: answers to GETs asked for before the console started (early-answers.ts), taken instead of asking again. */
  constructor(
    private readonly fetcher: Fetcher = (input, init) => fetch(input, init),
    private readonly early?: EarlyAnswers,
  ) {}

  async call<S extends z.ZodType>(schema: S, method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, opts: CallOptions = {}): Promise<z.infer<S>> {
    const what = `${method} ${route}`
    const headers: Record<string, string> = { accept: 'application/json' }
    let body: BodyInit | undefined
    if (opts.body instanceof Blob) {
      body = opts.body
      headers['content-type'] = opts.body.type || 'application/octet-stream'
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] = 'application/json'
    }
    const url = leadUrl(route, opts.query)
    const early = method === 'GET' && !opts.signal?.aborted ? this.early?.take(url) : undefined
    let res: Response
    try {
      res = await (early ?? this.fetcher(url, { method, headers, body, credentials: 'same-origin', signal: opts.signal ?? null }))
    } catch (err) {
      if ((err as { name?: string })?.name === 'AbortError') throw err
      throw new LeadApiError('network', `the service could not be reached (${what}): ${(err as Error)?.message ?? String(err)}`, 0)
    }
    const text = await res.text()
    let json: unknown
    try {
      json = text === '' ? undefined : JSON.parse(text)
    } catch {
      throw new LeadApiError('invalid_response', `the service answered ${what} with HTTP ${res.status} and a body that is not JSON`, res.status)
    }
    if (!res.ok) {
      const parsed = SyncErrorBody.safeParse(json)
      if (parsed.success) throw new LeadApiError(parsed.data.error.code, parsed.data.error.message, res.status, parsed.data.error.details ?? [])
      throw new LeadApiError('invalid_response', `the service refused ${what} with HTTP ${res.status} and no error it explains`, res.status)
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const details = parsed.error.issues.slice(0, 5).map((i) => ({ path: ['answer', ...i.path.map(String)].join('.'), message: i.message }))
      throw new LeadApiError('invalid_response', `the service's answer to ${what} is not what this console understands`, res.status, details)
    }
    return parsed.data
  }
}
