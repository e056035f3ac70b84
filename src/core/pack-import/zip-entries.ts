import type { Entry } from 'yauzl'
import type { ImportSettings } from '../settings'
import { packError } from './pack-errors'
import { MAX_SIG_BYTES } from './read-manifest'

/**
 * What a zip pack's central directory may hold, checked entry by entry before any entry is
 * inflated. Nothing is ever extracted by entry name (media are staged under random names in
 * the data directory), but a name that could point outside the pack says the archive was
 * made to attack an extractor, so the whole pack is refused; so are links, duplicates,
 * encryption, unknown compression, and sizes or ratios past the limits.
 */

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000

const STORED = 0
const DEFLATED = 8

/** Below this many bytes uncompressed, a high ratio is no threat (JSON of zeros and spaces compresses well). */
export const RATIO_FLOOR_BYTES = 1024 * 1024

/** A name as it can be shown in one line: control characters escaped, very long names cut. */
export function shownName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped
}

export function zipEntryLabel(name: string): string {
  return `zip entry "${shownName(name)}"`
}

/** Why an entry name could point outside the pack (zip-slip), or null. */
export function zipNameProblem(name: string): string | null {
  if (name.length === 0) return 'has an empty name'
  if (name.includes('\u0000')) return 'contains a NUL character'
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f]/.test(name)) return 'contains a control character'
  if (name.startsWith('/')) return 'is an absolute path'
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter'
  if (name.includes('\\')) return 'contains a backslash'
  if (name.split('/').includes('..')) return 'has a ".." segment'
  return null
}

export function zipNameError(name: string, problem: string) {
  return packError(`${zipEntryLabel(name)} ${problem}, so it could point outside the pack (zip-slip)`)
}

function unixType(entry: Entry): number {
  return (entry.externalFileAttributes >>> 16) & S_IFMT
}

function isFolder(entry: Entry): boolean {
  return entry.fileName.endsWith('/') || unixType(entry) === S_IFDIR
}

/** The entries of one zip, as its central directory lists them, each checked as it comes. */
export class ZipEntries {
  /** Regular files by name. */
  readonly files = new Map<string, Entry>()
  readonly folders = new Set<string>()
  /** Uncompressed bytes of every entry together. */
  totalBytes = 0

  constructor(private readonly settings: ImportSettings) {}

  add(entry: Entry): void {
    const name = entry.fileName
    const label = zipEntryLabel(name)
    const problem = zipNameProblem(name)
    if (problem) throw zipNameError(name, problem)
    // A folder entry ("media/") and a file of the same name ("media") would be one path too.
    const key = name.endsWith('/') ? name.slice(0, -1) : name
    if (this.files.has(key) || this.folders.has(key)) throw packError(`${label} appears twice in the zip: a pack's entry names must be unique`)
    const type = unixType(entry)
    if (type === S_IFLNK) throw packError(`${label} is a symbolic link, which packs may not contain`)
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw packError(`${label} is a special file (a device, pipe or socket), which packs may not contain`)
    if (entry.isEncrypted()) throw packError(`${label} is encrypted, which packs may not be`)
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw packError(`${label} uses compression method ${entry.compressionMethod}; packs may use only stored (0) or deflate (8)`)
    }
    const size = entry.uncompressedSize
    const { maxManifestBytes, maxMediaBytes, maxPackMediaBytes, maxZipRatio } = this.settings
    if (name === 'pack.json') {
      if (size > maxManifestBytes) {
        throw packError(`pack.json is ${size} bytes (uncompressed, as the zip declares it), over the limit of ${maxManifestBytes} bytes (setting import.max_manifest_bytes)`)
      }
    } else if (name === 'pack.sig') {
      if (size > MAX_SIG_BYTES) throw packError('pack.sig must be a small regular file holding an Ed25519 signature')
    } else if (size > maxMediaBytes) {
      throw packError(`${label} is ${size} bytes uncompressed, over the per-file limit of ${maxMediaBytes} bytes (setting import.max_media_bytes)`)
    }
    if (size > RATIO_FLOOR_BYTES && size > entry.compressedSize * maxZipRatio) {
      const ratio = entry.compressedSize === 0 ? '∞' : String(Math.round(size / entry.compressedSize))
      throw packError(
        `${label} would inflate ${entry.compressedSize} bytes to ${size} (${ratio}:1), over the limit of ${maxZipRatio}:1 (setting import.max_zip_ratio): the zip looks like a zip bomb`,
      )
    }
    this.totalBytes += size
    const totalLimit = maxPackMediaBytes + maxManifestBytes
    if (this.totalBytes > totalLimit) {
      throw packError(
        `the zip's entries add up to more than ${totalLimit} bytes uncompressed (at ${label}), over the limit of settings import.max_pack_media_bytes + import.max_manifest_bytes`,
      )
    }
    if (isFolder(entry)) this.folders.add(key)
    else this.files.set(key, entry)
  }
}
