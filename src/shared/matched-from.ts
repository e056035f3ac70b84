import { z } from 'zod'

/**
 * Where a decision came from when the reviewer started it from a known-content match
 * (issue 14): recorded with the decision, in the profile, the decision pack, the sync push
 * and the audit trail, so a later reader can tell "decided by watching" from "applied from
 * a match", and with what.
 *
 * A union on `source`. Today only `clip` (another clip of this profile); hash lists
 * (`hashlist`: list id, entry id, label) and the team's hashes from the service (`team`)
 * become further variants beside it, each with the shared match fields, without changing
 * what a `clip` record looks like. The decision pack holds the snake_case twin
 * (`PackedMatchedFrom`), converted one to one by the two functions below.
 */

export const MATCH_SOURCES = ['clip'] as const

const Percent = z.number().finite().min(0).max(100)
const ClipId = z.string().min(1).max(128)
/** Decision ids are UUIDv7 made on a device; bounded like the pack's ids. */
const DecisionId = z.string().min(1).max(200)

export const MatchedFromClip = z.strictObject({
  source: z.literal('clip'),
  /** The clip of this profile whose video matched. */
  clipId: ClipId,
  /** Its decision in force when the match was applied; null when only the organisation's outcome was. */
  decisionId: DecisionId.nullable(),
  /** vPDQ's query match %: share of the decided clip's frames that found a match. */
  queryMatchPercent: Percent,
  /** vPDQ's compared match %: share of the matched clip's frames that matched. */
  comparedMatchPercent: Percent,
  /** The same media file byte for byte. */
  sameFile: z.boolean(),
})

export const MatchedFrom = z.discriminatedUnion('source', [MatchedFromClip])
export type MatchedFrom = z.infer<typeof MatchedFrom>

export const PackedMatchedFromClip = z.strictObject({
  source: z.literal('clip'),
  clip_id: ClipId,
  decision_id: DecisionId.nullable(),
  query_match_percent: Percent,
  compared_match_percent: Percent,
  same_file: z.boolean(),
})

export const PackedMatchedFrom = z.discriminatedUnion('source', [PackedMatchedFromClip])
export type PackedMatchedFrom = z.infer<typeof PackedMatchedFrom>

/** The pack's form, keys in the documented order (the stored JSON text and the pack's bytes follow it). */
export function packMatchedFrom(m: MatchedFrom): PackedMatchedFrom {
  return {
    source: m.source,
    clip_id: m.clipId,
    decision_id: m.decisionId,
    query_match_percent: m.queryMatchPercent,
    compared_match_percent: m.comparedMatchPercent,
    same_file: m.sameFile,
  }
}

export function unpackMatchedFrom(p: PackedMatchedFrom): MatchedFrom {
  return {
    source: p.source,
    clipId: p.clip_id,
    decisionId: p.decision_id,
    queryMatchPercent: p.query_match_percent,
    comparedMatchPercent: p.compared_match_percent,
    sameFile: p.same_file,
  }
}
