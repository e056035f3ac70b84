import type Database from 'better-sqlite3'
import { HASHER_ID } from '../../shared/frame-hashes'
import type { MatchingSettings } from '../../shared/known-content'

/**
 * The profile's stored match pairs (tables media_match_pairs, media_match_scans): what the
 * queue reads to know which clips have a match, and which are copies of one another, without
 * matching thousands of clips on every page.
 *
 * A video is "scanned" once it was matched against every video the index held at that
 * moment; the index holds it from then on, so each later video meets it in its own scan, and
 * every pair of scanned videos is stored (both directions). Percentages are stored for every
 * pair with a frame within the distance tolerance, so changing the two match percentages
 * needs no new matching; changing the distance or quality tolerance does (`clear`).
 */

/** One stored video's answer to a query video, as the index gives it. */
export interface ScannedPair {
  sha256: string
  queryMatchPercent: number
  comparedMatchPercent: number
  bestDistance: number
}

/** A clip's copies: the clips of its group of matching videos (itself included). */
export interface CopyGroup {
  group: string
  count: number
}

/** The tolerances pairs were computed under: a scan under others is stale. */
export function scanRuleKey(m: Pick<MatchingSettings, 'distanceTolerance' | 'qualityTolerance'>): string {
  return `${HASHER_ID} d${m.distanceTolerance} q${m.qualityTolerance}`
}

export class MatchPairs {
  private readonly stmts
  /** Moves whenever pairs are written or dropped in this process: the cached sets below follow it. */
  private version = 0
  private groupsCache: { key: string; byRowid: Map<number, CopyGroup> } | null = null
  private matchedCache: { key: string; rowids: Set<number> } | null = null
  private copiesCache: { key: string; byRoot: Map<string, CopyGroup | null> } | null = null
  private componentsCache: { key: string; rootOf: Map<string, string>; members: Map<string, string[]> } | null = null

  constructor(private readonly sqlite: Database.Database) {
    // A clip's matched partners: stored pairs over the thresholds, and clips with the very same file.
    const edges = `
      WITH edges(q, c) AS (
        SELECT query_sha256, compared_sha256 FROM media_match_pairs
        WHERE query_match_percent >= @queryPercent AND compared_match_percent >= @comparedPercent
        UNION ALL
        SELECT media_sha256, media_sha256 FROM clips GROUP BY media_sha256 HAVING count(*) > 1
      )`
    this.stmts = {
      deleteAsQuery: sqlite.prepare('DELETE FROM media_match_pairs WHERE query_sha256 = ?'),
      deleteAsCompared: sqlite.prepare('DELETE FROM media_match_pairs WHERE compared_sha256 = ?'),
      insert: sqlite.prepare(`
        INSERT INTO media_match_pairs (query_sha256, compared_sha256, query_match_percent, compared_match_percent, best_distance)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (query_sha256, compared_sha256) DO UPDATE SET query_match_percent = excluded.query_match_percent,
          compared_match_percent = excluded.compared_match_percent, best_distance = excluded.best_distance`),
      scanned: sqlite.prepare(`INSERT INTO media_match_scans (sha256, rule) VALUES (?, ?) ON CONFLICT (sha256) DO UPDATE SET rule = excluded.rule`),
      scanRule: sqlite.prepare('SELECT rule FROM media_match_scans WHERE sha256 = ?').pluck(),
      clearPairs: sqlite.prepare('DELETE FROM media_match_pairs'),
      clearScans: sqlite.prepare('DELETE FROM media_match_scans'),
      // Hashed videos not scanned under these tolerances: those hashed before the table existed,
      // or while no index was loaded, or before the tolerances changed.
      pending: sqlite
        .prepare(`
        SELECT h.sha256 FROM media_hashes h
        JOIN media_objects m ON m.sha256 = h.sha256
        LEFT JOIN media_match_scans s ON s.sha256 = h.sha256
        WHERE h.status = 'hashed' AND h.hasher = @hasher AND m.mime LIKE 'video/%' AND (s.rule IS NULL OR s.rule <> @rule)
        ORDER BY h.sha256 LIMIT @limit`)
        .pluck(),
      pairsOf: sqlite.prepare(
        'SELECT compared_sha256 AS sha256, query_match_percent AS queryMatchPercent, compared_match_percent AS comparedMatchPercent, best_distance AS bestDistance FROM media_match_pairs WHERE query_sha256 = ? ORDER BY compared_sha256',
      ),
      edges: sqlite.prepare(`${edges} SELECT q, c FROM edges`).raw(),
      pairEdges: sqlite
        .prepare('SELECT query_sha256, compared_sha256 FROM media_match_pairs WHERE query_match_percent >= @queryPercent AND compared_match_percent >= @comparedPercent')
        .raw(),
      groupOf: sqlite.prepare('SELECT count(*) AS n, min(id) AS first FROM clips WHERE media_sha256 IN (SELECT value FROM json_each(?))'),
      withMatch: sqlite.prepare(`${edges} SELECT DISTINCT c.rowid FROM edges e JOIN clips c ON c.media_sha256 = e.q JOIN clips o ON o.media_sha256 = e.c AND o.rowid <> c.rowid`).pluck(),
      // Decided: a decision in force here (the clip left pending and skipped), or the organisation's outcome.
      withDecidedMatch: sqlite
        .prepare(`${edges} SELECT DISTINCT c.rowid FROM edges e JOIN clips c ON c.media_sha256 = e.q JOIN clips o ON o.media_sha256 = e.c AND o.rowid <> c.rowid
          WHERE o.status NOT IN ('pending', 'skipped') OR EXISTS (SELECT 1 FROM clip_outcomes co WHERE co.clip_id = o.id)`)
        .pluck(),
      clipsOf: sqlite.prepare('SELECT rowid, id, media_sha256 FROM clips WHERE media_sha256 IN (SELECT value FROM json_each(?)) ORDER BY id').raw(),
      packsStamp: sqlite.prepare("SELECT coalesce(group_concat(id || '@' || updated_at || '@' || manifest_sha256), '') FROM packs").pluck(),
    }
  }

