import { app, shell, type Session, type WebContents } from 'electron'
import { MEDIA_PROTOCOL } from '../shared/bridge'
import { rendererCsp } from '../shared/csp'
import { isAppUrl, type RendererTarget } from './renderer-target'

/**
 * The parts of Electron's security checklist that are hooks rather than window options
 * (those live in window.ts). Everything here denies by default: the app is one local page
 * that needs no navigation, no popups, no permissions and no remote content.
 */

/**
 * https URLs `shell.openExternal` may open (exact origin + path prefix). Empty: nothing
 * in the app links out yet. Add entries here, never open a URL the page hands us as is.
 */
export const EXTERNAL_URL_ALLOWLIST: readonly string[] = []

export function isAllowedExternalUrl(url: string, allowlist: readonly string[] = EXTERNAL_URL_ALLOWLIST): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false
  return allowlist.some((entry) => {
    const allowed = new URL(entry)
    return u.origin === allowed.origin && u.pathname.startsWith(allowed.pathname)
  })
}

/** The renderer's CSP (src/shared/csp.ts), with media from our own scheme. */
export const APP_CSP = rendererCsp([MEDIA_PROTOCOL])

/**
 * The dev server (development only, loopback only) needs two loosenings: Vite's React
 * refresh preamble is an inline module script, and hot reload talks over a WebSocket.
 */
export function cspFor(target: RendererTarget): string {
  if (target.kind !== 'dev') return APP_CSP
  const ws = target.origin.replace(/^http/, 'ws')
  return APP_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'self'", `connect-src 'self' ${ws}`)
}

/** Replace any CSP header (whatever its case) with ours. */
export function withCsp(headers: Record<string, string[]> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v
  }
  out['Content-Security-Policy'] = [csp]
  return out
}

/**
 * Navigation, popups and <webview> for one web contents. Installed for every contents
 * through `web-contents-created`, so nothing created later (a devtools page, a future
 * window) escapes it.
 */
export function hardenWebContents(contents: WebContents, target: RendererTarget): void {
  // Only our own page may be (re)loaded; a link or `location =` to anything else is dropped.
  const denyForeign = (details: { url: string; preventDefault(): void }) => {
    if (!isAppUrl(target, details.url)) details.preventDefault()
  }
  contents.on('will-navigate', denyForeign)
  contents.on('will-redirect', denyForeign)
  // Sub-frames too (the CSP already forbids frames; this is the second lock).
  contents.on('will-frame-navigate', denyForeign)

  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })

  // webviewTag is off in every window we create; refuse one anyway should that change.
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** Before ready: hook every web contents as it is created. */
export function installAppSecurity(target: RendererTarget): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, target))
}

/** After ready: the session's permission handlers and the CSP header. */
export function installSessionSecurity(ses: Session, target: RendererTarget): void {
  // Camera, microphone, notifications, geolocation, clipboard, HID, serial, ...: no.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)

  const csp = cspFor(target)
  ses.webRequest.onHeadersReceived((details, callback) => {
    // Every document gets our CSP; sub-resources keep their headers untouched.
    if (details.resourceType === 'mainFrame' || details.resourceType === 'subFrame') {
      callback({ responseHeaders: withCsp(details.responseHeaders, csp) })
    } else {
      callback({})
    }
  })
}
