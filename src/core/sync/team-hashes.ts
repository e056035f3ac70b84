import type Database from 'better-sqlite3'
import { TinjauError } from '../../shared/errors'
import { MediaHashesResponse, SYNC_PATHS, type KnownClip, type KnownMedia, type MediaFrames } from '../../shared/sync-protocol'
import { getSetting, setSetting } from '../settings'
import { SyncRequestError, type SyncHttp } from './http'

/**
 * The team's known footage from the sync service (GET /v1/media-hashes): frame hashes of the
 * media the organisation decided, each with the outcomes in force of the clips that use it,
 * kept in the profile's hash lists as the list of source 'team' (hash_lists,
 * hash_list_entries: branch wip-hashlist's store), so they are matched as any hash list is.
 *
 * An entry is a media object and hasher, carrying the decision of the latest-settled clip of
 * the media whose outcome has one. While none has (disputed, pending), its frames wait in
 * team_hashes_waiting, unmatched: the service sends a media's frames once, and a later
 * change of its outcome comes without them.
 *
 * Pages are applied in one transaction each, the cursor with them, so a run stopped anywhere
 * goes on from the last page applied; a page the protocol refuses changes nothing.
 */

export const TEAM_LIST_ID = 'sync:team'
const CURSOR_KEY = 'sync.media_hashes_cursor'
const PAGE = 200
/** A run stops paging after this many pages; the next run goes on from the cursor. */
const MAX_PAGES = 200

interface Packed {
  frameCount: number
  hashes: Buffer
  qualities: Buffer
  timesMs: Buffer
}

export function clearTeamHashes(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM hash_list_entries WHERE list_id = ?').run(TEAM_LIST_ID)
  sqlite.prepare("DELETE FROM hash_lists WHERE id = ? AND source = 'team'").run(TEAM_LIST_ID)
  sqlite.prepare('DELETE FROM team_hashes_waiting').run()
  sqlite.prepare('DELETE FROM settings WHERE key = ?').run(CURSOR_KEY)
}

/** Frames as the profile packs them (hash_list_entries, media_hashes): hashes big-endian as their hex reads, times little-endian. */
function pack(f: MediaFrames): Packed {
  const timesMs = Buffer.alloc(f.times_ms.length * 4)
  f.times_ms.forEach((t, i) => timesMs.writeUInt32LE(t, i * 4))
  return { frameCount: f.times_ms.length, hashes: Buffer.from(f.hashes, 'hex'), qualities: Buffer.from(f.qualities), timesMs }
}

/** The clip whose decision the media's entry carries: the latest settled with an action and a category (the service lists latest first). */
function decidedClip(clips: readonly KnownClip[]): KnownClip | undefined {
  return clips.find((c) => c.outcome.action !== null && (c.outcome.categories?.length ?? 0) > 0)
}

export class TeamHashes {
  private readonly stmts

  constructor(private readonly sqlite: Database.Database) {
    this.stmts = {
      list: sqlite.prepare('SELECT source FROM hash_lists WHERE id = ?').pluck(),
      ensureList: sqlite.prepare(`INSERT INTO hash_lists (id, source, name, created_at, issuer_name, issuer_key, json_sha256, entry_count, frame_count, imported_at)
        VALUES (@id, 'team', @name, @at, @issuer, '', NULL, 0, 0, @at) ON CONFLICT (id) DO NOTHING`),
      counts: sqlite.prepare(`UPDATE hash_lists SET entry_count = (SELECT count(*) FROM hash_list_entries WHERE list_id = @id),
        frame_count = (SELECT coalesce(sum(frame_count), 0) FROM hash_list_entries WHERE list_id = @id), created_at = @at, imported_at = @at, issuer_name = @issuer
        WHERE id = @id`),
      entries: sqlite.prepare('SELECT hasher, frame_count, hashes, qualities, times_ms FROM hash_list_entries WHERE list_id = ? AND media_sha256 = ?'),
      waiting: sqlite.prepare('SELECT hasher, frame_count, hashes, qualities, times_ms FROM team_hashes_waiting WHERE sha256 = ?'),
      mime: sqlite.prepare('SELECT mime FROM media_objects WHERE sha256 = ?').pluck(),
      upsertEntry: sqlite.prepare(`INSERT INTO hash_list_entries (list_id, entry_id, label, kind, media_sha256, hasher, frame_count, hashes, qualities, times_ms,
          action, categories, rationale, policy_id, policy_version, decided_by, decided_at, source_clip_id)
        VALUES (@listId, @entryId, @label, @kind, @sha256, @hasher, @frameCount, @hashes, @qualities, @timesMs,
          @action, @categories, @rationale, NULL, NULL, @decidedBy, @decidedAt, @sourceClipId)
        ON CONFLICT (list_id, entry_id) DO UPDATE SET label = excluded.label, kind = excluded.kind, frame_count = excluded.frame_count,
          hashes = excluded.hashes, qualities = excluded.qualities, times_ms = excluded.times_ms, action = excluded.action,
          categories = excluded.categories, rationale = excluded.rationale, decided_by = excluded.decided_by,
          decided_at = excluded.decided_at, source_clip_id = excluded.source_clip_id`),
      deleteEntry: sqlite.prepare('DELETE FROM hash_list_entries WHERE list_id = ? AND entry_id = ?'),
      upsertWaiting: sqlite.prepare(`INSERT INTO team_hashes_waiting (sha256, hasher, frame_count, hashes, qualities, times_ms, received_at)
        VALUES (@sha256, @hasher, @frameCount, @hashes, @qualities, @timesMs, @at)
        ON CONFLICT (sha256, hasher) DO UPDATE SET frame_count = excluded.frame_count, hashes = excluded.hashes, qualities = excluded.qualities,
          times_ms = excluded.times_ms, received_at = excluded.received_at`),
      deleteWaiting: sqlite.prepare('DELETE FROM team_hashes_waiting WHERE sha256 = ? AND hasher = ?'),
    }
  }

