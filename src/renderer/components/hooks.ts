import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { TinjauApi } from '../../shared/contract'
import { afterQuiet } from '../state/after-quiet'

/** The current time, refreshed every `intervalMs` (deadlines tick in the queue). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs)
    return () => window.clearInterval(id)
  }, [intervalMs])
  return now
}

/**
 * A function whose identity never changes and that calls the latest `fn`: for callbacks
 * handed to memoised children (a new function each render would re-render them anyway).
 * Not for calling during render.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn)
  useLayoutEffect(() => {
    ref.current = fn
  })
  return useCallback((...args: A) => ref.current(...args), [])
}

/**
 * How long `queue.changed` events are gathered before what they change is reloaded. A save
 * sends one, and reloading at once would have the host and the renderer busy with the list
 * while the next clip is being shown (bench/console.bench.ts, save to next clip); a sync or
 * an import can send several in a burst, which are then reloaded once.
 */
export const QUEUE_CHANGED_SETTLE_MS = 200

/** Calls `reload` once `queue.changed` events have stopped coming for QUEUE_CHANGED_SETTLE_MS. */
export function useQueueChanged(api: TinjauApi, reload: () => void): void {
  useEffect(() => {
    const settled = afterQuiet(reload, QUEUE_CHANGED_SETTLE_MS)
    const off = api.on('queue.changed', () => settled.poke())
    return () => {
      settled.cancel()
      off()
    }
  }, [api, reload])
}
