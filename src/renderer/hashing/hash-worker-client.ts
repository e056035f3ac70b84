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

/** Resolves when the main thread has a moment (or after `timeoutMs` regardless, so hashing never starves). */
export function whenIdle(signal: AbortSignal, timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: timeoutMs })
    else setTimeout(resolve, 0)
  })
}
