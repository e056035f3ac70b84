import { afterEach, beforeEach, expect, it } from 'vitest'
import { decisionCount, startFixture, type WebFixture } from './testing/web-fixture'

/** `decision.recordMany` (issue 14, apply to all copies) over the web host's HTTP API, as the console calls it. */

let fx: WebFixture
beforeEach(async () => {
  fx = await startFixture()
})
afterEach(async () => {
  await fx.close()
})

const removeDraft = (clipId: string) => ({ clipId, categories: ['violence.arson'], action: 'remove', rationale: 'setting fire to a shop on stream' })

it('decides the copies in one call, each its own decision pointing at the clip decided; a bad draft refuses all of them', async () => {
  expect((await fx.api('pack.importDirectory', { path: fx.pack(3) })).status).toBe(200)
  const original = (await (await fx.api('decision.record', removeDraft('clip-000000'))).json()).value
  const matchedFrom = { source: 'clip', clipId: 'clip-000000', decisionId: original.id, queryMatchPercent: 97, comparedMatchPercent: 95, sameFile: false }

  const bad = await fx.api('decision.recordMany', { decisions: [{ ...removeDraft('clip-000001'), matchedFrom }, { ...removeDraft('clip-000002'), matchedFrom: { ...matchedFrom, clipId: 'nope' } }] })
  expect(bad.status).toBe(404)
  expect((await bad.json()).error).toMatchObject({ code: 'not_found', details: [{ path: 'decisions.1.matchedFrom.clipId', message: 'unknown clip' }] })
  expect(decisionCount(fx.tinjau)).toBe(1)

  const res = await fx.api('decision.recordMany', { decisions: ['clip-000001', 'clip-000002'].map((id) => ({ ...removeDraft(id), matchedFrom })) })
  expect(res.status).toBe(200)
  const { items } = (await res.json()).value
  expect(items.map((d: { clipId: string }) => d.clipId)).toEqual(['clip-000001', 'clip-000002'])
  for (const d of items as { matchedFrom: unknown }[]) expect(d.matchedFrom).toEqual(matchedFrom)
  expect(decisionCount(fx.tinjau)).toBe(3)
})
