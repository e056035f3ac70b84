import { Worker } from 'node:worker_threads'
import { startWorker } from '../worker-file'
import { FileWriter, type FileJob, type FileOutcome } from './dsa-file-job'

/**
 * Where a DSA export's files are checked and written: one worker thread (dsa-worker.ts)
 * beside the thread that maps decisions, or, where no worker can start, that thread itself.
 * Outcomes come back as promises, one per file.
 */
export class DsaFilePool {
  private worker: Worker | null = null
  private readonly waiting = new Map<number, (o: FileOutcome) => void>()
  private failure: Error | null = null
  private readonly inline = new FileWriter()

  static async start(): Promise<DsaFilePool> {
    const pool = new DsaFilePool()
    pool.worker = await startWorker(__dirname, 'dsa-worker.js', 'dsa-worker.ts')
    pool.worker?.on('message', (o: FileOutcome) => {
      const resolve = pool.waiting.get(o.index)
      pool.waiting.delete(o.index)
      resolve?.(o)
    })
    pool.worker?.on('error', (err) => pool.fail(err))
    pool.worker?.on('exit', () => pool.fail(new Error('the DSA export worker stopped')))
    return pool
  }

  /** False when no worker could start and files are checked on the calling thread. */
  get threaded(): boolean {
    return this.worker !== null
  }

  run(job: FileJob): Promise<FileOutcome> {
    if (this.failure) return Promise.reject(this.failure)
    if (!this.worker) {
      try {
        return Promise.resolve(this.inline.run(job))
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)))
      }
    }
    return new Promise((resolve) => {
      this.waiting.set(job.index, resolve)
      this.worker!.postMessage(job)
    })
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = null
    if (w) {
      w.removeAllListeners('exit')
      await w.terminate()
    }
  }

  private fail(err: Error): void {
    this.failure ??= err
    for (const [index, resolve] of this.waiting) resolve({ index, error: err.message })
    this.waiting.clear()
  }
}