  /** Stores a video's scan: its pairs with every other video that had a frame within the tolerance, both ways. */
  replace(sha256: string, ruleKey: string, pairs: readonly ScannedPair[]): void {
    const changed = this.sqlite.transaction(() => {
      let n = this.stmts.deleteAsQuery.run(sha256).changes + this.stmts.deleteAsCompared.run(sha256).changes
      for (const p of pairs) {
        if (p.sha256 === sha256) continue
        this.stmts.insert.run(sha256, p.sha256, p.queryMatchPercent, p.comparedMatchPercent, p.bestDistance)
        // The other way round: the compared video's frames are the query's, and the percentages swap.
        this.stmts.insert.run(p.sha256, sha256, p.comparedMatchPercent, p.queryMatchPercent, p.bestDistance)
        n += 2
      }
      this.stmts.scanned.run(sha256, ruleKey)
      return n > 0
    })()
    // Most videos match nothing: the cached sets stay valid while hashing goes on.
    if (changed) this.version++
  }

  isScanned(sha256: string, ruleKey: string): boolean {
    return this.stmts.scanRule.get(sha256) === ruleKey
  }

  /** Hashed videos still to scan under these tolerances, at most `limit`. */
  pending(ruleKey: string, limit: number): string[] {
    return this.stmts.pending.all({ hasher: HASHER_ID, rule: ruleKey, limit }) as string[]
  }

  /** The stored pairs of one video as the query. */
  pairsOf(sha256: string): ScannedPair[] {
    return this.stmts.pairsOf.all(sha256) as ScannedPair[]
  }

  /** Drops every pair and scan (the tolerances changed): videos are scanned again. */
  clear(): void {
    this.sqlite.transaction(() => {
      this.stmts.clearPairs.run()
      this.stmts.clearScans.run()
    })()
    this.version++
  }

  /** The percentage thresholds changed: the cached sets are read again. */
  thresholdsChanged(): void {
    this.version++
  }

  /** Rowids of clips with a match (`any`), or with a match to a decided clip (`decided`). */
  clipsWithMatch(kind: 'any' | 'decided', m: MatchingSettings): Set<number> {
    const params = { queryPercent: m.queryMatchPercent, comparedPercent: m.comparedMatchPercent }
    if (kind === 'decided') {
      // Statuses move with every decision: read afresh each time (it visits matched clips only).
      return new Set(this.stmts.withDecidedMatch.all(params) as number[])
    }
    const key = `${this.version}|${m.queryMatchPercent}|${m.comparedMatchPercent}|${this.stmts.packsStamp.get() as string}`
    if (this.sqlite.inTransaction) return new Set(this.stmts.withMatch.all(params) as number[])
    if (this.matchedCache?.key !== key) this.matchedCache = { key, rowids: new Set(this.stmts.withMatch.all(params) as number[]) }
    return this.matchedCache.rowids
  }

