import type Database from 'better-sqlite3'
import { TinjauError } from '../../shared/errors'
import type { HashListDecision, HashListEntry } from '../../shared/hash-list-format'
import type { HashListInfo, HashListSource } from '../../shared/hash-lists'
import { HASH256_WORDS } from '../../shared/pdq/hash256'

/**
 * Hash lists kept in the profile (tables hash_lists, hash_list_entries; docs/hash-list.md).
 * A list is held in one version: putting a list replaces the version in force and all its
 * entries in one transaction, so a reader (the match index) sees the old list or the new
 * one, never a mix. Lists of either source (an imported file, the team's hashes from the
 * sync service) are kept and matched the same way.
 */

/** A list's entry as the match index and the console need it: frames packed as media_hashes packs them. */
export interface StoredListEntry {
  listId: string
  entryId: string
  label: string
  kind: 'video' | 'image'
  mediaSha256: string | null
  hasher: string
  hashesPerFrame: number
  /** hashesPerFrame × HASH256_WORDS words a frame. */
  hashes: Uint32Array
  qualities: Uint8Array
  timesMs: Uint32Array
}

/** An entry's label, its list, and the decision it carries: what a match shows. */
export interface ListEntryDetail {
  listId: string
  listName: string
  source: HashListSource
  /** The list's version in force: its created_at. */
  createdAt: string
  issuerName: string
  issuerPublicKey: string
  entryId: string
  label: string
  mediaSha256: string | null
  decision: HashListDecision
}

export interface PutListHeader {
  id: string
  source: HashListSource
  name: string
  createdAt: string
  issuerName: string
  issuerKey: string
  jsonSha256: string | null
}

export interface PutListResult {
  outcome: 'added' | 'replaced' | 'unchanged'
  entriesAdded: number
  entriesReplaced: number
  entriesRemoved: number
  previousCreatedAt: string | null
}

interface ListRow {
  id: string
  source: HashListSource
  name: string
  created_at: string
  issuer_name: string
  issuer_key: string
  json_sha256: string | null
  entry_count: number
  frame_count: number
  imported_at: string
}

interface EntryRow {
  list_id: string
  entry_id: string
  label: string
  kind: 'video' | 'image'
  media_sha256: string | null
  hasher: string
  frame_count: number
  hashes: Buffer
  qualities: Buffer
  times_ms: Buffer
}

const LIST_COLUMNS = 'id, source, name, created_at, issuer_name, issuer_key, json_sha256, entry_count, frame_count, imported_at'

