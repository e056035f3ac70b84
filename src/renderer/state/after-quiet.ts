/**
 * Calls `fn` once calls to `poke` have stopped for `ms`: a burst of pokes becomes one call,
 * made `ms` after the last of them. `cancel` drops a call still waiting.
 */
export function afterQuiet(fn: () => void, ms: number): { poke(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  return {
    poke() {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timer = undefined
        fn()
      }, ms)
    },
    cancel() {
      clearTimeout(timer)
      timer = undefined
    },
  }
}
