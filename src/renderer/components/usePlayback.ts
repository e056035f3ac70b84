import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import {
  adjacentMarker,
  clampSpeed,
  DEFAULT_FPS,
  effectiveRate,
  fpsFromFrameDeltas,
  frameStepTarget,
  PAUSED,
  reverseTarget,
  shuttle,
  stepSpeed,
  togglePlay,
  type Transport,
} from '../state/playback'
import type { PlaybackCommand } from '../state/playback-keys'

/** Frame callbacks sampled to estimate the frame rate, then sampling stops. */
const FPS_SAMPLES = 24

export interface Playback {
  transport: Transport
  /** The reviewer's chosen speed, 0.5×–2× (kept from clip to clip). */
  speed: number
  setSpeed: (speed: number) => void
  /** The measured frame rate, or null while unknown (frame steps then assume 30 fps). */
  fps: number | null
  run: (cmd: Exclude<PlaybackCommand, { type: 'help' }>) => void
  /** Handlers for the `<video>`, so native controls and the shuttle agree. */
  videoEvents: {
    onPlay: () => void
    onPause: () => void
    onEnded: () => void
    onLoadedMetadata: () => void
  }
}

const finiteOrNull = (n: number) => (Number.isFinite(n) && n > 0 ? n : null)

/**
 * Drives the clip's `<video>` from the pure playback logic: J/K/L shuttle (backwards by
 * stepping currentTime each animation frame), speed, frame steps, marker jumps, and the
 * frame rate measured with requestVideoFrameCallback. `mediaKey` changes with the media.
 */
export function usePlayback(
  videoRef: RefObject<HTMLVideoElement | null>,
  mediaKey: string,
  markers: readonly number[],
  seek: (ms: number) => void,
): Playback {
  const [transport, setTransportState] = useState<Transport>(PAUSED)
  const transportRef = useRef<Transport>(PAUSED)
  const [speed, setSpeedState] = useState(1)
  const speedRef = useRef(1)
  const [fps, setFps] = useState<number | null>(null)
  const reverseFrame = useRef<number | null>(null)

  const setTransport = useCallback((t: Transport) => {
    transportRef.current = t
    setTransportState(t)
  }, [])

  const stopReverse = useCallback(() => {
    if (reverseFrame.current !== null) cancelAnimationFrame(reverseFrame.current)
    reverseFrame.current = null
  }, [])

  const startReverse = useCallback(() => {
    stopReverse()
    let last = performance.now()
    const tick = (now: number) => {
      const video = videoRef.current
      if (!video || transportRef.current.direction !== -1) {
        reverseFrame.current = null
        return
      }
      // One seek at a time; the time spent waiting is caught up by the next step.
      if (!video.seeking) {
        const target = reverseTarget(video.currentTime, (now - last) / 1000, effectiveRate(speedRef.current, transportRef.current))
        last = now
        video.currentTime = target
        if (target <= 0) {
          reverseFrame.current = null
          setTransport(PAUSED)
          return
        }
      }
      reverseFrame.current = requestAnimationFrame(tick)
    }
    reverseFrame.current = requestAnimationFrame(tick)
  }, [videoRef, stopReverse, setTransport])

  const apply = useCallback(
    (next: Transport) => {
      const video = videoRef.current
      if (!video) return
      setTransport(next)
      stopReverse()
      if (next.direction === 1) {
        video.playbackRate = effectiveRate(speedRef.current, next)
        if (video.ended) video.currentTime = 0
        void video.play().catch(() => setTransport(PAUSED))
      } else {
        video.pause()
        video.playbackRate = clampSpeed(speedRef.current)
        if (next.direction === -1) startReverse()
      }
    },
    [videoRef, setTransport, stopReverse, startReverse],
  )

  const setSpeed = useCallback(
    (s: number) => {
      const next = clampSpeed(s)
      speedRef.current = next
      setSpeedState(next)
      const video = videoRef.current
      if (!video) return
      video.defaultPlaybackRate = next
      video.playbackRate = transportRef.current.direction === 1 ? effectiveRate(next, transportRef.current) : next
    },
    [videoRef],
  )

  const run = useCallback(
    (cmd: Exclude<PlaybackCommand, { type: 'help' }>) => {
      const video = videoRef.current
      if (!video) return
      switch (cmd.type) {
        case 'togglePlay':
          apply(togglePlay(transportRef.current))
          break
        case 'shuttle':
          apply(shuttle(transportRef.current, cmd.step))
          break
        case 'pause':
          apply(PAUSED)
          break
        case 'frame': {
          if (transportRef.current.direction !== 0 || !video.paused) apply(PAUSED)
          const target = frameStepTarget(video.currentTime, fps ?? DEFAULT_FPS, cmd.step, finiteOrNull(video.duration))
          seek(Math.round(target * 1000 * 1000) / 1000)
          break
        }
        case 'marker': {
          const target = adjacentMarker(markers, video.currentTime * 1000, cmd.step)
          if (target !== null) seek(target)
          break
        }
        case 'speed':
          setSpeed(stepSpeed(speedRef.current, cmd.step))
          break
      }
    },
    [videoRef, apply, fps, markers, seek, setSpeed],
  )

  // A new clip starts paused, at the chosen speed, with its frame rate unknown.
  useEffect(() => {
    stopReverse()
    setTransport(PAUSED)
    setFps(null)
    const video = videoRef.current
    if (video) {
      // The player may have loaded while it was the hidden next one: its metadata event is past.
      video.defaultPlaybackRate = speedRef.current
      video.playbackRate = speedRef.current
    }
    if (!video || typeof video.requestVideoFrameCallback !== 'function') return
    let last: VideoFrameCallbackMetadata | null = null
    const deltas: number[] = []
    let handle = 0
    let done = false
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      if (done) return
      if (last && !video.paused && !video.seeking && meta.presentedFrames - last.presentedFrames === 1) {
        deltas.push(meta.mediaTime - last.mediaTime)
        const measured = fpsFromFrameDeltas(deltas)
        if (measured !== null && deltas.length >= 8) setFps(measured)
      }
      last = meta
      if (deltas.length < FPS_SAMPLES) handle = video.requestVideoFrameCallback(onFrame)
    }
    handle = video.requestVideoFrameCallback(onFrame)
    return () => {
      done = true
      video.cancelVideoFrameCallback(handle)
    }
  }, [mediaKey, videoRef, stopReverse, setTransport])

  useEffect(() => stopReverse, [stopReverse])

  const videoEvents = {
    // Native controls (or the end of the clip) move the shuttle too.
    onPlay: () => {
      if (transportRef.current.direction !== 1) {
        stopReverse()
        setTransport({ direction: 1, shuttle: 1 })
        const video = videoRef.current
        if (video) video.playbackRate = clampSpeed(speedRef.current)
      }
    },
    onPause: () => {
      if (transportRef.current.direction === 1) setTransport(PAUSED)
    },
    onEnded: () => {
      if (transportRef.current.direction === 1) setTransport(PAUSED)
    },
    onLoadedMetadata: () => {
      const video = videoRef.current
      if (!video) return
      video.defaultPlaybackRate = speedRef.current
      video.playbackRate = speedRef.current
    },
  }

  return { transport, speed, setSpeed, fps, run, videoEvents }
}
