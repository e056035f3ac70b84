import { stat } from 'node:fs/promises'
import yauzl from 'yauzl'
import { ZipFile } from 'yazl'
import { TinjauError, type ErrorDetail } from '../../shared/errors'
import {
  HASH_LIST_ENTRY,
  HASH_LIST_FORMAT,
  HASH_LIST_LIMITS,
  HASH_LIST_SIGNATURE_BYTES,
  HASH_LIST_SIGNATURE_ENTRY,
  HASH_LIST_VERSION,
  HashListDocument,
  type HashListSummary,
} from '../../shared/hash-list-format'
import { verifyEd25519 } from '../ed25519'
import { writeFileAtomically } from '../export/out-file'
import { readKnownZip } from '../export/zip-read'

/**
 * Writing and reading a hash list file (format: shared/hash-list-format.ts, docs/hash-list.md).
 * Storage-free, so the sync service can write lists (`tinjau-server hashlist export`) with the
 * same code the app reads them with.
 *
 * Reading treats the file as hostile: its size is checked before it is opened, the zip's
 * directory before anything is inflated (exactly the two entries, each under its limit), each
 * entry is inflated only up to its limit, the signature is checked over the exact bytes, and
 * the document is held to the closed schema. Every problem found is reported (up to a
 * bound), in one TinjauError whose details say where.
 */

export interface HashListKey {
  /** `ed25519:` + base64 of the raw 32-byte public key; must be the document's issuer.public_key. */
  publicKey: string
  sign(bytes: Uint8Array): Buffer
}

export interface ReadHashList {
  document: HashListDocument
  /** The exact bytes of hashlist.json that the signature covers. */
  json: Buffer
  summary: HashListSummary
}

export interface ReadHashListOptions {
  /** Lower bounds for tests and callers with less room; never above HASH_LIST_LIMITS. */
  maxFileBytes?: number
  maxJsonBytes?: number
}

/** Problems listed one by one; past this many, the rest are counted. */
const MAX_LISTED = 20

export function hashListError(file: string, details: ErrorDetail[], more = 0): TinjauError {
  const first = details[0]
  const extra = details.length + more > 1 ? ` (and ${details.length + more - 1} more problem${details.length + more > 2 ? 's' : ''})` : ''
  return new TinjauError('invalid_input', `hash list ${file} cannot be imported: ${first ? `${first.path}: ${first.message}` : 'invalid'}${extra}`, details)
}

/** `entries.3.frames.2.hashes.0.hash` → `entries[3] (id "x") frames.2.hashes.0.hash`, the id read from the raw JSON. */
export function describeHashListPath(pathParts: readonly PropertyKey[], raw: unknown): string {
  if (pathParts[0] === 'entries' && typeof pathParts[1] === 'number') {
    const index = pathParts[1]
    const entries = (raw as { entries?: unknown })?.entries
    const entry = Array.isArray(entries) ? (entries[index] as unknown) : undefined
    const id = typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : null
    const rest = pathParts.slice(2).map(String).join('.')
    return `${HASH_LIST_ENTRY} entries[${index}]${id ? ` (id ${JSON.stringify(id.slice(0, 128))})` : ''}${rest ? ` ${rest}` : ''}`
  }
  return `${HASH_LIST_ENTRY} ${pathParts.map(String).join('.') || '(root)'}`
}

