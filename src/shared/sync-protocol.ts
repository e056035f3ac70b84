import { z } from 'zod'
import { PackedDecision } from './decision-pack-format'
import { PackClip, PackId, Rfc3339 } from './field-pack'
import { MAX_FRAMES_PER_MEDIA } from './frame-hashes'
import { MAX_HASHES_PER_FRAME } from './pdq/frame-variants'

/**
 * The sync protocol, version 1 (docs/sync-protocol.md): what a reviewer's device and the
 * sync service (src/server) say to each other. Both sides parse every body with these
 * schemas — the server what devices send, the client what the server answers — so a
 * broken or hostile message is refused by the same rules on either end.
 *
 * JSON over HTTP. Every path starts with /v1; every request but health and enroll carries
 * `Authorization: Bearer <token>`. Errors are `{ "error": SyncError }` with the status
 * given in SYNC_ERROR_STATUS.
 */

export const SYNC_PROTOCOL_VERSION = 1
export const SYNC_BASE_PATH = '/v1'
/** Sent by both sides on every request and response; a mismatch is `protocol_mismatch`. */
export const PROTOCOL_HEADER = 'tinjau-protocol'
/** Base64 of the raw Ed25519 signature, by the device's key, over the exact request body bytes. */
export const SIGNATURE_HEADER = 'tinjau-signature'

export const SYNC_PATHS = {
  health: '/v1/health',
  enroll: '/v1/enroll',
  /** POST: push a signed batch of decisions. */
  decisions: '/v1/decisions',
  /** POST: a decision pack zip (docs/decision-pack.md), same effect as pushing its decisions. */
  decisionPacks: '/v1/decision-packs',
  /** GET ?cursor=&limit=: assignment changes after the cursor. */
  assignments: '/v1/assignments',
  /** GET /v1/media/<sha256>, Range requests allowed. */
  media: '/v1/media',
  /** GET: what the reviewer should know about: adjudications on their clips, rejected decisions. */
  notices: '/v1/notices',
  /** POST, authenticated: the device gives up its own token (unenroll); afterwards that token is `unauthorized`. */
  revokeSelf: '/v1/devices/self/revoke',
  /** GET ?cursor=&limit=: outcomes of clips this reviewer decided, after the cursor. */
  outcomes: '/v1/outcomes',
  /** POST: what the device says of itself (decided clips per pack, decisions not yet pushed), for the lead's progress view. */
  deviceStatus: '/v1/devices/self/status',
  /** GET ?cursor=&limit=: the team's known footage: frame hashes of decided media, with the outcomes in force (docs/perceptual-hashes.md). */
  mediaHashes: '/v1/media-hashes',
} as const

/** Most decisions in one push; the client splits its outbox into batches of at most this. */
export const MAX_PUSH_BATCH = 1000
/** Most changes in one assignments page; the server may send fewer. */
export const MAX_PULL_PAGE = 2000
export const DEFAULT_PULL_PAGE = 1000
/** Request bodies above this are refused with `payload_too_large` (decision packs excepted). */
export const MAX_PUSH_BODY_BYTES = 16 * 1024 * 1024

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters')
export const PublicKeyText = z.string().regex(/^ed25519:[A-Za-z0-9+/]{43}=$/, '"ed25519:" followed by base64 of 32 bytes')
const DeviceId = z.string().min(1).max(200)
const ReviewerId = z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, '1–128 characters of A–Z a–z 0–9 . _ @ -')
/** Opaque to the client: it stores the last one it applied and sends it back. */
const Cursor = z.string().max(200)

// ---- errors (sync-errors.ts) -------------------------------------------------------

export { RETRYABLE_SYNC_ERRORS, SYNC_ERROR_CODES, SYNC_ERROR_STATUS, SyncError, SyncErrorBody, type SyncErrorCode } from './sync-errors'

// ---- health -------------------------------------------------------------------------

export const HealthResponse = z.looseObject({
  service: z.literal('tinjau-sync'),
  protocol: z.number().int(),
  time: Rfc3339,
})
export type HealthResponse = z.infer<typeof HealthResponse>

// ---- enrollment ---------------------------------------------------------------------

export const EnrollRequest = z.strictObject({
  /** The one-time code an operator made for the reviewer (`tinjau-server reviewer code`). */
  code: z.string().min(6).max(100),
  device_id: DeviceId,
  public_key: PublicKeyText,
  device_name: z.string().max(200).optional(),
})
export type EnrollRequest = z.infer<typeof EnrollRequest>

export const EnrollResponse = z.strictObject({
  reviewer_id: ReviewerId,
  reviewer_name: z.string(),
  device_id: DeviceId,
  /** Shown once; the server keeps only its hash. */
  token: z.string().min(32).max(200),
})
export type EnrollResponse = z.infer<typeof EnrollResponse>

