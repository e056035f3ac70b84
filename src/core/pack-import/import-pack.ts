import { lstatSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { ImportSummary } from '../../shared/domain'
import { appendAudit } from '../audit'
import type { ManifestStore } from '../manifest-store'
import type { MediaStore, StagedMedia } from '../media-store'
import type { ImportSettings, Identity } from '../settings'
import { WAL_AUTOCHECKPOINT_PAGES, type Store } from '../store/open-store'
import type { WriteGate } from '../write-gate'
import { rowsFromManifest, type ChunkResult } from './clip-chunk'
import { PackWideRules, type MediaDeclaration } from './manifest-rules'
import { packError } from './pack-errors'
import { defaultThreads, JobFeed, ParsePool } from './parse-pool'
import { PackWriter } from './pack-writer'
import { parseWholeManifest, planManifest, readDirectoryPack, type ManifestPlan, type PackFile } from './read-manifest'

/**
 * Import a field pack, all or nothing.
 *
 * pack.json is read once into shared memory and hashed; the same bytes again are a no-op.
 * Its header and signature are checked, then its clips are parsed and checked in chunks on
 * worker threads while this thread writes their rows, in document order, inside one
 * transaction (the write gate keeps every other use of the connection out meanwhile). Media
 * files are staged and hash-checked as clips name them; pack.json itself is stored whole,
 * since clip rows point into it. Only when every clip and every file has passed are media
 * placed and the transaction committed; any failure rolls back and removes what this import
 * put in the data directory. Clip metadata is updated by a newer pack; decisions are never
 * touched.
 */

export interface ImportContext {
  store: Store
  media: MediaStore
  manifests: ManifestStore
  gate: WriteGate
  identity: Identity
  settings: ImportSettings
  now?: () => Date
  /** Worker threads for parsing clips; 0 parses on this thread. Default: by core count (up to 4) for large packs, none for small ones. */
  threads?: number
  /** Clips per chunk handed to a thread (tests make it small to get many chunks). */
  chunkClips?: number
}

const CHUNK_CLIPS = 2_000
/** Below this size of pack.json (~5,000 clips), starting worker threads costs more than it saves. */
const THREADS_FROM_BYTES = 8 * 1024 * 1024
const STAGING_CONCURRENCY = 4

export async function importDirectoryPack(ctx: ImportContext, dir: string): Promise<ImportSummary> {
  // Workers load while pack.json is read; its size (checked properly when read) says whether to start any.
  const pool = new ParsePool(ctx.threads ?? (sizeOrZero(path.join(dir, 'pack.json')) >= THREADS_FROM_BYTES ? defaultThreads() : 0))
  const feed = new JobFeed()
  const size = ctx.chunkClips ?? CHUNK_CLIPS
  let queued = 0
  const queue = (rangesOf: (from: number, to: number) => Float64Array, upTo: number) => {
    while (queued < upTo) {
      const to = Math.min(upTo, queued + size)
      feed.add({ seq: feed.jobs.length, first: queued, ranges: rangesOf(queued, to) })
      queued = to
    }
  }
  try {
    const file = await readDirectoryPack(dir, ctx.settings, {
      onBuffer: (bytes) => pool.start(bytes, feed),
      hashPiece: (from, to) => pool.hashPiece(from, to),
      digest: () => pool.digest(),
      // Whole chunks as the scan finds them; the last, partial one once the file is read.
      onScanned: (scanner) => queue((from, to) => scanner.rangesOf(from, to), scanner.clips - (scanner.clips % size)),
    })
    const plan = planManifest(file, ctx.settings)
    const release = await ctx.gate.acquire()
    try {
      let results: AsyncIterable<ChunkResult>
      if (plan.kind === 'ranges') {
        const ranges = plan.layout.ranges
        // The scanner's clips are confirmed by the finished layout; queue the rest of them.
        queue((from, to) => ranges.slice(2 * from, 2 * to), ranges.length / 2)
        feed.close()
        results = pool.results()
      } else {
        // The shape ruled out byte ranges: whatever the workers parsed is not used.
        results = oneResult(rowsFromManifest(plan.manifest.clips))
      }
      return await importPlanned(ctx, file, plan, results)
    } finally {
      release()
    }
  } finally {
    await pool.close()
  }
}

async function* oneResult(result: ChunkResult): AsyncGenerator<ChunkResult> {
  yield result
}

function sizeOrZero(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

async function importPlanned(ctx: ImportContext, file: PackFile, plan: ManifestPlan, results: AsyncIterable<ChunkResult>): Promise<ImportSummary> {
  const { sqlite } = ctx.store
  const packId = plan.header.pack_id
  const existing = sqlite.prepare('SELECT manifest_sha256 FROM packs WHERE id = ?').pluck().get(packId) as string | undefined
  if (existing === file.sha256) {
    return { packId, clips: plan.clipCount, added: 0, updated: 0, unchanged: plan.clipCount, mediaAdded: 0, mediaBytesAdded: 0, alreadyImported: true }
  }

  const now = (ctx.now ?? (() => new Date()))().toISOString()
  const staging = new MediaStaging(ctx, file.root)
  const placed: StagedMedia[] = []
  let saved: Promise<boolean> = Promise.resolve(false)
  const writer = new PackWriter(ctx.store, ctx.manifests, { packId, manifestSha256: file.sha256, now })
  sqlite.exec('BEGIN IMMEDIATE')
  try {
    writer.upsertPack(plan.header, plan.clipCount, plan.signed, existing)
    if (plan.kind === 'ranges') saved = ctx.manifests.save(file.sha256, file.bytes)
    saved.catch(() => {})

    const wide = new PackWideRules()
    for await (const result of results) {
      if (result.kind === 'unparsable') {
        // A clip is not JSON: the whole-file parse words the syntax error as JSON.parse sees it.
        parseWholeManifest(file.bytes)
        throw packError('pack.json could not be read as JSON')
      }
      let m = 0
      result.ids.forEach((id, k) => {
        const index = result.first + k
        wide.id(id, index)
        for (; m < result.media.length && result.media[m]!.index === index; m++) {
          wide.media(result.media[m]!)
          // The row goes in before the clips that name it (foreign key); the file is placed
          // only at the end, and a rollback takes the row back out if that fails.
          if (staging.use(result.media[m]!)) writer.insertMedia(result.media[m]!)
        }
      })
      if (result.kind === 'invalid') throw packError(result.message, result.details)
      writer.writeChunk(result, file.bytes)
      // A macrotask turn, so file writes, media staging and the hosts' I/O move on between chunks.
      await yieldToEventLoop()
    }

    const staged = await staging.finish()
    for (const s of staged) {
      if (await ctx.media.commit(s)) placed.push(s)
    }
    await saved
    const counts = writer.counts()
    const summary: ImportSummary = {
      packId,
      clips: plan.clipCount,
      added: counts.added,
      updated: counts.updated,
      unchanged: plan.clipCount - counts.added - counts.updated,
      mediaAdded: placed.length,
      mediaBytesAdded: placed.reduce((sum, p) => sum + p.bytes, 0),
      alreadyImported: false,
    }
    appendAudit(sqlite, {
      at: now,
      actor: ctx.identity.reviewerId,
      deviceId: ctx.identity.deviceId,
      kind: 'pack.imported',
      subject: packId,
      payload: { ...summary, manifestSha256: file.sha256, signed: plan.signed },
    })
    // A big import leaves ~100 MB in the WAL, and SQLite would copy it into the database
    // inside COMMIT (half a second for 100,000 clips). The import is durable once COMMIT has
    // synced the WAL, so that copy is left to the checkpoint the caller runs afterwards.
    sqlite.pragma('wal_autocheckpoint = 0')
    try {
      sqlite.exec('COMMIT')
    } finally {
      sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
    }
    await writer.tidyManifests()
    return summary
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
    await staging.abandon()
    for (const p of placed) await ctx.media.removeObject(p.sha256)
    if (await saved.catch(() => false)) await ctx.manifests.remove(file.sha256)
    throw err
  }
}

interface Staging {
  declaration: MediaDeclaration
  result: Promise<StagedMedia>
}

/**
 * Media files, staged (copied to a temporary name and hashed) as clips first name them, a
 * few at a time, while the clips are still being parsed. A file's failure is reported only
 * after every clip has passed, and the first failing file in document order is the one named.
 */
class MediaStaging {
  private readonly byPath = new Map<string, Staging>()
  private total = 0
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    private readonly ctx: ImportContext,
    private readonly root: string,
  ) {}

  /** Start staging the file `d` names; false when an earlier clip named it already. */
  use(d: MediaDeclaration): boolean {
    if (this.byPath.has(d.path)) return false
    this.total += d.bytes
    if (this.total > this.ctx.settings.maxPackMediaBytes) {
      throw packError(`the pack's media add up to more than ${this.ctx.settings.maxPackMediaBytes} bytes (setting import.max_pack_media_bytes)`)
    }
    const result = this.limited(() => stageFromDirectory(this.ctx, this.root, d))
    result.catch(() => {})
    this.byPath.set(d.path, { declaration: d, result })
    return true
  }

  async finish(): Promise<StagedMedia[]> {
    const settled = await Promise.allSettled([...this.byPath.values()].map((s) => s.result))
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) throw failed.reason
    return settled.map((s) => (s as PromiseFulfilledResult<StagedMedia>).value)
  }

  async abandon(): Promise<void> {
    const settled = await Promise.allSettled([...this.byPath.values()].map((s) => s.result))
    for (const s of settled) if (s.status === 'fulfilled') await this.ctx.media.discard(s.value)
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    while (this.running >= STAGING_CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    try {
      return await task()
    } finally {
      this.running--
      this.waiting.shift()?.()
    }
  }
}

function insideRoot(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

async function stageFromDirectory(ctx: ImportContext, root: string, d: MediaDeclaration): Promise<StagedMedia> {
  const where = `clips[${d.index}] (id "${d.id}") ${d.field}`
  const full = path.join(root, ...d.path.split('/'))
  if (!insideRoot(root, full)) throw packError(`${where}.path: "${d.path}" points outside the pack`)
  // Every component must be a real directory or file: a link anywhere could lead outside.
  let cursor = root
  for (const segment of d.path.split('/')) {
    cursor = path.join(cursor, segment)
    let st
    try {
      st = lstatSync(cursor)
    } catch {
      throw packError(`${where}.path: "${d.path}" does not exist in the pack`)
    }
    if (st.isSymbolicLink()) throw packError(`${where}.path: "${d.path}" goes through a symbolic link, which packs may not contain`)
    if (cursor === full && !st.isFile()) throw packError(`${where}.path: "${d.path}" is not a regular file`)
  }
  if (!insideRoot(root, realpathSync(full))) throw packError(`${where}.path: "${d.path}" resolves outside the pack`)
  const size = lstatSync(full).size
  if (size !== d.bytes) throw packError(`${where}.bytes: the file has ${size} bytes, the pack says ${d.bytes}`)
  if (size > ctx.settings.maxMediaBytes) {
    throw packError(`${where}.bytes: ${size} bytes is over the per-file limit of ${ctx.settings.maxMediaBytes} (setting import.max_media_bytes)`)
  }
  const s = await ctx.media.stage(full, d.bytes)
  if (s.sha256 !== d.sha256 || s.bytes !== d.bytes) {
    await ctx.media.discard(s)
    throw packError(`${where}.sha256: the file's sha256 is ${s.sha256}, the pack says ${d.sha256}`)
  }
  return s
}
