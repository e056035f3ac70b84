import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm, stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { SYNC_PATHS } from '../../shared/sync-protocol'
import type { MediaStore } from '../media-store'
import { ChunkAppender } from '../profile-crypto/chunked-file'
import { SyncHttp, SyncRequestError } from './http'

/**
 * Downloading one media object by its hash, resumably. Bytes go to `tmp/sync-<sha256>.part`,
 * which outlives a dropped connection, a retry and a restart of the app: the next attempt
 * asks only for the rest (a Range request) and appends it. Once the file has the declared
 * size its sha256 is checked, and only a file that matches is moved into the media store,
 * like an imported one. A server that ignores the Range header is fine (the file starts
 * over); one that sends more bytes than declared, a range that does not continue the file,
 * or bytes whose hash is wrong, costs the partial file, so the next attempt starts clean.
 * In an encrypted profile the partial file is encrypted too (ChunkAppender: whole chunks
 * only between attempts, so a resume asks from the last whole 64 KiB chunk on) and the hash
 * is taken of the clear bytes as they arrive: nothing clear is ever written.
 */

export interface MediaWanted {
  sha256: string
  bytes: number
}

export interface DownloadOptions {
  http: SyncHttp
  media: MediaStore
  /** Where partial files live (the data directory's tmp). */
  tmpDir: string
  /** An attempt is abandoned when no byte arrives for this long. */
  stallMs: number
  signal?: AbortSignal | undefined
  onBytes?: (n: number) => void
}

export type DownloadOutcome = 'present' | 'downloaded'

export function partialPath(tmpDir: string, sha256: string): string {
  return path.join(tmpDir, `sync-${sha256}.part`)
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
}

/** The sha256 (hex) of a file's bytes, read as a stream. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** `bytes 100-199/200` → {start, end, total}; total null for `*`. */
export function parseContentRange(value: string | null): { start: number; end: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '')
  if (!m) return null
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) }
}

/** The partial file of one download, clear or encrypted as the media store is. */
interface Part {
  /** Clear bytes already there from earlier attempts. */
  have(): Promise<number>
  /** Start writing this attempt at clear byte `from` (0: over again). */
  begin(from: number): Promise<void>
  write(chunk: Uint8Array): Promise<void>
  /** Clear bytes there now. */
  size(): Promise<number>
  sha256(): Promise<string>
  /** Make the file whole and durable, ready to be placed. */
  seal(): Promise<void>
  /** The response ended (whole or not): flush what this attempt wrote. */
  endAttempt(): Promise<void>
  /** Done with the file for now; what is there stays for the next attempt. */
  release(): Promise<void>
  discard(): Promise<void>
}

class ClearPart implements Part {
  private fh: FileHandle | null = null
  constructor(private readonly file: string) {}
  have = () => sizeOf(this.file)
  async begin(from: number) {
    this.fh = await open(this.file, from === 0 ? 'w' : 'a', 0o600)
  }
  async write(chunk: Uint8Array) {
    await this.fh!.write(chunk)
  }
  size = () => sizeOf(this.file)
  sha256 = () => hashFile(this.file)
  async seal() {
    await this.release()
    const fh = await open(this.file, 'r+')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  }
  endAttempt = () => this.release()
  async release() {
    const fh = this.fh
    this.fh = null
    await fh?.close().catch(() => {})
  }
  async discard() {
    await this.release()
    await rm(this.file, { force: true })
  }
}

class EncryptedPart implements Part {
  private appender: ChunkAppender | null = null
  private hash: Hash = createHash('sha256')
  constructor(
    private readonly file: string,
    private readonly key: Buffer,
  ) {}
  private async reopen(fresh: boolean): Promise<ChunkAppender> {
    await this.appender?.abandon()
    this.appender = null
    this.hash = createHash('sha256')
    return (this.appender = await ChunkAppender.open(this.file, this.key, (plain) => this.hash.update(plain), fresh))
  }
  async have() {
    return (this.appender ?? (await this.reopen(false))).plainBytes
  }
  async begin(from: number) {
    if (!this.appender || from !== this.appender.plainBytes) await this.reopen(from === 0)
  }
  async write(chunk: Uint8Array) {
    this.hash.update(chunk)
    await this.appender!.write(chunk)
  }
  async size() {
    return this.appender?.plainBytes ?? 0
  }
  async sha256() {
    return this.hash.copy().digest('hex')
  }
  async seal() {
    await this.appender?.finish()
  }
  // Open until sealed: the chunk not yet whole is still in memory.
  async endAttempt() {}
  async release() {
    await this.appender?.abandon()
  }
  async discard() {
    await this.appender?.abandon()
    this.appender = null
    await rm(this.file, { force: true })
  }
}

