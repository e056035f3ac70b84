import { useEffect, useState } from 'react'
import type { HashStatus, PdqFrameHash } from '../../shared/frame-hashes'
import { useApi } from '../api/api-context'
import { BackgroundHasher } from './background-hasher'
import { imageFrame, videoFrames, type FramePicture } from './frame-source'
import { videoFramesPreferringWebCodecs } from './webcodecs-frames'
import { makeBitmapHasher } from './bitmap-pdq'
import { whenIdle, workerHasher } from './hash-worker-client'
import { quietAfterInput } from './input-quiet'

const WEBCODECS_MIMES = new Set(['video/webm', 'video/x-matroska', 'video/mp4'])

/** Runs the background hasher while the workspace is open; its progress, for the status bar. */
export function useBackgroundHasher(): HashStatus | null {
  const api = useApi()
  const [status, setStatus] = useState<HashStatus | null>(null)
  useEffect(() => {
    const worker = startWorker()
    const quiet = quietAfterInput(window)
    const hasher = new BackgroundHasher({
      api,
      frames: (job, url, signal) =>
        job.kind === 'video'
          ? // WebM and MP4 by WebCodecs from our own demuxing (webcodecs-frames.ts), falling back on the element.
            WEBCODECS_MIMES.has(job.mime)
            ? videoFramesPreferringWebCodecs(url, job.durationMs, signal, { pause: (s) => quiet.wait(s) })
            : videoFrames(url, job.durationMs, signal)
          : (async function* () {
              yield await imageFrame(url, signal)
            })(),
      hash: (bitmap) => worker.hash(bitmap),
      idle: async (signal) => {
        await quiet.wait(signal)
        await whenIdle(signal)
      },
    })
    const off = hasher.onStatus(setStatus)
    hasher.start()
    return () => {
      off()
      quiet.close()
      void hasher.stop().finally(() => worker.close())
    }
  }, [api])
  return status
}

/**
 * The hash worker; where a page may not start one (a file:// page in some Chromium builds),
 * the same hashing on the main thread, still one frame per idle moment.
 */
function startWorker(): { hash(bitmap: FramePicture): Promise<PdqFrameHash[]>; close(): void } {
  try {
    return workerHasher(new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' }))
  } catch {
    const hash = makeBitmapHasher()
    return { hash, close: () => {} }
  }
}
