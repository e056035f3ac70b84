/** A muted <video> in a page of a web host's origin, and seeks in it timed inside the page to the frame being presented (bench:encrypted-media). */
import type { Page } from '@playwright/test'

/**
 * Installed in the page as text (tsx would wrap a function passed to page.evaluate in
 * helpers the page does not have). A paused video presents a new frame only when a seek
 * lands, so the frame callback is asked for before currentTime is set (asked for after
 * `seeked`, it can miss a frame presented just before the event); a callback whose frame is
 * not the target's (mediaTime more than `tolerance` away) asks again.
 */
const INSTALL = `(() => {
  window.__seek = {
    open(src) {
      return new Promise((resolve, reject) => {
        const v = document.createElement('video')
        v.muted = true
        v.preload = 'auto'
        v.width = 640
        v.height = 360
        v.addEventListener('error', () => reject(new Error('video error ' + (v.error ? v.error.code + ' ' + v.error.message : '?'))), { once: true })
        v.addEventListener('loadeddata', () => resolve({ duration: v.duration, width: v.videoWidth, height: v.videoHeight, rvfc: 'requestVideoFrameCallback' in v }), { once: true })
        v.src = src
        document.body.appendChild(v)
        window.__video = v
      })
    },
    seek(target, tolerance) {
      return new Promise((resolve, reject) => {
        const v = window.__video
        const rvfc = 'requestVideoFrameCallback' in v
        let seekedAt = null
        let frameAt = null
        let mediaTime = null
        let stray = 0
        const strays = []
        const timer = setTimeout(() => reject(new Error('seek to ' + target + ' s timed out (seeked ' + seekedAt + ', frame ' + frameAt + ', strays ' + JSON.stringify(strays) + ')')), 60000)
        const done = () => {
          if (seekedAt === null || (rvfc && frameAt === null)) return
          clearTimeout(timer)
          resolve({ seekedMs: seekedAt - t0, frameMs: (rvfc ? frameAt : seekedAt) - t0, mediaTime, stray })
        }
        const onFrame = (now, meta) => {
          if (Math.abs(meta.mediaTime - target) > tolerance) { stray++; strays.push(meta.mediaTime); v.requestVideoFrameCallback(onFrame); return }
          frameAt = performance.now()
          mediaTime = meta.mediaTime
          done()
        }
        if (rvfc) v.requestVideoFrameCallback(onFrame)
        v.addEventListener('seeked', () => { seekedAt = performance.now(); done() }, { once: true })
        const t0 = performance.now()
        v.currentTime = target
      })
    },
  }
})()`

export interface OpenedVideo {
  duration: number
  width: number
  height: number
  /** Whether requestVideoFrameCallback exists; without it a seek ends at `seeked`. */
  rvfc: boolean
}

export interface FrameSeek {
  /** From setting currentTime to `seeked`. */
  seekedMs: number
  /** From setting currentTime to the target's frame presented (to `seeked` without rVFC). */
  frameMs: number
  mediaTime: number | null
  /** Frame callbacks for frames other than the target's, before it. */
  stray: number
}

/** Goes to `pageUrl` (any page of the host's origin) and opens `mediaUrl` in a muted video; resolves at loadeddata. */
export async function openVideo(page: Page, pageUrl: string, mediaUrl: string): Promise<OpenedVideo> {
  await page.goto(pageUrl)
  await page.evaluate(INSTALL)
  return (await page.evaluate(`window.__seek.open(${JSON.stringify(mediaUrl)})`)) as OpenedVideo
}

export async function seekToFrame(page: Page, targetS: number, toleranceS: number): Promise<FrameSeek> {
  return (await page.evaluate(`window.__seek.seek(${targetS}, ${toleranceS})`)) as FrameSeek
}
