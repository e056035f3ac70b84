import { describe, expect, it } from 'vitest'
import { markTiming } from './timing'

describe('timing marks for the console bench', () => {
  it('keeps only the latest mark of each name, so a long shift does not pile them up', () => {
    for (let i = 0; i < 50; i++) markTiming('save')
    markTiming('recorded')
    expect(performance.getEntriesByName('tinjau:save')).toHaveLength(1)
    expect(performance.getEntriesByName('tinjau:recorded')).toHaveLength(1)
    expect(performance.getEntriesByName('tinjau:recorded')[0]!.startTime).toBeGreaterThanOrEqual(performance.getEntriesByName('tinjau:save')[0]!.startTime)
  })
})
