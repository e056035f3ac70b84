import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { ImportSummary } from '../../shared/domain'
import { appendAudit } from '../audit'
import type { ManifestStore } from '../manifest-store'
import type { MediaStore, StagedMedia } from '../media-store'
import type { ImportSettings, Identity } from '../settings'
import { WAL_AUTOCHECKPOINT_PAGES, type Store } from '../store/open-store'
import type { WriteGate } from '../write-gate'
import { cancelledError, throwIfCancelled } from './cancel'
import { rowsFromManifest, type ChunkResult } from './clip-chunk'
import { DirectorySource } from './directory-source'
import { ProgressReporter, type ImportProgressListener } from './import-progress'
import { PackWideRules, type MediaDeclaration } from './manifest-rules'
import { packError } from './pack-errors'
import type { PackSource } from './pack-source'
import { defaultThreads, JobFeed, ParsePool } from './parse-pool'
import { PackWriter } from './pack-writer'
import { parseWholeManifest, planManifest, type ManifestPlan, type PackFile } from './read-manifest'
import { ZipSource } from './zip-source'

export type { ImportPhase, ImportProgressListener, ImportProgressUpdate } from './import-progress'

/**
 * Import a field pack, a folder or a zip file, all or nothing.
 *
 * pack.json is read once into shared memory and hashed; the same bytes again are a no-op.
 * Its header and signature are checked, then its clips are parsed and checked in chunks on
 * worker threads while this thread writes their rows, in document order, inside one
 * transaction (the write gate keeps every other use of the connection out meanwhile). Media
 * files are staged and hash-checked as clips name them, copied from the folder or streamed
 * out of the zip (see PackSource); pack.json itself is stored whole, since clip rows point
 * into it. Only when every clip and every file has passed are media placed and the
 * transaction committed; any failure, or a cancel, rolls back and removes what this import
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
  /** How far the import has got: at most every ~100 ms, and whenever a phase starts. */
  onProgress?: ImportProgressListener
  /** Aborting it stops the import, which then changes nothing and throws the `cancelled` error. */
  signal?: AbortSignal
}

const CHUNK_CLIPS = 2_000
/** Below this size of pack.json (~5,000 clips), starting worker threads costs more than it saves. */
const THREADS_FROM_BYTES = 8 * 1024 * 1024
const STAGING_CONCURRENCY = 4

/** A pack folder, or a zip file (by its .zip name or its first bytes). */
export async function importPack(ctx: ImportContext, source: string): Promise<ImportSummary> {
  let isFile: boolean
  try {
    // The path the user chose is followed if it is a link; nothing inside a pack ever is.
    isFile = statSync(source).isFile()
  } catch {
    throw packError(`pack not found: ${source}`)
  }
  if (!isFile) return importDirectoryPack(ctx, source)
  if (source.toLowerCase().endsWith('.zip') || startsLikeZip(source)) return importZipPack(ctx, source)
  throw packError(`not a pack: ${source} is neither a folder with pack.json at its root nor a .zip file`)
}

export async function importDirectoryPack(ctx: ImportContext, dir: string): Promise<ImportSummary> {
  return importFromSource(ctx, async () => new DirectorySource(dir, ctx.settings, ctx.media))
}

export async function importZipPack(ctx: ImportContext, file: string): Promise<ImportSummary> {
  // The central directory is listed and checked before pack.json is read.
  return importFromSource(ctx, () => ZipSource.open(file, ctx.settings, ctx.media, ctx.signal))
}

/** "PK" and a local file header or an empty archive's end record. */
function startsLikeZip(file: string): boolean {
  const head = Buffer.alloc(4)
  let fd: number | null = null
  try {
    fd = openSync(file, 'r')
    return readSync(fd, head, 0, 4, 0) === 4 && (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50)
  } catch {
    return false
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

async function importFromSource(ctx: ImportContext, openSource: () => Promise<PackSource>): Promise<ImportSummary> {
  try {
    return await importOpened(ctx, openSource)
  } catch (err) {
    // Whatever broke once the user had asked to stop, what they get is the stop they asked for.
    throw ctx.signal?.aborted ? cancelledError() : err
  }
}

async function importOpened(ctx: ImportContext, openSource: () => Promise<PackSource>): Promise<ImportSummary> {
  const progress = new ProgressReporter(ctx.onProgress)
  progress.enter('reading')
  throwIfCancelled(ctx.signal)
  const source = await openSource()
  try {
    progress.bytes.total = source.totalBytesHint
    progress.changed()
    // Workers load while pack.json is read; its size (checked properly when read) says whether to start any.
    const pool = new ParsePool(ctx.threads ?? (source.manifestBytesHint >= THREADS_FROM_BYTES ? defaultThreads() : 0))
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
      const file = await source.readManifest({
        onBuffer: (bytes) => pool.start(bytes, feed),
        hashPiece: (from, to) => pool.hashPiece(from, to),
        digest: () => pool.digest(),
        // Whole chunks as the scan finds them; the last, partial one once the file is read.
        onScanned: (scanner) => queue((from, to) => scanner.rangesOf(from, to), scanner.clips - (scanner.clips % size)),
        onRead: (n) => progress.addBytes(n),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      })
      const plan = planManifest(file, ctx.settings)
      const release = await acquireUnlessCancelled(ctx.gate, ctx.signal)
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
        return await importPlanned(ctx, source, file, plan, results, progress)
      } finally {
        release()
      }
    } finally {
      await pool.close()
    }
  } finally {
    await source.close()
  }
}

