import { addAbortSignal, pipeline, Transform, type Readable } from 'node:stream'
import { TinjauError } from '../../shared/errors'
import type { MediaStore, StagedMedia } from '../media-store'
import { cancelledError, throwIfCancelled } from './cancel'
import type { MediaDeclaration } from './manifest-rules'
import { packError } from './pack-errors'
import type { PackFile, ReadHooks } from './read-manifest'

/**
 * Where a pack's bytes come from: a folder or a zip file. The importer reads pack.json from
 * it once and then asks it for each media file a clip names; everything after "pack.json is
 * in memory" is the same for both.
 */
export interface PackSource {
  /** pack.json's size as far as it is known before reading it (0: unknown), to decide on worker threads. */
  readonly manifestBytesHint: number
  /** Bytes the import will read, if known before reading (a zip's central directory says). */
  readonly totalBytesHint: number | null
  readManifest(hooks: ReadHooks): Promise<PackFile>
  /** Copy the file `d` names into the media store's staging area, checked against `d`. */
  stage(d: MediaDeclaration, io: StageIo): Promise<StagedMedia>
  /** Release what the source holds open (called once, after every stage has settled). */
  close(): Promise<void>
}

export interface StageIo {
  signal: AbortSignal | undefined
  /** Bytes copied so far, added as they come. */
  onBytes(n: number): void
}

/** `clips[3] (id "x") media` — the clip and field a media file was named by. */
export function declaredAt(d: MediaDeclaration): string {
  return `clips[${d.index}] (id "${d.id}") ${d.field}`
}

/**
 * Stream a media file into staging and check it against what the clip declared. The copy
 * stops the moment it has more bytes than declared or the import is cancelled, and the
 * partial file is removed (MediaStore.stage). `explain` words an error of the source's own
 * stream (a damaged zip entry, a read error) as a pack error.
 */
export async function stageChecked(
  media: MediaStore,
  open: () => Promise<Readable>,
  d: MediaDeclaration,
  io: StageIo,
  explain: (err: Error) => Error,
): Promise<StagedMedia> {
  throwIfCancelled(io.signal)
  const where = declaredAt(d)
  let staged: StagedMedia
  try {
    const source = await open()
    let seen = 0
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length
        if (seen > d.bytes) return done(packError(`${where}.bytes: the file has more than the ${d.bytes} bytes the pack says`))
        io.onBytes(chunk.length)
        done(null, chunk)
      },
    })
    if (io.signal) addAbortSignal(io.signal, counted)
    // Errors of either stream end up on `counted`, and destroying it (a failure, a cancel)
    // destroys the source too, which stops reading (and inflating) at once.
    pipeline(source, counted, () => {})
    staged = await media.stage(counted, d.bytes)
  } catch (err) {
    if (io.signal?.aborted) throw cancelledError()
    if (err instanceof TinjauError) throw err
    throw explain(err as Error)
  }
  if (staged.bytes !== d.bytes || staged.sha256 !== d.sha256) {
    await media.discard(staged)
    if (staged.bytes !== d.bytes) throw packError(`${where}.bytes: the file has ${staged.bytes} bytes, the pack says ${d.bytes}`)
    throw packError(`${where}.sha256: the file's sha256 is ${staged.sha256}, the pack says ${d.sha256}`)
  }
  return staged
}
