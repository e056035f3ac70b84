import { mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { addAbortSignal, PassThrough, Readable } from 'node:stream'
import { expect, test } from 'vitest'
import { MediaStore } from './media-store'
import { tempDir } from './testing/make-pack'

function store(): { media: MediaStore; tmp: string } {
  const root = tempDir('tinjau-media-')
  const tmp = path.join(root, 'tmp')
  mkdirSync(path.join(root, 'media'))
  mkdirSync(tmp)
  return { media: new MediaStore(path.join(root, 'media'), tmp), tmp }
}

test('a copy stopped before its staging file was even opened leaves no file behind', async () => {
  const { media, tmp } = store()
  // Many at once, each failing on its first tick: the staging files' opens are still on
  // the thread pool when the copies fail.
  const failing = Array.from({ length: 20 }, () =>
    media.stage(
      new Readable({
        read() {
          this.destroy(new Error('stopped'))
        },
      }),
      1024,
    ),
  )
  const results = await Promise.allSettled(failing)
  expect(results.every((r) => r.status === 'rejected')).toBe(true)
  expect(readdirSync(tmp)).toEqual([])
})

test('a copy aborted as it starts (an import refused or cancelled meanwhile) leaves no file behind', async () => {
  const { media, tmp } = store()
  const stop = new AbortController()
  const copies = Array.from({ length: 20 }, () => {
    const counted = new PassThrough()
    addAbortSignal(stop.signal, counted)
    counted.write(Buffer.alloc(10))
    return media.stage(counted, 1024)
  })
  stop.abort()
  const results = await Promise.allSettled(copies)
  expect(results.every((r) => r.status === 'rejected')).toBe(true)
  expect(readdirSync(tmp)).toEqual([])
})

test('a copy over its byte limit is refused and removed', async () => {
  const { media, tmp } = store()
  await expect(media.stage(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toThrow(/more than 1000 bytes/)
  expect(readdirSync(tmp)).toEqual([])
})
