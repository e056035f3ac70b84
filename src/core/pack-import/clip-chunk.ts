import Ajv2020 from 'ajv/dist/2020'
import { z } from 'zod'
import { PackClip, packPathProblem } from '../../shared/field-pack'
import { TinjauError, type ErrorDetail } from '../../shared/errors'
import { NO_DUE_SORT } from '../store/schema'
import { checkClipRules, mediaDeclarations, type MediaDeclaration, type MediaField } from './manifest-rules'
import { clipSchemaError } from './pack-errors'

/**
 * Parse, check and turn into rows one chunk of clips, given their byte ranges in pack.json.
 * This runs on the import's worker threads (or in-process where workers cannot start), so
 * it takes and returns plain data only.
 *
 * Checking: the zod schema in shared/field-pack.ts is the definition. Running it over
 * 100,000 clips takes seconds, so each clip is first checked by a validator that ajv
 * compiles from that same schema (z.toJSONSchema), about seven times faster. The JSON
 * Schema cannot express zod's refinements (safe paths, segment order), so those are
 * checked here directly. Any clip the fast check refuses, or a refinement questions, is
 * checked by zod itself, which decides and words the error; so a clip zod accepts is never
 * refused, and clip-chunk.test.ts checks that ajv never accepts a clip zod refuses.
 */

export type SqlValue = string | number | null

/** Columns of a clip row, in this order (see import-pack.ts for the statements that use them). */
export const CLIP_COLUMNS = [
  'id',
  'captured_at',
  'due_at',
  'due_sort',
  'priority',
  'media_sha256',
  'poster_sha256',
  'duration_ms',
  'stream_title',
  'account_handle',
  'region',
  'commerce',
  'flag_labels',
  'flag_sources',
  'json_offset',
  'json_length',
  'authority',
] as const
export const FLAG_COLUMNS = ['clip_id', 'idx', 'source', 'label', 'score', 'at_ms', 'count', 'reference', 'due_at'] as const

export interface ChunkJob {
  seq: number
  /** Index of the chunk's first clip in the pack. */
  first: number
  /** [start, end, start, end, …] byte offsets of the chunk's clips in pack.json. */
  ranges: Float64Array
}

export type ChunkResult =
  | {
      seq: number
      kind: 'rows'
      first: number
      count: number
      ids: string[]
      /** CLIP_COLUMNS.length values per clip. */
      clips: SqlValue[]
      /** FLAG_COLUMNS.length values per flag. */
      flags: SqlValue[]
      /** Each distinct (path, sha256, bytes) first declared in this chunk, in document order. */
      media: MediaDeclaration[]
      /** Only from rowsFromManifest: each clip's JSON, where there are no byte ranges. */
      raw?: string[]
    }
  | {
      seq: number
      kind: 'invalid'
      first: number
      message: string
      details?: ErrorDetail[]
      /** What the clips before the invalid one declared, so rules across clips still see them first. */
      ids: string[]
      media: MediaDeclaration[]
    }
  /** A clip is not JSON: the importer re-reads the whole file to word the syntax error. */
  | { seq: number; kind: 'unparsable' }

type FastCheck = (value: unknown) => boolean
let fastCheck: FastCheck | null = null

export function compileFastCheck(): FastCheck {
  if (!fastCheck) {
    const schema = z.toJSONSchema(PackClip, { io: 'input', unrepresentable: 'any' })
    // ajv counts string length in code points, as zod's .min()/.max() do. Formats are not
    // checked by ajv: zod's patterns for them are in the schema already.
    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false })
    fastCheck = ajv.compile(schema) as FastCheck
  }
  return fastCheck
}

/** Pack paths repeat across clips (many clips, few media files): each is judged once per thread. */
const pathVerdicts = new Map<string, boolean>()

function pathIsSafe(p: string): boolean {
  let ok = pathVerdicts.get(p)
  if (ok === undefined) {
    ok = packPathProblem(p) === null
    if (pathVerdicts.size < 100_000) pathVerdicts.set(p, ok)
  }
  return ok
}

/** The refinements the JSON Schema leaves out, as a yes/no: no means "ask zod". */
function refinementsHold(clip: PackClip): boolean {
  if (!pathIsSafe(clip.media.path)) return false
  if (clip.poster && !pathIsSafe(clip.poster.path)) return false
  return clip.segment.start_ms <= clip.segment.end_ms
}

/** The clip as zod sees it, or throws the pack error zod's verdict words. */
export function checkClip(value: unknown, index: number): PackClip {
  if (compileFastCheck()(value) && refinementsHold(value as PackClip)) return value as PackClip
  const parsed = PackClip.safeParse(value)
  if (!parsed.success) throw clipSchemaError(parsed.error, index, value)
  return parsed.data
}

