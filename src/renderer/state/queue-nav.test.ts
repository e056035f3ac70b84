import { describe, expect, it } from 'vitest'
import { neighbour, nextPendingAfter } from './queue-nav'

const rows = [
  { id: 'a', status: 'decided' as const },
  { id: 'b', status: 'pending' as const },
  { id: 'c', status: 'escalated' as const },
  { id: 'd', status: 'pending' as const },
]

describe('queue navigation', () => {
  it('moves to neighbours and starts at the top when nothing is selected', () => {
    expect(neighbour(rows, 'b', 1)).toBe('c')
    expect(neighbour(rows, 'b', -1)).toBe('a')
    expect(neighbour(rows, 'd', 1)).toBeNull()
    expect(neighbour(rows, null, 1)).toBe('a')
    expect(neighbour(rows, 'gone', -1)).toBe('a')
    expect(neighbour([], 'a', 1)).toBeNull()
  })

  it('finds the next pending clip after the current one', () => {
    expect(nextPendingAfter(rows, 'a')).toBe('b')
    expect(nextPendingAfter(rows, 'b')).toBe('d')
    expect(nextPendingAfter(rows, 'd')).toBeNull()
  })
})
