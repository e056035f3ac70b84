import { describe, expect, test } from 'vitest'
import { parseByteRange } from './byte-range'

describe('parseByteRange', () => {
  test.each([
    [undefined, 100, null],
    ['', 100, null],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=10-', 100, { start: 10, end: 99 }],
    ['bytes=90-200', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=99-99', 100, { start: 99, end: 99 }],
    [' bytes=1-2 ', 100, { start: 1, end: 2 }],
    ['Bytes = 1 - 2', 100, { start: 1, end: 2 }],
    ['bytes=0-99999999999999999999', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=100-200', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=-1', 0, 'unsatisfiable'],
    ['bytes=99999999999999999999-', 100, 'unsatisfiable'],
    ['bytes=9-0', 100, null], // last before first: an invalid range-spec, ignored
    ['bytes=-', 100, null],
    ['bytes=0-1,5-6', 100, null], // several ranges: served whole
    ['items=0-9', 100, null],
    ['bytes=a-b', 100, null],
    ['bytes=1.5-2', 100, null],
  ] as const)('%s of %i bytes → %o', (header, size, expected) => {
    expect(parseByteRange(header, size)).toEqual(expected)
  })
})
