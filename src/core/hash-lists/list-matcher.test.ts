import { afterEach, describe, expect, test } from 'vitest'
import { HASHER_ID, type FrameHash } from '../../shared/frame-hashes'
import type { HashListFrame } from '../../shared/hash-list-format'
import type { HashListMatch } from '../../shared/known-content'
import { formatHash256 } from '../../shared/pdq/hash256'
import { DecisionDraft } from '../../shared/policy'
import { copyWithFlips, fillRandomHashes, seededRandom } from '../hashes/synthetic'
import { TEAM_LIST_ID, TeamHashes } from '../sync/team-hashes'
import { openTestTinjau } from '../testing/open-test-tinjau'
import type { Tinjau } from '../tinjau'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from './testing/make-hash-list'

/**
 * Matching clips against imported hash lists, end to end through the profile: a lead's list
 * made from a decided clip's frames in one profile, imported into another, where a
 * re-encoded copy of the clip (synthetic: each hash a few bits away) finds the entry.
 */

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

const rand = seededRandom(1414)
const FRAMES = 10
const PER_FRAME = 4
/** A made-up video of FRAMES frames × PER_FRAME hashes, or a copy of one with each hash `flips` bits away. */
function video(copyOf?: Uint32Array, flips = 12): Uint32Array {
  const h = new Uint32Array(FRAMES * PER_FRAME * 8)
  if (copyOf) for (let k = 0; k < FRAMES * PER_FRAME; k++) copyWithFlips(copyOf, k, h, k, flips, rand)
  else fillRandomHashes(h, 0, FRAMES * PER_FRAME, rand)
  return h
}
const frameHashes = (h: Uint32Array, perFrame = PER_FRAME): FrameHash[] =>
  Array.from({ length: h.length / 8 / perFrame }, (_, i) => ({
    tMs: i * 1000,
    hashes: Array.from({ length: perFrame }, (_, k) => ({ hash: formatHash256(h, (i * perFrame + k) * 8), quality: 90 })),
  }))
const listFrames = (fs: FrameHash[]): HashListFrame[] => fs.map((f) => ({ t_ms: f.tMs, hashes: f.hashes }))

async function demo() {
  const t = openTestTinjau()
  open.push(t)
  await t.handlers['pack.importDemo']({})
  const mediaOf = (id: string) => t.store.sqlite.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(id) as string
  const record = (clipId: string, h: Uint32Array) => t.handlers['hashes.record']({ outcome: 'hashed', sha256: mediaOf(clipId), hasher: HASHER_ID, frames: frameHashes(h) })
  return { t, mediaOf, record }
}

const key = makeIssuerKey()

