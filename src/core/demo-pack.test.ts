import { afterEach, expect, test } from 'vitest'
import { openTestTinjau } from './testing/open-test-tinjau'
import type { Tinjau } from './tinjau'

let t: Tinjau | undefined
afterEach(() => t?.close())

// The committed demo pack must stay importable by the importer that ships with it.
test('the demo pack imports cleanly and covers the situations of the brief', async () => {
  t = openTestTinjau()
  expect(t.handlers['app.info']({})).toMatchObject({ clipCount: 0, demoAvailable: true })
  const summary = await t.handlers['pack.importDemo']({})
  expect(summary.clips).toBeGreaterThanOrEqual(12)
  expect(summary.added).toBe(summary.clips)
  const page = t.handlers['queue.list']({ limit: 500, offset: 0 })
  const labels = new Set(page.items.flatMap((i) => i.flagLabels))
  for (const label of ['violence.arson', 'public_safety.provocation', 'commerce.fraud']) expect(labels).toContain(label)
  const sources = new Set(page.items.flatMap((i) => i.flagSources))
  expect([...sources].sort()).toEqual(['authority_request', 'classifier', 'keyword', 'trusted_flagger', 'user_report'])
  expect(page.items.some((i) => i.commerce)).toBe(true)
  expect(page.items.some((i) => !i.commerce)).toBe(true)
  const clip = t.handlers['clip.get']({ clipId: page.items[0]!.id })
  expect(clip.transcript.length).toBeGreaterThan(0)
  expect(clip.chat.length).toBeGreaterThan(0)
  expect(t.media.has(clip.media.sha256)).toBe(true)
})