/** Checks a document as a reader would, so a writer never emits a list readers refuse. Returns the problems. */
export function hashListProblems(doc: unknown): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  const header = doc as { format?: unknown; version?: unknown } | null
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return [{ path: HASH_LIST_ENTRY, message: 'is not a JSON object' }]
  if (header.format !== HASH_LIST_FORMAT) return [{ path: `${HASH_LIST_ENTRY} format`, message: `is ${JSON.stringify(header.format)}, not "${HASH_LIST_FORMAT}"` }]
  if (header.version !== HASH_LIST_VERSION) {
    return [{ path: `${HASH_LIST_ENTRY} version`, message: `${JSON.stringify(header.version)} is not supported (this build reads version ${HASH_LIST_VERSION})` }]
  }
  // Counted before the schema walks a million frames, so an oversized list is refused cheaply.
  const entries = (doc as { entries?: unknown }).entries
  if (Array.isArray(entries)) {
    if (entries.length > HASH_LIST_LIMITS.maxEntries) {
      return [{ path: `${HASH_LIST_ENTRY} entries`, message: `holds ${entries.length} entries, over the limit of ${HASH_LIST_LIMITS.maxEntries}` }]
    }
    let frames = 0
    for (const e of entries) {
      const f = (e as { frames?: unknown } | null)?.frames
      if (Array.isArray(f)) frames += f.length
    }
    if (frames > HASH_LIST_LIMITS.maxFramesTotal) {
      return [{ path: `${HASH_LIST_ENTRY} entries`, message: `hold ${frames} frames together, over the limit of ${HASH_LIST_LIMITS.maxFramesTotal}` }]
    }
  }
  const parsed = HashListDocument.safeParse(doc)
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push({ path: describeHashListPath(i.path, doc), message: i.message })
    return problems
  }
  const seen = new Set<string>()
  parsed.data.entries.forEach((e, index) => {
    if (seen.has(e.id)) problems.push({ path: describeHashListPath(['entries', index, 'id'], doc), message: `entry id ${JSON.stringify(e.id)} appears more than once` })
    seen.add(e.id)
  })
  return problems
}

export function summarizeHashList(doc: HashListDocument): HashListSummary {
  let frames = 0
  for (const e of doc.entries) frames += e.frames.length
  return { id: doc.id, name: doc.name, createdAt: doc.created_at, issuerName: doc.issuer.name, issuerPublicKey: doc.issuer.public_key, entries: doc.entries.length, frames }
}

/**
 * The exact bytes of hashlist.json: the header's fields in schema order, then one entry per
 * line, so a list reads and diffs well.
 */
export function hashListJson(doc: HashListDocument): Buffer {
  const { entries, ...head } = doc
  const before = `${JSON.stringify({ format: head.format, version: head.version, id: head.id, name: head.name, created_at: head.created_at, issuer: head.issuer }).slice(0, -1)},"entries":[`
  const lines = entries.map((e) => JSON.stringify(e))
  return Buffer.from(`${before}${lines.length > 0 ? `\n${lines.join(',\n')}\n` : ''}]}\n`)
}

/** The hash list file's bytes: the document checked, signed by `key`, zipped. */
export async function encodeHashList(doc: HashListDocument, key: HashListKey, mtime = new Date(doc.created_at)): Promise<Buffer> {
  if (doc.issuer.public_key !== key.publicKey) {
    throw new TinjauError('invalid_input', `the hash list names issuer key ${doc.issuer.public_key} but is being signed with ${key.publicKey}`, [{ path: 'issuer.public_key', message: 'is not the signing key' }])
  }
  const problems = hashListProblems(doc)
  if (problems.length > 0) throw hashListError('(being written)', problems.slice(0, MAX_LISTED), Math.max(0, problems.length - MAX_LISTED))
  const json = hashListJson(doc)
  if (json.length > HASH_LIST_LIMITS.maxJsonBytes) {
    throw hashListError('(being written)', [{ path: HASH_LIST_ENTRY, message: `would be ${json.length} bytes, over the limit of ${HASH_LIST_LIMITS.maxJsonBytes}` }])
  }
  return zipBytes(json, key.sign(json), mtime)
}

/** Writes a signed hash list at `outFile` (whole or not at all); refuses to replace a file unless `overwrite`. */
export async function writeHashList(doc: HashListDocument, key: HashListKey, outFile: string, opts: { overwrite?: boolean } = {}): Promise<{ file: string; bytes: number }> {
  const zip = await encodeHashList(doc, key)
  const file = await writeFileAtomically(outFile, zip, opts.overwrite ?? false)
  return { file, bytes: zip.length }
}

