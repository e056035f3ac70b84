import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { SYNC_PATHS } from '../../shared/sync-protocol'
import type { MediaStore } from '../media-store'
import { SyncHttp, SyncRequestError } from './http'

/**
 * Downloading one media object by its hash, resumably. Bytes go to `tmp/sync-<sha256>.part`,
 * which outlives a dropped connection, a retry and a restart of the app: the next attempt
 * asks only for the rest (a Range request) and appends it. Once the file has the declared
 * size its sha256 is checked, and only a file that matches is moved into the media store,
 * like an imported one. A server that ignores the Range header is fine (the file starts
 * over); one that sends more bytes than declared, a range that does not continue the file,
 * or bytes whose hash is wrong, costs the partial file, so the next attempt starts clean.
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

async function hashFile(file: string): Promise<string> {
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

/** One attempt: fetch what is missing, check, place. Retrying it resumes where it stopped. */
export async function downloadMedia(opts: DownloadOptions, want: MediaWanted): Promise<DownloadOutcome> {
  if (opts.media.has(want.sha256)) return 'present'
  const what = `download of media ${want.sha256.slice(0, 12)}… (${want.bytes} bytes)`
  const part = partialPath(opts.tmpDir, want.sha256)
  const refuse = async (problem: string, retryable: boolean): Promise<never> => {
    await rm(part, { force: true })
    throw new SyncRequestError(what, 'invalid_response', problem, retryable)
  }
  let have = await sizeOf(part)
  if (have > want.bytes) {
    await rm(part, { force: true })
    have = 0
  }
  if (have < want.bytes) await fetchRest(opts, want, what, part, have, refuse)
  if ((await sizeOf(part)) !== want.bytes) {
    // Cut short without an error (the connection ended early): what arrived is kept.
    throw new SyncRequestError(what, 'invalid_response', 'the server sent fewer bytes than the clip declares', true)
  }
  const actual = await hashFile(part)
  if (actual !== want.sha256) await refuse(`the bytes received hash to ${actual.slice(0, 12)}…, not the declared sha256; they were thrown away`, true)
  const fh = await open(part, 'r+')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
  await opts.media.commit({ sha256: want.sha256, bytes: want.bytes, tmpPath: part })
  return 'downloaded'
}

async function fetchRest(
  opts: DownloadOptions,
  want: MediaWanted,
  what: string,
  part: string,
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
      if (err instanceof SyncRequestError && err.status === 416) await rm(part, { force: true })
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
    const fh = await open(part, start === 0 ? 'w' : 'a', 0o600)
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
          await fh.close()
          await refuse(`the server sent more than the ${want.bytes} bytes the clip declares`, true)
        }
        await fh.write(chunk.value)
        written += chunk.value.length
        opts.onBytes?.(chunk.value.length)
      }
    } finally {
      reader.releaseLock()
      await fh.close().catch(() => {})
    }
  } finally {
    if (timer) clearTimeout(timer)
  }
}
