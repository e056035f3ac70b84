import type { ManifestStore } from '../manifest-store'
import type { ProfileFile } from '../profile-crypto/profile-file'
import { clipBytes, inManifest, type ClipJsonRef } from './source'

/**
 * Hands `fn` the bytes of each clip (`bytes[start, end)`, valid only during the call),
 * pack.json by pack.json in file order, so each file is read about once, a window at a
 * time (ClipReader): at 100,000 clips a read per clip cost more than the rest of an
 * export's work on them, and reading a whole pack.json into fresh memory cost ~0.6 s.
 * The order of the calls is not the order of `refs`.
 */
export function forEachClipJson<K>(manifests: ManifestStore, refs: Iterable<[K, ClipJsonRef]>, fn: (key: K, bytes: Buffer, start: number, end: number) => void): void {
  const stored: [K, ClipJsonRef & { manifest_sha256: string; json_offset: number; json_length: number }][] = []
  for (const [key, ref] of refs) {
    if (inManifest(ref)) stored.push([key, ref])
    else {
      const bytes = clipBytes(manifests, ref)
      fn(key, bytes, 0, bytes.length)
    }
  }
  stored.sort(([, a], [, b]) => (a.manifest_sha256 < b.manifest_sha256 ? -1 : a.manifest_sha256 > b.manifest_sha256 ? 1 : a.json_offset - b.json_offset))
  const reader = new ClipReader(manifests)
  try {
    for (const [key, ref] of stored) {
      const [bytes, start, end] = reader.range(ref)
      fn(key, bytes, start, end)
    }
  } finally {
    reader.close()
  }
}

/** How much of a pack.json one read brings in (see ClipReader). */
const WINDOW_BYTES = 8 * 1024 * 1024

/**
 * Reads clips one at a time, in whatever order an export meets them, through one window
 * per pack.json: a clip inside the window is decoded from it, any other refills the window
 * from that clip on. Exports meet clips mostly in file order, so a pack.json is read about
 * once, a window at a time. Reading a 160 MB pack.json whole into a fresh buffer cost
 * ~0.6 s here, nearly all of it the kernel handing out new pages; a window is filled again
 * and again without that, and a read per clip (~20 µs each) is still avoided.
 */
export class ClipReader {
  private readonly files = new Map<string, { reader: ProfileFile; window: Buffer | null; start: number; end: number }>()

  constructor(
    private readonly manifests: ManifestStore,
    private readonly windowBytes = WINDOW_BYTES,
  ) {}

  text(ref: ClipJsonRef): string {
    if (!inManifest(ref)) return ref.raw_json
    const [bytes, start, end] = this.range(ref)
    return bytes.toString('utf8', start, end)
  }

  /** The clip's bytes: `bytes[start, end)`, valid until the next call. */
  range(ref: ClipJsonRef & { manifest_sha256: string; json_offset: number; json_length: number }): [bytes: Buffer, start: number, end: number] {
    let file = this.files.get(ref.manifest_sha256)
    // Through the store's reader: a pack.json of an encrypted profile is decrypted a window at a time.
    if (!file) this.files.set(ref.manifest_sha256, (file = { reader: this.manifests.openReader(ref.manifest_sha256), window: null, start: 0, end: 0 }))
    const from = ref.json_offset
    const to = from + ref.json_length
    if (from >= file.start && to <= file.end && file.window) return [file.window, from - file.start, to - file.start]
    if (to > file.reader.size) throw new Error(`packs/${ref.manifest_sha256}.json ends before the clip it should hold`)
    if (ref.json_length > this.windowBytes) return [file.reader.readSync(from, ref.json_length), 0, ref.json_length]
    file.window ??= Buffer.allocUnsafe(this.windowBytes)
    const filled = Math.min(this.windowBytes, file.reader.size - from)
    file.reader.readSync(from, filled, file.window)
    file.start = from
    file.end = from + filled
    return [file.window, 0, ref.json_length]
  }

  close(): void {
    for (const { reader } of this.files.values()) reader.closeSync()
    this.files.clear()
  }
}
