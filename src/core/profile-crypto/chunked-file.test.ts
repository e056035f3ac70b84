import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { tempDir } from '../testing/make-pack'
import {
  CHUNK_BYTES,
  createEncryptStream,
  encryptFileTo,
  encryptedPlainSize,
  EncryptedFileError,
  HEADER_BYTES,
  isEncryptedFile,
  openEncryptedFile,
  openEncryptedFileSync,
  TAG_BYTES,
  writeEncryptedFileSync,
} from './chunked-file'

const KEY = randomBytes(32)
const STRIDE = CHUNK_BYTES + TAG_BYTES

/** Deterministic, incompressible-looking bytes, different at every offset. */
function clearBytes(n: number, seed = 1): Buffer {
  const out = Buffer.alloc(n)
  let block = Buffer.alloc(0)
  for (let at = 0, i = 0; at < n; at += block.length, i++) {
    block = createHash('sha256').update(`${seed}:${i}`).digest()
    block.copy(out, at)
  }
  return out
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const p of stream) parts.push(p as Buffer)
  return Buffer.concat(parts)
}

async function encrypted(clear: Buffer, dir = tempDir('tinjau-chunked-')): Promise<{ src: string; dst: string }> {
  const src = path.join(dir, 'clear.bin')
  const dst = path.join(dir, 'sealed.bin')
  writeFileSync(src, clear)
  await encryptFileTo(src, dst, KEY)
  return { src, dst }
}

const SIZES = [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES, 5 * 1024 * 1024 + 12345]

describe('the chunked encrypted file format', () => {
  test.each(SIZES)('%i bytes: encryptFileTo, the stream and the in-memory writer all round-trip, whole and streamed', async (n) => {
    const clear = clearBytes(n)
    const dir = tempDir('tinjau-chunked-')
    const { dst } = await encrypted(clear, dir)
    expect(isEncryptedFile(dst)).toBe(true)
    // Size from the file's length alone: header + one tag per chunk, the final one always short.
    expect(statSync(dst).size).toBe(HEADER_BYTES + n + TAG_BYTES * (Math.floor(n / CHUNK_BYTES) + 1))
    expect(encryptedPlainSize(dst)).toBe(n)

    const viaStream = path.join(dir, 'streamed.bin')
    // Odd piece sizes so pieces straddle chunk boundaries.
    const pieces: Buffer[] = []
    for (let at = 0, k = 0; at < n; k++) {
      const len = [1, 7000, 65536, 100_000, 3][k % 5]!
      pieces.push(clear.subarray(at, at + len))
      at += len
    }
    await pipeline(Readable.from(pieces), createEncryptStream(KEY), createWriteStream(viaStream))
    const inMemory = path.join(dir, 'memory.bin')
    writeEncryptedFileSync(inMemory, clear, KEY)

    for (const f of [dst, viaStream, inMemory]) {
      const file = await openEncryptedFile(f, KEY)
      expect(file.size).toBe(n)
      expect((await file.read(0, n)).equals(clear)).toBe(true)
      expect((await readAll(file.createReadStream())).equals(clear)).toBe(true)
      await file.close()
      const sync = openEncryptedFileSync(f, KEY)
      expect(sync.readSync(0, n).equals(clear)).toBe(true)
      sync.closeSync()
    }
    // (A probe of a byte or two could turn up in any ciphertext by chance.)
    if (n >= 16) expect(readFileSync(dst).includes(clear.subarray(0, 16))).toBe(false)
    // No temp file left beside the result.
    expect(readdirSync(dir).sort()).toEqual(['clear.bin', 'memory.bin', 'sealed.bin', 'streamed.bin'])
  })

  test('random ranges, by read, readSync and range streams, equal the clear bytes', async () => {
    const clear = clearBytes(3 * 1024 * 1024 + 777, 2)
    const { dst } = await encrypted(clear)
    const file = await openEncryptedFile(dst, KEY)
    const rnd = (max: number) => Math.floor(Math.random() * max)
    for (let k = 0; k < 60; k++) {
      const start = rnd(clear.length)
      const len = rnd(Math.min(clear.length - start, 1024 * 1024) + 1)
      expect((await file.read(start, len)).equals(clear.subarray(start, start + len))).toBe(true)
      expect(file.readSync(start, len).equals(clear.subarray(start, start + len))).toBe(true)
      if (len > 0) {
        const got = await readAll(file.createReadStream({ start, end: start + len - 1 }))
        expect(got.equals(clear.subarray(start, start + len))).toBe(true)
      }
    }
    // Edges: the last byte, a read across exactly one boundary, a zero-length read.
    expect((await file.read(clear.length - 1, 1)).equals(clear.subarray(-1))).toBe(true)
    expect((await file.read(CHUNK_BYTES - 1, 2)).equals(clear.subarray(CHUNK_BYTES - 1, CHUNK_BYTES + 1))).toBe(true)
    expect((await file.read(10, 0)).length).toBe(0)
    await expect(file.read(clear.length - 1, 2)).rejects.toThrow(/cannot read 2 at/)
    await file.close()
  })

  test('encrypting a file onto itself (in place) works', async () => {
    const clear = clearBytes(200_000, 3)
    const dir = tempDir('tinjau-chunked-')
    const p = path.join(dir, 'media.bin')
    writeFileSync(p, clear)
    expect(isEncryptedFile(p)).toBe(false)
    expect(await encryptFileTo(p, p, KEY)).toEqual({ plainBytes: clear.length })
    const f = await openEncryptedFile(p, KEY)
    expect((await f.read(0, f.size)).equals(clear)).toBe(true)
    await f.close()
    expect(readdirSync(dir)).toEqual(['media.bin'])
  })

  test('two encryptions of the same bytes differ (a fresh salt each)', async () => {
    const clear = clearBytes(1000)
    const a = await encrypted(clear)
    const b = await encrypted(clear)
    expect(readFileSync(a.dst).equals(readFileSync(b.dst))).toBe(false)
  })
})

