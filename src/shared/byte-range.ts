/**
 * One `Range: bytes=…` header against a resource of `size` bytes (RFC 9110 §14), for
 * both hosts' media serving. Only a single range is served: a header we do not
 * understand, a multi-range request or an invalid range-spec (last before first) is
 * ignored and the whole resource sent, as the RFC allows.
 */

export interface ByteRange {
  start: number
  end: number
}

export function parseByteRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (!m) return null
  const [, a = '', b = ''] = m
  if (a === '' && b === '') return null
  // Digits too many to be a safe integer still name a position past any real file.
  const first = a === '' ? null : Number.isSafeInteger(Number(a)) ? Number(a) : Number.MAX_SAFE_INTEGER
  const last = b === '' ? null : Number.isSafeInteger(Number(b)) ? Number(b) : Number.MAX_SAFE_INTEGER
  if (first === null) {
    // Suffix range: the last `last` bytes.
    if (last === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - last!), end: size - 1 }
  }
  if (last !== null && last < first) return null
  if (first >= size) return 'unsatisfiable'
  return { start: first, end: last === null ? size - 1 : Math.min(last, size - 1) }
}
