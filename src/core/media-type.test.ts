import { expect, test } from 'vitest'
import { servableMediaType } from './media-type'

test('media types pass; documents, scripts and header injection do not', () => {
  expect(servableMediaType('video/webm')).toBe('video/webm')
  expect(servableMediaType('video/mp4')).toBe('video/mp4')
  expect(servableMediaType('image/jpeg')).toBe('image/jpeg')
  for (const m of ['text/html', 'image/svg+xml', 'application/javascript', 'video/webm; codecs=vp9\r\nX: y', undefined, '']) {
    expect(servableMediaType(m)).toBe('application/octet-stream')
  }
})
