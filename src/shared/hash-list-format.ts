import { z } from 'zod'
import { HASHER_ID, MAX_FRAMES_PER_MEDIA } from './frame-hashes'
import { HASH256_HEX } from './pdq/hash256'

/**
 * The hash list, version 1 (docs/hash-list.md): a zip of `hashlist.json` and `hashlist.sig`,
 * the raw Ed25519 signature over the exact bytes of hashlist.json by the issuer's key, which
 * the document names. It carries perceptual hashes of known content, each entry with a
 * label and the decision it carries, made by a lead (`tinjau-server hashlist export`) or
 * converted from an industry hash-sharing list (ThreatExchange-style PDQ / vPDQ).
 */

export const HASH_LIST_FORMAT = 'tinjau.hashlist'
export const HASH_LIST_VERSION = 1
export const HASH_LIST_ENTRY = 'hashlist.json'
export const HASH_LIST_SIGNATURE_ENTRY = 'hashlist.sig'

/**
 * Which hasher made an entry's hashes, and so how many hashes each frame holds.
 * - `pdq/1fps/v2`: Tinjau's own (frame-hashes.ts HASHER_ID): a frame a second, trimmed of
 *   bars, four PDQ hashes a frame (whole, central 90 %, top 80 %, bottom 80 %).
 * - `vpdq`: an industry video list: one PDQ hash of the whole frame per sampled frame.
 * - `pdq`: an industry image list: one PDQ hash of the picture (kind image, one frame at 0).
 */
export const HASH_LIST_HASHERS = [HASHER_ID, 'vpdq', 'pdq'] as const
export type HashListHasher = (typeof HASH_LIST_HASHERS)[number]
export const HASHES_PER_FRAME: Readonly<Record<HashListHasher, number>> = Object.freeze({ [HASHER_ID]: 4, vpdq: 1, pdq: 1 } as Record<HashListHasher, number>)

/** Bounds a reader holds a file to before and while it reads it (each named in errors). */
export const HASH_LIST_LIMITS = Object.freeze({
  /** The zip file itself, checked before it is opened. */
  maxFileBytes: 256 * 1024 * 1024,
  /** hashlist.json once inflated, checked against the zip's directory and again while inflating. */
  maxJsonBytes: 256 * 1024 * 1024,
  maxEntries: 100_000,
  /** Four hours at a frame a second, as for the profile's own media. */
  maxFramesPerEntry: MAX_FRAMES_PER_MEDIA,
  /** Frames of all entries together: what the in-memory match index is sized for. */
  maxFramesTotal: 1_000_000,
  maxHashesPerFrame: 4,
  maxIdLength: 200,
  maxNameLength: 200,
  maxLabelLength: 200,
  maxRationaleLength: 4_000,
  maxCategories: 32,
  maxCategoryLength: 128,
})

/** hashlist.sig: a raw Ed25519 signature. */
export const HASH_LIST_SIGNATURE_BYTES = 64

const L = HASH_LIST_LIMITS
const Time = z.iso.datetime({ offset: true, message: 'an RFC 3339 time' })
const Id = z.string().min(1).max(L.maxIdLength)
export const HASH_LIST_PUBLIC_KEY = /^ed25519:[A-Za-z0-9+/]{43}=$/
const PublicKey = z.string().regex(HASH_LIST_PUBLIC_KEY, '"ed25519:" followed by base64 of 32 bytes')
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters')

export const HashListHash = z.strictObject({
  hash: z.string().regex(HASH256_HEX, '64 lowercase hex characters'),
  quality: z.number().int().min(0).max(100),
})
export type HashListHash = z.infer<typeof HashListHash>

export const HashListFrame = z.strictObject({
  t_ms: z.number().int().min(0),
  hashes: z.array(HashListHash).min(1).max(L.maxHashesPerFrame),
})
export type HashListFrame = z.infer<typeof HashListFrame>

/** The decision an entry carries: what a reviewer applies with one key when a clip matches it. */
export const HashListDecision = z.strictObject({
  action: z.string().min(1).max(L.maxCategoryLength),
  categories: z.array(z.string().min(1).max(L.maxCategoryLength)).min(1).max(L.maxCategories),
  rationale: z.string().max(L.maxRationaleLength),
  /** The policy the decision was made under; null for an industry list. */
  policy_id: z.string().min(1).max(L.maxIdLength).nullable(),
  policy_version: z.string().min(1).max(L.maxIdLength).nullable(),
  /** Who decided (a reviewer id); null when the list does not say. */
  decided_by: z.string().min(1).max(L.maxIdLength).nullable(),
  decided_at: Time.nullable(),
  /** The clip the decision was made on, when a lead exported it from the team's decisions. */
  source_clip_id: Id.nullable(),
})
export type HashListDecision = z.infer<typeof HashListDecision>

export const HashListEntry = z
  .strictObject({
    id: Id,
    label: z.string().min(1).max(L.maxLabelLength),
    kind: z.enum(['video', 'image']),
    /** The media file's SHA-256 when known; industry lists have none. */
    media_sha256: Sha256.nullable(),
    hasher: z.enum(HASH_LIST_HASHERS),
    frames: z
      .array(HashListFrame)
      .min(1)
      .max(L.maxFramesPerEntry)
      .refine((fs) => fs.every((f, i) => i === 0 || f.t_ms > fs[i - 1]!.t_ms), { message: 'frame times (t_ms) must increase' }),
    decision: HashListDecision,
  })
  .superRefine((e, ctx) => {
    const per = HASHES_PER_FRAME[e.hasher]
    const bad = e.frames.findIndex((f) => f.hashes.length !== per)
    if (bad >= 0) {
      ctx.addIssue({ code: 'custom', path: ['frames', bad, 'hashes'], message: `hasher ${e.hasher} gives ${per} hash(es) a frame, this frame has ${e.frames[bad]!.hashes.length}` })
    }
    if (e.kind === 'image' && e.frames.length !== 1) ctx.addIssue({ code: 'custom', path: ['frames'], message: `an image has one frame, not ${e.frames.length}` })
    if (e.hasher === 'pdq' && e.kind !== 'image') ctx.addIssue({ code: 'custom', path: ['kind'], message: 'hasher pdq hashes images; a video list uses vpdq' })
  })
export type HashListEntry = z.infer<typeof HashListEntry>

export const HashListIssuer = z.strictObject({
  name: z.string().min(1).max(L.maxNameLength),
  public_key: PublicKey,
})
export type HashListIssuer = z.infer<typeof HashListIssuer>

export const HashListDocument = z.strictObject({
  format: z.literal(HASH_LIST_FORMAT),
  version: z.literal(HASH_LIST_VERSION),
  /** Stable across versions of the same list: importing it again replaces the older version. */
  id: Id,
  name: z.string().min(1).max(L.maxNameLength),
  /** Which version of the list this is: a newer one replaces an older one of the same id. */
  created_at: Time,
  issuer: HashListIssuer,
  entries: z.array(HashListEntry).max(L.maxEntries),
})
export type HashListDocument = z.infer<typeof HashListDocument>

/** What an import reports and `hashlist ls` lists. */
export const HashListSummary = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  issuerName: z.string(),
  issuerPublicKey: z.string(),
  entries: z.number().int().nonnegative(),
  frames: z.number().int().nonnegative(),
})
export type HashListSummary = z.infer<typeof HashListSummary>
