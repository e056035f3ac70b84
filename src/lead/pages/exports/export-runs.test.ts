import { describe, expect, it } from 'vitest'
import type { ExportRun } from '../../../shared/lead-api'
import { newestFirst, runAuthor, runFileUrls, skippedEntries } from './export-runs'

const run = (id: string, created_at: string, extra: Partial<ExportRun> = {}): ExportRun => ({ id, created_at, created_by: 'lead:lina', since_last: true, statements: 1, files: 1, skipped: {}, ...extra })

describe('DSA export runs', () => {
  it('lists the newest first, whatever order they come in', () => {
    const runs = [run('a', '2026-12-01T10:00:00Z'), run('c', '2026-12-03T10:00:00Z'), run('b', '2026-12-02T10:00:00Z'), run('d', '2026-12-03T10:00:00Z')]
    expect(newestFirst(runs).map((r) => r.id)).toEqual(['d', 'c', 'b', 'a'])
  })

  it('links each file of a run, from 0 to files − 1, under the console API', () => {
    expect(runFileUrls({ id: 'run/1', files: 3 })).toEqual(['/lead/api/exports/run%2F1/files/0', '/lead/api/exports/run%2F1/files/1', '/lead/api/exports/run%2F1/files/2'])
    expect(runFileUrls({ id: 'r', files: 0 })).toEqual([])
  })

  it('shows the reasons something was skipped, known ones in order, none of zero', () => {
    expect(skippedEntries({ pending: 2, disputed: 0, already_filed: 7, not_restrictive: 3, brand_new: 1 })).toEqual([
      ['already_filed', 7],
      ['not_restrictive', 3],
      ['pending', 2],
      ['brand_new', 1],
    ])
    expect(skippedEntries({ disputed: 0 })).toEqual([])
  })

  it('names who ran it: the lead id, or null for the operator', () => {
    expect(runAuthor('lead:lina')).toBe('lina')
    expect(runAuthor('operator')).toBeNull()
    expect(runAuthor('someone')).toBe('someone')
  })
})
