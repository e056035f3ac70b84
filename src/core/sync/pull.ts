import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { PACK_FORMAT, PACK_VERSION, type PackClip } from '../../shared/field-pack'
import { TinjauError } from '../../shared/errors'
import { AssignmentsResponse, DEFAULT_PULL_PAGE, SYNC_PATHS, type SyncPack } from '../../shared/sync-protocol'
import { appendAudit } from '../audit'
import type { ManifestStore } from '../manifest-store'
import type { MediaStore } from '../media-store'
import { checkClip, rowsFromManifest } from '../pack-import/clip-chunk'
import { checkClipRules, mediaDeclarations, PackWideRules, type MediaDeclaration } from '../pack-import/manifest-rules'
import { PackWriter } from '../pack-import/pack-writer'
import type { PackHeaderData } from '../pack-import/read-manifest'
import type { Identity } from '../settings'
import type { Store } from '../store/open-store'
import { SyncRequestError, type SyncHttp } from './http'
import { downloadMedia, type MediaWanted } from './media-download'

/**
 * Pulling assignments, page by page from the stored cursor. Each page is checked whole
 * before anything is written: the protocol's schema, then every clip by the same checks a
 * field pack's clips get (checkClip, checkClipRules, one file per path), and the media it
 * declares against each other and against what the store holds. A page that fails changes
 * nothing. Then the media it needs are downloaded (resumably, hash-checked) and placed,
 * and only then, in ONE transaction, its pack and clip rows are written the way a pack
 * import writes them (PackWriter: new clips pending, changed clips updated in place with
 * their status kept, decisions never touched) together with the new cursor. So the cursor
 * moves only past pages whose clips and media are in.
 *
 * `unassigned`: a clip without a decision on this device is removed (see removeClip); one
 * with a decision stays, with its decisions, and they are still pushed (the server answers
 * for them; a decision on a clip no longer assigned comes back rejected as not_assigned).
 */

export interface PullCounts {
  pages: number
  /** Clips new on this device. */
  added: number
  /** Clips whose content changed. */
  updated: number
  /** Clips removed from the queue (unassigned, no decision here). */
  removed: number
  /** Unassigned clips kept because they have decisions on this device. */
  kept: number
  mediaDownloaded: number
  mediaBytes: number
}

export interface PullRun {
  http: SyncHttp
  store: Store
  media: MediaStore
  manifests: ManifestStore
  identity: Identity
  /** The largest single media file accepted (the import setting import.max_media_bytes). */
  maxMediaBytes: number
  pageLimit?: number
  mediaConcurrency?: number
  /** An attempt of a media download is abandoned when no byte arrives for this long. */
  stallMs: number
  now: () => Date
  getCursor(): string
  setCursor(cursor: string): void
  retry<T>(what: string, attempt: () => Promise<T>): Promise<T>
  locked<T>(fn: () => T): Promise<T>
  signal?: AbortSignal | undefined
  onProgress(phase: 'pull' | 'media', done: number, total: number | null): void
  /** After a page changed clips (the queue and the search index have to know). */
  onClipsChanged?: () => void
}

/** A page as checked: the last change of each clip, its clip object as the server sent it. */
interface CheckedPage {
  cursor: string
  more: boolean
  packs: Map<string, SyncPack>
  /** Per pack, the clips assigned in this page, in page order. */
  assigned: Map<string, PackClip[]>
  unassigned: { packId: string; clipId: string }[]
  /** Distinct media the assigned clips declare. */
  media: Map<string, MediaDeclaration>
  changes: number
}

export async function pullAll(run: PullRun): Promise<PullCounts> {
  const counts: PullCounts = { pages: 0, added: 0, updated: 0, removed: 0, kept: 0, mediaDownloaded: 0, mediaBytes: 0 }
  let changes = 0
  for (;;) {
    run.signal?.throwIfAborted()
    const cursor = await run.locked(() => run.getCursor())
    const what = `pull of assignments${cursor ? ` after cursor ${cursor.slice(0, 40)}` : ''}`
    run.onProgress('pull', changes, null)
    const { data, raw } = await run.retry(what, () =>
      run.http.jsonWithRaw({
        what,
        method: 'GET',
        path: SYNC_PATHS.assignments,
        query: { cursor: cursor || undefined, limit: run.pageLimit ?? DEFAULT_PULL_PAGE },
        schema: AssignmentsResponse,
        signal: run.signal,
      }),
    )
    const page = await run.locked(() => checkPage(run.store.sqlite, data, raw, run.maxMediaBytes, what))
    if (page.more && page.cursor === cursor) {
      throw new SyncRequestError(what, 'invalid_response', 'the server said more changes wait but did not move the cursor', false)
    }
    await fetchMedia(run, page, counts)
    const written = await run.locked(() => writePage(run, page))
    counts.pages++
    counts.added += written.added
    counts.updated += written.updated
    counts.removed += written.removed
    counts.kept += written.kept
    changes += page.changes
    run.onProgress('pull', changes, null)
    if (written.added + written.updated + written.removed > 0) run.onClipsChanged?.()
    if (!page.more) return counts
  }
}

