import os from 'node:os'
import type { Worker } from 'node:worker_threads'
import type { Policy } from '../../shared/policy'
import { startWorker } from '../../core/worker-file'
import type { SyncErrorCode } from '../../shared/sync-protocol'
import { ServerError } from '../errors'
import { StatementChunks, type ChunkResult, type FilableRow } from './dsa-statement-chunks'

/**
 * Where a DSA export's statements are made: worker threads (dsa-statement-worker.ts) for a
 * large run, so that mapping, schema checks and encoding (most of an export's CPU) run on
 * every core, beside reading and recording on the export's own thread; on that thread
 * itself for a small run, or where no worker can start. Chunks go to the workers in turn and
 * are answered in order, and the files are cut from the chunks' statements in that order
 * (statement-files.ts), so they are the same byte for byte however the run was made.
 */

export type MapperRequest = { kind: 'start'; policy: Policy; sinceLast: boolean } | { kind: 'chunk'; rows: FilableRow[] }

export type MapperReply = { kind: 'ready' } | { kind: 'started' } | { kind: 'chunk'; result: ChunkResult } | { kind: 'failed'; name: string; message: string; code?: SyncErrorCode }

export interface StatementMapper {
  /** How many worker threads make the statements: 0 when on the calling thread. */
  readonly threads: number
  /** The chunk's statements; chunks are answered in the order they were given. */
  map(rows: FilableRow[]): Promise<ChunkResult>
  close(): Promise<void>
}

/** Worker threads for a run of `outcomes` or more; fewer are mapped on the calling thread (a worker's start costs more than it saves). */
export const WORKER_FROM = 10_000

/**
 * A core for the export's own thread and the database's backend, the others for workers (at
 * least one, at most four). On two cores a second worker made no run faster: the cores were
 * busy already (docs/performance.md).
 */
export function workerCount(): number {
  return Math.min(4, Math.max(1, os.availableParallelism() - 1))
}

export async function startStatementMapper(policy: Policy, sinceLast: boolean, where: 'worker' | 'inline', threads = workerCount()): Promise<StatementMapper> {
  if (where === 'worker') {
    const started = await Promise.all(Array.from({ length: threads }, () => startWorker(__dirname, 'dsa-statement-worker.js', 'dsa-statement-worker.ts')))
    const workers = started.filter((w): w is Worker => w !== null).map((w) => new WorkerMapper(w))
    if (workers.length > 0) {
      const pool = new WorkerPool(workers)
      try {
        await Promise.all(workers.map((w) => w.request({ kind: 'start', policy, sinceLast })))
      } catch (err) {
        await pool.close()
        throw err
      }
      return pool
    }
  }
  const chunks = new StatementChunks(policy, sinceLast)
  return {
    threads: 0,
    map: async (rows) => chunks.map(rows),
    close: async () => {},
  }
}

/** Chunks to each worker in turn: each answers in the order it was asked, so answers come back in the chunks' order. */
class WorkerPool implements StatementMapper {
  private turn = 0

  constructor(private readonly workers: WorkerMapper[]) {}

  get threads(): number {
    return this.workers.length
  }

  async map(rows: FilableRow[]): Promise<ChunkResult> {
    const worker = this.workers[this.turn++ % this.workers.length]!
    const reply = await worker.request({ kind: 'chunk', rows })
    if (reply.kind !== 'chunk') throw new Error(`the DSA export's worker answered "${reply.kind}" to a chunk`)
    return reply.result
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()))
  }
}

/**
 * A failure in the worker as it was there: the service's own error keeps its code (so the
 * HTTP layer shows its message, as for a run made inline), any other its name and message
 * (a SyntaxError stays one).
 */
function rebuilt(reply: Extract<MapperReply, { kind: 'failed' }>): Error {
  if (reply.code) return new ServerError(reply.code, reply.message)
  const err = new Error(reply.message)
  err.name = reply.name
  return err
}

class WorkerMapper {
  private readonly waiting: { resolve: (r: MapperReply) => void; reject: (e: Error) => void }[] = []
  private failure: Error | null = null

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: MapperReply) => this.waiting.shift()?.resolve(reply))
    worker.on('error', (err) => this.fail(err))
    worker.on('exit', (code) => this.fail(new Error(`the DSA export's worker thread stopped (exit code ${code})`)))
  }

  request(m: MapperRequest): Promise<MapperReply> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<MapperReply>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.worker.postMessage(m)
    }).then((reply) => {
      if (reply.kind === 'failed') throw rebuilt(reply)
      return reply
    })
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit')
    this.fail(new Error("the DSA export's worker thread was closed"))
    await this.worker.terminate()
  }

  private fail(err: Error): void {
    this.failure ??= err
    for (const w of this.waiting.splice(0)) w.reject(err)
  }
}
