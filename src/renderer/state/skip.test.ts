import { describe, expect, it } from 'vitest'
import en from '../i18n/en.json'
import id from '../i18n/id.json'
import { SKIP_PRESETS, skipReason } from './skip'

describe('skip reasons', () => {
  it('join preset and detail, either alone, never empty parts', () => {
    expect(skipReason('Media will not play', '')).toBe('Media will not play')
    expect(skipReason('Media will not play', '  black screen \n after 3 s ')).toBe('Media will not play: black screen after 3 s')
    expect(skipReason('', ' my cousin runs this shop ')).toBe('my cousin runs this shop')
    expect(skipReason('  ', '   ')).toBe('')
  })

  it('every preset has a name in both languages', () => {
    for (const p of SKIP_PRESETS) {
      expect((en as any).skip.preset[p]).toBeTruthy()
      expect((id as any).skip.preset[p]).toBeTruthy()
    }
  })
})