function refuse(what: string, problem: string): never {
  throw new SyncRequestError(what, 'invalid_response', `${problem}; nothing of this page was applied`, false)
}

/** Everything about a page that can be known before a byte of media is fetched. */
export function checkPage(sqlite: Database.Database, data: AssignmentsResponse, raw: unknown, maxMediaBytes: number, what: string): CheckedPage {
  const rawChanges = (raw as { changes: { clip?: unknown }[] }).changes
  const packs = new Map<string, SyncPack>()
  for (const p of data.packs) {
    if (packs.has(p.pack_id)) refuse(what, `pack ${p.pack_id} is listed twice`)
    packs.set(p.pack_id, p)
  }
  // The last change of a clip in the page is the one that holds.
  const last = new Map<string, number>()
  data.changes.forEach((c, i) => {
    if (!packs.has(c.pack_id)) refuse(what, `changes[${i}] belongs to pack ${c.pack_id}, which the page does not describe`)
    last.set(c.kind === 'assigned' ? c.clip.id : c.clip_id, i)
  })
  const page: CheckedPage = { cursor: data.cursor, more: data.more, packs, assigned: new Map(), unassigned: [], media: new Map(), changes: data.changes.length }
  const rules = new Map<string, PackWideRules>()
  const knownBytes = sqlite.prepare('SELECT bytes FROM media_objects WHERE sha256 = ?').pluck()
  data.changes.forEach((c, i) => {
    if (c.kind === 'unassigned') {
      if (last.get(c.clip_id) === i) page.unassigned.push({ packId: c.pack_id, clipId: c.clip_id })
      return
    }
    // The clip object as the server sent it, checked as a pack's clip is.
    const value = rawChanges[i]!.clip
    let clip: PackClip
    try {
      clip = checkClip(value, i)
      checkClipRules(clip, i)
    } catch (err) {
      if (err instanceof TinjauError) refuse(what, `a clip breaks field pack v1: ${err.message.replace(/^clips\[/, 'changes[')}${err.details?.[0] ? ` (${err.details[0].path}: ${err.details[0].message})` : ''}`)
      throw err
    }
    if (last.get(clip.id) !== i) return
    let wide = rules.get(c.pack_id)
    if (!wide) rules.set(c.pack_id, (wide = new PackWideRules()))
    try {
      wide.id(clip.id, i)
      for (const d of mediaDeclarations(clip, i)) {
        wide.media(d)
        if (d.bytes > maxMediaBytes) refuse(what, `clip ${clip.id} declares a ${d.field} of ${d.bytes} bytes, over the limit of ${maxMediaBytes} (setting import.max_media_bytes)`)
        const seen = page.media.get(d.sha256) ?? null
        const stored = knownBytes.get(d.sha256) as number | undefined
        if ((seen && seen.bytes !== d.bytes) || (stored !== undefined && stored !== d.bytes)) {
          refuse(what, `media ${d.sha256} is declared with ${d.bytes} bytes by clip ${clip.id} and with ${seen?.bytes ?? stored} bytes elsewhere`)
        }
        if (!seen) page.media.set(d.sha256, d)
      }
    } catch (err) {
      if (err instanceof TinjauError) refuse(what, `a clip breaks field pack v1: ${err.message.replace(/^clips\[/, 'changes[')}`)
      throw err
    }
    let list = page.assigned.get(c.pack_id)
    if (!list) page.assigned.set(c.pack_id, (list = []))
    list.push(value as PackClip)
  })
  return page
}

/** The page's media not yet in the store, a few downloads at a time, each with its retries. */
async function fetchMedia(run: PullRun, page: CheckedPage, counts: PullCounts): Promise<void> {
  const wanted: MediaWanted[] = [...page.media.values()].filter((d) => !run.media.has(d.sha256)).map((d) => ({ sha256: d.sha256, bytes: d.bytes }))
  if (wanted.length === 0) return
  let done = 0
  run.onProgress('media', 0, wanted.length)
  let next = 0
  const worker = async () => {
    while (next < wanted.length) {
      const want = wanted[next++]!
      const what = `download of media ${want.sha256.slice(0, 12)}… (${want.bytes} bytes)`
      const outcome = await run.retry(what, () =>
        downloadMedia({ http: run.http, media: run.media, tmpDir: run.media.tmpDir, stallMs: run.stallMs, signal: run.signal }, want),
      )
      if (outcome === 'downloaded') {
        counts.mediaDownloaded++
        counts.mediaBytes += want.bytes
      }
      run.onProgress('media', ++done, wanted.length)
    }
  }
  // One failure stops the others from taking more work; the first error is the one reported.
  const workers = Array.from({ length: Math.min(run.mediaConcurrency ?? 4, wanted.length) }, worker)
  const settled = await Promise.allSettled(workers)
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) throw failed.reason
}

