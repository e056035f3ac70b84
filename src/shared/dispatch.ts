import type { z } from 'zod'
import { API_METHODS, GATE_FREE_METHODS, type ApiMethod } from './api-methods'
import { contract, type DispatchHandlers } from './contract'
import { TinjauError, type ErrorDetail, type Result } from './errors'

/** zod issues as `path: message` details, so an error says where as well as what. */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }))
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name)
}

/**
 * Validate, call, and wrap: the single path from untrusted payload to handler. Never
 * throws; an unexpected exception becomes an `internal` error (logged by `onInternal`).
 */
/** Something that can hold the handlers' store for a while (core's WriteGate), seen from here. */
export interface CallGate {
  readonly busy: boolean
  idle(): Promise<void>
}

export async function dispatch(
  handlers: DispatchHandlers,
  method: unknown,
  payload: unknown,
  onInternal: (err: unknown) => void = () => {},
  gate?: CallGate,
): Promise<Result<unknown>> {
  if (!isApiMethod(method)) {
    return { ok: false, error: { code: 'invalid_input', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } }
  }
  const parsed = contract[method].input.safeParse(payload ?? {})
  if (!parsed.success) {
    const details = zodDetails(parsed.error)
    return {
      ok: false,
      error: { code: 'invalid_input', message: `invalid input for ${method}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details },
    }
  }
  try {
    // Wait until no import holds the store; checked again after every wake-up, right before the call.
    if (!GATE_FREE_METHODS.includes(method)) while (gate?.busy) await gate.idle()
    const handler = (handlers as Partial<Record<string, (input: unknown) => unknown>>)[method]
    if (!handler) throw new TinjauError('conflict', `${method} is not served by this host: its profile is opened unlocked and cannot be locked here`)
    const value = await handler(parsed.data)
    return { ok: true, value }
  } catch (err) {
    if (err instanceof TinjauError) return { ok: false, error: err.toApiError() }
    onInternal(err)
    return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }
  }
}
