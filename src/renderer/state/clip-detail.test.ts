import { describe, expect, it } from 'vitest'
import type { ClipDetail } from '../../shared/domain'
import { sameClipDetail } from './clip-detail'

// Only what the comparison looks at matters here; a real ClipDetail has more.
const clip = (over: Record<string, unknown> = {}) => ({ id: 'c-1', status: 'pending', transcript: [{ atMs: 0, text: 'halo' }], ...over }) as unknown as ClipDetail

describe('sameClipDetail', () => {
  it('is true for two answers that say the same', () => {
    expect(sameClipDetail(clip(), clip())).toBe(true)
  })

  it('is false when anything in the clip changed', () => {
    expect(sameClipDetail(clip(), clip({ status: 'decided' }))).toBe(false)
    expect(sameClipDetail(clip(), clip({ transcript: [{ atMs: 0, text: 'halo!' }] }))).toBe(false)
  })

  it('is false for another clip', () => {
    expect(sameClipDetail(clip(), clip({ id: 'c-2' }))).toBe(false)
  })
})
