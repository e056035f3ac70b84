import { expect } from 'vitest'
import { PROTOCOL_HEADER, PushResponse, SyncErrorBody, type SyncError } from '../../shared/sync-protocol'

/** A push's per-decision results, once the answer is checked to be a 200 in protocol 1. */
export async function pushResults(res: Response): Promise<PushResponse['results']> {
  expect(res.status).toBe(200)
  expect(res.headers.get(PROTOCOL_HEADER)).toBe('1')
  return PushResponse.parse(await res.json()).results
}

/** The error a refusal carries (it must follow the protocol's error body). */
export async function errorOf(res: Response): Promise<SyncError> {
  return SyncErrorBody.parse(await res.json()).error
}
