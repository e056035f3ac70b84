/**
 * One `Range: bytes=…` header against a file of `size` bytes (RFC 9110 §14). Only a
 * single range is served; a header we do not understand, or a multi-range request, is
 * ignored and the whole file sent, as the RFC allows.
 */

export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'unsatisfiable' }

const SINGLE = /^bytes=(\d*)-(\d*)$/

export function parseRange(header: string | null | undefined, size: number): RangeRequest {
  if (header === null || header === undefined) return { kind: 'none' }
  const m = SINGLE.exec(header.trim())
  if (!m) return { kind: 'none' }
  const [, first = '', last = ''] = m
  if (first === '' && last === '') return { kind: 'none' }
  if (first === '') {
    // bytes=-n: the last n bytes.
    const n = Number(last)
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' }
  if (last === '') return { kind: 'range', start, end: size - 1 }
  const end = Number(last)
  if (end < start) return { kind: 'unsatisfiable' }
  return { kind: 'range', start, end: Math.min(end, size - 1) }
}
