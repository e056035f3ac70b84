import { describe, expect, it } from 'vitest'
import { readBoundedBody } from './bounded-body'

/** A request whose body arrives in `parts`, with or without a Content-Length. */
function request(parts: string[], headers: Record<string, string> = {}): { req: Request; cancelled: () => boolean } {
  let cancelled = false
  let i = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(new TextEncoder().encode(parts[i++]))
      else controller.close()
    },
    cancel() {
      cancelled = true
    },
  })
  const req = new Request('http://127.0.0.1/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)
  return { req, cancelled: () => cancelled }
}

describe('readBoundedBody', () => {
  it('reads a body sent in several parts, whole', async () => {
    const { req } = request(['{"a":', '1,"b":', '[2]}'])
    expect(new TextDecoder().decode((await readBoundedBody(req, 100))!)).toBe('{"a":1,"b":[2]}')
  })

  it('reads no body as empty', async () => {
    const bytes = await readBoundedBody(new Request('http://127.0.0.1/x', { method: 'POST' }), 100)
    expect(bytes?.byteLength).toBe(0)
  })

  it('refuses a declared length over the limit without reading', async () => {
    const { req, cancelled } = request(['x'.repeat(10)], { 'content-length': '1000' })
    expect(await readBoundedBody(req, 100)).toBeNull()
    expect(cancelled()).toBe(false)
  })

  it('refuses a body that turns out larger than the limit, and stops reading it', async () => {
    const { req, cancelled } = request(['x'.repeat(60), 'x'.repeat(60), 'x'.repeat(60)])
    expect(await readBoundedBody(req, 100)).toBeNull()
    expect(cancelled()).toBe(true)
  })

  it('takes a body of exactly the limit', async () => {
    const { req } = request(['x'.repeat(50), 'x'.repeat(50)])
    expect((await readBoundedBody(req, 100))?.byteLength).toBe(100)
  })
})
