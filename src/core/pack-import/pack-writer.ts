import type Database from 'better-sqlite3'
import type { ManifestStore } from '../manifest-store'
import type { Store } from '../store/open-store'
import { CLIP_COLUMNS, FLAG_COLUMNS, type ChunkResult, type SqlValue } from './clip-chunk'
import type { MediaDeclaration } from './manifest-rules'
import type { PackHeaderData } from './read-manifest'

/**
 * The rows of one import, written inside the importer's open transaction. A new clip is
 * inserted pending; a clip already in the store is compared byte for byte with what it was,
 * and only a changed one is updated (keeping its status and imported_at, replacing its
 * flags). Decisions are never touched.
 */

interface WriterOptions {
  packId: string
  manifestSha256: string
  now: string
}

interface ExistingClip {
  manifest_sha256: string | null
  json_offset: number | null
  json_length: number | null
  raw_json: string
}

const CLIP_WIDTH = CLIP_COLUMNS.length
const FLAG_WIDTH = FLAG_COLUMNS.length
const OFFSET = CLIP_COLUMNS.indexOf('json_offset')
const LENGTH = CLIP_COLUMNS.indexOf('json_length')

export class PackWriter {
  private readonly stmts: Record<'upsertPack' | 'insertMedia' | 'findClip' | 'insertClip' | 'updateClip' | 'deleteFlags' | 'insertFlag', Database.Statement>
  /** Whether any clip existed when the import began: if none did, every clip is new and no lookup is needed. */
  private readonly storeHadClips: boolean
  private added = 0
  private updated = 0
  /** pack.json files that updated clips pointed into before: candidates for removal after commit. */
  private readonly replacedManifests = new Set<string>()
  /** Stored pack.json files read to compare old clips with new ones, by sha256. */
  private readonly oldManifests = new Map<string, Buffer>()

  constructor(
    private readonly store: Store,
    private readonly manifests: ManifestStore,
    private readonly opts: WriterOptions,
  ) {
    const { sqlite } = store
    const clipCols = [...CLIP_COLUMNS, 'pack_id', 'manifest_sha256', 'raw_json', 'updated_at']
    this.stmts = {
      upsertPack: sqlite.prepare(`
        INSERT INTO packs (id, manifest_sha256, created_at, issuer_name, issuer_key, policy_id, policy_version, signed, clip_count, header_json, imported_at, updated_at)
        VALUES (@id, @sha, @createdAt, @issuerName, @issuerKey, @policyId, @policyVersion, @signed, @clipCount, @headerJson, @now, @now)
        ON CONFLICT(id) DO UPDATE SET manifest_sha256 = excluded.manifest_sha256, created_at = excluded.created_at,
          issuer_name = excluded.issuer_name, issuer_key = excluded.issuer_key, policy_id = excluded.policy_id,
          policy_version = excluded.policy_version, signed = excluded.signed, clip_count = excluded.clip_count,
          header_json = excluded.header_json, updated_at = excluded.updated_at`),
      insertMedia: sqlite.prepare('INSERT OR IGNORE INTO media_objects (sha256, bytes, mime, created_at) VALUES (?, ?, ?, ?)'),
      findClip: sqlite.prepare('SELECT manifest_sha256, json_offset, json_length, raw_json FROM clips WHERE id = ?'),
      // Plain INSERT or UPDATE, since whether the clip exists is known: an upsert made SQLite
      // insert each new clip almost twice as slowly.
      insertClip: sqlite.prepare(`INSERT INTO clips (${[...clipCols, 'imported_at'].join(', ')}) VALUES (${[...clipCols, 'imported_at'].map(() => '?').join(', ')})`),
      updateClip: sqlite.prepare(`UPDATE clips SET ${clipCols.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE id = ?`),
      deleteFlags: sqlite.prepare('DELETE FROM clip_flags WHERE clip_id = ?'),
      insertFlag: sqlite.prepare(`INSERT INTO clip_flags (${FLAG_COLUMNS.join(', ')}) VALUES (${FLAG_COLUMNS.map(() => '?').join(', ')})`),
    }
    this.storeHadClips = sqlite.prepare('SELECT EXISTS (SELECT 1 FROM clips)').pluck().get() === 1
  }

  /** `previous`: the pack.json this pack id had until now, if any (a candidate for removal after commit). */
  upsertPack(header: PackHeaderData, clipCount: number, signed: boolean, previous: string | undefined): void {
    if (previous) this.replacedManifests.add(previous)
    this.stmts.upsertPack.run({
      id: this.opts.packId,
      sha: this.opts.manifestSha256,
      createdAt: header.created_at,
      issuerName: header.issuer?.name ?? null,
      issuerKey: header.issuer?.public_key ?? null,
      policyId: header.policy?.id ?? null,
      policyVersion: header.policy?.version ?? null,
      signed: signed ? 1 : 0,
      clipCount,
      headerJson: JSON.stringify(header),
      now: this.opts.now,
    })
  }

