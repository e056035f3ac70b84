import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { PackClip } from '../../shared/field-pack'
import type { MediaStore, StagedMedia } from '../../core/media-store'
import { CLIP_COLUMNS, processChunk } from '../../core/pack-import/clip-chunk'
import { DirectorySource } from '../../core/pack-import/directory-source'
import { mediaDeclarations, PackWideRules, type MediaDeclaration } from '../../core/pack-import/manifest-rules'
import { packError } from '../../core/pack-import/pack-errors'
import type { PackSource } from '../../core/pack-import/pack-source'
import { parseWholeManifest, planManifest, type PackFile, type PackHeaderData } from '../../core/pack-import/read-manifest'
import { ZipSource } from '../../core/pack-import/zip-source'
import { DEFAULT_IMPORT_SETTINGS, type ImportSettings } from '../../core/settings'
import { one, rows, sql, textArray, type Db } from '../db/open'
import { lockAssignmentChanges } from './assignments'

/**
 * An operator loads a field pack, a folder or a zip, with the app's own reading and checks
 * (src/core/pack-import: the same sources, manifest reader, schema, per-clip and pack-wide
 * rules, signature check and media staging), so a pack the app would refuse is refused here
 * with the same words. What differs is only where it goes: PostgreSQL and the service's
 * media folder. All or nothing: media are staged and hash-checked first, placed, and then
 * the rows written in one transaction; any failure removes what this load placed.
 */

export interface LoadPackResult {
  packId: string
  clips: number
  added: number
  updated: number
  mediaAdded: number
  alreadyLoaded: boolean
}

export interface LoadPackOptions {
  settings?: Partial<ImportSettings>
}

const CHUNK = 2000
const HEADER_KEYS = new Set(['format', 'version', 'pack_id', 'created_at', 'issuer', 'policy', 'clips'])
const MEDIA_COL = CLIP_COLUMNS.indexOf('media_sha256')
const POSTER_COL = CLIP_COLUMNS.indexOf('poster_sha256')

interface ClipRow {
  id: string
  idx: number
  json: string
  json_sha256: string
  media_sha256: string
  poster_sha256: string | null
}

export async function loadPack(db: Db, media: MediaStore, source: string, opts: LoadPackOptions = {}): Promise<LoadPackResult> {
  const settings: ImportSettings = { ...DEFAULT_IMPORT_SETTINGS, ...opts.settings }
  const pack = await openSource(source, settings, media)
  const staged: StagedMedia[] = []
  const placed: string[] = []
  try {
    const file = await pack.readManifest({})
    const plan = planManifest(file, settings)
    const packId = plan.header.pack_id
    const existing = await one<{ manifest_sha256: string }>(db, sql`SELECT manifest_sha256 FROM packs WHERE id = ${packId}`)
    if (existing?.manifest_sha256 === file.sha256) {
      return { packId, clips: plan.clipCount, added: 0, updated: 0, mediaAdded: 0, alreadyLoaded: true }
    }
    const { clips, declarations } = plan.kind === 'ranges' ? await checkedClipsByRange(file, plan.layout.ranges) : clipsOfParsed(file)

    // Each distinct file once, in document order, so the first bad one is the one named.
    let total = 0
    for (const d of declarations) {
      total += d.bytes
      if (total > settings.maxPackMediaBytes) {
        throw packError(`the pack's media add up to more than ${settings.maxPackMediaBytes} bytes (setting import.max_pack_media_bytes)`)
      }
      staged.push(await pack.stage(d, { signal: undefined, onBytes: () => {} }))
    }
    while (staged.length > 0) {
      const s = staged[0]!
      if (await media.commit(s)) placed.push(s.sha256)
      staged.shift()
    }

    const counts = await writePack(db, plan.header, file.sha256, plan.signed, clips, declarations)
    return { packId, clips: clips.length, ...counts, mediaAdded: placed.length, alreadyLoaded: false }
  } catch (err) {
    for (const s of staged) await media.discard(s)
    for (const sha of placed) await media.removeObject(sha)
    throw err
  } finally {
    await pack.close()
  }
}

