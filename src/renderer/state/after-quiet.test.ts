import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { afterQuiet } from './after-quiet'

describe('afterQuiet', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('makes one call for a burst, the quiet span after its last poke', () => {
    const fn = vi.fn()
    const q = afterQuiet(fn, 200)
    q.poke()
    vi.advanceTimersByTime(150)
    q.poke()
    vi.advanceTimersByTime(150)
    q.poke()
    vi.advanceTimersByTime(199)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1_000)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('calls again for pokes after the call', () => {
    const fn = vi.fn()
    const q = afterQuiet(fn, 200)
    q.poke()
    vi.advanceTimersByTime(200)
    q.poke()
    vi.advanceTimersByTime(200)
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it('cancel drops a waiting call and nothing else', () => {
    const fn = vi.fn()
    const q = afterQuiet(fn, 200)
    q.poke()
    q.cancel()
    vi.advanceTimersByTime(1_000)
    expect(fn).not.toHaveBeenCalled()
    q.poke()
    vi.advanceTimersByTime(200)
    expect(fn).toHaveBeenCalledTimes(1)
  })
})
