import path from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Where the renderer comes from, decided once at start: the built file
 * (`out/renderer/index.html`) or, in development only, the electron-vite dev server.
 * Navigation rules, the IPC sender check and the CSP all ask this one object whether
 * a URL is "our page", so they cannot disagree.
 */
export type RendererTarget =
  | { kind: 'file'; file: string; url: string }
  | { kind: 'dev'; url: string; origin: string }

export interface RendererTargetOptions {
  appRoot: string
  /** `process.env.ELECTRON_RENDERER_URL`, set by `electron-vite dev`. */
  devUrl?: string | undefined
  /** `app.isPackaged`: a packaged app never loads a dev server. */
  isPackaged: boolean
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * A dev server URL is honoured only in an unpackaged app and only on loopback over
 * http(s): an environment variable must never turn the app into a browser for remote
 * content.
 */
export function acceptableDevUrl(devUrl: string | undefined, isPackaged: boolean): URL | null {
  if (!devUrl || isPackaged) return null
  let u: URL
  try {
    u = new URL(devUrl)
  } catch {
    return null
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null
  if (!LOOPBACK_HOSTS.has(u.hostname)) return null
  return u
}

export function rendererFile(appRoot: string): string {
  return path.join(appRoot, 'out', 'renderer', 'index.html')
}

export function rendererTarget(opts: RendererTargetOptions): RendererTarget {
  const dev = acceptableDevUrl(opts.devUrl, opts.isPackaged)
  if (dev) return { kind: 'dev', url: dev.href, origin: dev.origin }
  const file = rendererFile(opts.appRoot)
  return { kind: 'file', file, url: pathToFileURL(file).href }
}

/**
 * Is `url` our renderer page? The built page: exactly our index.html file (any query or
 * fragment, since client-side routing may use them). Dev: the dev server's origin.
 */
export function isAppUrl(target: RendererTarget, url: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (target.kind === 'dev') return u.origin === target.origin
  const expected = new URL(target.url)
  if (u.protocol !== 'file:' || u.host !== expected.host) return false
  // Windows drive letters and paths are case-insensitive; compare as the OS would.
  return process.platform === 'win32' ? u.pathname.toLowerCase() === expected.pathname.toLowerCase() : u.pathname === expected.pathname
}
