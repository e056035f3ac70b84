import { lstatSync, realpathSync } from 'node:fs'
import path from 'node:path'
import type { PackClip, PackManifest, MediaRef } from '../../shared/field-pack'
import type { ImportSummary } from '../../shared/domain'
import { appendAudit } from '../audit'
import type { MediaStore, StagedMedia } from '../media-store'
import type { ImportSettings, Identity } from '../settings'
import type { Store } from '../store/open-store'
import { NO_DUE_SORT } from '../store/schema'
import { packError } from './pack-errors'
import { readDirectoryManifest } from './read-manifest'

/**
 * Import a field pack, all or nothing: every check runs and every media file is staged
 * and hash-verified before anything is placed; media is moved into the store and rows are
 * written in one transaction; if that transaction fails, the media this import placed is
 * removed again. Clip metadata is updated by a newer pack; decisions are never touched.
 */

export interface ImportContext {
  store: Store
  media: MediaStore
  identity: Identity
  settings: ImportSettings
  now?: () => Date
}

interface MediaUse {
  ref: MediaRef
  where: string
}

export async function importDirectoryPack(ctx: ImportContext, dir: string): Promise<ImportSummary> {
  const read = readDirectoryManifest(dir, ctx.settings)
  const { manifest } = read
  const existing = ctx.store.sqlite.prepare('SELECT manifest_sha256 FROM packs WHERE id = ?').get(manifest.pack_id) as
    | { manifest_sha256: string }
    | undefined
  if (existing?.manifest_sha256 === read.sha256) {
    return { packId: manifest.pack_id, clips: manifest.clips.length, added: 0, updated: 0, unchanged: manifest.clips.length, mediaAdded: 0, mediaBytesAdded: 0, alreadyImported: true }
  }

  const uses = collectMedia(manifest)
  const staged: StagedMedia[] = []
  const placed: StagedMedia[] = []
  try {
    let total = 0
    for (const use of uses.values()) {
      total += use.ref.bytes
      if (total > ctx.settings.maxPackMediaBytes) {
        throw packError(`the pack's media add up to more than ${ctx.settings.maxPackMediaBytes} bytes (setting import.max_pack_media_bytes)`)
      }
      staged.push(await stageFromDirectory(ctx, read.root, use))
    }
    for (const s of staged) {
      if (await ctx.media.commit(s)) placed.push(s)
    }
    return writeRows(ctx, read.sha256, read.signed, manifest, uses, placed)
  } catch (err) {
    for (const s of staged) await ctx.media.discard(s)
    for (const p of placed) await ctx.media.removeObject(p.sha256)
    throw err
  }
}

/** One entry per distinct media file (clips may share one), remembering who first named it. */
function collectMedia(manifest: PackManifest): Map<string, MediaUse> {
  const uses = new Map<string, MediaUse>()
  manifest.clips.forEach((clip, i) => {
    const refs: [string, MediaRef | undefined][] = [['media', clip.media], ['poster', clip.poster]]
    for (const [field, ref] of refs) {
      if (ref && !uses.has(ref.path)) uses.set(ref.path, { ref, where: `clips[${i}] (id "${clip.id}") ${field}` })
    }
  })
  return uses
}

function insideRoot(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

async function stageFromDirectory(ctx: ImportContext, root: string, use: MediaUse): Promise<StagedMedia> {
  const { ref, where } = use
  const full = path.join(root, ...ref.path.split('/'))
  if (!insideRoot(root, full)) throw packError(`${where}.path: "${ref.path}" points outside the pack`)
  // Every component must be a real directory or file: a link anywhere could lead outside.
  let cursor = root
  for (const segment of ref.path.split('/')) {
    cursor = path.join(cursor, segment)
    let st
    try {
      st = lstatSync(cursor)
    } catch {
      throw packError(`${where}.path: "${ref.path}" does not exist in the pack`)
    }
    if (st.isSymbolicLink()) throw packError(`${where}.path: "${ref.path}" goes through a symbolic link, which packs may not contain`)
    if (cursor === full && !st.isFile()) throw packError(`${where}.path: "${ref.path}" is not a regular file`)
  }
  if (!insideRoot(root, realpathSync(full))) throw packError(`${where}.path: "${ref.path}" resolves outside the pack`)
  const size = lstatSync(full).size
  if (size !== ref.bytes) throw packError(`${where}.bytes: the file has ${size} bytes, the pack says ${ref.bytes}`)
  if (size > ctx.settings.maxMediaBytes) {
    throw packError(`${where}.bytes: ${size} bytes is over the per-file limit of ${ctx.settings.maxMediaBytes} (setting import.max_media_bytes)`)
  }
  const s = await ctx.media.stage(full, ref.bytes)
  if (s.sha256 !== ref.sha256 || s.bytes !== ref.bytes) {
    await ctx.media.discard(s)
    throw packError(`${where}.sha256: the file's sha256 is ${s.sha256}, the pack says ${ref.sha256}`)
  }
  return s
}

function dueSort(dueAt: string | undefined): number {
  return dueAt ? Date.parse(dueAt) : NO_DUE_SORT
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)]
}

