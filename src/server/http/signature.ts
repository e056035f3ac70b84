import { SIGNATURE_HEADER } from '../../shared/sync-protocol'
import { ServerError } from '../errors'

/** The raw Ed25519 signature a request carries in SIGNATURE_HEADER (pushes, enrollments). */
export function decodeSignature(header: string | undefined): Buffer {
  if (header === undefined || header.trim() === '') {
    throw new ServerError('bad_signature', `the request must carry the ${SIGNATURE_HEADER} header: base64 of the Ed25519 signature over the body`)
  }
  const text = header.trim()
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0)
  if (bytes.length !== 64) throw new ServerError('bad_signature', `the ${SIGNATURE_HEADER} header is not base64 of a 64-byte Ed25519 signature`)
  return bytes
}
