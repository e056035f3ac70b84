import { z } from 'zod'
import { FLAG_SOURCES } from './flag-sources'

/**
 * `pack.json` of a field pack, version 1 (shared/specs/field-pack-v1.md). The format is
 * fixed by other tools, so this schema follows the spec to the letter; objects are loose
 * because unknown extra fields must be kept and round-tripped, never interpreted.
 * File-system checks (the file exists, is regular, its hash matches) live in core.
 */

export const PACK_FORMAT = 'tinjau.pack'
export const PACK_VERSION = 1

export const PackId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, '1–128 characters of A–Z a–z 0–9 . _ -')
export const Rfc3339 = z.iso.datetime({ offset: true, message: 'an RFC 3339 timestamp with a time zone' })
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters')

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i

/** Why a pack-relative path is unsafe, or null when it is a plain relative POSIX path. */
export function packPathProblem(path: string): string | null {
  if (path.length === 0) return 'is empty'
  if (path.length > 1024) return 'is longer than 1024 characters'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) return 'contains a control character'
  if (path.includes('\\')) return 'contains a backslash'
  if (path.startsWith('/')) return 'is absolute'
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter'
  const segments = path.split('/')
  for (const s of segments) {
    if (s === '..') return 'has a ".." segment'
    if (s === '' || s === '.') return 'has an empty or "." segment'
    if (WINDOWS_DEVICE.test(s)) return `names a device ("${s}")`
  }
  return null
}

const PackPath = z.string().superRefine((p, ctx) => {
  const problem = packPathProblem(p)
  if (problem) ctx.addIssue({ code: 'custom', message: `path ${problem}` })
})

export const MEDIA_MIMES = ['video/webm', 'video/mp4', 'audio/webm', 'audio/ogg', 'image/jpeg', 'image/png', 'image/webp'] as const
export const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'] as const

const MediaRef = z.looseObject({
  path: PackPath,
  sha256: Sha256Hex,
  bytes: z.number().int().min(0),
  mime: z.enum(MEDIA_MIMES),
  duration_ms: z.number().int().min(0).optional(),
  width: z.number().int().min(0).optional(),
  height: z.number().int().min(0).optional(),
})
export type MediaRef = z.infer<typeof MediaRef>

const PosterRef = MediaRef.extend({ mime: z.enum(IMAGE_MIMES) })

export { FLAG_SOURCES } from './flag-sources'
export const FlagSource = z.enum(FLAG_SOURCES)
export type FlagSource = z.infer<typeof FlagSource>

const Flag = z.looseObject({
  source: FlagSource,
  label: z.string().min(1).max(128),
  score: z.number().min(0).max(1).optional(),
  at_ms: z.number().int().min(0).optional(),
  count: z.number().int().min(0).optional(),
  reference: z.string().max(500).optional(),
  due_at: Rfc3339.optional(),
})
export type PackFlag = z.infer<typeof Flag>

const TimedText = z.looseObject({
  at_ms: z.number().int().min(0),
  end_ms: z.number().int().min(0).optional(),
  text: z.string().max(10_000),
})
const ChatLine = TimedText.extend({ author: z.string().max(200) })

export const PackClip = z.looseObject({
  id: PackId,
  captured_at: Rfc3339,
  media: MediaRef,
  poster: PosterRef.optional(),
  stream: z.looseObject({
    id: z.string().min(1).max(200),
    title: z.string().max(1000).optional(),
    started_at: Rfc3339.optional(),
    region: z.string().max(16).optional(),
    language: z.string().max(35).optional(),
    commerce: z.boolean().optional(),
    viewer_peak: z.number().int().min(0).optional(),
  }),
  account: z.looseObject({
    id: z.string().min(1).max(200),
    handle: z.string().max(200).optional(),
    display_name: z.string().max(500).optional(),
    type: z.enum(['business', 'private']),
    followers: z.number().int().min(0).optional(),
    prior_strikes: z.number().int().min(0).optional(),
  }),
  segment: z
    .looseObject({ start_ms: z.number().int().min(0), end_ms: z.number().int().min(0) })
    .refine((s) => s.start_ms <= s.end_ms, { message: 'start_ms must not be after end_ms', path: ['end_ms'] }),
  flags: z.array(Flag).min(1, 'at least one flag').max(1000),
  transcript: z.array(TimedText).max(100_000).optional(),
  chat: z.array(ChatLine).max(100_000).optional(),
  priority: z.number().min(0).max(100).optional(),
  due_at: Rfc3339.optional(),
})
export type PackClip = z.infer<typeof PackClip>

/** The header alone, checked first so a wrong format or version is named before anything else. */
export const PackHeader = z.looseObject({
  format: z.literal(PACK_FORMAT, { message: `format must be "${PACK_FORMAT}"` }),
  version: z.number(),
})

export const PackManifest = z.looseObject({
  format: z.literal(PACK_FORMAT),
  version: z.literal(PACK_VERSION),
  pack_id: PackId,
  created_at: Rfc3339,
  issuer: z
    .looseObject({
      name: z.string().min(1).max(500),
      public_key: z
        .string()
        .regex(/^ed25519:[A-Za-z0-9+/]{43}=$/, '"ed25519:" followed by base64 of 32 bytes')
        .optional(),
    })
    .optional(),
  policy: z.looseObject({ id: z.string().min(1).max(200), version: z.string().min(1).max(100) }).optional(),
  clips: z.array(PackClip).max(1_000_000),
})
export type PackManifest = z.infer<typeof PackManifest>
