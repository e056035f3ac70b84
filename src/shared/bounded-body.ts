/**
 * A request body read whole, refused past `maxBytes` before it is all buffered:
 * Content-Length first, then the bytes actually received (a client may send none, or lie).
 * The web host's API and the sync service both read bodies this way. Web-standard only
 * (Request and its stream), so it sits in shared.
 *
 * Returns the bytes (empty for no body), or null when the body is larger than `maxBytes`.
 */
export async function readBoundedBody(req: Request, maxBytes: number): Promise<Uint8Array | null> {
  const declared = req.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) return null
  const chunks: Uint8Array[] = []
  let size = 0
  if (req.body) {
    const reader = req.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        return null
      }
      chunks.push(value)
    }
  }
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.byteLength
  }
  return bytes
}