async function openSource(source: string, settings: ImportSettings, media: MediaStore): Promise<PackSource> {
  let isFile: boolean
  try {
    isFile = statSync(source).isFile()
  } catch {
    throw packError(`pack not found: ${source}`)
  }
  if (!isFile) return new DirectorySource(source, settings, media)
  if (source.toLowerCase().endsWith('.zip') || startsLikeZip(source)) return ZipSource.open(source, settings, media)
  throw packError(`not a pack: ${source} is neither a folder with pack.json at its root nor a .zip file`)
}

function startsLikeZip(file: string): boolean {
  const head = Buffer.alloc(4)
  const fd = openSync(file, 'r')
  try {
    return readSync(fd, head, 0, 4, 0) === 4 && (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50)
  } finally {
    closeSync(fd)
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** Clips by their byte ranges, checked chunk by chunk as the app's import checks them (clip-chunk.ts), with the pack-wide rules in document order. */
async function checkedClipsByRange(file: PackFile, ranges: Float64Array): Promise<{ clips: ClipRow[]; declarations: MediaDeclaration[] }> {
  const buf = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength)
  const wide = new PackWideRules()
  const clips: ClipRow[] = []
  const declarations: MediaDeclaration[] = []
  const seenPaths = new Set<string>()
  const count = ranges.length / 2
  for (let first = 0, seq = 0; first < count; first += CHUNK, seq++) {
    const to = Math.min(count, first + CHUNK)
    const result = processChunk(file.bytes, { seq, first, ranges: ranges.slice(2 * first, 2 * to) })
    if (result.kind === 'unparsable') {
      // The whole-file parse words the syntax error as JSON.parse sees it.
      parseWholeManifest(file.bytes)
      throw packError('pack.json could not be read as JSON')
    }
    let m = 0
    result.ids.forEach((id, k) => {
      const index = first + k
      wide.id(id, index)
      for (; m < result.media.length && result.media[m]!.index === index; m++) {
        const d = result.media[m]!
        wide.media(d)
        if (!seenPaths.has(d.path)) {
          seenPaths.add(d.path)
          declarations.push(d)
        }
      }
    })
    if (result.kind === 'invalid') throw packError(result.message, result.details)
    const width = CLIP_COLUMNS.length
    for (let k = 0; k < result.count; k++) {
      const start = ranges[2 * (first + k)]!
      const end = ranges[2 * (first + k) + 1]!
      const json = buf.toString('utf8', start, end)
      clips.push({
        id: result.ids[k]!,
        idx: first + k,
        json,
        json_sha256: sha256(json),
        media_sha256: result.clips[k * width + MEDIA_COL] as string,
        poster_sha256: (result.clips[k * width + POSTER_COL] as string | null) ?? null,
      })
    }
    await yieldToEventLoop()
  }
  return { clips, declarations }
}

/** A pack whose shape ruled out byte ranges: checked whole by parseWholeManifest; each clip's text is its JSON as parsed, unknown fields kept. */
function clipsOfParsed(file: PackFile): { clips: ClipRow[]; declarations: MediaDeclaration[] } {
  const manifest = parseWholeManifest(file.bytes)
  let text = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength).toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const raw = (JSON.parse(text) as { clips: unknown[] }).clips
  const declarations: MediaDeclaration[] = []
  const seenPaths = new Set<string>()
  const clips = manifest.clips.map((clip: PackClip, idx) => {
    for (const d of mediaDeclarations(clip, idx)) {
      if (!seenPaths.has(d.path)) {
        seenPaths.add(d.path)
        declarations.push(d)
      }
    }
    const json = JSON.stringify(raw[idx])
    return { id: clip.id, idx, json, json_sha256: sha256(json), media_sha256: clip.media.sha256, poster_sha256: clip.poster?.sha256 ?? null }
  })
  return { clips, declarations }
}

/** pack.json header fields field-pack v1 does not define. */
function headerExtra(header: PackHeaderData): Record<string, unknown> {
  return Object.fromEntries(Object.entries(header).filter(([k]) => !HEADER_KEYS.has(k)))
}