  /** Applies one page and its cursor in one transaction; returns how many entries of the team's list changed. */
  storePage(items: readonly KnownMedia[], cursor: string, at: string, issuer: string): number {
    return this.sqlite.transaction(() => {
      const held = this.stmts.list.get(TEAM_LIST_ID) as string | undefined
      if (held !== undefined && held !== 'team') {
        throw new TinjauError('conflict', `an imported hash list holds the id "${TEAM_LIST_ID}" that the team's hashes are kept under; remove it to receive the team's hashes`)
      }
      this.stmts.ensureList.run({ id: TEAM_LIST_ID, name: 'Team decisions', issuer, at })
      let changed = 0
      for (const item of items) changed += this.apply(item, at)
      this.stmts.counts.run({ id: TEAM_LIST_ID, at, issuer })
      setSetting(this.sqlite, CURSOR_KEY, cursor)
      return changed
    })()
  }

  private apply(item: KnownMedia, at: string): number {
    const known = new Map<string, Packed>()
    for (const r of [...this.stmts.entries.all(TEAM_LIST_ID, item.sha256), ...this.stmts.waiting.all(item.sha256)] as FramesRow[]) {
      known.set(r.hasher, { frameCount: r.frame_count, hashes: r.hashes, qualities: r.qualities, timesMs: r.times_ms })
    }
    if (item.frames) known.set(item.frames.hasher, pack(item.frames))
    const clip = decidedClip(item.clips)
    const mime = this.stmts.mime.get(item.sha256) as string | undefined
    for (const [hasher, f] of known) {
      const entryId = `${item.sha256}/${hasher}`
      if (clip) {
        const o = clip.outcome
        this.stmts.upsertEntry.run({
          listId: TEAM_LIST_ID,
          entryId,
          label: `clip ${clip.clip_id} (${clip.pack_id})`,
          kind: mime?.startsWith('image/') === true && f.frameCount === 1 ? 'image' : 'video',
          sha256: item.sha256,
          hasher,
          ...f,
          action: o.action,
          categories: JSON.stringify(o.categories),
          rationale: o.rationale ?? '',
          // Who settled it: the lead of an adjudication, else a reviewer whose decision it carries.
          decidedBy: o.lead?.id ?? clip.reviewer_ids[0] ?? null,
          decidedAt: o.created_at,
          sourceClipId: clip.clip_id,
        })
        this.stmts.deleteWaiting.run(item.sha256, hasher)
      } else {
        this.stmts.upsertWaiting.run({ sha256: item.sha256, hasher, ...f, at })
        this.stmts.deleteEntry.run(TEAM_LIST_ID, entryId)
      }
    }
    return known.size
  }
}

interface FramesRow {
  hasher: string
  frame_count: number
  hashes: Buffer
  qualities: Buffer
  times_ms: Buffer
}

/**
 * Pull every media-hashes page after the stored cursor, storing each as it comes. Returns
 * how many entries changed; a service without the route (older than it) gives 0.
 */
export async function pullTeamHashes(opts: {
  http: SyncHttp
  sqlite: Database.Database
  serverUrl: string
  now: () => Date
  signal: AbortSignal | undefined
  retry: <T>(what: string, attempt: () => Promise<T>) => Promise<T>
  locked: <T>(fn: () => T) => Promise<T>
}): Promise<number> {
  const what = 'pull of the team’s media hashes'
  const team = new TeamHashes(opts.sqlite)
  let changed = 0
  for (let page = 0; page < MAX_PAGES; page++) {
    const cursor = getSetting(opts.sqlite, CURSOR_KEY) ?? ''
    let res: MediaHashesResponse
    try {
      res = await opts.retry(what, () =>
        opts.http.json({ what, method: 'GET', path: SYNC_PATHS.mediaHashes, query: { cursor: cursor || undefined, limit: PAGE }, schema: MediaHashesResponse, signal: opts.signal }),
      )
    } catch (err) {
      if (err instanceof SyncRequestError && err.code === 'not_found') return changed
      throw err
    }
    changed += await opts.locked(() => team.storePage(res.items, res.cursor, opts.now().toISOString(), opts.serverUrl))
    if (!res.more) break
  }
  return changed
}