/** pack.json without its clips, as an import keeps it (header_json), rebuilt from the server's description. */
export function packHeader(p: SyncPack): PackHeaderData {
  const header: Record<string, unknown> = { ...p.extra }
  delete header.clips
  Object.assign(header, { format: PACK_FORMAT, version: PACK_VERSION, pack_id: p.pack_id, created_at: p.created_at })
  if (p.issuer) header.issuer = p.issuer
  else delete header.issuer
  if (p.policy) header.policy = p.policy
  else delete header.policy
  return header as PackHeaderData
}

interface Written {
  added: number
  updated: number
  removed: number
  kept: number
}

/** The page's rows and the new cursor, in one transaction. */
function writePage(run: PullRun, page: CheckedPage): Written {
  const { sqlite } = run.store
  const now = run.now().toISOString()
  const out: Written = { added: 0, updated: 0, removed: 0, kept: 0 }
  const stmts = {
    pack: sqlite.prepare('SELECT header_json FROM packs WHERE id = ?').pluck(),
    touchPack: sqlite.prepare('UPDATE packs SET clip_count = (SELECT count(*) FROM clips WHERE pack_id = @id), updated_at = @now WHERE id = @id'),
    clip: sqlite.prepare('SELECT rowid AS rowid, pack_id FROM clips WHERE id = ?'),
    hasDecision: sqlite.prepare('SELECT EXISTS (SELECT 1 FROM decisions WHERE clip_id = ?)').pluck(),
  }
  const writers: PackWriter[] = []
  const removedIds: string[] = []
  const keptIds: string[] = []
  sqlite
    .transaction(() => {
      const touched = new Set<string>()
      for (const [packId, clips] of page.assigned) {
        const pack = page.packs.get(packId)!
        const header = packHeader(pack)
        const headerJson = JSON.stringify(header)
        // A marker in place of a pack.json hash: the device holds only the clips assigned to
        // it, so a real pack.json of this pack imported from a USB stick later must not be
        // taken for "already imported" (import-pack.ts compares this column with its hash).
        const marker = createHash('sha256').update(`tinjau-sync:${pack.manifest_sha256}:${headerJson}`).digest('hex')
        const writer = new PackWriter(run.store, run.manifests, { packId, manifestSha256: marker, now })
        const before = stmts.pack.get(packId) as string | undefined
        if (before !== headerJson) writer.upsertPack(header, 0, pack.signed, undefined)
        const rows = rowsFromManifest(clips)
        for (const m of rows.media) writer.insertMedia(m)
        writer.writeChunk(rows)
        const c = writer.counts()
        out.added += c.added
        out.updated += c.updated
        if (c.added + c.updated > 0 || before !== headerJson) touched.add(packId)
        writers.push(writer)
      }
      for (const u of page.unassigned) {
        const row = stmts.clip.get(u.clipId) as { rowid: number; pack_id: string } | undefined
        // Gone already, or the clip id now belongs to another pack's assignment.
        if (!row || row.pack_id !== u.packId) continue
        if (stmts.hasDecision.get(u.clipId) === 1) {
          out.kept++
          keptIds.push(u.clipId)
          continue
        }
        removeClip(sqlite, u.clipId, row.rowid)
        out.removed++
        removedIds.push(u.clipId)
        touched.add(u.packId)
      }
      // The queue's filter data is reloaded when a pack row's updated_at moves (queue-facets.ts).
      for (const id of touched) stmts.touchPack.run({ id, now })
      run.setCursor(page.cursor)
      if (out.added + out.updated + out.removed + out.kept > 0) {
        appendAudit(sqlite, {
          at: now,
          actor: run.identity.reviewerId,
          deviceId: run.identity.deviceId,
          kind: 'sync.pulled',
          subject: page.cursor,
          payload: { added: out.added, updated: out.updated, removed: removedIds, keptWithDecisions: keptIds },
        })
      }
    })
    .immediate()
  // After commit, like an import: pack.json files no clip points into any more.
  for (const w of writers) void w.tidyManifests().catch(() => {})
  return out
}

/**
 * Why a clip no longer assigned is removed rather than flagged: the server is the authority
 * on what this reviewer should work on, a clip without a decision holds nothing of the
 * reviewer's (a skip stays in the audit trail), and removing the row takes it out of every
 * queue view, count, filter and search at once without a new status the contract and the
 * UI would all have to learn. If it is assigned again it is pulled again (its media stay in
 * the store, so that costs a row). Its full-text entry goes with it, so a later clip that
 * reuses the rowid is not found by this one's words.
 */
function removeClip(sqlite: Database.Database, clipId: string, rowid: number): void {
  sqlite.prepare('DELETE FROM clip_flags WHERE clip_id = ?').run(clipId)
  sqlite.prepare('DELETE FROM clip_search WHERE rowid = ?').run(rowid)
  sqlite.prepare('DELETE FROM clip_search_state WHERE clip_rowid = ?').run(rowid)
  sqlite.prepare('DELETE FROM clips WHERE id = ?').run(clipId)
}
