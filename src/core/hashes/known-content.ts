import type Database from 'better-sqlite3'
import type { ClipStatus } from '../../shared/domain'
import { TinjauError } from '../../shared/errors'
import { MATCHING_DEFAULTS, type ClipMatch, type ClipMatches, type KnownMatch, type MatchingSettings } from '../../shared/known-content'
import type { ListMatcher } from '../hash-lists/list-matcher'
import type { DecisionLog } from '../decisions'
import { outcomeOfClip } from '../sync/outcomes'
import type { HashStore, StoredFrames } from './hash-store'
import { MatchPairs, scanRuleKey, type CopyGroup } from './match-pairs'
import { VideoMatchIndex, type VideoFrames } from './video-match'

/**
 * Which clips of the profile show the same footage as a given clip, and what was decided
 * about them (issue 14). Every hashed video is in one in-memory index (video-match.ts),
 * built from the stored frames on first use (~10,000 rows for a million frames) and kept
 * current as the background hasher records more. Posters are hashed and kept but not
 * matched on: a still would "match" every video it was taken from at 1 frame in N.
 *
 * Each video is also matched once against all the others and the pairs stored
 * (match-pairs.ts), for the queue: as it is recorded once the index is loaded, and for those
 * recorded before (or before the tolerances changed) by `scanPending`, which hosts run in the
 * background. `matches` answers from the index itself, so an open clip never waits for that
 * catch-up; both give the same answers (known-content.test.ts).
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
  private listening = false
  private readonly keyOf = new Map<string, number>()
  private readonly shaOf: string[] = []
  private readonly stmts
  /** Hash list entries, matched beside the profile's clips (hash-lists/list-matcher.ts). */
  private lists: ListMatcher | null = null
  readonly pairs: MatchPairs

  constructor(
    private readonly sqlite: Database.Database,
    private readonly hashes: HashStore,
    private readonly decisions: DecisionLog,
    /** The profile's match rule (settings.ts getMatching), read at each use. */
    private readonly rule: () => MatchingSettings = () => ({ ...MATCHING_DEFAULTS }),
  ) {
    this.pairs = new MatchPairs(sqlite)
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
    const { qualityTolerance } = this.rule()
    // The quality floor decides which frames the index holds: another one needs another index.
    if (this.index && this.index.qualityTolerance === qualityTolerance) return this.index
    const index = new VideoMatchIndex({ qualityTolerance })
    const videos = []
    for (const f of this.hashes.allFrames()) if (this.isVideo(f.sha256)) videos.push({ video: this.key(f.sha256), frames: f })
    index.addVideos(videos)
    this.index = index
    if (!this.listening) {
      this.listening = true
      this.hashes.onHashed((f) => this.hashed(f))
    }
    return index
  }

  /** A video recorded by the hasher: into the index, and its pairs stored. */
  private hashed(f: StoredFrames): void {
    if (!this.isVideo(f.sha256)) return
    const index = this.ensureIndex()
    const k = this.key(f.sha256)
    index.removeVideo(k)
    index.addVideo(k, f)
    try {
      this.scan(f.sha256, f)
    } catch {
      // The frames are stored and in the index; their pairs are derived data, left for
      // scanPending. The hasher's record must not fail (and the file be hashed again) for them.
    }
  }

  private scan(sha256: string, frames: VideoFrames): void {
    const rule = this.rule()
    // Every video with a frame within the distance: the percentages are stored whatever they are.
    const all = this.ensureIndex().compare(frames, { distanceTolerance: rule.distanceTolerance, queryMatchPercent: 0, comparedMatchPercent: 0 })
    this.pairs.replace(
      sha256,
      scanRuleKey(rule),
      all.map((c) => ({ sha256: this.shaOf[c.video]!, queryMatchPercent: c.queryMatchPercent, comparedMatchPercent: c.comparedMatchPercent, bestDistance: c.bestDistance })),
    )
  }

  /**
   * Stores the pairs of up to `limit` hashed videos not yet matched under the current
   * tolerances; returns how many it did (0: none left). Hosts call it in small batches.
   */
  scanPending(limit = Number.POSITIVE_INFINITY): number {
    const key = scanRuleKey(this.rule())
    let done = 0
    while (done < limit) {
      const batch = this.pairs.pending(key, Math.min(100, limit - done))
      if (batch.length === 0) break
      this.ensureIndex()
      for (const sha of batch) {
        const frames = this.hashes.frames(sha)
        if (frames) this.scan(sha, frames)
        else this.pairs.replace(sha, key, [])
        done++
      }
    }
    return done
  }

  /**
   * The rule changed (settings.setMatching). New percentages apply to the stored pairs as
   * they are; a new distance or quality tolerance drops them, to be matched again by
   * `scanPending` (in the background: at a million frames that is minutes of work, which no
   * settings dialog or queue page should wait for).
   */
  ruleChanged(before: MatchingSettings, after: MatchingSettings): void {
    if (before.distanceTolerance !== after.distanceTolerance || before.qualityTolerance !== after.qualityTolerance) this.pairs.clear()
    else this.pairs.thresholdsChanged()
  }

  /** Rowids of clips with a match, or a match to a decided clip: from the stored pairs. */
  clipsWithMatch(kind: 'any' | 'decided'): Set<number> {
    return this.pairs.clipsWithMatch(kind, this.rule())
  }

  /** Groups of copies by clip rowid: from the stored pairs. */
  copyGroups(): Map<number, CopyGroup> {
    return this.pairs.copyGroups(this.rule())
  }

  /** The copies of a page's clips (the same groups as copyGroups, without reading every clip). */
  copiesOf(clips: readonly { rowid: number; mediaSha256: string }[]): Map<number, CopyGroup> {
    return this.pairs.copiesOf(clips, this.rule())
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
    const rule = this.rule()
    for (const m of this.ensureIndex().match(frames, rule)) {
      const sha = this.shaOf[m.video]!
      for (const other of this.stmts.byMedia.all(sha) as ClipRow[]) {
        if (other.id === clip.id) continue
        found.push(this.describe(other, sha === clip.media_sha256, m.queryMatchPercent, m.comparedMatchPercent))
      }
    }
    // A clip whose frames are all below PDQ's quality floor matches nothing by hash; the same file still is the same.
    for (const same of this.sameFile(clip)) if (!found.some((f) => f.source === 'clip' && f.clipId === same.clipId)) found.push(same)
    if (this.lists) found.push(...this.lists.match(frames, rule))
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