function zipBytes(json: Buffer, signature: Buffer, mtime: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile()
    zip.addBuffer(json, HASH_LIST_ENTRY, { mtime, compress: true })
    zip.addBuffer(signature, HASH_LIST_SIGNATURE_ENTRY, { mtime, compress: false })
    zip.end()
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c))
    zip.outputStream.on('error', reject)
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

/**
 * Reads and verifies a hash list file: the signature must verify under the issuer key the
 * document names (whether that issuer is trusted is the importer's question). Throws a
 * TinjauError ('invalid_input') naming every problem found and where.
 */
export async function readHashList(file: string, opts: ReadHashListOptions = {}): Promise<ReadHashList> {
  const maxFileBytes = Math.min(opts.maxFileBytes ?? HASH_LIST_LIMITS.maxFileBytes, HASH_LIST_LIMITS.maxFileBytes)
  const maxJsonBytes = Math.min(opts.maxJsonBytes ?? HASH_LIST_LIMITS.maxJsonBytes, HASH_LIST_LIMITS.maxJsonBytes)
  let size: number
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new Error('not a regular file')
    size = s.size
  } catch (err) {
    throw hashListError(file, [{ path: 'file', message: `cannot be read (${(err as Error).message})` }])
  }
  if (size > maxFileBytes) throw hashListError(file, [{ path: 'file', message: `is ${size} bytes, over the limit of ${maxFileBytes} bytes for a hash list` }])

  const zip = await readKnownZip(file, { entries: { [HASH_LIST_ENTRY]: maxJsonBytes, [HASH_LIST_SIGNATURE_ENTRY]: HASH_LIST_SIGNATURE_BYTES } })
  if (!zip.ok) throw hashListError(file, zip.problems.map((message) => ({ path: 'zip', message })))
  const json = zip.entries.get(HASH_LIST_ENTRY) ?? Buffer.alloc(0)
  const signature = zip.entries.get(HASH_LIST_SIGNATURE_ENTRY) ?? Buffer.alloc(0)

  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(json)) as unknown
  } catch (err) {
    throw hashListError(file, [{ path: HASH_LIST_ENTRY, message: `is not valid UTF-8 JSON (${(err as Error).message})` }])
  }
  // The signature first: a list changed after signing is refused as that, whatever else is wrong with it.
  const key = (raw as { issuer?: { public_key?: unknown } } | null)?.issuer?.public_key
  if (typeof key !== 'string') throw hashListError(file, [{ path: `${HASH_LIST_ENTRY} issuer.public_key`, message: 'is missing, so the signature cannot be checked' }])
  if (signature.length !== HASH_LIST_SIGNATURE_BYTES) {
    throw hashListError(file, [{ path: HASH_LIST_SIGNATURE_ENTRY, message: `is ${signature.length} bytes; an Ed25519 signature is ${HASH_LIST_SIGNATURE_BYTES}` }])
  }
  if (!verifyEd25519(key, json, signature)) {
    throw hashListError(file, [
      { path: HASH_LIST_SIGNATURE_ENTRY, message: `does not verify against issuer.public_key ${key.slice(0, 60)}: the list was changed after it was signed, or signed by another key` },
    ])
  }
  const problems = hashListProblems(raw)
  if (problems.length > 0) throw hashListError(file, problems.slice(0, MAX_LISTED), Math.max(0, problems.length - MAX_LISTED))
  const document = raw as HashListDocument
  return { document, json, summary: summarizeHashList(document) }
}

/**
 * Whether a file is a hash list by its contents (a zip whose directory holds hashlist.json),
 * whatever its name: only the central directory is read.
 */
export async function looksLikeHashList(file: string): Promise<boolean> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true, decodeStrings: true })
  } catch {
    return false
  }
  try {
    if (zip.entryCount > 8) return false
    for await (const entry of zip.eachEntry()) if (entry.fileName === HASH_LIST_ENTRY) return true
    return false
  } catch {
    return false
  } finally {
    zip.close()
  }
}
