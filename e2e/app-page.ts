import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { expect } from './fixtures'

/**
 * What the known-footage specs (known-content, known-content-queue, hash-list) do to the
 * app's page besides clicking: call its API as the page itself would, audit a part of it
 * with axe-core, wait for the background hasher, and make a mirror's re-encoded copy of a
 * demo video.
 */

const ROOT = path.resolve(__dirname, '..')

/** One API method, through the page's own bridge (Electron) or the web host's API with the page's session. */
export async function api<T>(page: Page, method: string, input: unknown = {}): Promise<T> {
  return page.evaluate(
    async ({ method, input }) => {
      const bridge = (window as unknown as { tinjau?: { invoke(m: string, i: unknown): Promise<{ ok: boolean; value: unknown; error: unknown }> } }).tinjau
      if (bridge) {
        const r = await bridge.invoke(method, input)
        if (!r.ok) throw new Error(JSON.stringify(r.error))
        return r.value
      }
      const res = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem('tinjau.secret')}` },
        body: JSON.stringify(input),
      })
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: unknown }
      if (!body.ok) throw new Error(JSON.stringify(body.error))
      return body.value
    },
    { method, input },
  ) as Promise<T>
}

/**
 * axe-core (WCAG 2.1 A/AA) on part of the page. The fixture's page is the host's own tab,
 * not one of a fresh context (which @axe-core/playwright insists on), so axe's source is
 * evaluated in it directly: evaluation is not an inline script, so the page's CSP allows it.
 */
export async function axeViolations(page: Page, selector: string): Promise<{ id: string; nodes: number }[]> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'))
  return page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe
    const result = await axe.run({ include: [selector] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }))
  }, selector)
}

/** Until the background hasher has nothing left and gave up on nothing. */
export async function hashingDone(page: Page): Promise<void> {
  await expect
    .poll(async () => await api<{ waiting: number; hashed: number; failed: number }>(page, 'hashes.status'), { timeout: 120_000, intervals: [1_000] })
    .toMatchObject({ waiting: 0, failed: 0 })
}

/**
 * A demo clip's video re-encoded by ffmpeg at a low bitrate, as a mirror account would
 * re-stream it, written into `root/media/`; returns the field pack's media object for it.
 */
export function mirrorVideo(root: string, demoClipId: string, name: string): { path: string; sha256: string; bytes: number; mime: string; duration_ms: number } {
  const demo = JSON.parse(readFileSync(path.join(ROOT, 'resources/demo/pack.json'), 'utf8')) as { clips: { id: string; media: { path: string; duration_ms: number } }[] }
  const clip = demo.clips.find((c) => c.id === demoClipId)
  if (!clip) throw new Error(`no clip ${demoClipId} in the demo pack`)
  const rel = `media/${name}`
  mkdirSync(path.join(root, 'media'), { recursive: true })
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path.join(ROOT, 'resources/demo', clip.media.path), '-c:v', 'libvpx-vp9', '-b:v', '80k', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'copy', path.join(root, rel)], {
    stdio: 'pipe',
  })
  const bytes = readFileSync(path.join(root, rel))
  return { path: rel, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: statSync(path.join(root, rel)).size, mime: 'video/webm', duration_ms: clip.media.duration_ms }
}
