import type Database from 'better-sqlite3'
import type { ClipStatus } from '../../shared/domain'
import { TinjauError } from '../../shared/errors'
import type { ClipMatch, ClipMatches, KnownMatch } from '../../shared/known-content'
import type { ListMatcher } from '../hash-lists/list-matcher'
import type { DecisionLog } from '../decisions'
import { outcomeOfClip } from '../sync/outcomes'
import type { HashStore, StoredFrames } from './hash-store'
import { VideoMatchIndex, type VideoMatchRule } from './video-match'

/**
 * Which clips of the profile show the same footage as a given clip, and what was decided
 * about them (issue 14). Every hashed video is in one in-memory index (video-match.ts),
 * built from the stored frames on first use (~10,000 rows for a million frames) and kept
 * current as the background hasher records more. Posters are hashed and kept but not
 * matched on: a still would "match" every video it was taken from at 1 frame in N.
 */

interface ClipRow {
  id: string
  pack_id: string
  status: ClipStatus
  stream_title: string | null
  poster_sha256: string | null
  media_sha256: string
}

export class KnownContent {
  private index: VideoMatchIndex | null = null
  private readonly keyOf = new Map<string, number>()
  private readonly shaOf: string[] = []
  private readonly stmts
  /** Hash list entries, matched beside the profile's clips (hash-lists/list-matcher.ts). */
  private lists: ListMatcher | null = null

  constructor(
    private readonly sqlite: Database.Database,
    private readonly hashes: HashStore,
    private readonly decisions: DecisionLog,
    private readonly rule: () => Partial<VideoMatchRule> = () => ({}),
  ) {
    this.stmts = {
      clip: sqlite.prepare('SELECT id, pack_id, status, stream_title, poster_sha256, media_sha256 FROM clips WHERE id = ?'),
      byMedia: sqlite.prepare('SELECT id, pack_id, status, stream_title, poster_sha256, media_sha256 FROM clips WHERE media_sha256 = ? ORDER BY id'),
      hashState: sqlite.prepare('SELECT status FROM media_hashes WHERE sha256 = ?').pluck(),
      mime: sqlite.prepare('SELECT mime FROM media_objects WHERE sha256 = ?').pluck(),
    }
  }

  private key(sha256: string): number {
    let k = this.keyOf.get(sha256)
    if (k === undefined) {
      k = this.shaOf.length
      this.keyOf.set(sha256, k)
      this.shaOf.push(sha256)
    }
    return k
  }

  /** Also match clips against the profile's hash lists. */
  attachLists(lists: ListMatcher): void {
    this.lists = lists
  }

  private isVideo(sha256: string): boolean {
    return String(this.stmts.mime.get(sha256) ?? '').startsWith('video/')
  }

  /**
   * Loads the index now, so the first clip a reviewer opens does not wait for it (about a
   * second of reading and building at a million stored frames). Hosts call it in the background.
   */
  warm(): void {
    this.ensureIndex()
  }

  private ensureIndex(): VideoMatchIndex {
    if (this.index) return this.index
    const index = new VideoMatchIndex()
    const add = (f: StoredFrames) => {
      if (!this.isVideo(f.sha256)) return
      const k = this.key(f.sha256)
      index.removeVideo(k)
      index.addVideo(k, f)
    }
    for (const f of this.hashes.allFrames()) add(f)
    this.hashes.onHashed(add)
    this.index = index
    return index
  }

  /** The clips whose video matches this clip's, decided ones first. */
  matches(clipId: string): ClipMatches {
    const clip = this.stmts.clip.get(clipId) as ClipRow | undefined
    if (!clip) throw new TinjauError('not_found', `no clip "${clipId}" in this profile`)
    const frames = this.hashes.frames(clip.media_sha256)
    if (!frames) {
      const state = this.stmts.hashState.get(clip.media_sha256)
      const listed = this.lists?.sameFile(clip.media_sha256) ?? []
      return { hashing: state === 'failed' ? 'failed' : 'waiting', matches: [...this.sameFile(clip), ...listed].sort(byRelevance) }
    }
    const found: KnownMatch[] = []
    for (const m of this.ensureIndex().match(frames, this.rule())) {
      const sha = this.shaOf[m.video]!
      for (const other of this.stmts.byMedia.all(sha) as ClipRow[]) {
        if (other.id === clip.id) continue
        found.push(this.describe(other, sha === clip.media_sha256, m.queryMatchPercent, m.comparedMatchPercent))
      }
    }
    // A clip whose frames are all below PDQ's quality floor matches nothing by hash; the same file still is the same.
    for (const same of this.sameFile(clip)) if (!found.some((f) => f.source === 'clip' && f.clipId === same.clipId)) found.push(same)
    if (this.lists) found.push(...this.lists.match(frames, this.rule()))
    return { hashing: 'hashed', matches: found.sort(byRelevance) }
  }

  private sameFile(clip: ClipRow): ClipMatch[] {
    return (this.stmts.byMedia.all(clip.media_sha256) as ClipRow[]).filter((o) => o.id !== clip.id).map((o) => this.describe(o, true, 100, 100))
  }

  private describe(row: ClipRow, sameFile: boolean, queryMatchPercent: number, comparedMatchPercent: number): ClipMatch {
    return {
      source: 'clip',
      clipId: row.id,
      packId: row.pack_id,
      status: row.status,
      streamTitle: row.stream_title,
      posterSha256: row.poster_sha256,
      sameFile,
      queryMatchPercent: round1(queryMatchPercent),
      comparedMatchPercent: round1(comparedMatchPercent),
      decision: this.decisions.inForce(row.id),
      outcome: outcomeOfClip(this.sqlite, row.id),
    }
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10

function byRelevance(a: KnownMatch, b: KnownMatch): number {
  // A hash list entry always carries a decision.
  const known = (m: KnownMatch) => (m.source === 'hashlist' || m.decision || m.outcome ? 0 : 1)
  const name = (m: KnownMatch) => (m.source === 'clip' ? m.clipId : `${m.listId}/${m.entryId}`)
  return known(a) - known(b) || b.queryMatchPercent - a.queryMatchPercent || b.comparedMatchPercent - a.comparedMatchPercent || name(a).localeCompare(name(b))
}
