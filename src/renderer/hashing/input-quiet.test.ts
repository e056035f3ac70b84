import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { quietAfterInput } from './input-quiet'

describe('hashing waits for the reviewer to be still', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const settled = async (p: Promise<void>) => {
    let done = false
    void p.then(() => (done = true))
    await vi.advanceTimersByTimeAsync(0)
    return () => done
  }

  test('no input yet: no wait; after a key press: the quiet time from that press, renewed by each new input', async () => {
    const target = new EventTarget()
    const gate = quietAfterInput(target, 750, () => Date.now())
    const signal = new AbortController().signal
    expect((await settled(gate.wait(signal)))()).toBe(true)

    target.dispatchEvent(new Event('keydown'))
    const done = await settled(gate.wait(signal))
    await vi.advanceTimersByTimeAsync(500)
    expect(done()).toBe(false)
    target.dispatchEvent(new Event('pointerdown'))
    await vi.advanceTimersByTimeAsync(500)
    // 1,000 ms after the key press, but only 500 after the pointer press.
    expect(done()).toBe(false)
    await vi.advanceTimersByTimeAsync(250)
    expect(done()).toBe(true)

    // Other events (a save's own answer, a video's progress) do not hold hashing back.
    target.dispatchEvent(new Event('input'))
    expect((await settled(gate.wait(signal)))()).toBe(true)
    gate.close()
  })

  test('stopping the hasher ends the wait at once; after close, input is no longer watched', async () => {
    const target = new EventTarget()
    const gate = quietAfterInput(target, 750, () => Date.now())
    const stop = new AbortController()
    target.dispatchEvent(new Event('wheel'))
    const done = await settled(gate.wait(stop.signal))
    expect(done()).toBe(false)
    stop.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(done()).toBe(true)

    await vi.advanceTimersByTimeAsync(750)
    gate.close()
    target.dispatchEvent(new Event('keydown'))
    expect((await settled(gate.wait(new AbortController().signal)))()).toBe(true)
  })
})
