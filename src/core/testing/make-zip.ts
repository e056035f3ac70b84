import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { tempDir } from './make-pack'

/**
 * Zip files for tests, written byte by byte: including the ones real zip libraries refuse to
 * write (names with "..", absolute or with backslashes, links, duplicate names, sizes that
 * lie, bombs, encryption flags, unknown methods, cut-off archives). No zip64: test archives
 * stay small.
 */

export interface ZipEntrySpec {
  /** A Buffer is written as is (e.g. with a NUL in it); a string is written as UTF-8. */
  name: string | Buffer
  data?: Buffer | string
  /** 'stored' and 'deflate' encode `data`; a number is written as the method with `data` as is. */
  method?: 'stored' | 'deflate' | number
  /** Lies, written into both headers instead of the true values. */
  uncompressedSize?: number
  compressedSize?: number
  crc32?: number
  /** General purpose bits to set (1: encrypted). */
  flags?: number
  /** A Unix file mode (type and permissions), as Info-ZIP keeps it in the external attributes. */
  unixMode?: number
}

const UTF8_NAMES = 0x800
const MADE_BY_UNIX = 3 << 8

export const S_IFREG = 0o100000
export const S_IFDIR = 0o040000
export const S_IFLNK = 0o120000
export const S_IFIFO = 0o010000

let table: Uint32Array | null = null

/** zlib's own CRC-32 where Node has it (20.15+, 22.2+); a table otherwise. */
export function crc32(data: Buffer): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data)
  if (!table) {
    table = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function methodOf(spec: ZipEntrySpec): number {
  if (spec.method === undefined || spec.method === 'deflate') return 8
  if (spec.method === 'stored') return 0
  return spec.method
}

export function zipBytes(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const spec of entries) {
    const name = typeof spec.name === 'string' ? Buffer.from(spec.name, 'utf8') : spec.name
    const data = typeof spec.data === 'string' ? Buffer.from(spec.data) : (spec.data ?? Buffer.alloc(0))
    const method = methodOf(spec)
    const body = spec.method === undefined || spec.method === 'deflate' ? zlib.deflateRawSync(data) : data
    const flags = (typeof spec.name === 'string' ? UTF8_NAMES : 0) | (spec.flags ?? 0)
    const crc = spec.crc32 ?? crc32(data)
    const csize = spec.compressedSize ?? body.length
    const usize = spec.uncompressedSize ?? data.length
    // 1980-01-01 00:00, the earliest DOS date.
    const time = 0
    const date = (0 << 9) | (1 << 5) | 1

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc >>> 0, 14)
    local.writeUInt32LE(csize, 18)
    local.writeUInt32LE(usize, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, body)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(MADE_BY_UNIX | 20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(time, 12)
    central.writeUInt16LE(date, 14)
    central.writeUInt32LE(crc >>> 0, 16)
    central.writeUInt32LE(csize, 20)
    central.writeUInt32LE(usize, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(0, 30)
    central.writeUInt16LE(0, 32)
    central.writeUInt16LE(0, 34)
    central.writeUInt16LE(0, 36)
    const isFolder = name[name.length - 1] === 0x2f
    const mode = spec.unixMode ?? (isFolder ? S_IFDIR | 0o755 : S_IFREG | 0o644)
    central.writeUInt32LE((mode << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)

    offset += local.length + name.length + body.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(0, 4)
  end.writeUInt16LE(0, 6)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(0, 20)
  return Buffer.concat([...locals, cd, end])
}

/** Write a zip of `entries`; `truncateTo` cuts the file off after that many bytes. Returns its path. */
export function writeZip(entries: ZipEntrySpec[], opts: { file?: string; truncateTo?: number } = {}): string {
  const file = opts.file ?? path.join(tempDir('tinjau-zip-'), 'pack.zip')
  const bytes = zipBytes(entries)
  writeFileSync(file, opts.truncateTo === undefined ? bytes : bytes.subarray(0, opts.truncateTo))
  return file
}

/** The files (and folders, as "name/") below `dir`, as zip entries with POSIX names, in a stable order. */
export function entriesOfDirectory(dir: string, method: 'stored' | 'deflate' = 'deflate', prefix = ''): ZipEntrySpec[] {
  const out: ZipEntrySpec[] = []
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name)
    const rel = `${prefix}${name}`
    if (statSync(full).isDirectory()) {
      out.push({ name: `${rel}/`, method: 'stored' })
      out.push(...entriesOfDirectory(full, method, `${rel}/`))
    } else {
      out.push({ name: rel, data: readFileSync(full), method })
    }
  }
  return out
}

/**
 * A valid zip of a pack folder (as makePack() writes them), with its files as they are;
 * `change` may add, drop or alter entries first.
 */
export function zipDirectory(dir: string, opts: { method?: 'stored' | 'deflate'; change?: (entries: ZipEntrySpec[]) => ZipEntrySpec[] | void; file?: string } = {}): string {
  const entries = entriesOfDirectory(dir, opts.method ?? 'deflate')
  const changed = opts.change?.(entries) ?? entries
  return writeZip(changed, opts.file ? { file: opts.file } : {})
}