/** The write gate, or the `cancelled` error as soon as the signal aborts while waiting for it (another import holds it). */
async function acquireUnlessCancelled(gate: WriteGate, signal: AbortSignal | undefined): Promise<() => void> {
  throwIfCancelled(signal)
  const acquiring = gate.acquire()
  if (!signal) return acquiring
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelledError())
    signal.addEventListener('abort', onAbort, { once: true })
    void acquiring.then((release) => {
      signal.removeEventListener('abort', onAbort)
      // Taken after the cancel: handed straight back.
      if (signal.aborted) {
        release()
        reject(cancelledError())
      } else {
        resolve(release)
      }
    })
  })
}

async function* oneResult(result: ChunkResult): AsyncGenerator<ChunkResult> {
  yield result
}

async function importPlanned(
  ctx: ImportContext,
  source: PackSource,
  file: PackFile,
  plan: ManifestPlan,
  results: AsyncIterable<ChunkResult>,
  progress: ProgressReporter,
): Promise<ImportSummary> {
  const { sqlite } = ctx.store
  const packId = plan.header.pack_id
  const existing = sqlite.prepare('SELECT manifest_sha256 FROM packs WHERE id = ?').pluck().get(packId) as string | undefined
  if (existing === file.sha256) {
    return { packId, clips: plan.clipCount, added: 0, updated: 0, unchanged: plan.clipCount, mediaAdded: 0, mediaBytesAdded: 0, alreadyImported: true }
  }

  const now = (ctx.now ?? (() => new Date()))().toISOString()
  const staging = new MediaStaging(ctx, source, progress)
  const placed: StagedMedia[] = []
  let saved: Promise<boolean> = Promise.resolve(false)
  const writer = new PackWriter(ctx.store, ctx.manifests, { packId, manifestSha256: file.sha256, now })
  progress.clips.total = plan.clipCount
  progress.enter('clips')
  sqlite.exec('BEGIN IMMEDIATE')
  try {
    writer.upsertPack(plan.header, plan.clipCount, plan.signed, existing)
    if (plan.kind === 'ranges') saved = ctx.manifests.save(file.sha256, file.bytes)
    saved.catch(() => {})

    const wide = new PackWideRules()
    for await (const result of results) {
      throwIfCancelled(ctx.signal)
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
      progress.addClips(result.count)
      // A macrotask turn, so file writes, media staging and the hosts' I/O move on between chunks.
      await yieldToEventLoop()
    }

    // Every clip is known now, and so is everything the import reads.
    progress.files.total = staging.files
    progress.bytes.total = file.bytes.length + staging.bytes
    progress.enter('media')
    const staged = await staging.finish()
    for (const s of staged) {
      throwIfCancelled(ctx.signal)
      if (await ctx.media.commit(s)) placed.push(s)
    }
    progress.enter('saving')
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
    // The last moment a cancel can still leave everything as it was.
    throwIfCancelled(ctx.signal)
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
  /** Declared bytes of every distinct file so far. */
  bytes = 0
  private running = 0
  private readonly waiting: (() => void)[] = []
  /** Stops the copies still running once the import has failed: they would only be thrown away. */
  private readonly stop = new AbortController()
  private readonly signal: AbortSignal

  constructor(
    private readonly ctx: ImportContext,
    private readonly source: PackSource,
    private readonly progress: ProgressReporter,
  ) {
    this.signal = ctx.signal ? AbortSignal.any([ctx.signal, this.stop.signal]) : this.stop.signal
  }

  /** Distinct files named so far. */
  get files(): number {
    return this.byPath.size
  }

  /** Start staging the file `d` names; false when an earlier clip named it already. */
  use(d: MediaDeclaration): boolean {
    if (this.byPath.has(d.path)) return false
    this.bytes += d.bytes
    if (this.bytes > this.ctx.settings.maxPackMediaBytes) {
      throw packError(`the pack's media add up to more than ${this.ctx.settings.maxPackMediaBytes} bytes (setting import.max_pack_media_bytes)`)
    }
    const io = { signal: this.signal, onBytes: (n: number) => this.progress.addBytes(n) }
    const result = this.limited(async () => {
      // Stopped while this file waited for its turn: it is never opened.
      throwIfCancelled(this.signal)
      const staged = await this.source.stage(d, io)
      this.progress.addFile()
      return staged
    })
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
    this.stop.abort()
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
