import { describe, expect, it } from 'vitest'
import { track } from './tracked'

describe('track', () => {
  it('has no value while pending, then the value once fulfilled', async () => {
    let resolve!: (v: number) => void
    const t = track(new Promise<number>((r) => (resolve = r)))
    expect(t.value()).toBeNull()
    resolve(42)
    await t.promise
    expect(t.value()).toBe(42)
  })

  it('has no value after a rejection, and the rejection still reaches whoever awaits it', async () => {
    const t = track(Promise.reject(new Error('no host')))
    await expect(t.promise).rejects.toThrow('no host')
    expect(t.value()).toBeNull()
  })
})
