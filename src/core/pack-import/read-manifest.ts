import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import { lstatSync, readFileSync, realpathSync, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import path from 'node:path'
import { PACK_VERSION, PackHeader, PackManifest } from '../../shared/field-pack'
import type { ImportSettings } from '../settings'
import { manifestSchemaError, packError } from './pack-errors'
import { throwIfCancelled } from './cancel'
import { decodeSignatureFile, sameIssuerKey, verifyPackSignature } from './signature'
import { checkManifestRules } from './manifest-rules'
import { ClipScanner, type ClipLayout } from './scan-clips'

/**
 * Reading and checking pack.json: size limit before reading, strict UTF-8, the header (so an
 * unknown version is named as such), the signature. The clips themselves are checked in
 * chunks while the import writes (see import-pack.ts), unless the file's shape makes the
 * importer fall back to one JSON.parse of everything (planManifest). Touches nothing;
 * throws `invalid_pack` with what and where.
 */

/** pack.json as read: in shared memory, so the import's worker threads read it in place. */
export interface PackFile {
  bytes: Uint8Array
  sha256: string
  sigBytes: Buffer | null
  /** Where the clips are, or null when the file's shape rules out byte ranges (see scan-clips.ts). */
  layout: ClipLayout | null
}

/** Lets the importer start on the first clips while the rest of pack.json is still being read. */
export interface ReadHooks {
  /** The buffer pack.json is being read into (filled from the start; final once read). */
  onBuffer?(bytes: Uint8Array): void
  /** After each piece: the scan so far. */
  onScanned?(scanner: ClipScanner): void
  /**
   * Hashing elsewhere (the import's worker): each piece is handed over in order, and the
   * digest asked for at the end. Without these, this thread hashes.
   */
  hashPiece?(from: number, to: number): void
  digest?(): Promise<string>
  /** Bytes of pack.json read so far, added as they come (progress). */
  onRead?(bytes: number): void
  /** Stops the read between pieces with the `cancelled` error. */
  signal?: AbortSignal
}

export const MAX_SIG_BYTES = 4096

/** How much of pack.json is read before it is hashed and scanned (and the workers get new chunks). */
export const READ_PIECE = 8 * 1024 * 1024

/**
 * pack.json filled into its shared buffer from the start, whatever the source: each piece is
 * hashed (here or by a worker, see ReadHooks) and scanned for clips as soon as it is there.
 */
export class ManifestFill {
  readonly bytes: Uint8Array
  readonly scanner: ClipScanner
  private readonly hash = createHash('sha256')
  private done = 0

  constructor(
    size: number,
    private readonly hooks: ReadHooks,
  ) {
    this.bytes = new Uint8Array(new SharedArrayBuffer(size))
    this.scanner = new ClipScanner(this.bytes)
    hooks.onBuffer?.(this.bytes)
  }

  /** The bytes up to `to` are in the buffer. */
  filled(to: number): void {
    const from = this.done
    this.done = to
    if (this.hooks.hashPiece) this.hooks.hashPiece(from, to)
    else this.hash.update(this.bytes.subarray(from, to))
    this.scanner.feed(to)
    this.hooks.onScanned?.(this.scanner)
    this.hooks.onRead?.(to - from)
  }

  async finish(sigBytes: Buffer | null): Promise<PackFile> {
    const sha256 = this.hooks.digest ? await this.hooks.digest() : this.hash.digest('hex')
    return { bytes: this.bytes, sha256, sigBytes, layout: this.scanner.finish() }
  }
}

/** pack.json without its clips, checked (unknown fields kept). */
export type PackHeaderData = Pick<PackManifest, 'format' | 'version' | 'pack_id' | 'created_at' | 'issuer' | 'policy'> & Record<string, unknown>

export type ManifestPlan =
  /** Clips by byte range, to be parsed and checked chunk by chunk. */
  | { kind: 'ranges'; header: PackHeaderData; layout: ClipLayout; clipCount: number; signed: boolean }
  /** Everything parsed and checked already (the file's shape ruled out byte ranges). */
  | { kind: 'parsed'; header: PackHeaderData; manifest: PackManifest; clipCount: number; signed: boolean }

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p)
  } catch {
    return null
  }
}

const MAX_CLIPS = 1_000_000

const READS_IN_FLIGHT = 3

/**
 * Read pack.json into a SharedArrayBuffer piece by piece, hashing and scanning each piece
 * while the next one is read, and refuse it if it is not the size it was a moment ago.
 */
async function readShared(file: string, expected: number, hooks: ReadHooks, sigBytes: Buffer | null): Promise<PackFile> {
  const fh = await open(file, 'r')
  try {
    const fill = new ManifestFill(expected, hooks)
    const view = Buffer.from(fill.bytes.buffer, 0, expected)
    // Whole pieces, a few in flight at once: the copies out of the page cache run on the
    // thread pool side by side while this thread hashes and scans the pieces before them.
    const readPiece = async (at: number): Promise<number> => {
      const want = Math.min(expected - at, READ_PIECE)
      let got = 0
      while (got < want) {
        const { bytesRead } = await fh.read(view, at + got, want - got, at + got)
        if (bytesRead === 0) break
        got += bytesRead
      }
      return got
    }
    const inFlight: Promise<number>[] = []
    let requested = 0
    const request = () => {
      while (inFlight.length < READS_IN_FLIGHT && requested < expected) {
        inFlight.push(readPiece(requested))
        requested += READ_PIECE
      }
    }
    let done = 0
    request()
    try {
      while (inFlight.length > 0) {
        const got = await inFlight.shift()!
        throwIfCancelled(hooks.signal)
        request()
        const start = done
        done += got
        if (got < Math.min(expected - start, READ_PIECE)) break
        fill.filled(done)
      }
    } finally {
      await Promise.allSettled(inFlight)
    }
    if (done !== expected || (await fh.stat()).size !== expected) throw packError('pack.json changed while it was being read')
    return await fill.finish(sigBytes)
  } finally {
    await fh.close()
  }
}

