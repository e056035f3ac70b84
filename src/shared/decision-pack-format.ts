import { z } from 'zod'
import { PackedMatchedFrom } from './matched-from'

/**
 * The decision pack, version 1 (docs/decision-pack.md): a zip of `decisions.json` and
 * `decisions.sig`, the raw Ed25519 signature over the exact bytes of decisions.json by the
 * exporting device's key. This schema is what `verifyDecisionPack` holds a file to; the
 * writer builds the same shape as text, row by row, without going through it.
 */

export const DECISIONS_FORMAT = 'tinjau.decisions'
export const DECISIONS_VERSION = 1
export const DECISIONS_ENTRY = 'decisions.json'
export const SIGNATURE_ENTRY = 'decisions.sig'

const Time = z.iso.datetime({ offset: true, message: 'an RFC 3339 time' })
const Id = z.string().min(1).max(200)
const PublicKey = z.string().regex(/^ed25519:[A-Za-z0-9+/]{43}=$/, '"ed25519:" followed by base64 of 32 bytes')
const Count = z.number().int().min(0)

export const PackedRange = z.strictObject({
  start_ms: z.number().int().min(0),
  end_ms: z.number().int().min(0),
  label: z.string(),
  note: z.string(),
})

export const PackedDecision = z.strictObject({
  id: Id,
  clip_id: Id,
  pack_id: Id,
  revises_id: Id.nullable(),
  decided_at: Time,
  reviewer_id: z.string().min(1),
  device_id: z.string().min(1),
  policy_id: z.string().min(1),
  policy_version: z.string().min(1),
  categories: z.array(z.string().min(1)).min(1),
  action: z.string().min(1),
  escalation_target: z.string().min(1).nullable(),
  ranges: z.array(PackedRange),
  rationale: z.string(),
  /** Only when the decision was applied from a known-content match: absent otherwise, never null. */
  matched_from: PackedMatchedFrom.optional(),
})
export type PackedDecision = z.infer<typeof PackedDecision>

export const PackedPack = z.strictObject({
  id: Id,
  created_at: z.string(),
  issuer: z.strictObject({ name: z.string().nullable(), public_key: z.string().nullable() }).nullable(),
  policy: z.strictObject({ id: z.string().nullable(), version: z.string().nullable() }).nullable(),
  signed: z.boolean(),
  /** pack.json header fields that field-pack v1 does not define, kept as the pack gave them. */
  extra: z.record(z.string(), z.unknown()).optional(),
})
export type PackedPack = z.infer<typeof PackedPack>

export const DecisionCounts = z.strictObject({
  decisions: Count,
  /** Decisions that revise another (revises_id set). */
  revisions: Count,
  /** Revision chains, i.e. decisions that revise none. */
  chains: Count,
  clips: Count,
  packs: Count,
})
export type DecisionCounts = z.infer<typeof DecisionCounts>

export const DecisionsDocument = z.strictObject({
  format: z.literal(DECISIONS_FORMAT),
  version: z.literal(DECISIONS_VERSION),
  created_at: Time,
  exporter: z.strictObject({ device_id: z.string().min(1), reviewer_id: z.string().min(1), public_key: PublicKey }),
  selection: z.strictObject({ from: Time.nullable(), to: Time.nullable(), pack_id: Id.nullable() }),
  counts: DecisionCounts,
  packs: z.array(PackedPack),
  decisions: z.array(PackedDecision),
  /** Per clip id: the clip's fields that field-pack v1 does not define, in their nesting. */
  clip_extras: z.record(z.string(), z.record(z.string(), z.unknown())),
})
export type DecisionsDocument = z.infer<typeof DecisionsDocument>
