import { realpathSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Hono } from 'hono'
import { getMimeType } from 'hono/utils/mime'
import { fileBody } from './file-response'
import { jsonError } from './responses'

/**
 * The built renderer (index.html and assets/). A request path is decoded once, resolved
 * under the root and confined with path.relative — before and after resolving links — so
 * `..`, encoded slashes or a link out of the folder cannot reach any other file. Dot
 * files (e.g. vite's .vite/manifest.json) are not served.
 */

export function confine(root: string, requestPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(requestPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const rel = decoded.replace(/^\/+/, '') || 'index.html'
  if (rel.split('/').some((segment) => segment.startsWith('.'))) return null
  const full = path.resolve(root, rel)
  return inside(root, full) ? full : null
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/**
 * `onAssetsSent` is told each time the responses for files under assets/ (the renderer's
 * code and styles) have all been read out to the browser, with whether the code (a .js
 * file) was among what has been sent so far.
 */
export function addStaticRoute(app: Hono, rendererDir: string, onAssetsSent?: (codeSent: boolean) => void): { assetsInFlight: () => number } {
  const root = realpathSync(rendererDir)
  let inFlight = 0
  let codeSent = false
  app.get('*', async (c) => {
    const notFound = () => jsonError(c, 404, 'not_found', `no such page: ${c.req.path.slice(0, 200)}`)
    // The raw, still-encoded path: decoding is confine's job, done exactly once.
    const full = confine(root, new URL(c.req.url).pathname)
    if (!full) return notFound()
    let real: string
    try {
      real = realpathSync(full)
    } catch {
      return notFound()
    }
    if (!inside(root, real)) return notFound()
    const info = await stat(real).catch(() => null)
    if (!info?.isFile()) return notFound()
    const rel = path.relative(root, real).split(path.sep).join('/')
    const asset = rel.startsWith('assets/')
    const headers = {
      'Content-Type': getMimeType(real) ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      // Vite fingerprints assets/: they never change under one name. index.html does.
      'Cache-Control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    }
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers })
    if (!asset || !onAssetsSent) return new Response(fileBody(real), { status: 200, headers })
    inFlight++
    const sent = () => {
      inFlight--
      if (rel.endsWith('.js')) codeSent = true
      if (inFlight === 0) onAssetsSent(codeSent)
    }
    return new Response(fileBody(real, undefined, sent), { status: 200, headers })
  })
  return { assetsInFlight: () => inFlight }
}
