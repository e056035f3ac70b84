import { crc32 } from 'node:zlib'
import yauzl from 'yauzl'

/**
 * Reading a small zip of known entries from a file nobody vouches for. The central
 * directory is checked before any data is read (entry count, names, sizes, encryption,
 * compression method), and each entry is read as a stream that stops at its size limit, so
 * a zip bomb or a lying size header costs at most the limit in memory.
 */

export interface ZipLimits {
  /** Entry name → the most bytes it may hold once decompressed. */
  entries: Record<string, number>
}

export type ZipRead = { ok: true; entries: Map<string, Buffer> } | { ok: false; problems: string[] }

/** Directory listings are only spelled out when they are short. */
const LIST_AT_MOST = 8

export async function readKnownZip(file: string, limits: ZipLimits): Promise<ZipRead> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true, decodeStrings: true })
  } catch (err) {
    return { ok: false, problems: [`not a readable zip file: ${(err as Error).message}`] }
  }
  try {
    return await readEntries(zip, limits)
  } catch (err) {
    return { ok: false, problems: [`the zip file is damaged: ${(err as Error).message}`] }
  } finally {
    zip.close()
  }
}

async function readEntries(zip: yauzl.ZipFile, limits: ZipLimits): Promise<ZipRead> {
  const expected = Object.keys(limits.entries)
  const wanted = `exactly ${expected.join(' and ')}`
  if (zip.entryCount > LIST_AT_MOST) return { ok: false, problems: [`holds ${zip.entryCount} entries; expected ${wanted}`] }

  const problems: string[] = []
  const found = new Map<string, yauzl.Entry>()
  const seen = new Set<string>()
  for await (const entry of zip.eachEntry()) {
    const name = entry.fileName
    const again = seen.has(name)
    seen.add(name)
    const limit = Object.hasOwn(limits.entries, name) ? limits.entries[name] : undefined
    if (limit === undefined) problems.push(`unexpected entry ${JSON.stringify(name)}; expected ${wanted}`)
    else if (again) problems.push(`entry ${name} appears more than once`)
    else if (entry.isEncrypted()) problems.push(`entry ${name} is encrypted`)
    else if (!entry.canDecodeFileData()) problems.push(`entry ${name} uses compression method ${entry.compressionMethod}, which is not stored or deflated`)
    else if (entry.uncompressedSize > limit) problems.push(`entry ${name} is ${entry.uncompressedSize} bytes, more than the limit of ${limit}`)
    else found.set(name, entry)
  }
  for (const name of expected) if (!seen.has(name)) problems.push(`entry ${name} is missing`)
  if (problems.length > 0) return { ok: false, problems }

  const entries = new Map<string, Buffer>()
  for (const [name, entry] of found) {
    const bytes = await readCapped(zip, entry, limits.entries[name] ?? 0)
    if (typeof bytes === 'string') return { ok: false, problems: [`entry ${name}: ${bytes}`] }
    entries.set(name, bytes)
  }
  return { ok: true, entries }
}

/** The entry's bytes, or why they could not be read. */
async function readCapped(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer | string> {
  // Readers that walk local headers instead of the central directory would see another
  // file if the two disagreed: such a zip is refused rather than read one way here.
  const local = await zip.readLocalFileHeaderPromise(entry)
  if (!local.fileName.equals(entry.fileNameRaw) || local.compressionMethod !== entry.compressionMethod) {
    return 'its local header disagrees with the central directory'
  }
  const stream = await zip.openReadStreamPromise(entry)
  const chunks: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > limit) {
        stream.destroy()
        return `holds more than ${limit} bytes`
      }
      chunks.push(chunk)
    }
  } catch (err) {
    return `cannot be read (${(err as Error).message})`
  }
  const bytes = Buffer.concat(chunks, total)
  // yauzl checks sizes but not checksums.
  if (crc32(bytes) !== entry.crc32) return 'its CRC-32 does not match its contents (the file is damaged)'
  return bytes
}
