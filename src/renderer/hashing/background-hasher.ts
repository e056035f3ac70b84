import type { TinjauApi } from '../../shared/contract'
import { HASH_ERROR_MAX, HASHER_ID, type FrameHash, type HashJob, type HashStatus, type PdqFrameHash } from '../../shared/frame-hashes'
import { DecodeError, type Frame, type FramePicture } from './frame-source'

/**
 * The renderer's background hashing (issue 14): asks core for the next media object,
 * decodes its frames, hashes them off the main thread and hands the frames back, one file
 * at a time, until there is nothing left; then waits for new clips (an import, a pull).
 *
 * It gives way to the reviewer: each frame waits for an idle moment of the main thread
 * (requestIdleCallback), so a key press or a save is answered before the next seek. A file
 * Chromium cannot decode is recorded as failed with the reason and never retried; an API
 * error (the host busy, a restart) only pauses the loop — the claim is handed out again.
 */

export interface HasherDeps {
  api: Pick<TinjauApi, 'call' | 'on' | 'mediaUrl'>
  /** The frames of one job, decoded (frame-source.ts in a browser). */
  frames(job: HashJob, url: string, signal: AbortSignal): AsyncIterable<Frame>
  /** The PDQ hashes of one frame: whole and cropped (the hash worker in a browser). */
  hash(bitmap: FramePicture): Promise<PdqFrameHash[]>
  /** Waits for the main thread to be idle (requestIdleCallback in a browser). */
  idle(signal: AbortSignal): Promise<void>
  /** After an API error, before asking again. */
  retryDelayMs?: number
}

export class BackgroundHasher {
  private readonly abort = new AbortController()
  private readonly listeners = new Set<(s: HashStatus) => void>()
  private wake: (() => void) | null = null
  private running: Promise<void> | null = null
  private last: HashStatus | null = null

  constructor(private readonly deps: HasherDeps) {}

  get status(): HashStatus | null {
    return this.last
  }

  onStatus(listener: (s: HashStatus) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): void {
    if (this.running) return
    const off = this.deps.api.on('queue.changed', ({ reason }) => {
      if (reason === 'import' || reason === 'sync') this.wake?.()
    })
    this.running = this.loop().finally(off)
  }

  /** Stops after the current frame; resolves when it has. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('hashing stopped'))
    this.wake?.()
    await this.running
  }

  private publish(s: HashStatus): void {
    this.last = s
    for (const l of this.listeners) l(s)
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => done(), ms)
      const done = () => {
        if (timer !== null) clearTimeout(timer)
        this.wake = null
        resolve()
      }
      this.wake = done
    })
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal
    while (!signal.aborted) {
      let job: HashJob | null
      try {
        const next = await this.deps.api.call('hashes.next', {})
        this.publish(next.status)
        job = next.job
      } catch {
        await this.sleep(this.deps.retryDelayMs ?? 30_000)
        continue
      }
      if (!job) {
        // Nothing to do until clips arrive.
        await this.sleep(null)
        continue
      }
      let result: { frames: FrameHash[] } | { error: string }
      try {
        result = { frames: await this.hashJob(job, signal) }
      } catch (err) {
        if (signal.aborted) return
        if (!(err instanceof DecodeError)) {
          // Not the file's fault: leave the claim; it is handed out again.
          await this.sleep(this.deps.retryDelayMs ?? 30_000)
          continue
        }
        result = { error: err.message.slice(0, HASH_ERROR_MAX) }
      }
      try {
        const status = await this.deps.api.call(
          'hashes.record',
          'frames' in result
            ? { outcome: 'hashed', sha256: job.sha256, hasher: HASHER_ID, frames: result.frames }
            : { outcome: 'failed', sha256: job.sha256, error: result.error },
        )
        this.publish(status)
      } catch {
        await this.sleep(this.deps.retryDelayMs ?? 30_000)
      }
    }
  }

  private async hashJob(job: HashJob, signal: AbortSignal): Promise<FrameHash[]> {
    const frames: FrameHash[] = []
    // One frame hashing in the worker while the next is sought and decoded: the two take
    // about as long each, and run on different threads (bench/hashing.bench.ts).
    let inFlight: Promise<void> | null = null
    try {
      for await (const frame of this.deps.frames(job, this.deps.api.mediaUrl(job.sha256), signal)) {
        // A frame sought while the reviewer acted waits to go to the worker, as the next seek waits below.
        await this.deps.idle(signal)
        if (signal.aborted) {
          frame.bitmap.close()
          throw signal.reason
        }
        const hashing = this.hashFrame(frame, frames)
        // Settled or not, a rejection is awaited below; until then it must not count as unhandled.
        hashing.catch(() => {})
        if (inFlight) await inFlight
        inFlight = hashing
        await this.deps.idle(signal)
      }
      if (inFlight) await inFlight
    } finally {
      // A failure midway: let the frame still in the worker finish before the next job.
      if (inFlight) await (inFlight as Promise<void>).catch(() => {})
    }
    if (frames.length === 0) throw new DecodeError('no frame could be read')
    return frames.sort((a, b) => a.tMs - b.tMs)
  }

  private async hashFrame(frame: Frame, into: FrameHash[]): Promise<void> {
    let hashes: PdqFrameHash[]
    try {
      hashes = await this.deps.hash(frame.bitmap)
    } catch (err) {
      throw new DecodeError(`frame at ${frame.tMs} ms cannot be hashed: ${err instanceof Error ? err.message : String(err)}`)
    }
    into.push({ tMs: frame.tMs, hashes })
  }
}