function writeRows(
  ctx: ImportContext,
  manifestSha: string,
  signed: boolean,
  manifest: PackManifest,
  uses: Map<string, MediaUse>,
  placed: StagedMedia[],
): ImportSummary {
  const { sqlite } = ctx.store
  const now = (ctx.now ?? (() => new Date()))().toISOString()
  const { clips, ...header } = manifest
  const upsertPack = sqlite.prepare(`
    INSERT INTO packs (id, manifest_sha256, created_at, issuer_name, issuer_key, policy_id, policy_version, signed, clip_count, header_json, imported_at, updated_at)
    VALUES (@id, @sha, @createdAt, @issuerName, @issuerKey, @policyId, @policyVersion, @signed, @clipCount, @headerJson, @now, @now)
    ON CONFLICT(id) DO UPDATE SET manifest_sha256 = excluded.manifest_sha256, created_at = excluded.created_at,
      issuer_name = excluded.issuer_name, issuer_key = excluded.issuer_key, policy_id = excluded.policy_id,
      policy_version = excluded.policy_version, signed = excluded.signed, clip_count = excluded.clip_count,
      header_json = excluded.header_json, updated_at = excluded.updated_at`)
  const insertMedia = sqlite.prepare('INSERT OR IGNORE INTO media_objects (sha256, bytes, mime, created_at) VALUES (?, ?, ?, ?)')
  const findClip = sqlite.prepare('SELECT raw_json FROM clips WHERE id = ?').pluck()
  // Whether the clip is new is already known (findClip, in this same write transaction), so
  // a plain INSERT or UPDATE does it: an upsert (INSERT … ON CONFLICT DO UPDATE) made SQLite
  // insert each new clip almost twice as slowly. A new clip starts pending; an updated one
  // keeps its status and imported_at. Both take the values of writeClip's `columns`, then
  // (insert) imported_at and id, or (update) id.
  const insertClip = sqlite.prepare(`
    INSERT INTO clips (pack_id, captured_at, due_at, due_sort, priority, media_sha256, poster_sha256, duration_ms,
      stream_title, account_handle, region, commerce, flag_labels, flag_sources, raw_json, updated_at, imported_at, id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const updateClip = sqlite.prepare(`
    UPDATE clips SET pack_id = ?, captured_at = ?, due_at = ?, due_sort = ?, priority = ?, media_sha256 = ?, poster_sha256 = ?,
      duration_ms = ?, stream_title = ?, account_handle = ?, region = ?, commerce = ?, flag_labels = ?, flag_sources = ?,
      raw_json = ?, updated_at = ?
    WHERE id = ?`)
  const deleteFlags = sqlite.prepare('DELETE FROM clip_flags WHERE clip_id = ?')
  const insertFlag = sqlite.prepare(
    'INSERT INTO clip_flags (clip_id, idx, source, label, score, at_ms, count, reference, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )

  const run = sqlite.transaction(() => {
    upsertPack.run({
      id: manifest.pack_id,
      sha: manifestSha,
      createdAt: manifest.created_at,
      issuerName: manifest.issuer?.name ?? null,
      issuerKey: manifest.issuer?.public_key ?? null,
      policyId: manifest.policy?.id ?? null,
      policyVersion: manifest.policy?.version ?? null,
      signed: signed ? 1 : 0,
      clipCount: clips.length,
      headerJson: JSON.stringify(header),
      now,
    })
    for (const { ref } of uses.values()) insertMedia.run(ref.sha256, ref.bytes, ref.mime, now)
    let added = 0
    let updated = 0
    for (const clip of clips) {
      const raw = JSON.stringify(clip)
      const before = findClip.get(clip.id) as string | undefined
      if (before === raw) continue
      if (before === undefined) added++
      else updated++
      writeClip(clip, raw, before === undefined)
    }
    const summary: ImportSummary = {
      packId: manifest.pack_id,
      clips: clips.length,
      added,
      updated,
      unchanged: clips.length - added - updated,
      mediaAdded: placed.length,
      mediaBytesAdded: placed.reduce((sum, p) => sum + p.bytes, 0),
      alreadyImported: false,
    }
    appendAudit(sqlite, {
      at: now,
      actor: ctx.identity.reviewerId,
      deviceId: ctx.identity.deviceId,
      kind: 'pack.imported',
      subject: manifest.pack_id,
      payload: { ...summary, manifestSha256: manifestSha, signed },
    })
    return summary
  })

  function writeClip(clip: PackClip, raw: string, isNew: boolean) {
    const columns = [
      manifest.pack_id,
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
      JSON.stringify(distinct(clip.flags.map((f) => f.label))),
      JSON.stringify(distinct(clip.flags.map((f) => f.source))),
      raw,
      now,
    ]
    if (isNew) insertClip.run(...columns, now, clip.id)
    else updateClip.run(...columns, clip.id)
    deleteFlags.run(clip.id)
    clip.flags.forEach((f, i) => {
      insertFlag.run(clip.id, i, f.source, f.label, f.score ?? null, f.at_ms ?? null, f.count ?? null, f.reference ?? null, f.due_at ?? null)
    })
  }

  return run()
}
