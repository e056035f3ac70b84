import type { PdqFrameHash } from '../../shared/frame-hashes'
import type { FramePicture } from './frame-source'
import type { HashReply, HashRequest } from './hash-worker'

/** The hash worker behind a promise per frame. */
export function workerHasher(worker: Worker): { hash(bitmap: FramePicture): Promise<PdqFrameHash[]>; close(): void } {
  let nextId = 1
  const waiting = new Map<number, { resolve: (r: PdqFrameHash[]) => void; reject: (e: Error) => void }>()
  worker.onmessage = ({ data }: MessageEvent<HashReply>) => {
    const w = waiting.get(data.id)
    if (!w) return
    waiting.delete(data.id)
    if ('error' in data) w.reject(new Error(data.error))
    else w.resolve(data.hashes)
  }
  worker.onerror = (e) => {
    for (const w of waiting.values()) w.reject(new Error(`the hash worker failed: ${e.message}`))
    waiting.clear()
  }
  return {
    hash(bitmap) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        worker.postMessage({ id, bitmap } satisfies HashRequest, [bitmap])
      })
    },
    close: () => worker.terminate(),
  }
}

interface BackgroundScheduler {
  postTask(callback: () => void, options: { priority: 'background' }): Promise<void>
}

/**
 * Resolves when the main thread has nothing more urgent to do: a background-priority task
 * (`scheduler.postTask`), which Chromium runs after input, rendering and every other task.
 * Not `requestIdleCallback`: while WebCodecs decodes, its callbacks keep the thread from
 * going idle long enough, and an idle callback then waited ~45 ms a time (90 ms a frame,
 * against 1–4 ms for a background task: bench/hashing-identity.bench.ts). Without the
 * scheduler, an idle callback. Either way after `timeoutMs` regardless, so hashing never
 * starves (a background task can wait for ever while other work keeps coming).
 */
export function whenIdle(signal: AbortSignal, timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const scheduler = (globalThis as { scheduler?: Partial<BackgroundScheduler> }).scheduler
    if (typeof scheduler?.postTask === 'function') {
      const timer = setTimeout(resolve, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      scheduler.postTask(done, { priority: 'background' }).catch(done)
      return
    }
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: timeoutMs })
    else setTimeout(resolve, 0)
  })
}