describe('tampering is refused with the file and chunk named, never garbage', () => {
  const N = 3 * CHUNK_BYTES + 500 // chunks 0..3, the last short

  async function expectRefused(file: string, key: Buffer, pattern: RegExp): Promise<void> {
    const f = await openEncryptedFile(file, key).catch((err: unknown) => err)
    if (f instanceof Error) {
      expect(f).toBeInstanceOf(EncryptedFileError)
      expect(f.message).toContain(file)
      expect(f.message).toMatch(pattern)
      return
    }
    const reader = f as Awaited<ReturnType<typeof openEncryptedFile>>
    const err = await reader.read(0, reader.size).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EncryptedFileError)
    expect((err as Error).message).toContain(file)
    expect((err as Error).message).toMatch(pattern)
    const streamed = await readAll(reader.createReadStream()).catch((e: unknown) => e)
    expect(streamed).toBeInstanceOf(EncryptedFileError)
    await reader.close()
  }

  test('a flipped byte in a chunk names that chunk', async () => {
    const { dst } = await encrypted(clearBytes(N))
    const bytes = readFileSync(dst)
    bytes[HEADER_BYTES + 2 * STRIDE + 10]! ^= 1
    writeFileSync(dst, bytes)
    await expectRefused(dst, KEY, /chunk 2 of 4 does not authenticate/)
    // The chunks before it still read: the damage stays local and is never passed on.
    const f = await openEncryptedFile(dst, KEY)
    expect((await f.read(0, 2 * CHUNK_BYTES)).equals(clearBytes(N).subarray(0, 2 * CHUNK_BYTES))).toBe(true)
    await expect(f.read(2 * CHUNK_BYTES + 5, 1)).rejects.toThrow(/chunk 2 of 4/)
    await f.close()
  })

  test('a flipped tag byte, or a changed header byte (salt), is refused', async () => {
    const { dst } = await encrypted(clearBytes(N))
    const bytes = readFileSync(dst)
    const tag = Buffer.from(bytes)
    tag[HEADER_BYTES + STRIDE - 1]! ^= 0x80
    writeFileSync(dst, tag)
    await expectRefused(dst, KEY, /chunk 0 of 4 does not authenticate/)
    const salt = Buffer.from(bytes)
    salt[20]! ^= 1
    writeFileSync(dst, salt)
    await expectRefused(dst, KEY, /chunk 0 of 4 does not authenticate/)
  })

  test('a wrong key is refused', async () => {
    const { dst } = await encrypted(clearBytes(N))
    await expectRefused(dst, randomBytes(32), /chunk 0 of 4 does not authenticate.*key is wrong/)
  })

  test('truncation: mid-chunk, at a chunk boundary (final chunk dropped), inside the header', async () => {
    const clear = clearBytes(N)
    const mid = await encrypted(clear)
    truncateSync(mid.dst, HEADER_BYTES + 3 * STRIDE + 100)
    await expectRefused(mid.dst, KEY, /chunk 3 of 4 does not authenticate/)

    const boundary = await encrypted(clear)
    truncateSync(boundary.dst, HEADER_BYTES + 3 * STRIDE)
    await expectRefused(boundary.dst, KEY, /truncated: no final chunk/)

    // A file of exactly whole chunks, cut before its empty final chunk: still caught.
    const exact = await encrypted(clearBytes(2 * CHUNK_BYTES))
    truncateSync(exact.dst, HEADER_BYTES + 2 * STRIDE)
    await expectRefused(exact.dst, KEY, /truncated/)
    // …and cut by one whole chunk plus the final one, so the remainder looks like a final chunk.
    const cut = await encrypted(clearBytes(3 * CHUNK_BYTES + 10))
    truncateSync(cut.dst, HEADER_BYTES + 2 * STRIDE + 10 + TAG_BYTES)
    await expectRefused(cut.dst, KEY, /chunk 2 of 3 does not authenticate/)

    const header = await encrypted(clear)
    truncateSync(header.dst, 20)
    await expectRefused(header.dst, KEY, /not an encrypted Tinjau file/)
  })

  test('reordered chunks, and a chunk swapped in from another file, are refused', async () => {
    const { dst } = await encrypted(clearBytes(N))
    const bytes = readFileSync(dst)
    const swapped = Buffer.from(bytes)
    bytes.copy(swapped, HEADER_BYTES, HEADER_BYTES + STRIDE, HEADER_BYTES + 2 * STRIDE)
    bytes.copy(swapped, HEADER_BYTES + STRIDE, HEADER_BYTES, HEADER_BYTES + STRIDE)
    writeFileSync(dst, swapped)
    await expectRefused(dst, KEY, /chunk 0 of 4 does not authenticate/)

    const other = await encrypted(clearBytes(N, 9))
    const mixed = Buffer.from(bytes)
    readFileSync(other.dst).copy(mixed, HEADER_BYTES + STRIDE, HEADER_BYTES + STRIDE, HEADER_BYTES + 2 * STRIDE)
    writeFileSync(dst, mixed)
    const f = await openEncryptedFile(dst, KEY)
    await expect(f.read(CHUNK_BYTES, 10)).rejects.toThrow(/chunk 1 of 4 does not authenticate/)
    await f.close()
  })

  test('a clear file, a future version and a key of the wrong length are refused clearly', async () => {
    const dir = tempDir('tinjau-chunked-')
    const clearFile = path.join(dir, 'clear.webm')
    writeFileSync(clearFile, clearBytes(5000))
    expect(isEncryptedFile(clearFile)).toBe(false)
    await expect(openEncryptedFile(clearFile, KEY)).rejects.toThrow(/clear\.webm: is not an encrypted Tinjau file/)
    const { dst } = await encrypted(clearBytes(10))
    const bytes = readFileSync(dst)
    bytes[8] = 2
    writeFileSync(dst, bytes)
    await expect(openEncryptedFile(dst, KEY)).rejects.toThrow(/format version 2/)
    await expect(openEncryptedFile(dst, Buffer.alloc(16))).rejects.toThrow(/32 bytes/)
    // Nothing was written by the failed opens.
    expect(readFileSync(clearFile).equals(clearBytes(5000))).toBe(true)
  })

  test('a failed encryption leaves no temp file and no destination', async () => {
    const dir = tempDir('tinjau-chunked-')
    await expect(encryptFileTo(path.join(dir, 'missing'), path.join(dir, 'out'), KEY)).rejects.toThrow(/ENOENT/)
    expect(readdirSync(dir)).toEqual([])
  })
})