/** The answer to `POST /v1/devices/self/revoke`: the token that made the request no longer works. */
export const RevokeSelfResponse = z.strictObject({
  revoked: z.literal(true),
})
export type RevokeSelfResponse = z.infer<typeof RevokeSelfResponse>

// ---- push ---------------------------------------------------------------------------

// ---- media hashes (known footage, issue 14) ----------------------------------------------

/** Most media objects whose hashes one push carries. */
export const MAX_PUSH_MEDIA_HASHES = 100
/** Names the hash and the sampling (frame-hashes HASHER_ID, e.g. "pdq/1fps/v2"): hashes of different hashers are never compared. */
export const HasherId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}(\/[a-z0-9._-]{1,32}){0,4}$/, 'a hasher id such as "pdq/1fps/v2"')

/**
 * One media object's frame hashes, packed: `times_ms` has one entry per frame,
 * `hashes_per_frame` hashes per frame (the picture whole and its crops), `hashes` all of
 * them as one string of 64 hex characters each (a frame's hashes together, frames in
 * order), `qualities` one per hash in the same order. ~66 bytes a hash instead of ~90 as
 * objects: 14,400 frames of 4 hashes fit a push (3.8 MB).
 */
const MediaFramesShape = {
  hasher: HasherId,
  hashes_per_frame: z.number().int().min(1).max(MAX_HASHES_PER_FRAME),
  times_ms: z.array(z.number().int().min(0).max(0xffff_ffff)).min(1).max(MAX_FRAMES_PER_MEDIA),
  hashes: z.string().max(MAX_FRAMES_PER_MEDIA * MAX_HASHES_PER_FRAME * 64),
  qualities: z.array(z.number().int().min(0).max(100)).max(MAX_FRAMES_PER_MEDIA * MAX_HASHES_PER_FRAME),
}

type MediaFramesShape = { hashes_per_frame: number; times_ms: number[]; hashes: string; qualities: number[] }

/** The counts must fit together and the hex must be hex: the first problem, where, or null. */
export function mediaFramesProblem(m: MediaFramesShape): { path: string; message: string } | null {
  const n = m.times_ms.length * m.hashes_per_frame
  if (m.hashes.length !== n * 64) return { path: 'hashes', message: `${m.times_ms.length} frames × ${m.hashes_per_frame} hashes need ${n * 64} hex characters, not ${m.hashes.length}` }
  const bad = /[^0-9a-f]/.exec(m.hashes)
  if (bad) return { path: 'hashes', message: `character ${bad.index} is ${JSON.stringify(bad[0])}, not lowercase hex` }
  if (m.qualities.length !== n) return { path: 'qualities', message: `${n} hashes need ${n} qualities, not ${m.qualities.length}` }
  for (let i = 1; i < m.times_ms.length; i++) {
    if (m.times_ms[i]! <= m.times_ms[i - 1]!) return { path: `times_ms.${i}`, message: 'frame times must increase' }
  }
  return null
}

const checkFrames = (m: MediaFramesShape, ctx: z.RefinementCtx) => {
  const problem = mediaFramesProblem(m)
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: problem.message })
}

/** Frame hashes without the media they are of (a pulled item names it). */
export const MediaFrames = z.strictObject(MediaFramesShape).superRefine(checkFrames)
export type MediaFrames = z.infer<typeof MediaFrames>

/** A pushed media object's frame hashes: the media of a clip the pushing reviewer was assigned. */
export const MediaFrameHashes = z.strictObject({ sha256: Sha256Hex, ...MediaFramesShape }).superRefine(checkFrames)
export type MediaFrameHashes = z.infer<typeof MediaFrameHashes>

export const MEDIA_HASH_OUTCOMES = [
  /** New on the server. */
  'stored',
  /** The server holds hashes of this media by this hasher already (the first ones pushed stay). */
  'duplicate',
  /** Not the media of a clip this reviewer was ever assigned; not stored, and sending it again will not help. */
  'rejected',
] as const

export const MediaHashResult = z.strictObject({
  sha256: Sha256Hex,
  hasher: HasherId,
  outcome: z.enum(MEDIA_HASH_OUTCOMES),
  message: z.string().max(500).optional(),
})
export type MediaHashResult = z.infer<typeof MediaHashResult>

// ---- push ---------------------------------------------------------------------------

/**
 * A push. The body's exact bytes are signed (SIGNATURE_HEADER). Decisions are in the
 * device's outbox order, so a revision comes after the decision it revises. It may carry
 * the frame hashes of media it decided (`media_hashes`); a push of hashes alone has no
 * decisions.
 */
