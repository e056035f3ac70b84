import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { MEDIA_PROTOCOL } from '../shared/bridge'
import { rendererCsp } from '../shared/csp'

test('the renderer meta CSP is the Electron variant, without frame-ancestors', () => {
  const html = readFileSync(path.resolve('src/renderer/index.html'), 'utf8')
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
  expect(meta).toBe(rendererCsp([MEDIA_PROTOCOL]).replace("; frame-ancestors 'none'", ''))
})

test('the web variant only allows media from its own origin', () => {
  expect(rendererCsp()).toContain("media-src 'self' blob:")
  expect(rendererCsp()).not.toContain(MEDIA_PROTOCOL)
  expect(rendererCsp([MEDIA_PROTOCOL])).toContain(`media-src 'self' ${MEDIA_PROTOCOL}: blob:`)
})
