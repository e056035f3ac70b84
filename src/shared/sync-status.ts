import { z } from 'zod'
import { Adjudication } from './sync-protocol'

/**
 * What the hosts tell the renderer about sync (core/sync/state.ts makes it): where the
 * client stands, what waits, what the reviewer should know. The `sync.status` event and
 * the `sync.*` methods carry it.
 */

export const SYNC_PHASES = ['push', 'pull', 'media', 'notices', 'outcomes'] as const
export const SYNC_FAILURE_CODES = [
  'unauthorized',
  'forbidden',
  'refused',
  'server_error',
  'invalid_response',
  'protocol_mismatch',
  'token_unreadable',
  'local',
  /** The organisation revoked this device: its profile's key was wiped (docs/encryption.md, "Wiping"). */
  'device_revoked',
] as const
export type SyncFailureCode = (typeof SYNC_FAILURE_CODES)[number]

const Time = z.string().min(1).max(64)

const SyncActivity = z.discriminatedUnion('state', [
  z.object({ state: z.literal('not_enrolled') }),
  z.object({ state: z.literal('idle') }),
  z.object({ state: z.literal('up_to_date') }),
  z.object({ state: z.literal('syncing'), phase: z.enum(SYNC_PHASES), done: z.number().int().min(0), total: z.number().int().min(0).nullable() }),
  z.object({ state: z.literal('offline'), message: z.string(), nextRetryAt: Time.nullable() }),
  z.object({ state: z.literal('error'), code: z.enum(SYNC_FAILURE_CODES), message: z.string(), next: z.string(), nextRetryAt: Time.nullable() }),
])

const SyncExtras = z.object({
  server: z.object({ url: z.string(), reviewerId: z.string(), reviewerName: z.string(), enrolledAt: Time }).nullable(),
  lastSuccessAt: Time.nullable(),
  lastAttemptAt: Time.nullable(),
  counts: z.object({ pending: z.number().int().min(0), rejected: z.number().int().min(0), notices: z.number().int().min(0) }),
  nextRunAt: Time.nullable(),
})

export const SyncStatus = z.intersection(SyncActivity, SyncExtras)
export type SyncStatus = z.infer<typeof SyncStatus>
export type SyncState = SyncStatus['state']

export const RejectedDecision = z.object({
  decisionId: z.string(),
  clipId: z.string(),
  reviewerId: z.string(),
  decidedAt: Time,
  rejectedAt: Time,
  rejection: z.string(),
  message: z.string().nullable(),
})
export type RejectedDecision = z.infer<typeof RejectedDecision>

/** What the reviewer should look at: decisions the server refused, and clips in adjudication. */
export const SyncIssues = z.object({
  rejected: z.array(RejectedDecision),
  adjudications: z.array(Adjudication),
})
export type SyncIssues = z.infer<typeof SyncIssues>

export const EnrollInput = z
  .object({
    serverUrl: z.url({ protocol: /^https?$/, message: 'an http(s) URL' }).max(2000),
    code: z.string().trim().min(6).max(100),
  })
  .strict()
