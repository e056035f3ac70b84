/**
 * A promise whose value can be read synchronously once it has arrived. The start-up calls
 * are often answered before React has even loaded (main.tsx sends them first); reading the
 * answers in the first render, instead of awaiting them (a turn later, a render later),
 * shows the queue one whole render and paint sooner.
 */
export interface Tracked<T> {
  promise: Promise<T>
  /** The value, if the promise has fulfilled (null while pending or after a rejection). */
  value(): T | null
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  let fulfilled = false
  let value: T
  promise.then(
    (v) => {
      fulfilled = true
      value = v
    },
    () => undefined, // whoever awaits `promise` reports it
  )
  return { promise, value: () => (fulfilled ? value : null) }
}
