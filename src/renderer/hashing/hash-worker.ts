import type { PdqFrameHash } from '../../shared/frame-hashes'
import { makeBitmapHasher } from './bitmap-pdq'
import type { FramePicture } from './frame-source'

/**
 * A Web Worker that turns decoded frames into PDQ hashes (several a frame: bitmap-pdq.ts), so the hashing arithmetic
 * never runs on the thread the console answers keys on. Frames come as VideoFrames or
 * ImageBitmaps, transferred, not copied.
 */

export interface HashRequest {
  id: number
  bitmap: FramePicture
}
export type HashReply = { id: number; hashes: PdqFrameHash[] } | { id: number; error: string }

interface WorkerScope {
  onmessage: ((e: MessageEvent<HashRequest>) => void) | null
  postMessage(reply: HashReply): void
}

const scope = self as unknown as WorkerScope
const hash = makeBitmapHasher()

scope.onmessage = ({ data: { id, bitmap } }) => {
  hash(bitmap).then(
    (hashes) => scope.postMessage({ id, hashes }),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  )
}
