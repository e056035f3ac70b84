import { mulberry32 } from '../src/core/testing/prng'
import type { Tinjau } from '../src/core/tinjau'

/**
 * The store benches' queue reads: `n` pages of the pending queue (due order) at random
 * offsets drawn from `seed`, each timed alone, the times pushed to `into` (ms).
 */
export function timeRandomQueuePages(t: Tinjau, seed: number, n: number, pageSize: number, into: number[]): void {
  const random = mulberry32(seed)
  const pending = t.queue.counts().pending
  for (let k = 0; k < n; k++) {
    const offset = Math.floor(random() * Math.max(1, Math.ceil(pending / pageSize))) * pageSize
    const t0 = performance.now()
    t.handlers['queue.list']({ status: ['pending'], sort: 'due', limit: pageSize, offset })
    into.push(performance.now() - t0)
  }
}