/** One attempt: fetch what is missing, check, place. Retrying it resumes where it stopped. */
export async function downloadMedia(opts: DownloadOptions, want: MediaWanted): Promise<DownloadOutcome> {
  if (opts.media.has(want.sha256)) return 'present'
  const what = `download of media ${want.sha256.slice(0, 12)}… (${want.bytes} bytes)`
  const file = partialPath(opts.tmpDir, want.sha256)
  const part: Part = opts.media.filesKey ? new EncryptedPart(file, opts.media.filesKey) : new ClearPart(file)
  const refuse = async (problem: string, retryable: boolean): Promise<never> => {
    await part.discard()
    throw new SyncRequestError(what, 'invalid_response', problem, retryable)
  }
  try {
    let have = await part.have()
    if (have > want.bytes) {
      await part.discard()
      have = 0
    }
    if (have < want.bytes) await fetchRest(opts, want, what, part, have, refuse)
    if ((await part.size()) !== want.bytes) {
      // Cut short without an error (the connection ended early): what arrived is kept.
      throw new SyncRequestError(what, 'invalid_response', 'the server sent fewer bytes than the clip declares', true)
    }
    const actual = await part.sha256()
    if (actual !== want.sha256) await refuse(`the bytes received hash to ${actual.slice(0, 12)}…, not the declared sha256; they were thrown away`, true)
    await part.seal()
  } finally {
    await part.release()
  }
  await opts.media.commit({ sha256: want.sha256, bytes: want.bytes, tmpPath: file })
  return 'downloaded'
}

async function fetchRest(
  opts: DownloadOptions,
  want: MediaWanted,
  what: string,
  part: Part,
  have: number,
  refuse: (problem: string, retryable: boolean) => Promise<never>,
): Promise<void> {
  const stall = new AbortController()
  let timer: NodeJS.Timeout | null = null
  const arm = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => stall.abort(new DOMException('no bytes arrived in time', 'TimeoutError')), opts.stallMs)
  }
  arm()
  try {
    const url = opts.http.url(`${SYNC_PATHS.media}/${want.sha256}`)
    let res: Response
    try {
      ;({ res } = await opts.http.send(what, url, { method: 'GET', headers: opts.http.headers(have > 0 ? { range: `bytes=${have}-` } : {}) }, opts.signal, stall.signal))
    } catch (err) {
      // 416: the server's file is shorter than the part already here; the part cannot be trusted.
      if (err instanceof SyncRequestError && err.status === 416) await part.discard()
      throw err
    }
    let start = 0
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'))
      if (!range || range.start !== have || (range.total !== null && range.total !== want.bytes) || range.end >= want.bytes) {
        await res.body?.cancel().catch(() => {})
        await refuse(`the server answered with range "${res.headers.get('content-range') ?? ''}" for a request from byte ${have}`, true)
      }
      start = have
    } else if (res.status !== 200) {
      await res.body?.cancel().catch(() => {})
      await refuse(`the server answered ${res.status} for a media download`, false)
    }
    const length = res.headers.get('content-length')
    if (length !== null && start + Number(length) > want.bytes) {
      await res.body?.cancel().catch(() => {})
      await refuse(`the server announced ${start + Number(length)} bytes; the clip declares ${want.bytes}`, true)
    }
    if (!res.body) return
    // From the start when the server sent the whole file (it ignored or could not use the Range).
    await part.begin(start)
    let written = start
    const reader = res.body.getReader()
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>
        try {
          chunk = await reader.read()
        } catch (err) {
          throw opts.http.transportError(what, err, opts.signal, stall.signal)
        }
        if (chunk.done) break
        arm()
        if (written + chunk.value.length > want.bytes) {
          await reader.cancel().catch(() => {})
          await refuse(`the server sent more than the ${want.bytes} bytes the clip declares`, true)
        }
        await part.write(chunk.value)
        written += chunk.value.length
        opts.onBytes?.(chunk.value.length)
      }
    } finally {
      reader.releaseLock()
      await part.endAttempt()
    }
  } finally {
    if (timer) clearTimeout(timer)
  }
}
