import { z } from 'zod'
import { ClipOutcome, ClipStatus, DecisionRecord } from './domain'

/**
 * Known content (issue 14): other clips whose video matches the open clip's by perceptual
 * hash, and what was decided about them, so a re-streamed copy of footage already decided
 * is recognised before it is watched again.
 */

/** A clip of this profile whose video matches. */
export const ClipMatch = z.object({
  source: z.literal('clip'),
  clipId: z.string(),
  packId: z.string(),
  status: ClipStatus,
  streamTitle: z.string().nullable(),
  posterSha256: z.string().nullable(),
  /** The same media file (byte for byte), not only a look-alike. */
  sameFile: z.boolean(),
  /** Share of the open clip's frames that found a match in this one (vPDQ's query match %). */
  queryMatchPercent: z.number().min(0).max(100),
  /** Share of this clip's frames that matched (vPDQ's compared match %). */
  comparedMatchPercent: z.number().min(0).max(100),
  /** This profile's decision in force on it. */
  decision: DecisionRecord.nullable(),
  /** The organisation's outcome, as the sync service last said it. */
  outcome: ClipOutcome.nullable(),
})
export type ClipMatch = z.infer<typeof ClipMatch>

/** The decision a hash list entry carries (docs/hash-list.md), as the console shows and applies it. */
export const ListDecision = z.object({
  action: z.string(),
  categories: z.array(z.string()),
  rationale: z.string(),
  policyId: z.string().nullable(),
  policyVersion: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  sourceClipId: z.string().nullable(),
})
export type ListDecision = z.infer<typeof ListDecision>

/** An entry of an imported hash list (or of the team's hashes) that the open clip's video matches. */
export const HashListMatch = z.object({
  source: z.literal('hashlist'),
  listId: z.string(),
  listName: z.string(),
  /** Where the list came from: an imported file, or the team's hashes from the sync service. */
  listSource: z.enum(['hashlist', 'team']),
  /** The list's version in force (its created_at): recorded with a decision applied from the entry. */
  listVersion: z.string(),
  issuerName: z.string(),
  issuerPublicKey: z.string(),
  entryId: z.string(),
  label: z.string(),
  /** The open clip's media is the entry's media file, byte for byte. */
  sameFile: z.boolean(),
  queryMatchPercent: z.number().min(0).max(100),
  comparedMatchPercent: z.number().min(0).max(100),
  decision: ListDecision,
})
export type HashListMatch = z.infer<typeof HashListMatch>

/** A match of either kind: another clip of the profile, or a hash list entry. */
export const KnownMatch = z.discriminatedUnion('source', [ClipMatch, HashListMatch])
export type KnownMatch = z.infer<typeof KnownMatch>

export const ClipMatches = z.object({
  /** Where the open clip's own hashing is: matches are known only once it is hashed. */
  hashing: z.enum(['hashed', 'waiting', 'failed']),
  /** Decided ones first, then the strongest (hash list entries always carry a decision). */
  matches: z.array(KnownMatch),
})
export type ClipMatches = z.infer<typeof ClipMatches>

/**
 * The match rule a profile uses (vPDQ's four numbers; docs/perceptual-hashes.md). The
 * defaults are the reference's, the same as core/hashes/video-match.ts's named constants
 * (a test keeps them equal); the bounds are what the index can answer.
 */
export const MATCHING_DEFAULTS = Object.freeze({
  distanceTolerance: 31,
  qualityTolerance: 50,
  queryMatchPercent: 80,
  comparedMatchPercent: 0,
})
export const MATCHING_MAX_DISTANCE = 63

export const MatchingSettings = z
  .object({
    /** Frames match at a PDQ distance of at most this many bits (of 256). */
    distanceTolerance: z.number().int().min(0).max(MATCHING_MAX_DISTANCE),
    /** Frame hashes of a lower PDQ quality (0–100) are ignored on both sides. */
    qualityTolerance: z.number().int().min(0).max(100),
    /** Share of the open clip's frames that must match, %. */
    queryMatchPercent: z.number().int().min(0).max(100),
    /** Share of the other clip's frames that must match, %. */
    comparedMatchPercent: z.number().int().min(0).max(100),
  })
  .strict()
export type MatchingSettings = z.infer<typeof MatchingSettings>