async function writePack(
  db: Db,
  header: PackHeaderData,
  manifestSha256: string,
  signed: boolean,
  clips: ClipRow[],
  declarations: MediaDeclaration[],
): Promise<{ added: number; updated: number }> {
  const packId = header.pack_id
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    // Clips that change are announced again to whoever holds them (below), in seq order.
    await lockAssignmentChanges(tx)
    await tx.execute(sql`
      INSERT INTO packs (id, manifest_sha256, created_at, issuer, policy, signed, extra, clip_count)
      VALUES (${packId}, ${manifestSha256}, ${header.created_at}, ${jsonParam(header.issuer ?? null)}::jsonb,
              ${jsonParam(header.policy ?? null)}::jsonb, ${signed}, ${JSON.stringify(headerExtra(header))}::jsonb, ${clips.length})
      ON CONFLICT (id) DO UPDATE SET manifest_sha256 = excluded.manifest_sha256, created_at = excluded.created_at,
        issuer = excluded.issuer, policy = excluded.policy, signed = excluded.signed, extra = excluded.extra,
        clip_count = excluded.clip_count, updated_at = now()`)
    const media = declarations.map((d) => ({ sha256: d.sha256, bytes: d.bytes, mime: d.mime }))
    for (let i = 0; i < media.length; i += CHUNK) {
      await tx.execute(sql`
        INSERT INTO media_objects (sha256, bytes, mime)
        SELECT sha256, bytes, mime FROM jsonb_to_recordset(${JSON.stringify(media.slice(i, i + CHUNK))}::jsonb) AS x(sha256 text, bytes bigint, mime text)
        ON CONFLICT (sha256) DO NOTHING`)
    }
    let added = 0
    const updated: string[] = []
    for (let i = 0; i < clips.length; i += CHUNK) {
      const part = clips.slice(i, i + CHUNK).map((c) => ({ ...c, pack_id: packId }))
      const changed = await rows<{ id: string; inserted: boolean }>(
        tx,
        sql`
        INSERT INTO clips (id, pack_id, idx, json, json_sha256, media_sha256, poster_sha256, due_at, priority, duration_ms, authority)
        SELECT id, pack_id, idx, json, json_sha256, media_sha256, poster_sha256,
          (json::jsonb ->> 'due_at')::timestamptz, (json::jsonb ->> 'priority')::integer, (json::jsonb -> 'media' ->> 'duration_ms')::integer,
          jsonb_path_exists(json::jsonb, '$.flags[*] ? (@.source == "authority_request")')
          FROM jsonb_to_recordset(${JSON.stringify(part)}::jsonb)
            AS x(id text, pack_id text, idx integer, json text, json_sha256 text, media_sha256 text, poster_sha256 text)
        ON CONFLICT (id) DO UPDATE SET pack_id = excluded.pack_id, idx = excluded.idx, json = excluded.json,
          json_sha256 = excluded.json_sha256, media_sha256 = excluded.media_sha256, poster_sha256 = excluded.poster_sha256,
          due_at = excluded.due_at, priority = excluded.priority, duration_ms = excluded.duration_ms, authority = excluded.authority, updated_at = now()
        WHERE clips.json_sha256 <> excluded.json_sha256 OR clips.pack_id <> excluded.pack_id
        RETURNING id, (xmax = 0) AS inserted`,
      )
      for (const c of changed) {
        if (c.inserted) added++
        else updated.push(c.id)
      }
    }
    if (updated.length > 0) {
      await tx.execute(sql`
        INSERT INTO assignment_changes (reviewer_id, clip_id, pack_id, kind)
        SELECT a.reviewer_id, a.clip_id, c.pack_id, 'assigned' FROM assignments a JOIN clips c ON c.id = a.clip_id
        WHERE a.active AND a.clip_id = ANY(${textArray(updated)}) ORDER BY a.reviewer_id, c.idx`)
    }
    return { added, updated: updated.length }
  })
}

function jsonParam(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value)
}
