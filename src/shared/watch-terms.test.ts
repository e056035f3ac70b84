import { describe, expect, test } from 'vitest'
import type { WatchGroup } from './policy'
import { compileWatchList, findWatchHits, splitByHits } from './watch-terms'

const groups: WatchGroup[] = [
  { id: 'burn', name: { en: 'Calls to burn', id: 'Ajakan membakar' }, terms: ['bakar', 'bakar saja', 'dibakar', 'burn it', 'bakar-bakaran'] },
  { id: 'gather', name: { en: 'Calls to gather', id: 'Ajakan berkumpul' }, terms: ['kumpul', 'turun ke jalan', 'c++ meetup'] },
]
const m = compileWatchList(groups)
const found = (text: string) => findWatchHits(text, m).map((h) => [text.slice(h.start, h.end), h.group])

describe('watch-list terms', () => {
  test('whole words in any case, phrases across any white space, longest first', () => {
    expect(found('Ayo KUMPUL jam 7, bakar saja gedungnya')).toEqual([
      ['KUMPUL', 'gather'],
      ['bakar saja', 'burn'],
    ])
    expect(found('mereka mau turun   ke\njalan besok')).toEqual([['turun   ke\njalan', 'gather']])
    expect(found('Burn it down!')).toEqual([['Burn it', 'burn']])
  })

  test('not inside other words (Indonesian affixes are their own terms in the policy)', () => {
    expect(found('membakar berkumpul pembakaran')).toEqual([])
    expect(found('rumahnya dibakar massa')).toEqual([['dibakar', 'burn']])
    expect(found('bakar2 ngumpul')).toEqual([])
  })

  test('terms with regex characters are matched literally', () => {
    expect(found('ada c++ meetup nanti')).toEqual([['c++ meetup', 'gather']])
    expect(found('ayo bakar-bakaran!')).toEqual([['bakar-bakaran', 'burn']])
    expect(found('ada c meetup nanti')).toEqual([])
  })

  test('no watch list, no hits; splitting keeps every character', () => {
    expect(findWatchHits('bakar', compileWatchList(undefined))).toEqual([])
    const text = 'ayo kumpul lalu bakar.'
    const parts = splitByHits(text, findWatchHits(text, m))
    expect(parts.map((p) => p.text).join('')).toBe(text)
    expect(parts.filter((p) => p.group).map((p) => [p.text, p.group])).toEqual([
      ['kumpul', 'gather'],
      ['bakar', 'burn'],
    ])
  })
})