describe('hash lists in known content', () => {
  test('a list made from a decided clip’s frames is matched by a re-encoded copy in another profile, with the decision it carries', async () => {
    // The lead's profile: the original clip hashed and decided.
    const lead = await demo()
    const original = video()
    lead.record('demo-007', original)
    const decided = lead.t.handlers['decision.record'](
      DecisionDraft.parse({ clipId: 'demo-007', categories: ['violence.arson'], action: 'remove', rationale: 'crowd setting fire to a car' }),
    )
    const stored = lead.t.hashes.frames(lead.mediaOf('demo-007'))!
    const entry = makeEntry('demo-007', {
      label: 'Car set on fire, Jl. Thamrin',
      media_sha256: stored.sha256,
      frames: listFrames(frameHashes(original)),
      decision: {
        action: decided.action,
        categories: decided.categories,
        rationale: decided.rationale,
        policy_id: decided.policyId,
        policy_version: decided.policyVersion,
        decided_by: decided.reviewerId,
        decided_at: decided.decidedAt,
        source_clip_id: decided.clipId,
      },
    })
    const file = await writeTestHashList(makeHashListDoc(key, [entry, makeEntry('unrelated', {}, 99)]), key)

    // A reviewer's profile: only a re-encoded copy, under another clip, is hashed.
    const reviewer = await demo()
    reviewer.record('demo-004', video(original))
    expect(reviewer.t.handlers['clip.matches']({ clipId: 'demo-004' }).matches).toEqual([])
    await reviewer.t.handlers['hashlist.import']({ path: file })

    const { hashing, matches } = reviewer.t.handlers['clip.matches']({ clipId: 'demo-004' })
    expect(hashing).toBe('hashed')
    expect(matches).toHaveLength(1)
    const m = matches[0] as HashListMatch
    expect(m).toMatchObject({
      source: 'hashlist',
      listId: 'hl-jkt-riots',
      listName: 'Jakarta riots, known footage',
      listSource: 'hashlist',
      issuerName: 'Trust & Safety lead',
      issuerPublicKey: key.publicKey,
      entryId: 'demo-007',
      label: 'Car set on fire, Jl. Thamrin',
      sameFile: false,
      queryMatchPercent: 100,
      decision: { action: 'remove', categories: ['violence.arson'], rationale: 'crowd setting fire to a car', decidedBy: decided.reviewerId, sourceClipId: 'demo-007' },
    })
    // A clip of other footage matches no entry.
    reviewer.record('demo-001', video())
    expect(reviewer.t.handlers['clip.matches']({ clipId: 'demo-001' }).matches).toEqual([])
  })

  test('an industry vPDQ entry (one whole-frame hash a frame) matches Tinjau’s four-hash frames; the same file matches before hashing', async () => {
    const { t, mediaOf, record } = await demo()
    const original = video()
    const wholeFrames = frameHashes(original).map((f) => ({ t_ms: f.tMs, hashes: [f.hashes[0]!] }))
    const doc = makeHashListDoc(key, [
      makeEntry('te-1', { hasher: 'vpdq', frames: wholeFrames }),
      makeEntry('by-file', { media_sha256: mediaOf('demo-015') }, 5),
    ])
    await t.handlers['hashlist.import']({ path: await writeTestHashList(doc, key) })
    record('demo-004', video(original, 8))
    expect(t.handlers['clip.matches']({ clipId: 'demo-004' }).matches.map((m) => m.source === 'hashlist' && m.entryId)).toEqual(['te-1'])
    // demo-015 is not hashed: the entry naming its media file is still found.
    const waiting = t.handlers['clip.matches']({ clipId: 'demo-015' })
    expect(waiting.hashing).toBe('waiting')
    expect(waiting.matches.filter((m) => m.source === 'hashlist')).toMatchObject([{ entryId: 'by-file', sameFile: true }])
  })

  test('a newer version of the list replaces what is matched', async () => {
    const { t, record } = await demo()
    const original = video()
    record('demo-004', video(original))
    const v1 = makeHashListDoc(key, [makeEntry('e1', { frames: listFrames(frameHashes(original)) })])
    await t.handlers['hashlist.import']({ path: await writeTestHashList(v1, key) })
    expect(t.handlers['clip.matches']({ clipId: 'demo-004' }).matches).toHaveLength(1)
    const v2 = makeHashListDoc(key, [makeEntry('e2')], { created_at: '2025-10-01T00:00:00.000Z' })
    await t.handlers['hashlist.import']({ path: await writeTestHashList(v2, key) })
    expect(t.handlers['clip.matches']({ clipId: 'demo-004' }).matches).toEqual([])
  })

  test('an image entry (pdq, one hash) matches a clip that shows the picture in a few of its frames; an unrelated picture does not', async () => {
    const { t, record } = await demo()
    const picture = new Uint32Array(8)
    fillRandomHashes(picture, 0, 1, rand)
    const unrelated = new Uint32Array(8)
    fillRandomHashes(unrelated, 0, 1, rand)
    const image = (h: Uint32Array, id: string) =>
      makeEntry(id, { kind: 'image', hasher: 'pdq', frames: [{ t_ms: 0, hashes: [{ hash: formatHash256(h, 0), quality: 90 }] }] })
    // The same picture as a one-frame video entry, to show the rule differs by kind.
    const asVideo = makeEntry('as-video', { hasher: 'vpdq', frames: [{ t_ms: 0, hashes: [{ hash: formatHash256(picture, 0), quality: 90 }] }] })
    const doc = makeHashListDoc(key, [image(picture, 'known-picture'), image(unrelated, 'other-picture'), asVideo])
    await t.handlers['hashlist.import']({ path: await writeTestHashList(doc, key) })
    // A clip of its own footage that shows the picture (re-encoded: a few bits away) in its whole-frame hash at 2 of 10 frames.
    const clip = video()
    copyWithFlips(picture, 0, clip, 3 * PER_FRAME, 10, rand)
    copyWithFlips(picture, 0, clip, 4 * PER_FRAME, 10, rand)
    record('demo-004', clip)
    const matches = t.handlers['clip.matches']({ clipId: 'demo-004' }).matches
    expect(matches.map((m) => m.source === 'hashlist' && m.entryId)).toEqual(['known-picture'])
    expect(matches[0]).toMatchObject({ source: 'hashlist', label: 'known riot footage known-picture', sameFile: false, queryMatchPercent: 20, comparedMatchPercent: 100 })
    // A clip that never shows it matches no entry.
    record('demo-001', video())
    expect(t.handlers['clip.matches']({ clipId: 'demo-001' }).matches).toEqual([])
  })

  test('an image entry is matched at the profile’s distance and quality floor', async () => {
    const { t, record } = await demo()
    const picture = new Uint32Array(8)
    fillRandomHashes(picture, 0, 1, rand)
    const doc = makeHashListDoc(key, [makeEntry('pic', { kind: 'image', hasher: 'pdq', frames: [{ t_ms: 0, hashes: [{ hash: formatHash256(picture, 0), quality: 60 }] }] })])
    await t.handlers['hashlist.import']({ path: await writeTestHashList(doc, key) })
    const clip = video()
    copyWithFlips(picture, 0, clip, 0, 20, rand)
    record('demo-004', clip)
    const matched = () => t.handlers['clip.matches']({ clipId: 'demo-004' }).matches.map((m) => m.source === 'hashlist' && m.entryId)
    expect(matched()).toEqual(['pic'])
    const settings = t.handlers['settings.get']({}).matching
    // 20 bits away is beyond a tolerance of 16; the picture's quality 60 is below a floor of 70.
    t.handlers['settings.setMatching']({ ...settings, distanceTolerance: 16 })
    expect(matched()).toEqual([])
    t.handlers['settings.setMatching']({ ...settings, qualityTolerance: 70 })
    expect(matched()).toEqual([])
    t.handlers['settings.setMatching']({ ...settings })
    expect(matched()).toEqual(['pic'])
  })

  test('the team’s hashes cannot be removed by hand: a clear error, and the list stays', async () => {
    const { t } = await demo()
    new TeamHashes(t.store.sqlite).storePage([], 'c1', '2025-09-05T10:00:00.000Z', 'sync.example')
    expect(t.handlers['hashlist.list']({}).lists.map((l) => l.id)).toEqual([TEAM_LIST_ID])
    expect(() => t.handlers['hashlist.remove']({ id: TEAM_LIST_ID })).toThrow(/team's hashes, kept by sync: it cannot be removed by hand/)
    expect(t.handlers['hashlist.list']({}).lists.map((l) => l.id)).toEqual([TEAM_LIST_ID])
    // An imported list is removed as before.
    await t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(key, [makeEntry('e1')]), key) })
    expect(t.handlers['hashlist.remove']({ id: 'hl-jkt-riots' })).toEqual({ removed: true })
    expect(t.handlers['hashlist.list']({}).lists.map((l) => l.id)).toEqual([TEAM_LIST_ID])
  })
})