export const PushRequest = z
  .strictObject({
    /** Made by the client per attempt; logged by the server for tracing, not for dedup. */
    batch_id: z.string().min(1).max(100),
    device_id: DeviceId,
    decisions: z.array(PackedDecision).max(MAX_PUSH_BATCH),
    media_hashes: z.array(MediaFrameHashes).min(1).max(MAX_PUSH_MEDIA_HASHES).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.decisions.length === 0 && !p.media_hashes) ctx.addIssue({ code: 'custom', path: ['decisions'], message: 'a push carries at least one decision or media_hashes' })
    const seen = new Set<string>()
    p.media_hashes?.forEach((m, i) => {
      const key = `${m.sha256} ${m.hasher}`
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['media_hashes', i], message: `hashes of ${m.sha256} by ${m.hasher} come twice` })
      seen.add(key)
    })
  })
export type PushRequest = z.infer<typeof PushRequest>

export const PUSH_OUTCOMES = [
  /** New on the server. */
  'stored',
  /** The server already held this id with the same content: a repeated push. */
  'duplicate',
  /** Refused for good (see `error`); repeating it will not help. */
  'rejected',
] as const
export type PushOutcome = (typeof PUSH_OUTCOMES)[number]

export const DECISION_REJECTIONS = [
  /** The decision's reviewer_id is not the token's reviewer. */
  'not_own_decision',
  /** The clip is unknown or not assigned to this reviewer. */
  'not_assigned',
  /** The same id is stored with different content. */
  'id_conflict',
  /** revises_id names a decision the server does not hold, another reviewer's, or one already revised. */
  'bad_revision',
  /** device_id is not a device of this reviewer. */
  'unknown_device',
] as const
export type DecisionRejection = (typeof DECISION_REJECTIONS)[number]

export const PushResult = z.strictObject({
  id: z.string(),
  outcome: z.enum(PUSH_OUTCOMES),
  /** Set when outcome is rejected. */
  rejection: z.enum(DECISION_REJECTIONS).optional(),
  message: z.string().optional(),
  /** The clip now has decisions in force from reviewers who disagree. */
  adjudication: z.boolean().optional(),
})
export type PushResult = z.infer<typeof PushResult>

export const PushResponse = z.strictObject({
  /** One per pushed decision, in request order. */
  results: z.array(PushResult),
  /** One per pushed media_hashes entry, in request order; absent when the push carried none. */
  media_hashes: z.array(MediaHashResult).optional(),
})
export type PushResponse = z.infer<typeof PushResponse>

// ---- decision pack upload ------------------------------------------------------------

export const DecisionPackResponse = z.strictObject({
  counts: z.strictObject({ stored: z.number().int(), duplicate: z.number().int(), rejected: z.number().int() }),
  results: z.array(PushResult),
})
export type DecisionPackResponse = z.infer<typeof DecisionPackResponse>

// ---- pull ---------------------------------------------------------------------------

/** A pack as the server holds it: pack.json without its clips. */
export const SyncPack = z.strictObject({
  pack_id: PackId,
  /** sha256 of the pack.json the operator loaded. */
  manifest_sha256: Sha256Hex,
  created_at: Rfc3339,
  issuer: z.looseObject({ name: z.string(), public_key: PublicKeyText.optional() }).nullable(),
  policy: z.looseObject({ id: z.string(), version: z.string() }).nullable(),
  signed: z.boolean(),
  /** pack.json header fields field-pack v1 does not define, kept as the pack gave them. */
  extra: z.record(z.string(), z.unknown()),
})
export type SyncPack = z.infer<typeof SyncPack>

export const AssignmentChange = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('assigned'),
    pack_id: PackId,
    /** The clip object exactly as the pack gave it; the client checks it as it checks a pack. */
    clip: PackClip,
    assigned_at: Rfc3339,
  }),
  z.strictObject({
    kind: z.literal('unassigned'),
    pack_id: PackId,
    clip_id: PackId,
    at: Rfc3339,
  }),
])
export type AssignmentChange = z.infer<typeof AssignmentChange>

export const AssignmentsQuery = z.strictObject({
  /** Absent or '' on the first pull. */
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_PAGE).optional(),
})
export type AssignmentsQuery = z.infer<typeof AssignmentsQuery>

export const AssignmentsResponse = z.strictObject({
  /** Every pack a change in this page belongs to. */
  packs: z.array(SyncPack),
  changes: z.array(AssignmentChange),
  /** Send this back for the next page; unchanged when there were no changes. */
  cursor: Cursor,
  /** More changes wait after this page. */
  more: z.boolean(),
})
export type AssignmentsResponse = z.infer<typeof AssignmentsResponse>

