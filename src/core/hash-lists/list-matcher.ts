import type { HashListMatch } from '../../shared/known-content'
import type { StoredFrames } from '../hashes/hash-store'
import { VideoMatchIndex, type VideoMatchRule } from '../hashes/video-match'
import type { HashListStore } from './hash-list-store'

/**
 * Matching a clip's frames against the entries of the profile's hash lists (issue 14,
 * docs/hash-list.md): an index of its own beside KnownContent's index of the profile's
 * clips, so lists are loaded, replaced and matched without touching the clips' index.
 * Built on first use from the stored entries (one row each) and rebuilt whenever a list
 * is put or removed (an import is rare; a rebuild of 100,000 frames takes well under a second).
 *
 * Entries of every hasher are matched the same way (video-match.ts): two frames match when
 * any hash of one is within the distance of any hash of the other, so an industry vPDQ
 * entry's one whole-frame hash meets all four of Tinjau's hashes of a frame.
 */
export class ListMatcher {
  private index: VideoMatchIndex | null = null
  private entries: { listId: string; entryId: string; mediaSha256: string | null }[] = []

  constructor(private readonly lists: HashListStore) {
    lists.onChanged(() => {
      this.index = null
    })
  }

  warm(): void {
    this.ensureIndex()
  }

  private ensureIndex(): VideoMatchIndex {
    if (this.index) return this.index
    const index = new VideoMatchIndex()
    const entries: typeof this.entries = []
    const batch = []
    for (const e of this.lists.allEntries()) {
      batch.push({ video: entries.length, frames: { hashes: e.hashes, qualities: e.qualities, hashesPerFrame: e.hashesPerFrame } })
      entries.push({ listId: e.listId, entryId: e.entryId, mediaSha256: e.mediaSha256 })
    }
    index.addVideos(batch)
    this.entries = entries
    this.index = index
    return index
  }

  /** The list entries these frames match (or whose media file they are), strongest first. */
  match(frames: StoredFrames, rule: Partial<VideoMatchRule> = {}): HashListMatch[] {
    const index = this.ensureIndex()
    const found = new Map<number, HashListMatch>()
    for (const m of index.match(frames, rule)) {
      const e = this.entries[m.video]!
      const d = this.describe(e.listId, e.entryId, e.mediaSha256 === frames.sha256, m.queryMatchPercent, m.comparedMatchPercent)
      if (d) found.set(m.video, d)
    }
    // The same file is the same content, even when its frames are below PDQ's quality floor.
    for (const [i, d] of this.sameFileEntries(frames.sha256)) if (!found.has(i)) found.set(i, d)
    return [...found.values()].sort((a, b) => b.queryMatchPercent - a.queryMatchPercent || b.comparedMatchPercent - a.comparedMatchPercent || a.label.localeCompare(b.label))
  }

  /** The entries naming this media file, for a clip whose own hashing is still to come. */
  sameFile(sha256: string): HashListMatch[] {
    return [...this.sameFileEntries(sha256).values()]
  }

  private sameFileEntries(sha256: string): Map<number, HashListMatch> {
    this.ensureIndex()
    const out = new Map<number, HashListMatch>()
    this.entries.forEach((e, i) => {
      if (e.mediaSha256 !== sha256) return
      const d = this.describe(e.listId, e.entryId, true, 100, 100)
      if (d) out.set(i, d)
    })
    return out
  }

  private describe(listId: string, entryId: string, sameFile: boolean, queryMatchPercent: number, comparedMatchPercent: number): HashListMatch | null {
    const d = this.lists.detail(listId, entryId)
    if (!d) return null
    const round1 = (x: number) => Math.round(x * 10) / 10
    return {
      source: 'hashlist',
      listId: d.listId,
      listName: d.listName,
      listSource: d.source,
      listVersion: d.createdAt,
      issuerName: d.issuerName,
      issuerPublicKey: d.issuerPublicKey,
      entryId: d.entryId,
      label: d.label,
      sameFile,
      queryMatchPercent: round1(queryMatchPercent),
      comparedMatchPercent: round1(comparedMatchPercent),
      decision: {
        action: d.decision.action,
        categories: d.decision.categories,
        rationale: d.decision.rationale,
        policyId: d.decision.policy_id,
        policyVersion: d.decision.policy_version,
        decidedBy: d.decision.decided_by,
        decidedAt: d.decision.decided_at,
        sourceClipId: d.decision.source_clip_id,
      },
    }
  }
}
