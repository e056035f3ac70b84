import { afterEach, describe, expect, test } from 'vitest'
import { HASHER_ID, type FrameHash } from '../../shared/frame-hashes'
import { formatHash256 } from '../../shared/pdq/hash256'
import { DecisionDraft } from '../../shared/policy'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { refusedWithoutChange } from '../testing/expect-refused'
import type { Tinjau } from '../tinjau'
import { copyWithFlips, fillRandomHashes, seededRandom } from './synthetic'
import type { KnownMatch } from '../../shared/known-content'

const clipOf = (m: KnownMatch) => (m.source === 'clip' ? m.clipId : `${m.listId}/${m.entryId}`)

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

const rand = seededRandom(14)
/** Eight frames of a made-up video, or a copy of one with each frame `flips` bits away. */
function video(copyOf?: Uint32Array, flips = 12): Uint32Array {
  const h = new Uint32Array(8 * 8)
  if (copyOf) for (let f = 0; f < 8; f++) copyWithFlips(copyOf, f, h, f, flips, rand)
  else fillRandomHashes(h, 0, 8, rand)
  return h
}
const frames = (h: Uint32Array, quality = 90): FrameHash[] =>
  Array.from({ length: h.length / 8 }, (_, i) => ({ tMs: i * 1000, hashes: [{ hash: formatHash256(h, i * 8), quality }] }))

async function demo() {
  const t = openTestTinjau()
  open.push(t)
  await t.handlers['pack.importDemo']({})
  const mediaOf = (id: string) => t.store.sqlite.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(id) as string
  const record = (clipId: string, h: Uint32Array, quality?: number) =>
    t.handlers['hashes.record']({ outcome: 'hashed', sha256: mediaOf(clipId), hasher: HASHER_ID, frames: frames(h, quality) })
  return { t, mediaOf, record }
}

describe('known content: clips that show the same footage', () => {
  test('a re-encoded copy finds the decided original, with its decision and how much matched', async () => {
    const { t, record } = await demo()
    const original = video()
    record('demo-007', original)
    record('demo-004', video(original))
    record('demo-001', video())
    const decided = t.handlers['decision.record'](
      DecisionDraft.parse({ clipId: 'demo-007', categories: ['violence.arson'], action: 'remove', rationale: 'crowd setting fire to a car' }),
    )

    const { hashing, matches } = t.handlers['clip.matches']({ clipId: 'demo-004' })
    expect(hashing).toBe('hashed')
    expect(matches).toHaveLength(1)
    expect(matches[0]).toMatchObject({
      clipId: 'demo-007',
      sameFile: false,
      queryMatchPercent: 100,
      comparedMatchPercent: 100,
      decision: { id: decided.id, action: 'remove', categories: ['violence.arson'] },
      outcome: null,
    })
    // And the other way round: the original knows its (undecided) copy.
    expect(t.handlers['clip.matches']({ clipId: 'demo-007' }).matches.map((m) => [clipOf(m), m.decision])).toEqual([['demo-004', null]])
    expect(t.handlers['clip.matches']({ clipId: 'demo-001' }).matches).toEqual([])
  })

  test('frames hashed later join the index that is already built', async () => {
    const { t, record } = await demo()
    const original = video()
    record('demo-007', original)
    expect(t.handlers['clip.matches']({ clipId: 'demo-007' }).matches).toEqual([])
    record('demo-004', video(original, 20))
    expect(t.handlers['clip.matches']({ clipId: 'demo-007' }).matches.map((m) => clipOf(m))).toEqual(['demo-004'])
    // Hashed again to something else (another hasher version): the old frames leave the index.
    record('demo-004', video())
    expect(t.handlers['clip.matches']({ clipId: 'demo-007' }).matches).toEqual([])
  })

  test('an index loaded ahead (as hosts do in the background) holds what was stored, and takes what comes later', async () => {
    const { t, record } = await demo()
    const original = video()
    record('demo-007', original)
    t.knownContent.warm()
    record('demo-004', video(original))
    expect(t.handlers['clip.matches']({ clipId: 'demo-004' }).matches.map((m) => clipOf(m))).toEqual(['demo-007'])
    expect(t.handlers['clip.matches']({ clipId: 'demo-007' }).matches.map((m) => clipOf(m))).toEqual(['demo-004'])
  })

  test('copies too far apart, or of too low a quality, do not match', async () => {
    const { t, record } = await demo()
    const original = video()
    record('demo-007', original)
    record('demo-004', video(original, 40))
    record('demo-001', video(original, 4), 30)
    expect(t.handlers['clip.matches']({ clipId: 'demo-007' }).matches).toEqual([])
  })

  test('the same file in two clips (the demo’s Re-live) matches before and after hashing; decided ones come first', async () => {
    const { t, record } = await demo()
    expect(t.handlers['clip.matches']({ clipId: 'demo-015' })).toMatchObject({
      hashing: 'waiting',
      matches: [{ clipId: 'demo-008', sameFile: true, queryMatchPercent: 100 }],
    })
    const v = video()
    record('demo-008', v)
    record('demo-013', video(v, 6))
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'demo-013', categories: ['ok.news'], action: 'allow' }))
    const { matches } = t.handlers['clip.matches']({ clipId: 'demo-015' })
    expect(matches.map((m) => [clipOf(m), m.sameFile, m.decision?.action ?? null])).toEqual([
      ['demo-013', false, 'allow'],
      ['demo-008', true, null],
    ])
  })

  test('a clip whose file could not be decoded says so; an unknown clip is refused', async () => {
    const { t, mediaOf } = await demo()
    t.handlers['hashes.record']({ outcome: 'failed', sha256: mediaOf('demo-002'), error: 'MEDIA_ERR_DECODE at 3000 ms' })
    expect(t.handlers['clip.matches']({ clipId: 'demo-002' })).toEqual({ hashing: 'failed', matches: [] })
    expect(refusedWithoutChange(t, () => t.handlers['clip.matches']({ clipId: 'no-such-clip' })).code).toBe('not_found')
  })
})