// ---- notices ------------------------------------------------------------------------

export const Adjudication = z.strictObject({
  clip_id: PackId,
  pack_id: PackId,
  opened_at: Rfc3339,
  state: z.enum(['open', 'resolved']),
  /** The decisions in force that disagree, one per reviewer. */
  decisions: z.array(z.strictObject({ id: z.string(), reviewer_id: ReviewerId, action: z.string(), categories: z.array(z.string()) })),
})
export type Adjudication = z.infer<typeof Adjudication>

export const NoticesResponse = z.strictObject({
  reviewer_id: ReviewerId,
  /** Adjudications on clips this reviewer decided. */
  adjudications: z.array(Adjudication),
})
export type NoticesResponse = z.infer<typeof NoticesResponse>

// ---- outcomes -----------------------------------------------------------------------

/** Most outcome notices in one page. */
export const MAX_OUTCOME_PAGE = 1000

export const OutcomesQuery = z.strictObject({
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_OUTCOME_PAGE).optional(),
})

/** The organisation's outcome for a clip the reviewer decided (docs/outcomes.md). Their own decision never changes because of it. */
export const OutcomeNotice = z.strictObject({
  clip_id: PackId,
  pack_id: PackId,
  outcome: z.strictObject({
    id: z.string().min(1).max(100),
    kind: z.enum(['pending', 'single_review', 'consensus', 'disputed', 'adjudicated']),
    action: z.string().max(100).nullable(),
    categories: z.array(z.string().max(100)).max(50).nullable(),
    rationale: z.string().max(20_000).nullable(),
    /** The lead who settled it (adjudicated only). */
    lead: z.strictObject({ id: z.string().max(128), name: z.string().max(200) }).nullable(),
    created_at: Rfc3339,
  }),
  /** The reviewer's decision in force when this was sent. */
  your_decision_id: z.string().max(100).nullable(),
  /** Whether that decision agrees with the outcome (same action and categories); null while the outcome carries no decision (pending, disputed). */
  upheld: z.boolean().nullable(),
})
export type OutcomeNotice = z.infer<typeof OutcomeNotice>

export const OutcomesResponse = z.strictObject({
  reviewer_id: ReviewerId,
  /** Oldest first; a clip may come more than once (each change of its outcome): the last one is in force. */
  outcomes: z.array(OutcomeNotice),
  cursor: Cursor,
  more: z.boolean(),
})
export type OutcomesResponse = z.infer<typeof OutcomesResponse>

export const DeviceStatusRequest = z.strictObject({
  /** Clips decided on this device, per pack. */
  decided_by_pack: z.record(PackId, z.number().int().min(0).max(10_000_000)).refine((r) => Object.keys(r).length <= 1000, 'at most 1000 packs'),
  /** Decisions recorded and not yet acknowledged by the service. */
  unsent: z.number().int().min(0).max(10_000_000),
})
export type DeviceStatusRequest = z.infer<typeof DeviceStatusRequest>

// ---- the team's known footage (GET /v1/media-hashes) -----------------------------------------

/** Most items in one media-hashes page; the server sends fewer when their hashes pass MEDIA_HASH_PAGE_BYTES. */
export const MAX_MEDIA_HASH_PAGE = 200
/** Hex characters of hashes in one page, past its first item. */
export const MEDIA_HASH_PAGE_BYTES = 8 * 1024 * 1024

export const MediaHashesQuery = z.strictObject({
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_MEDIA_HASH_PAGE).optional(),
})

/** A clip of the organisation that uses the media, with its outcome in force (as GET /v1/outcomes carries it). */
export const KnownClip = z.strictObject({
  clip_id: PackId,
  pack_id: PackId,
  outcome: OutcomeNotice.shape.outcome,
  /** The reviewers whose decisions in force the outcome rests on. */
  reviewer_ids: z.array(ReviewerId).max(50),
})
export type KnownClip = z.infer<typeof KnownClip>

export const KnownMedia = z.strictObject({
  sha256: Sha256Hex,
  /** New hashes of this media (one hasher); null when only the outcomes of its clips changed. */
  frames: MediaFrames.nullable(),
  /** Every clip using this media with an outcome in force, now (at most 50, latest first): replaces what came before for this media. */
  clips: z.array(KnownClip).max(50),
})
export type KnownMedia = z.infer<typeof KnownMedia>

export const MediaHashesResponse = z.strictObject({
  /** Oldest change first; a media object comes again when its clips' outcomes change. */
  items: z.array(KnownMedia),
  cursor: Cursor,
  more: z.boolean(),
})
export type MediaHashesResponse = z.infer<typeof MediaHashesResponse>
