import { createHash } from 'node:crypto'
import os from 'node:os'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { startWorker } from '../worker-file'
import { processChunk, type ChunkJob, type ChunkResult } from './clip-chunk'

/**
 * Worker threads that parse and check the clips of one import, handing back results in
 * order.
 *
 * The pool is started before pack.json is read, since a worker takes a moment to load its
 * code; the file then reaches the workers as shared memory (a SharedArrayBuffer), never
 * copied. Each worker takes the next chunk when it finishes one, so a slow thread holds back
 * no one. Where no worker can start (the worker file is missing, or the platform refuses)
 * the chunks run on this thread, one per event-loop turn, with the same code and results.
 */

/** One fewer than the cores: the importing thread parses too, besides writing the rows. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1))
}



/** What the importing thread asks of a worker besides chunks (see parse-worker.ts). */
export type WorkerRequest = { bytes: Uint8Array } | { hash: [number, number] } | { digest: true }

/** Chunks of one import, added as the scan of pack.json finds their clips. */
export class JobFeed {
  readonly jobs: ChunkJob[] = []
  closed = false
  private readonly listeners: (() => void)[] = []

  add(job: ChunkJob): void {
    this.jobs.push(job)
    for (const l of this.listeners) l()
  }

  /** No more jobs will come. */
  close(): void {
    this.closed = true
    for (const l of this.listeners) l()
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener)
  }
}

export class ParsePool {
  private readonly starting: Promise<Worker | null>[]
  private closed = false
  private bytes: Uint8Array | null = null
  private feed: JobFeed | null = null
  private next = 0
  private readonly done = new Map<number, ChunkResult>()
  private readonly idle: Worker[] = []
  private failure: Error | null = null
  private wake: (() => void) | null = null
  /** The worker that hashes pack.json, once one is ready; pieces wait here until then. */
  private hasher: Worker | null = null
  private readonly hashPieces: [number, number][] = []
  private hashedUpTo = 0
  private digestWanted: { resolve: (sha256: string) => void; reject: (err: Error) => void } | null = null

  /** Start `threads` workers now (0: parse on this thread only). */
  constructor(threads: number) {
    this.starting = Array.from({ length: threads }, () => startWorker(__dirname, 'import-worker.js', 'parse-worker.ts'))
  }

  /**
   * Begin on the feed's jobs: workers take them as they are added (and as the workers finish
   * loading). Results are read, in order, from `results()`.
   */
  start(bytes: Uint8Array, feed: JobFeed): void {
    this.bytes = bytes
    this.feed = feed
    feed.onChange(() => {
      while (this.idle.length > 0 && this.next < feed.jobs.length) this.give(this.idle.pop()!)
      this.notify()
    })
    if (!(bytes.buffer instanceof SharedArrayBuffer)) return
    for (const starting of this.starting) void starting.then((w) => this.join(w))
  }

  private notify(): void {
    if (this.failure && this.digestWanted) {
      this.digestWanted.reject(this.failure)
      this.digestWanted = null
    }
    const w = this.wake
    this.wake = null
    w?.()
  }

  private give(worker: Worker): void {
    const jobs = this.feed!.jobs
    if (this.next < jobs.length && !this.closed) worker.postMessage(jobs[this.next++])
    else this.idle.push(worker)
  }

  /**
   * Hash pack.json[from, to) after the pieces before it. The first worker to be ready does
   * the hashing, so it is off this thread, which writes the rows.
   */
  hashPiece(from: number, to: number): void {
    if (this.hasher) this.hasher.postMessage({ hash: [from, to] } satisfies WorkerRequest)
    else this.hashPieces.push([from, to])
    this.hashedUpTo = to
  }

  /** The sha256 of everything passed to hashPiece; on this thread if no worker ever started. */
  async digest(): Promise<string> {
    if (!this.hasher) {
      const started = (await Promise.all(this.starting)).some((w) => w !== null)
      if (!started || !this.bytes || !(this.bytes.buffer instanceof SharedArrayBuffer) || !this.hasher) {
        return createHash('sha256').update(this.bytes!.subarray(0, this.hashedUpTo)).digest('hex')
      }
    }
    const hasher = this.hasher
    if (this.failure) throw this.failure
    return new Promise((resolve, reject) => {
      this.digestWanted = { resolve, reject }
      hasher.postMessage({ digest: true } satisfies WorkerRequest)
    })
  }

  private join(worker: Worker | null): void {
    if (!worker || this.closed) return
    worker.on('message', (message: ChunkResult | { digest: string }) => {
      if ('digest' in message) {
        this.digestWanted?.resolve(message.digest)
        this.digestWanted = null
        return
      }
      this.done.set(message.seq, message)
      this.give(worker)
      this.notify()
    })
    worker.on('error', (err) => {
      this.failure ??= err
      this.notify()
    })
    worker.on('exit', (code) => {
      this.failure ??= new Error(`an import worker stopped (exit code ${code})`)
      this.notify()
    })
    worker.postMessage({ bytes: this.bytes! } satisfies WorkerRequest)
    if (!this.hasher) {
      this.hasher = worker
      for (const piece of this.hashPieces.splice(0)) worker.postMessage({ hash: piece } satisfies WorkerRequest)
    }
    this.give(worker)
  }

  /**
   * Every job's result, in job order, until the feed is closed and drained. While this
   * thread would otherwise wait for the next result in order (workers still loading, or all
   * busy), it parses the next chunk itself. Closes the pool when done.
   */
  async *results(): AsyncGenerator<ChunkResult> {
    const feed = this.feed
    const bytes = this.bytes
    if (!feed || !bytes) throw new Error('ParsePool.results() before start()')
    try {
      for (let seq = 0; !(feed.closed && seq >= feed.jobs.length); seq++) {
        while (!this.done.has(seq)) {
          if (this.failure) throw this.failure
          if (this.next < feed.jobs.length) {
            const job = feed.jobs[this.next++]!
            this.done.set(job.seq, processChunk(bytes, job))
            // Let workers' answers and other I/O in before deciding what to do next.
            await yieldToEventLoop()
          } else if (feed.closed && seq >= feed.jobs.length) {
            return
          } else {
            await new Promise<void>((resolve) => (this.wake = resolve))
          }
        }
        const result = this.done.get(seq)!
        this.done.delete(seq)
        yield result
      }
    } finally {
      await this.close()
    }
  }

  /** Stop the workers (also when the pool was never run). */
  async close(): Promise<void> {
    this.closed = true
    const workers = await Promise.all(this.starting)
    await Promise.all(
      workers.map(async (w) => {
        if (!w) return
        w.removeAllListeners('exit')
        await w.terminate()
      }),
    )
  }
}
