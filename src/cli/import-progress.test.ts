import { describe, expect, test } from 'vitest'
import type { ImportProgress } from '../shared/domain'
import { describeProgress, ProgressLine } from './import-progress'

const at = (phase: ImportProgress['phase'], bytesDone: number): Omit<ImportProgress, 'importId'> => ({
  phase,
  clips: { done: 4000, total: 100000 },
  files: { done: 3, total: 32 },
  bytes: { done: bytesDone, total: 4 * 1024 * 1024 },
})

describe('import progress on the command line', () => {
  test('says the phase, clips, media files and bytes, with a percentage when the total is known', () => {
    expect(describeProgress(at('media', 1024 * 1024))).toBe('media: clips 4,000/100,000 · media files 3/32 · 1.0 MiB/4.0 MiB (25%)')
    expect(describeProgress({ ...at('reading', 10), clips: { done: 0, total: null }, bytes: { done: 10, total: null } })).toBe(
      'reading: clips 0 · media files 3/32 · 10 B',
    )
  })

  test('on a terminal: one line redrawn in place, ended by the last event', () => {
    const out: string[] = []
    const line = new ProgressLine((t) => out.push(t), true)
    line.update(at('clips', 0))
    line.update(at('media', 2 * 1024 * 1024))
    line.update(at('done', 4 * 1024 * 1024))
    expect(out.slice(0, 2).every((t) => t.startsWith('\rimporting '))).toBe(true)
    expect(out[1]).toContain('(50%)')
    expect(out.at(-1)).toBe('\n')
    line.finish() // nothing more to end
    expect(out.filter((t) => t === '\n')).toHaveLength(1)
  })

  test('in a log: nothing for a quick import; then a line per phase, at most one every few seconds within one, and not the end', () => {
    const out: string[] = []
    let now = 0
    const line = new ProgressLine((t) => out.push(t), false, () => now)
    line.update(at('reading', 0))
    now = 1_000
    line.update(at('clips', 0)) // still quick
    expect(out).toEqual([])
    now = 2_500
    line.update(at('clips', 0))
    now = 2_600
    line.update(at('clips', 0)) // same phase, too soon
    line.update(at('media', 10)) // new phase
    now = 8_000
    line.update(at('media', 20)) // same phase, later
    line.update(at('failed', 20)) // the error says it
    expect(out).toHaveLength(3)
    expect(out.every((t) => t.startsWith('importing ') && t.endsWith('\n') && !t.includes('\r'))).toBe(true)
  })
})