export class HashListStore {
  private readonly stmts
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly sqlite: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmts = {
      list: sqlite.prepare(`SELECT ${LIST_COLUMNS} FROM hash_lists WHERE id = ?`),
      lists: sqlite.prepare(`SELECT ${LIST_COLUMNS} FROM hash_lists ORDER BY source, name, id`),
      entryIds: sqlite.prepare('SELECT entry_id FROM hash_list_entries WHERE list_id = ?').pluck(),
      deleteEntries: sqlite.prepare('DELETE FROM hash_list_entries WHERE list_id = ?'),
      deleteList: sqlite.prepare('DELETE FROM hash_lists WHERE id = ?'),
      upsertList: sqlite.prepare(`
        INSERT INTO hash_lists (id, source, name, created_at, issuer_name, issuer_key, json_sha256, entry_count, frame_count, imported_at)
        VALUES (@id, @source, @name, @createdAt, @issuerName, @issuerKey, @jsonSha256, @entryCount, @frameCount, @importedAt)
        ON CONFLICT (id) DO UPDATE SET source = @source, name = @name, created_at = @createdAt, issuer_name = @issuerName, issuer_key = @issuerKey,
          json_sha256 = @jsonSha256, entry_count = @entryCount, frame_count = @frameCount, imported_at = @importedAt`),
      insertEntry: sqlite.prepare(`
        INSERT INTO hash_list_entries (list_id, entry_id, label, kind, media_sha256, hasher, frame_count, hashes, qualities, times_ms,
          action, categories, rationale, policy_id, policy_version, decided_by, decided_at, source_clip_id)
        VALUES (@listId, @entryId, @label, @kind, @mediaSha256, @hasher, @frameCount, @hashes, @qualities, @timesMs,
          @action, @categories, @rationale, @policyId, @policyVersion, @decidedBy, @decidedAt, @sourceClipId)`),
      allEntries: sqlite.prepare('SELECT list_id, entry_id, label, kind, media_sha256, hasher, frame_count, hashes, qualities, times_ms FROM hash_list_entries'),
      detail: sqlite.prepare(`
        SELECT l.id AS list_id, l.name AS list_name, l.source, l.created_at, l.issuer_name, l.issuer_key, e.entry_id, e.label, e.media_sha256,
          e.action, e.categories, e.rationale, e.policy_id, e.policy_version, e.decided_by, e.decided_at, e.source_clip_id
        FROM hash_list_entries e JOIN hash_lists l ON l.id = e.list_id WHERE e.list_id = ? AND e.entry_id = ?`),
    }
  }

  /** Called after a list was put or removed (the match index reloads the lists' entries). */
  onChanged(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  lists(): HashListInfo[] {
    return (this.stmts.lists.all() as ListRow[]).map(info)
  }

  get(id: string): HashListInfo | null {
    const row = this.stmts.list.get(id) as ListRow | undefined
    return row ? info(row) : null
  }

  /**
   * Puts a list version in force, replacing the one held (its entries all go). A version is
   * its created_at: an older one than held is refused, the same one again changes nothing
   * when its bytes are the same and is refused when they differ (two lists claiming one version).
   */
  put(header: PutListHeader, entries: readonly HashListEntry[]): PutListResult {
    const result = this.sqlite.transaction((): PutListResult => {
      const held = this.stmts.list.get(header.id) as ListRow | undefined
      if (held) {
        if (held.source !== header.source) {
          throw new TinjauError('conflict', `hash list id "${header.id}" is already held from another source (${held.source}); nothing changed`, [{ path: 'id', message: 'taken' }])
        }
        const at = `hash list "${header.id}" version ${header.createdAt}`
        // Compared as instants: created_at may carry any offset.
        const order = Date.parse(header.createdAt) - Date.parse(held.created_at)
        if (order < 0) {
          throw new TinjauError('conflict', `${at} is older than the version in this profile (${held.created_at}); nothing changed`, [{ path: 'created_at', message: 'older than the version held' }])
        }
        if (order === 0) {
          if (header.jsonSha256 !== null && header.jsonSha256 === held.json_sha256) {
            return { outcome: 'unchanged', entriesAdded: 0, entriesReplaced: 0, entriesRemoved: 0, previousCreatedAt: held.created_at }
          }
          if (header.jsonSha256 !== null) {
            throw new TinjauError('conflict', `${at} is already in this profile with other contents; a changed list needs a newer created_at. Nothing changed`, [
              { path: 'created_at', message: 'same version, other contents' },
            ])
          }
        }
      }
      const oldIds = new Set(held ? (this.stmts.entryIds.all(header.id) as string[]) : [])
      this.stmts.deleteEntries.run(header.id)
      let frameCount = 0
      for (const e of entries) frameCount += e.frames.length
      // The list's row first: its entries refer to it.
      this.stmts.upsertList.run({ ...header, entryCount: entries.length, frameCount, importedAt: this.now().toISOString() })
      let replaced = 0
      for (const e of entries) {
        if (oldIds.has(e.id)) replaced++
        this.stmts.insertEntry.run(entryParams(header.id, e))
      }
      return {
        outcome: held ? 'replaced' : 'added',
        entriesAdded: entries.length - replaced,
        entriesReplaced: replaced,
        entriesRemoved: oldIds.size - replaced,
        previousCreatedAt: held?.created_at ?? null,
      }
    })()
    if (result.outcome !== 'unchanged') this.changed()
    return result
  }

  /** Removes a list and its entries; false when there was none. */
  remove(id: string): boolean {
    const removed = this.sqlite.transaction(() => {
      this.stmts.deleteEntries.run(id)
      return this.stmts.deleteList.run(id).changes > 0
    })()
    if (removed) this.changed()
    return removed
  }

  /** Every entry of every list, one at a time (the match index loads them). */
  *allEntries(): Generator<StoredListEntry> {
    for (const row of this.stmts.allEntries.iterate() as IterableIterator<EntryRow>) yield fromRow(row)
  }

  detail(listId: string, entryId: string): ListEntryDetail | null {
    const r = this.stmts.detail.get(listId, entryId) as Record<string, string | null> | undefined
    if (!r) return null
    return {
      listId: r.list_id!,
      listName: r.list_name!,
      source: r.source as HashListSource,
      createdAt: r.created_at!,
      issuerName: r.issuer_name!,
      issuerPublicKey: r.issuer_key!,
      entryId: r.entry_id!,
      label: r.label!,
      mediaSha256: r.media_sha256 ?? null,
      decision: {
        action: r.action!,
        categories: JSON.parse(r.categories!) as string[],
        rationale: r.rationale!,
        policy_id: r.policy_id ?? null,
        policy_version: r.policy_version ?? null,
        decided_by: r.decided_by ?? null,
        decided_at: r.decided_at ?? null,
        source_clip_id: r.source_clip_id ?? null,
      },
    }
  }

  /** Entries changed by a writer other than put/remove (the team's hashes, core/sync/team-hashes.ts). */
  notifyChanged(): void {
    this.changed()
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }
}

