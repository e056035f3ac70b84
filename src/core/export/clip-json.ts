import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import type { ManifestStore } from '../manifest-store'
import { clipBytes, inManifest, type ClipJsonRef } from './source'

/** A stored pack.json up to this size is read whole for an export; a larger one clip by clip. */
const WHOLE_MANIFEST_BYTES = 256 * 1024 * 1024

/**
 * Hands `fn` the bytes of each clip (`bytes[start, end)`), taking the clips pack.json by
 * pack.json and reading each file once when many of its clips are wanted: at 100,000 clips,
 * a read per clip (open, read, close) cost more than the rest of an export's work on them.
 * The order of the calls is not the order of `refs`.
 */
export function forEachClipJson<K>(manifests: ManifestStore, refs: Iterable<[K, ClipJsonRef]>, fn: (key: K, bytes: Buffer, start: number, end: number) => void): void {
  const byManifest = new Map<string, [K, ClipJsonRef & { json_offset: number; json_length: number }][]>()
  for (const [key, ref] of refs) {
    if (!inManifest(ref)) {
      const bytes = clipBytes(manifests, ref)
      fn(key, bytes, 0, bytes.length)
      continue
    }
    let list = byManifest.get(ref.manifest_sha256)
    if (!list) byManifest.set(ref.manifest_sha256, (list = []))
    list.push([key, ref])
  }
  for (const [sha, list] of byManifest) {
    const size = manifests.size(sha)
    let wanted = 0
    for (const [, ref] of list) wanted += ref.json_length
    // Whole when the clips wanted are a good part of the file.
    const whole = size <= WHOLE_MANIFEST_BYTES && wanted * 4 >= size ? manifests.read(sha, 0, size) : null
    for (const [key, ref] of list) {
      if (whole) fn(key, whole, ref.json_offset, ref.json_offset + ref.json_length)
      else {
        const bytes = clipBytes(manifests, ref)
        fn(key, bytes, 0, bytes.length)
      }
    }
  }
}

/** Clips read one by one from a pack.json before the reader reads the rest of it whole. */
const READS_BEFORE_WHOLE = 256

/**
 * Reads clips one at a time, in whatever order an export meets them. A pack.json from which
 * many clips are wanted is read whole once (a read call per clip cost ~20 µs here, more than
 * the rest of the work on the clip); a few clips from a large one are read one by one, the
 * file kept open until `close`.
 */
export class ClipReader {
  private readonly files = new Map<string, { fd: number; reads: number; whole: Buffer | null }>()
  private buffer = Buffer.allocUnsafe(64 * 1024)

  constructor(private readonly manifests: ManifestStore) {}

  text(ref: ClipJsonRef): string {
    if (!inManifest(ref)) return ref.raw_json
    let file = this.files.get(ref.manifest_sha256)
    if (!file) this.files.set(ref.manifest_sha256, (file = { fd: openSync(this.manifests.pathFor(ref.manifest_sha256), 'r'), reads: 0, whole: null }))
    if (!file.whole && ++file.reads > READS_BEFORE_WHOLE) {
      const size = fstatSync(file.fd).size
      if (size <= WHOLE_MANIFEST_BYTES) file.whole = readRange(file.fd, Buffer.allocUnsafe(size), 0, size)
    }
    if (file.whole) return file.whole.toString('utf8', ref.json_offset, ref.json_offset + ref.json_length)
    if (this.buffer.length < ref.json_length) this.buffer = Buffer.allocUnsafe(ref.json_length)
    return readRange(file.fd, this.buffer, ref.json_offset, ref.json_length).toString('utf8', 0, ref.json_length)
  }

  close(): void {
    for (const { fd } of this.files.values()) closeSync(fd)
    this.files.clear()
  }
}

function readRange(fd: number, into: Buffer, position: number, length: number): Buffer {
  for (let done = 0; done < length; ) {
    const n = readSync(fd, into, done, length - done, position + done)
    if (n === 0) throw new Error('a stored pack.json ends before the clip it should hold')
    done += n
  }
  return into
}
