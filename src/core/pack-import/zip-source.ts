import { close, fstat, open as openFile } from 'node:fs'
import { addAbortSignal, pipeline, Transform, type Readable } from 'node:stream'
import { promisify } from 'node:util'
import { crc32 } from 'node:zlib'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { TinjauError } from '../../shared/errors'
import type { MediaStore, StagedMedia } from '../media-store'
import type { ImportSettings } from '../settings'
import { cancelledError, throwIfCancelled } from './cancel'
import type { MediaDeclaration } from './manifest-rules'
import { packError } from './pack-errors'
import { declaredAt, stageChecked, type PackSource, type StageIo } from './pack-source'
import { ManifestFill, READ_PIECE, type PackFile, type ReadHooks } from './read-manifest'
import { ZipFileReader } from './zip-file-reader'
import { shownName, zipEntryLabel, ZipEntries, zipNameError, zipNameProblem } from './zip-entries'

/**
 * A zip pack, read in place: the central directory is listed and checked first (zip-entries.ts),
 * then pack.json is inflated into memory (its declared size checked before, its real size
 * while inflating), and each media entry is streamed straight into the media store's staging
 * area when a clip names it. Nothing is extracted anywhere by entry name.
 *
 * Every error yauzl or zlib raises is worded here as an `invalid_pack` error naming the zip
 * or the entry.
 */

const OPEN_OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true, decodeStrings: true }

/** Entries listed between two looks at the cancel signal. */
const CANCEL_CHECK_EVERY = 1024
const CLOSE_WAIT_MS = 2000

export class ZipSource implements PackSource {
  readonly manifestBytesHint: number
  readonly totalBytesHint: number

  private constructor(
    private readonly zip: ZipFile,
    private readonly entries: ZipEntries,
    private readonly manifest: Entry,
    private readonly signature: Entry | null,
    private readonly settings: ImportSettings,
    private readonly media: MediaStore,
  ) {
    this.manifestBytesHint = manifest.uncompressedSize
    this.totalBytesHint = entries.totalBytes
  }

  /** Open `file` and check its central directory; refuses (and closes it) if any entry breaks a rule. */
  static async open(file: string, settings: ImportSettings, media: MediaStore, signal?: AbortSignal): Promise<ZipSource> {
    throwIfCancelled(signal)
    let fd: number
    try {
      fd = await promisify(openFile)(file, 'r')
    } catch (err) {
      throw openError(file, err as Error)
    }
    // What yauzl.open() does, but with a reader that lists a large central directory ~10 times faster.
    const reader = new ZipFileReader(fd)
    let zip: ZipFile
    try {
      zip = await yauzl.fromRandomAccessReaderPromise(reader, (await promisify(fstat)(fd)).size, OPEN_OPTIONS)
    } catch (err) {
      // Closed before the refusal is reported: whoever hears it may remove or reuse the file.
      await promisify(close)(fd).catch(() => {})
      throw openError(file, err as Error)
    }
    // yauzl reports a failure to close the file as an event: unheard, it would end the process.
    zip.on('error', () => {})
    try {
      if (zip.entryCount > settings.maxZipEntries) {
        throw packError(`the zip has ${zip.entryCount} entries, more than the ${settings.maxZipEntries} allowed (setting import.max_zip_entries)`)
      }
      const entries = new ZipEntries(settings)
      reader.listing = true
      try {
        for await (const entry of zip.eachEntry()) {
          entries.add(entry)
          if (zip.entriesRead % CANCEL_CHECK_EVERY === 0) throwIfCancelled(signal)
        }
      } catch (err) {
        if (err instanceof TinjauError) throw err
        throw listingError(file, err as Error, zip.entriesRead)
      } finally {
        reader.listing = false
      }
      if (entries.folders.has('pack.json')) throw packError('pack.json must be a regular file (not a link or a folder)')
      const manifest = entries.files.get('pack.json')
      if (!manifest) {
        const nested = [...entries.files.keys()].find((n) => n.endsWith('/pack.json'))
        const hint = nested ? ` (it has "${shownName(nested)}": zip the pack folder's contents, not the folder)` : ''
        throw packError(`pack.json is missing at the root of the zip ${file}${hint}`)
      }
      if (entries.folders.has('pack.sig')) throw packError('pack.sig must be a small regular file holding an Ed25519 signature')
      return new ZipSource(zip, entries, manifest, entries.files.get('pack.sig') ?? null, settings, media)
    } catch (err) {
      await closeZip(zip)
      throw err
    }
  }