/** The distinct values of one field of the flags, as a JSON array (a clip has a few flags). */
function distinctJson(flags: PackClip['flags'], field: 'label' | 'source'): string {
  const out: string[] = []
  for (let i = 0; i < flags.length; i++) {
    const v = flags[i]![field]
    if (!out.includes(v)) out.push(v)
  }
  return JSON.stringify(out)
}

function hasAuthorityFlag(flags: PackClip['flags']): number {
  for (let i = 0; i < flags.length; i++) if (flags[i]!.source === 'authority_request') return 1
  return 0
}

export function dueSort(dueAt: string | undefined): number {
  return dueAt ? Date.parse(dueAt) : NO_DUE_SORT
}

/** Append the clip's row (CLIP_COLUMNS) and its flags' rows (FLAG_COLUMNS). */
function appendRows(clip: PackClip, offset: number | null, length: number | null, clips: SqlValue[], flags: SqlValue[]): void {
  clips.push(
    clip.id,
    clip.captured_at,
    clip.due_at ?? null,
    dueSort(clip.due_at),
    clip.priority ?? null,
    clip.media.sha256,
    clip.poster?.sha256 ?? null,
    clip.media.duration_ms ?? null,
    clip.stream.title ?? null,
    clip.account.handle ?? null,
    clip.stream.region ?? null,
    clip.stream.commerce ? 1 : 0,
    distinctJson(clip.flags, 'label'),
    distinctJson(clip.flags, 'source'),
    offset,
    length,
    hasAuthorityFlag(clip.flags),
  )
  for (let i = 0; i < clip.flags.length; i++) {
    const f = clip.flags[i]!
    flags.push(clip.id, i, f.source, f.label, f.score ?? null, f.at_ms ?? null, f.count ?? null, f.reference ?? null, f.due_at ?? null)
  }
}

/**
 * Rows for clips of a manifest that was parsed in one piece (the fallback path, which has no
 * byte ranges): each clip's JSON goes with its row instead.
 */
export function rowsFromManifest(clipsIn: PackClip[]): Extract<ChunkResult, { kind: 'rows' }> {
  const clips: SqlValue[] = []
  const flags: SqlValue[] = []
  const media: MediaDeclaration[] = []
  clipsIn.forEach((clip, index) => {
    appendRows(clip, null, null, clips, flags)
    media.push(...mediaDeclarations(clip, index))
  })
  return { seq: 0, kind: 'rows', first: 0, count: clipsIn.length, ids: clipsIn.map((c) => c.id), clips, flags, media, raw: clipsIn.map((c) => JSON.stringify(c)) }
}

/** Parse and check the clips of `job` in `bytes` (the whole pack.json), and build their rows. */
export function processChunk(bytes: Uint8Array, job: ChunkJob): ChunkResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = job.ranges.length / 2
  const ids: string[] = new Array(count)
  const clips: SqlValue[] = []
  const flags: SqlValue[] = []
  const media: MediaDeclaration[] = []
  // What this chunk has declared so far, by path: one entry per distinct (sha256, bytes).
  const seenMedia = new Map<string, { sha256: string; bytes: number }[]>()
  const declare = (field: MediaField, ref: PackClip['media'] | undefined, index: number, id: string) => {
    if (!ref) return
    let known = seenMedia.get(ref.path)
    if (known?.some((m) => m.sha256 === ref.sha256 && m.bytes === ref.bytes)) return
    if (!known) seenMedia.set(ref.path, (known = []))
    known.push({ sha256: ref.sha256, bytes: ref.bytes })
    media.push({ path: ref.path, sha256: ref.sha256, bytes: ref.bytes, mime: ref.mime, index, id, field })
  }
  for (let k = 0; k < count; k++) {
    const start = job.ranges[2 * k]!
    const end = job.ranges[2 * k + 1]!
    const index = job.first + k
    let value: unknown
    try {
      value = JSON.parse(buf.toString('utf8', start, end))
    } catch {
      return { seq: job.seq, kind: 'unparsable' }
    }
    let clip: PackClip
    try {
      clip = checkClip(value, index)
      checkClipRules(clip, index)
    } catch (err) {
      if (err instanceof TinjauError) {
        return { seq: job.seq, kind: 'invalid', first: job.first, message: err.message, ...(err.details ? { details: err.details } : {}), ids: ids.slice(0, k), media }
      }
      throw err
    }
    ids[k] = clip.id
    appendRows(clip, start, end - start, clips, flags)
    declare('media', clip.media, index, clip.id)
    declare('poster', clip.poster, index, clip.id)
  }
  return { seq: job.seq, kind: 'rows', first: job.first, count, ids, clips, flags, media }
}