function info(r: ListRow): HashListInfo {
  return {
    id: r.id,
    source: r.source,
    name: r.name,
    createdAt: r.created_at,
    issuerName: r.issuer_name,
    issuerPublicKey: r.issuer_key,
    entries: r.entry_count,
    frames: r.frame_count,
    importedAt: r.imported_at,
  }
}

/**
 * Frames packed as media_hashes packs them (hash-store.ts): hashes big-endian as their hex
 * reads, a frame's together; one quality byte a hash; times little-endian, 4 bytes a frame.
 */
function entryParams(listId: string, e: HashListEntry) {
  const per = e.frames[0]?.hashes.length ?? 1
  const hashes = Buffer.alloc(e.frames.length * per * HASH256_WORDS * 4)
  const qualities = Buffer.alloc(e.frames.length * per)
  const timesMs = Buffer.alloc(e.frames.length * 4)
  e.frames.forEach((f, i) => {
    f.hashes.forEach((h, k) => {
      // Big-endian words as the hex reads are the hex's own bytes (the schema checked it is 64 lowercase hex).
      hashes.write(h.hash, (i * per + k) * HASH256_WORDS * 4, 'hex')
      qualities[i * per + k] = h.quality
    })
    timesMs.writeUInt32LE(f.t_ms, i * 4)
  })
  const d = e.decision
  return {
    listId,
    entryId: e.id,
    label: e.label,
    kind: e.kind,
    mediaSha256: e.media_sha256,
    hasher: e.hasher,
    frameCount: e.frames.length,
    hashes,
    qualities,
    timesMs,
    action: d.action,
    categories: JSON.stringify(d.categories),
    rationale: d.rationale,
    policyId: d.policy_id,
    policyVersion: d.policy_version,
    decidedBy: d.decided_by,
    decidedAt: d.decided_at,
    sourceClipId: d.source_clip_id,
  }
}

function fromRow(row: EntryRow): StoredListEntry {
  const hashes = new Uint32Array(row.hashes.length / 4)
  for (let i = 0; i < hashes.length; i++) hashes[i] = row.hashes.readUInt32BE(i * 4)
  const timesMs = new Uint32Array(row.times_ms.length / 4)
  for (let i = 0; i < timesMs.length; i++) timesMs[i] = row.times_ms.readUInt32LE(i * 4)
  return {
    listId: row.list_id,
    entryId: row.entry_id,
    label: row.label,
    kind: row.kind,
    mediaSha256: row.media_sha256,
    hasher: row.hasher,
    hashesPerFrame: row.frame_count > 0 ? row.qualities.length / row.frame_count : 1,
    hashes,
    qualities: new Uint8Array(row.qualities),
    timesMs,
  }
}