  async readManifest(hooks: ReadHooks): Promise<PackFile> {
    const sigBytes = this.signature ? await this.readSmall(this.signature, hooks.signal) : null
    const size = this.manifest.uncompressedSize
    const fill = new ManifestFill(size, hooks)
    let done = 0
    let filledTo = 0
    try {
      const stream = await this.openEntry(this.manifest, hooks.signal)
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        // The entry stream stops at the declared size already; this guards the buffer regardless.
        if (done + chunk.length > size) throw packError(`${zipEntryLabel('pack.json')} inflates to more than the ${size} bytes it declares`)
        fill.bytes.set(chunk, done)
        done += chunk.length
        if (done - filledTo >= READ_PIECE) {
          fill.filled(done)
          filledTo = done
        }
      }
    } catch (err) {
      throw entryError('pack.json', err as Error, hooks.signal)
    }
    if (done !== size) throw packError(`${zipEntryLabel('pack.json')} inflates to ${done} bytes, not the ${size} it declares`)
    if (done > filledTo) fill.filled(done)
    return fill.finish(sigBytes)
  }

  async stage(d: MediaDeclaration, io: StageIo): Promise<StagedMedia> {
    const where = declaredAt(d)
    const entry = this.entries.files.get(d.path)
    if (!entry) {
      if (this.entries.folders.has(d.path)) throw packError(`${where}.path: "${d.path}" is not a regular file`)
      throw packError(`${where}.path: "${d.path}" does not exist in the pack`)
    }
    if (entry.uncompressedSize !== d.bytes) throw packError(`${where}.bytes: the file has ${entry.uncompressedSize} bytes, the pack says ${d.bytes}`)
    if (d.bytes > this.settings.maxMediaBytes) {
      throw packError(`${where}.bytes: ${d.bytes} bytes is over the per-file limit of ${this.settings.maxMediaBytes} (setting import.max_media_bytes)`)
    }
    return stageChecked(this.media, () => this.openEntry(entry), d, io, (err) => entryError(d.path, err, io.signal, where))
  }

  async close(): Promise<void> {
    await closeZip(this.zip)
  }

  private async readSmall(entry: Entry, signal: AbortSignal | undefined): Promise<Buffer> {
    const chunks: Buffer[] = []
    try {
      for await (const chunk of (await this.openEntry(entry, signal)) as AsyncIterable<Buffer>) chunks.push(chunk)
    } catch (err) {
      throw entryError(entry.fileName, err as Error, signal)
    }
    return Buffer.concat(chunks)
  }

  /** The entry's bytes, inflated, stopped at its declared size and checked against its CRC-32. */
  private async openEntry(entry: Entry, signal?: AbortSignal): Promise<Readable> {
    throwIfCancelled(signal)
    const raw = await this.zip.openReadStreamPromise(entry)
    const declared = entry.uncompressedSize
    const label = zipEntryLabel(entry.fileName)
    let seen = 0
    let crc = 0
    const checked = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length
        if (seen > declared) return done(packError(`${label} inflates to more than the ${declared} bytes it declares`))
        crc = crc32(chunk, crc)
        done(null, chunk)
      },
      flush(done) {
        if (seen !== declared) return done(packError(`${label} inflates to ${seen} bytes, not the ${declared} it declares`))
        if (crc !== entry.crc32) return done(packError(`${label} fails its CRC-32 check: the zip is damaged`))
        done()
      },
    })
    if (signal) addAbortSignal(signal, checked)
    pipeline(raw, checked, () => {})
    return checked
  }
}

async function closeZip(zip: ZipFile): Promise<void> {
  if (!zip.isOpen) return
  // The file is closed once the last entry stream lets go of it; a caller may remove the zip
  // right after the import (an upload), which some systems refuse while it is open.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_WAIT_MS)
    timer.unref()
    zip.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    zip.close()
  })
}

function openError(file: string, err: Error & { code?: string }): TinjauError {
  if (err.code === 'ENOENT') return packError(`pack not found: ${file}`)
  if (/end of central directory record signature not found/i.test(err.message)) {
    return packError(`${file} is not a zip file, or a truncated one: it has no end of central directory record`)
  }
  return packError(`${file} is not a readable zip file: ${err.message}`)
}

const YAUZL_NAME_ERROR = /^(?:invalid characters in fileName|absolute path|invalid relative path): ([\s\S]*)$/
const STORED_SIZE_MISMATCH = /^compressed\/uncompressed size mismatch for stored file: (\d+) != (\d+)/

/** An error of yauzl's while listing the central directory, which names no entry when it is about sizes. */
function listingError(file: string, err: Error, entryNumber: number): TinjauError {
  const name = YAUZL_NAME_ERROR.exec(err.message)?.[1]
  const problem = name === undefined ? null : zipNameProblem(name)
  if (name !== undefined && problem) return zipNameError(name, problem)
  const sizes = STORED_SIZE_MISMATCH.exec(err.message)
  if (sizes) {
    return packError(
      `entry ${entryNumber} of the zip's central directory is stored uncompressed but declares ${sizes[1]} bytes compressed and ${sizes[2]} uncompressed: ${file} is damaged or forged`,
    )
  }
  if (/strong encryption/.test(err.message)) return packError(`entry ${entryNumber} of the zip is encrypted (strong encryption), which packs may not be`)
  return packError(`${file} is not a readable zip file: its central directory is damaged at entry ${entryNumber} (${err.message})`)
}

/** An error while inflating an entry, worded as a pack error; `by` names the clip that named the entry. */
function entryError(name: string, err: Error & { code?: string }, signal: AbortSignal | undefined, by?: string): TinjauError {
  if (signal?.aborted) return cancelledError()
  if (err instanceof TinjauError) return err
  const label = `${zipEntryLabel(name)}${by ? ` (${by})` : ''}`
  const tooMany = /^too many bytes in the stream\. expected (\d+)/.exec(err.message)
  if (tooMany) return packError(`${label} inflates to more than the ${tooMany[1]} bytes it declares`)
  const tooFew = /^not enough bytes in the stream\. expected (\d+)\. got only (\d+)/.exec(err.message)
  if (tooFew) return packError(`${label} inflates to ${tooFew[2]} bytes, not the ${tooFew[1]} it declares`)
  if (/file data overflows file bounds/.test(err.message)) return packError(`${label} runs past the end of the file: the zip is truncated or damaged`)
  if (/local file header signature/.test(err.message)) return packError(`${label} has a damaged local header: the zip is damaged`)
  if (err.code?.startsWith('Z_')) return packError(`${label} cannot be inflated (${err.message}): the zip is damaged`)
  return packError(`${label} cannot be read: ${err.message}`)
}
