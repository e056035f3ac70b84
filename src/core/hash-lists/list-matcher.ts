import type { HashListMatch, MatchingSettings } from '../../shared/known-content'
import type { StoredFrames } from '../hashes/hash-store'
import { VideoMatchIndex, VPDQ_QUALITY_TOLERANCE } from '../hashes/video-match'
import type { HashListStore } from './hash-list-store'

/**
 * Matching a clip's frames against the entries of the profile's hash lists (issue 14,
 * docs/hash-list.md): an index of its own beside KnownContent's index of the profile's
 * clips, so lists are loaded, replaced and matched without touching the clips' index.
 * Built on first use from the stored entries (one row each) and rebuilt whenever a list
 * is put or removed (an import is rare; a rebuild of 100,000 frames takes well under a second).
 *
 * Frames match the same way for every hasher (video-match.ts): two frames match when any
 * hash of one is within the distance of any hash of the other, so an industry vPDQ entry's
 * one whole-frame hash meets all four of Tinjau's hashes of a frame. Video entries are
 * matched by the video rule (the settings' query and compared match %). Image entries (an
 * industry PDQ list's one hash of a picture) are in an index of their own and match a clip
 * when any one of its frames meets the picture: a known picture shown for a few seconds of
 * a long clip would never reach 80 % of its frames. An image match reports the share of the
 * clip's frames that show it, and 100 % of the image's one frame.
 */
export class ListMatcher {
  private indexes: { videos: VideoMatchIndex; images: VideoMatchIndex } | null = null
  private entries: { listId: string; entryId: string; mediaSha256: string | null }[] = []

  constructor(private readonly lists: HashListStore) {
    lists.onChanged(() => {
      this.indexes = null
    })
  }

  warm(qualityTolerance = VPDQ_QUALITY_TOLERANCE): void {
    this.ensureIndexes(qualityTolerance)
  }

  /** Both indexes, built again when the lists changed or the quality floor did (it is the index's own). */
  private ensureIndexes(qualityTolerance: number): { videos: VideoMatchIndex; images: VideoMatchIndex } {
    if (this.indexes && this.indexes.videos.qualityTolerance === qualityTolerance) return this.indexes
    const videos = new VideoMatchIndex({ qualityTolerance })
    const images = new VideoMatchIndex({ qualityTolerance })
    const entries: typeof this.entries = []
    const videoBatch = []
    const imageBatch = []
    for (const e of this.lists.allEntries()) {
      const add = { video: entries.length, frames: { hashes: e.hashes, qualities: e.qualities, hashesPerFrame: e.hashesPerFrame } }
      if (e.kind === 'image') imageBatch.push(add)
      else videoBatch.push(add)
      entries.push({ listId: e.listId, entryId: e.entryId, mediaSha256: e.mediaSha256 })
    }
    videos.addVideos(videoBatch)
    images.addVideos(imageBatch)
    this.entries = entries
    this.indexes = { videos, images }
    return this.indexes
  }

  /**
   * The list entries these frames match (or whose media file they are), strongest first, by
   * the profile's match rule (MatchingSettings; the defaults are vPDQ's).
   */
  match(frames: StoredFrames, rule: Partial<MatchingSettings> = {}): HashListMatch[] {
    const { qualityTolerance = VPDQ_QUALITY_TOLERANCE, ...videoRule } = rule
    const { videos, images } = this.ensureIndexes(qualityTolerance)
    const found = new Map<number, HashListMatch>()
    const add = (video: number, queryMatchPercent: number, comparedMatchPercent: number) => {
      const e = this.entries[video]!
      const d = this.describe(e.listId, e.entryId, e.mediaSha256 === frames.sha256, queryMatchPercent, comparedMatchPercent)
      if (d) found.set(video, d)
    }
    for (const m of videos.match(frames, videoRule)) add(m.video, m.queryMatchPercent, m.comparedMatchPercent)
    // `compare` lists every image with a frame within the distance: any one frame is a match.
    if (images.videoCount > 0) {
      for (const m of images.compare(frames, { distanceTolerance: videoRule.distanceTolerance })) add(m.video, m.queryMatchPercent, 100)
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
    // The entries' order is the same whatever the quality floor: build with the floor in use, if any.
    if (!this.indexes) this.ensureIndexes(VPDQ_QUALITY_TOLERANCE)
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
