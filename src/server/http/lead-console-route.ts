import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { leadConsoleCsp } from '../../shared/csp'
import { LEAD_BASE_PATH } from '../../shared/lead-api'
import { ServerError } from '../errors'
import type { SyncApp } from './app'
import { fileBody } from './file-body'

/**
 * The lead console's files (the build of src/lead in out/lead), under `/lead/`. The files
 * are listed when the service starts; a request is answered from that list by name,
 * so no part of a URL ever becomes a path. The console routes by the URL's hash, so every
 * page is `/lead/` itself. Every page carries a strict CSP and is never framed.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
}

interface ConsoleFile {
  file: string
  type: string
  size: number
}

function listFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>()
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(name)
      else if (entry.isFile()) {
        const type = TYPES[path.extname(entry.name).toLowerCase()]
        if (!type) continue
        const file = path.join(dir, name)
        files.set(name, { file, type, size: statSync(file).size })
      }
    }
  }
  walk('')
  return files
}

export const LEAD_CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy': leadConsoleCsp(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=()',
}

/** Serve the console from `dir` (null or missing: every page says how to build it). */
export function addLeadConsoleRoute(app: SyncApp, dir: string | null): void {
  const list = (): Map<string, ConsoleFile> | null => {
    try {
      const found = dir ? listFiles(dir) : null
      return found?.has('index.html') ? found : null
    } catch {
      return null
    }
  }
  let files = list()
  let listedAt = Date.now()
  // A rebuild while the service runs renames the assets: a name not in the list is looked
  // for again, at most once a second, so the console is never left pointing at old files.
  const lookup = (name: string): ConsoleFile | undefined => {
    const hit = files?.get(name)
    if (hit || Date.now() - listedAt < 1000) return hit
    files = list()
    listedAt = Date.now()
    return files?.get(name)
  }

  const send = (f: ConsoleFile, method: string, immutable: boolean) =>
    new Response(method === 'HEAD' ? null : fileBody(f.file), {
      status: 200,
      headers: {
        ...LEAD_CONSOLE_HEADERS,
        'content-type': f.type,
        'content-length': String(f.size),
        // Built assets carry their content hash in their name; the page itself must be fresh.
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    })

  app.get(LEAD_BASE_PATH, (c) => c.redirect(`${LEAD_BASE_PATH}/`, 308))
  app.on(['GET', 'HEAD'], `${LEAD_BASE_PATH}/*`, async (c, next) => {
    const rel = c.req.path.slice(LEAD_BASE_PATH.length + 1)
    if (rel === 'api' || rel.startsWith('api/')) return next()
    const page = rel === '' || rel === 'index.html'
    const f = lookup(page ? 'index.html' : rel)
    if (!files) {
      throw new ServerError('unavailable', 'the lead console is not built into this service: run "npm run build" (it writes out/lead), then start the service again')
    }
    if (!f) throw new ServerError('not_found', `the lead console has no file ${JSON.stringify(rel.slice(0, 200))}`)
    return send(f, c.req.method, !page && rel.startsWith('assets/'))
  })
}