  /** `manifestBytes` is this import's pack.json, needed only to compare clips that already exist. */
  writeChunk(result: Extract<ChunkResult, { kind: 'rows' }>, manifestBytes?: Uint8Array): void {
    const { opts, stmts } = this
    // One reused parameter array per statement: binding from an array avoids building one per row.
    const insertRow: SqlValue[] = new Array(CLIP_WIDTH + 5)
    const updateRow: SqlValue[] = new Array(CLIP_WIDTH + 4)
    const flagRow: SqlValue[] = new Array(FLAG_WIDTH)
    let f = 0
    for (let k = 0; k < result.count; k++) {
      const base = k * CLIP_WIDTH
      const id = result.clips[base] as string
      const raw = result.raw?.[k] ?? ''
      const before = this.storeHadClips ? (stmts.findClip.get(id) as ExistingClip | undefined) : undefined
      const flagEnd = this.flagsEnd(result, f, id)
      if (before && this.unchanged(before, result, base, raw, manifestBytes)) {
        f = flagEnd
        continue
      }
      const sha = result.raw ? null : opts.manifestSha256
      if (before) {
        if (before.manifest_sha256) this.replacedManifests.add(before.manifest_sha256)
        for (let i = 1; i < CLIP_WIDTH; i++) updateRow[i - 1] = result.clips[base + i]!
        updateRow[CLIP_WIDTH - 1] = opts.packId
        updateRow[CLIP_WIDTH] = sha
        updateRow[CLIP_WIDTH + 1] = raw
        updateRow[CLIP_WIDTH + 2] = opts.now
        updateRow[CLIP_WIDTH + 3] = id
        stmts.updateClip.run(updateRow)
        stmts.deleteFlags.run(id)
        this.updated++
      } else {
        for (let i = 0; i < CLIP_WIDTH; i++) insertRow[i] = result.clips[base + i]!
        insertRow[CLIP_WIDTH] = opts.packId
        insertRow[CLIP_WIDTH + 1] = sha
        insertRow[CLIP_WIDTH + 2] = raw
        insertRow[CLIP_WIDTH + 3] = opts.now
        insertRow[CLIP_WIDTH + 4] = opts.now
        stmts.insertClip.run(insertRow)
        this.added++
      }
      for (; f < flagEnd; f += FLAG_WIDTH) {
        for (let i = 0; i < FLAG_WIDTH; i++) flagRow[i] = result.flags[f + i]!
        stmts.insertFlag.run(flagRow)
      }
    }
  }

  /** Flags of one clip are consecutive and start with its id: where the clip's flags end. */
  private flagsEnd(result: Extract<ChunkResult, { kind: 'rows' }>, from: number, id: string): number {
    let end = from
    while (end < result.flags.length && result.flags[end] === id) end += FLAG_WIDTH
    return end
  }

  private unchanged(before: ExistingClip, result: Extract<ChunkResult, { kind: 'rows' }>, base: number, raw: string, manifestBytes?: Uint8Array): boolean {
    const offset = result.clips[base + OFFSET] as number | null
    const length = result.clips[base + LENGTH] as number | null
    const next = offset !== null && length !== null && manifestBytes ? Buffer.from(manifestBytes.buffer, manifestBytes.byteOffset + offset, length) : Buffer.from(raw)
    if (before.manifest_sha256 && before.json_offset !== null && before.json_length !== null) {
      if (before.json_length !== next.length) return false
      const old = this.oldManifest(before.manifest_sha256)
      return old !== null && old.subarray(before.json_offset, before.json_offset + before.json_length).equals(next)
    }
    return before.raw_json === next.toString('utf8')
  }

  private oldManifest(sha: string): Buffer | null {
    let bytes = this.oldManifests.get(sha)
    if (!bytes) {
      try {
        bytes = this.manifests.read(sha, 0, this.manifests.size(sha))
      } catch {
        return null
      }
      this.oldManifests.set(sha, bytes)
    }
    return bytes
  }

  insertMedia(d: MediaDeclaration): void {
    this.stmts.insertMedia.run(d.sha256, d.bytes, d.mime, this.opts.now)
  }

  counts(): { added: number; updated: number } {
    return { added: this.added, updated: this.updated }
  }

  /** After commit: remove stored pack.json files that no clip and no pack points into any more. */
  async tidyManifests(): Promise<void> {
    const { sqlite } = this.store
    const used = sqlite.prepare('SELECT EXISTS (SELECT 1 FROM clips WHERE manifest_sha256 = ?) OR EXISTS (SELECT 1 FROM packs WHERE manifest_sha256 = ?)').pluck()
    for (const sha of this.replacedManifests) {
      if (sha !== this.opts.manifestSha256 && used.get(sha, sha) === 0) await this.manifests.remove(sha)
    }
  }
}
