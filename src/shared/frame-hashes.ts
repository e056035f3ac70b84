import { z } from 'zod'
import { MAX_HASHES_PER_FRAME } from './pdq/frame-variants'
import { HASH256_HEX } from './pdq/hash256'

/**
 * The background hashing work between core, which keeps the list and the results, and
 * the renderer, which decodes and hashes (issue 14; docs/perceptual-hashes.md).
 *
 * The renderer asks for one media object at a time (`hashes.next`), hashes a frame every
 * FRAME_INTERVAL_MS from the start (a still image: one frame at 0) and answers with the
 * frames or with why it could not (`hashes.record`).
 */

/**
 * Names the hash and the sampling: frames made another way are hashed again, never compared.
 * v2: each frame is trimmed of letterbox bars and hashed whole and as three crops
 * (src/shared/pdq/frame-variants.ts), four PDQ hashes a frame; v1 was one hash of the frame as decoded.
 */
export const HASHER_ID = 'pdq/1fps/v2'
export const FRAME_INTERVAL_MS = 1_000
/** Four hours at one frame a second: longer than any clip cut from a stream. */
export const MAX_FRAMES_PER_MEDIA = 14_400
/** A media object the hasher gave up on this many times (it stopped before answering) is marked failed. */
export const MAX_HASH_ATTEMPTS = 3
export const HASH_ERROR_MAX = 500

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters')

export const HashJob = z.object({
  sha256: Sha256,
  kind: z.enum(['video', 'image']),
  mime: z.string(),
  /** From the pack, when it says; the hasher reads the real duration from the file. */
  durationMs: z.number().int().nonnegative().nullable(),
})
export type HashJob = z.infer<typeof HashJob>

export const PdqFrameHash = z
  .object({
    hash: z.string().regex(HASH256_HEX, '64 lowercase hex characters'),
    quality: z.number().int().min(0).max(100),
  })
  .strict()
export type PdqFrameHash = z.infer<typeof PdqFrameHash>

/** One sampled frame: its time and its hashes (the picture whole and its crops, in the hasher's order). */
export const FrameHash = z
  .object({
    tMs: z.number().int().nonnegative(),
    hashes: z.array(PdqFrameHash).min(1).max(MAX_HASHES_PER_FRAME),
  })
  .strict()
export type FrameHash = z.infer<typeof FrameHash>

export const HashResult = z.discriminatedUnion('outcome', [
  z
    .object({
      outcome: z.literal('hashed'),
      sha256: Sha256,
      hasher: z.literal(HASHER_ID),
      frames: z
        .array(FrameHash)
        .min(1)
        .max(MAX_FRAMES_PER_MEDIA)
        .refine((fs) => fs.every((f, i) => i === 0 || f.tMs > fs[i - 1]!.tMs), { message: 'frame times must increase' })
        .refine((fs) => fs.every((f) => f.hashes.length === fs[0]!.hashes.length), { message: 'every frame must carry the same number of hashes' }),
    })
    .strict(),
  z.object({ outcome: z.literal('failed'), sha256: Sha256, error: z.string().min(1).max(HASH_ERROR_MAX) }).strict(),
])
export type HashResult = z.infer<typeof HashResult>

export const HashStatus = z.object({
  /** Media objects of clips in the profile that are hashed (videos and posters). */
  total: z.number().int().nonnegative(),
  hashed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Still to hash, including one being hashed now. */
  waiting: z.number().int().nonnegative(),
})
export type HashStatus = z.infer<typeof HashStatus>
