/**
 * The renderer's Content-Security-Policy, one definition for every host. Only where media
 * come from differs: the Electron host serves them over its own scheme, the web host from
 * its own origin. The meta tag in src/renderer/index.html carries the Electron variant
 * (less frame-ancestors, which a meta tag cannot carry); a test keeps the two equal.
 */
export function rendererCsp(mediaSchemes: readonly string[] = []): string {
  const media = mediaSchemes.map((s) => ` ${s}:`).join('')
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data:${media}`,
    `media-src 'self'${media} blob:`,
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/**
 * The lead console's Content-Security-Policy, sent by the sync service with its pages:
 * stricter than the renderer's (no inline styles at all; React sets styles through the
 * CSSOM, which CSP does not govern), everything from the service's own origin.
 */
export function leadConsoleCsp(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}
