import { z } from 'zod'

/**
 * Where a decision came from when the reviewer started it from a known-content match
 * (issue 14): recorded with the decision, in the profile, the decision pack, the sync push
 * and the audit trail, so a later reader can tell "decided by watching" from "applied from
 * a match", and with what.
 *
 * A union on `source`: `clip` (another clip of this profile) and `hashlist` (an entry of a
 * hash list this profile holds: an imported file, or the team's hashes from the service).
 * Each variant carries the shared match fields; adding one never changes what another's
 * record looks like. The decision pack holds the snake_case twin (`PackedMatchedFrom`),
 * converted one to one by the two functions below.
 */

export const MATCH_SOURCES = ['clip', 'hashlist'] as const

const Percent = z.number().finite().min(0).max(100)
const ClipId = z.string().min(1).max(128)
/** Decision ids are UUIDv7 made on a device; bounded like the pack's ids. */
const DecisionId = z.string().min(1).max(200)
/** Bounded as the hash list file bounds them (hash-list-format.ts HASH_LIST_LIMITS). */
const ListId = z.string().min(1).max(200)
const EntryId = z.string().min(1).max(200)
const Label = z.string().max(200)
/** A list's version is its created_at (docs/hash-list.md). */
const ListVersion = z.iso.datetime({ offset: true, message: 'an RFC 3339 time' })
/** Where a hash list came from: an imported file, or the team's hashes from the sync service. */
const ListSource = z.enum(['hashlist', 'team'])

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

export const MatchedFromHashList = z.strictObject({
  source: z.literal('hashlist'),
  /** The hash list's id, and where the list came from. */
  listId: ListId,
  listSource: ListSource,
  /** The list's version (its created_at) in force when the match was applied. */
  listVersion: ListVersion,
  /** The entry of that list whose hashes matched, and its label as the list gave it. */
  entryId: EntryId,
  label: Label,
  /** vPDQ's query match %: share of the decided clip's frames that found a match. */
  queryMatchPercent: Percent,
  /** vPDQ's compared match %: share of the entry's frames that matched. */
  comparedMatchPercent: Percent,
  /** The decided clip's media is the entry's media file, byte for byte. */
  sameFile: z.boolean(),
})

export const MatchedFrom = z.discriminatedUnion('source', [MatchedFromClip, MatchedFromHashList])
export type MatchedFrom = z.infer<typeof MatchedFrom>
export type MatchedFromClip = z.infer<typeof MatchedFromClip>
export type MatchedFromHashList = z.infer<typeof MatchedFromHashList>

export const PackedMatchedFromClip = z.strictObject({
  source: z.literal('clip'),
  clip_id: ClipId,
  decision_id: DecisionId.nullable(),
  query_match_percent: Percent,
  compared_match_percent: Percent,
  same_file: z.boolean(),
})

export const PackedMatchedFromHashList = z.strictObject({
  source: z.literal('hashlist'),
  list_id: ListId,
  list_source: ListSource,
  list_version: ListVersion,
  entry_id: EntryId,
  label: Label,
  query_match_percent: Percent,
  compared_match_percent: Percent,
  same_file: z.boolean(),
})

export const PackedMatchedFrom = z.discriminatedUnion('source', [PackedMatchedFromClip, PackedMatchedFromHashList])
export type PackedMatchedFrom = z.infer<typeof PackedMatchedFrom>
export type PackedMatchedFromClip = z.infer<typeof PackedMatchedFromClip>
export type PackedMatchedFromHashList = z.infer<typeof PackedMatchedFromHashList>

/** The pack's form, keys in the documented order (the stored JSON text and the pack's bytes follow it). */
export function packMatchedFrom(m: MatchedFrom): PackedMatchedFrom {
  if (m.source === 'hashlist') {
    return {
      source: m.source,
      list_id: m.listId,
      list_source: m.listSource,
      list_version: m.listVersion,
      entry_id: m.entryId,
      label: m.label,
      query_match_percent: m.queryMatchPercent,
      compared_match_percent: m.comparedMatchPercent,
      same_file: m.sameFile,
    }
  }
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
  if (p.source === 'hashlist') {
    return {
      source: p.source,
      listId: p.list_id,
      listSource: p.list_source,
      listVersion: p.list_version,
      entryId: p.entry_id,
      label: p.label,
      queryMatchPercent: p.query_match_percent,
      comparedMatchPercent: p.compared_match_percent,
      sameFile: p.same_file,
    }
  }
  return {
    source: p.source,
    clipId: p.clip_id,
    decisionId: p.decision_id,
    queryMatchPercent: p.query_match_percent,
    comparedMatchPercent: p.compared_match_percent,
    sameFile: p.same_file,
  }
}

/** A packed match with its keys in the documented order (jsonb keeps none), for writing out and comparing. */
export function orderedPackedMatchedFrom(p: PackedMatchedFrom): PackedMatchedFrom {
  return packMatchedFrom(unpackMatchedFrom(p))
}