/** pack.json of a pack folder, and the folder itself (resolved), where its media are. */
export interface DirectoryPackFile extends PackFile {
  root: string
}

export async function readDirectoryPack(dir: string, settings: ImportSettings, hooks: ReadHooks = {}): Promise<DirectoryPackFile> {
  const dirStat = lstatOrNull(dir)
  if (!dirStat) throw packError(`pack folder not found: ${dir}`)
  if (!dirStat.isDirectory()) throw packError(`not a pack folder (a directory with pack.json at its root): ${dir}`)
  const root = realpathSync(dir)
  const manifestPath = path.join(root, 'pack.json')
  const st = lstatOrNull(manifestPath)
  if (!st) throw packError(`pack.json is missing at the root of ${dir}`)
  if (!st.isFile()) throw packError('pack.json must be a regular file (not a link or a folder)')
  if (st.size > settings.maxManifestBytes) {
    throw packError(`pack.json is ${st.size} bytes, over the limit of ${settings.maxManifestBytes} bytes (setting import.max_manifest_bytes)`)
  }
  let sigBytes: Buffer | null = null
  const sigStat = lstatOrNull(path.join(root, 'pack.sig'))
  if (sigStat) {
    if (!sigStat.isFile() || sigStat.size > MAX_SIG_BYTES) throw packError('pack.sig must be a small regular file holding an Ed25519 signature')
    sigBytes = readFileSync(path.join(root, 'pack.sig'))
  }
  return { ...(await readShared(manifestPath, st.size, hooks, sigBytes)), root }
}

function asBuffer(bytes: Uint8Array, start = 0, end = bytes.length): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)
}

function decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const text = asBuffer(bytes, start, end).toString('utf8')
  // A leading BOM is dropped, as TextDecoder would.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw packError(`pack.json is not valid JSON: ${(err as Error).message}`)
  }
}

function checkVersion(raw: unknown): void {
  const header = PackHeader.safeParse(raw)
  if (!header.success) throw manifestSchemaError(header.error, raw)
  if (header.data.version !== PACK_VERSION) {
    throw packError(`pack.json has format version ${header.data.version}; this Tinjau reads version ${PACK_VERSION} only`)
  }
}

function checkSignature(file: PackFile, publicKey: string | undefined, settings: ImportSettings): boolean {
  const trusted = settings.trustedIssuerKeys
  if (file.sigBytes) {
    if (!publicKey) throw packError('pack.sig is present but issuer.public_key is missing, so the signature cannot be checked')
    if (!verifyPackSignature(asBuffer(file.bytes), decodeSignatureFile(file.sigBytes), publicKey)) {
      throw packError('pack.sig does not verify against issuer.public_key: the pack was altered or signed by someone else')
    }
    // Checked after the signature: only a key that really signed the pack is worth naming.
    if (trusted.length > 0 && !trusted.some((k) => sameIssuerKey(k, publicKey))) {
      throw packError(`issuer.public_key: the pack is signed by ${publicKey}, which is not one of this profile's trusted issuer keys (setting import.trusted_issuer_keys)`)
    }
    return true
  }
  if (trusted.length > 0) {
    throw packError('the pack is unsigned (no pack.sig) and this profile accepts only packs signed by a trusted issuer key (setting import.trusted_issuer_keys)')
  }
  if (!settings.allowUnsigned) throw packError('the pack is unsigned and this profile accepts signed packs only (setting import.allow_unsigned)')
  return false
}

/** The whole file in one JSON.parse and one schema check: the fallback, and the source of syntax errors. */
export function parseWholeManifest(bytes: Uint8Array): PackManifest {
  const raw = parseJson(decode(bytes))
  checkVersion(raw)
  const parsed = PackManifest.safeParse(raw)
  if (!parsed.success) throw manifestSchemaError(parsed.error, raw)
  checkManifestRules(parsed.data)
  return parsed.data
}

/**
 * Check everything but the clips, and say how the clips will be read. The header is the
 * document with the clips array emptied, parsed on its own; if the file's shape defeats
 * the byte-range scan, the whole file is parsed and checked here instead.
 */
export function planManifest(file: PackFile, settings: ImportSettings): ManifestPlan {
  if (!isUtf8(asBuffer(file.bytes))) throw packError('pack.json is not valid UTF-8 text')
  const { layout } = file
  if (layout) {
    let raw: unknown = undefined
    try {
      raw = JSON.parse(`${decode(file.bytes, 0, layout.arrayStart)}[]${decode(file.bytes, layout.arrayEnd)}`)
    } catch {
      // Not JSON around the clips: the whole-file parse below words the error.
    }
    if (raw !== undefined) {
      checkVersion(raw)
      const header = PackManifest.safeParse(raw)
      if (!header.success) throw manifestSchemaError(header.error, raw)
      const clipCount = layout.ranges.length / 2
      if (clipCount > MAX_CLIPS) throw packError(`clips: ${clipCount} clips is more than the ${MAX_CLIPS} a pack may hold`)
      const { clips: _none, ...headerData } = header.data
      const signed = checkSignature(file, headerData.issuer?.public_key, settings)
      return { kind: 'ranges', header: headerData, layout, clipCount, signed }
    }
  }
  const manifest = parseWholeManifest(file.bytes)
  const { clips: _clips, ...headerData } = manifest
  const signed = checkSignature(file, headerData.issuer?.public_key, settings)
  return { kind: 'parsed', header: headerData, manifest, clipCount: manifest.clips.length, signed }
}
