/**
 * Hashing gives way to the reviewer: after a key press, a pointer press or a wheel turn it
 * starts no new frame until the reviewer has been still for INPUT_QUIET_MS, so a decision's
 * save and the next clip do not share the CPU with a seek's decoding and four PDQ hashes
 * (bench/console-hashing.bench.ts). At most the frame already under way finishes meanwhile.
 * While the reviewer watches a clip, hashing goes on.
 */
export const INPUT_QUIET_MS = 750

const EVENTS = ['keydown', 'pointerdown', 'wheel'] as const

export interface QuietGate {
  /** Resolves once there has been no input for the quiet time (at once if aborted). */
  wait(signal: AbortSignal): Promise<void>
  close(): void
}

export function quietAfterInput(target: EventTarget, quietMs = INPUT_QUIET_MS, now: () => number = () => performance.now()): QuietGate {
  let last = Number.NEGATIVE_INFINITY
  const mark = () => {
    last = now()
  }
  for (const e of EVENTS) target.addEventListener(e, mark, { capture: true, passive: true })
  return {
    async wait(signal) {
      for (;;) {
        const left = last + quietMs - now()
        if (left <= 0 || signal.aborted) return
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer)
            signal.removeEventListener('abort', done)
            resolve()
          }
          const timer = setTimeout(done, left)
          signal.addEventListener('abort', done, { once: true })
        })
      }
    },
    close() {
      for (const e of EVENTS) target.removeEventListener(e, mark, { capture: true })
    },
  }
}
