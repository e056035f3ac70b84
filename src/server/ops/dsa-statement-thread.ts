import type { Worker } from 'node:worker_threads'
import type { Policy } from '../../shared/policy'
import { startWorker } from '../../core/worker-file'
import { StatementChunks, type ChunkResult, type FilableRow } from './dsa-statement-chunks'

/**
 * Where a DSA export's statements are made: a worker thread (dsa-statement-worker.ts) for a
 * large run, so that mapping, schema checks and encoding (most of an export's CPU) overlap
 * with reading and recording on the export's own thread; on that thread itself for a small
 * run, or where no worker can start. Either way the answers are the same, byte for byte.
 */

export type MapperRequest = { kind: 'start'; policy: Policy; sinceLast: boolean } | { kind: 'chunk'; rows: FilableRow[] } | { kind: 'finish' }

export type MapperReply =
  | { kind: 'ready' }
  | { kind: 'started' }
  | { kind: 'chunk'; result: ChunkResult }
  | { kind: 'finished'; files: Uint8Array[] }
  | { kind: 'failed'; name: string; message: string }

export interface StatementMapper {
  /** Where the statements are made: false when on the calling thread. */
  readonly threaded: boolean
  /** The chunk's statements, chunks answered in the order they were given. */
  map(rows: FilableRow[]): Promise<ChunkResult>
  /** The run's last file, if any. */
  finish(): Promise<Buffer[]>
  close(): Promise<void>
}

/** A worker for a run of `outcomes` or more; fewer are mapped on the calling thread (a worker's start costs more than it saves). */
export const WORKER_FROM = 10_000

export async function statementMapper(policy: Policy, sinceLast: boolean, where: 'worker' | 'inline'): Promise<StatementMapper> {
  if (where === 'worker') {
    const worker = await startWorker(__dirname, 'dsa-statement-worker.js', 'dsa-statement-worker.ts')
    if (worker) {
      const thread = new WorkerMapper(worker)
      await thread.request({ kind: 'start', policy, sinceLast })
      return thread
    }
  }
  const chunks = new StatementChunks(policy, sinceLast)
  return {
    threaded: false,
    map: async (rows) => chunks.map(rows),
    finish: async () => chunks.finish(),
    close: async () => {},
  }
}

/** A failure in the worker, with the name and message it had there (a SyntaxError stays one). */
function rebuilt(name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

class WorkerMapper implements StatementMapper {
  readonly threaded = true
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
      if (reply.kind === 'failed') throw rebuilt(reply.name, reply.message)
      return reply
    })
  }

  async map(rows: FilableRow[]): Promise<ChunkResult> {
    const reply = await this.request({ kind: 'chunk', rows })
    if (reply.kind !== 'chunk') throw new Error(`the DSA export's worker answered "${reply.kind}" to a chunk`)
    return { ...reply.result, files: reply.result.files.map(asBuffer) }
  }

  async finish(): Promise<Buffer[]> {
    const reply = await this.request({ kind: 'finish' })
    if (reply.kind !== 'finished') throw new Error(`the DSA export's worker answered "${reply.kind}" to the run's end`)
    return reply.files.map(asBuffer)
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

/** Buffers arrive from another thread as plain Uint8Arrays. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}