  /**
   * The copies of some clips (a page of the queue): the same groups as `copyGroups`, read
   * from the pairs and, per group, by the clips_media index — never a read of every clip,
   * which each page would otherwise pay while hashing changes the pairs.
   */
  copiesOf(clips: readonly { rowid: number; mediaSha256: string }[], m: MatchingSettings): Map<number, CopyGroup> {
    const { rootOf, members } = this.components(m)
    const out = new Map<number, CopyGroup>()
    // Kept until pairs, thresholds or clips change: with many clips on one file, counting them
    // reads every one of them, which page after page of the same list must not pay again.
    const key = `${this.version}|${m.queryMatchPercent}|${m.comparedMatchPercent}|${this.stmts.packsStamp.get() as string}`
    if (this.sqlite.inTransaction || this.copiesCache?.key !== key) this.copiesCache = { key, byRoot: new Map() }
    const byRoot = this.copiesCache.byRoot
    for (const c of clips) {
      const root = rootOf.get(c.mediaSha256) ?? c.mediaSha256
      let g = byRoot.get(root)
      if (g === undefined) {
        const shas = members.get(root) ?? [c.mediaSha256]
        const row = this.stmts.groupOf.get(JSON.stringify(shas)) as { n: number; first: string }
        g = row.n >= 2 ? { group: row.first, count: row.n } : null
        byRoot.set(root, g)
      }
      if (g) out.set(c.rowid, g)
    }
    return out
  }

  /** Videos connected by pairs over the thresholds: each one's root, and each root's videos. */
  private components(m: MatchingSettings): { rootOf: Map<string, string>; members: Map<string, string[]> } {
    const key = `${this.version}|${m.queryMatchPercent}|${m.comparedMatchPercent}`
    if (!this.sqlite.inTransaction && this.componentsCache?.key === key) return this.componentsCache
    const parent = new Map<string, string>()
    const find = (x: string): string => {
      let r = x
      while (parent.get(r) !== r) r = parent.get(r)!
      return r
    }
    const params = { queryPercent: m.queryMatchPercent, comparedPercent: m.comparedMatchPercent }
    for (const [q, c] of this.stmts.pairEdges.all(params) as [string, string][]) {
      if (!parent.has(q)) parent.set(q, q)
      if (!parent.has(c)) parent.set(c, c)
      const a = find(q)
      const b = find(c)
      // The smaller name is the root, so a component's root does not depend on the edges' order.
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b)
    }
    const rootOf = new Map<string, string>()
    const members = new Map<string, string[]>()
    for (const sha of parent.keys()) {
      const root = find(sha)
      rootOf.set(sha, root)
      const list = members.get(root)
      if (list) list.push(sha)
      else members.set(root, [sha])
    }
    const result = { key, rootOf, members }
    if (!this.sqlite.inTransaction) this.componentsCache = result
    return result
  }

  /**
   * Groups of copies: clips whose videos match, directly or through another (a mirror of a
   * mirror), or share the file. Only clips with at least one copy are in the map.
   */
  copyGroups(m: MatchingSettings): Map<number, CopyGroup> {
    const key = `${this.version}|${m.queryMatchPercent}|${m.comparedMatchPercent}|${this.stmts.packsStamp.get() as string}`
    if (!this.sqlite.inTransaction && this.groupsCache?.key === key) return this.groupsCache.byRowid
    const params = { queryPercent: m.queryMatchPercent, comparedPercent: m.comparedMatchPercent }
    const parent = new Map<string, string>()
    const find = (x: string): string => {
      let r = x
      while (parent.get(r) !== r) r = parent.get(r)!
      // Path halving is enough at these sizes; compress the walk for the next find.
      let y = x
      while (parent.get(y) !== r) {
        const next = parent.get(y)!
        parent.set(y, r)
        y = next
      }
      return r
    }
    for (const [q, c] of this.stmts.edges.all(params) as [string, string][]) {
      if (!parent.has(q)) parent.set(q, q)
      if (!parent.has(c)) parent.set(c, c)
      const a = find(q)
      const b = find(c)
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b)
    }
    const members = new Map<string, { rowid: number; id: string }[]>()
    for (const [rowid, id, sha] of this.stmts.clipsOf.all(JSON.stringify([...parent.keys()])) as [number, string, string][]) {
      const root = find(sha)
      const list = members.get(root)
      if (list) list.push({ rowid, id })
      else members.set(root, [{ rowid, id }])
    }
    const byRowid = new Map<number, CopyGroup>()
    for (const list of members.values()) {
      if (list.length < 2) continue
      // Ordered by id (the statement's order): the group is named by its first clip.
      const g: CopyGroup = { group: list[0]!.id, count: list.length }
      for (const { rowid } of list) byRowid.set(rowid, g)
    }
    if (!this.sqlite.inTransaction) this.groupsCache = { key, byRowid }
    return byRowid
  }
}
