import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { loadOrCreateDeviceKey, type DeviceKey } from '../device-key'
import type { DecisionsDocument } from '../../shared/decision-pack-format'
import type { PackedMatchedFromClip } from '../../shared/matched-from'
import { writeDecisionPack, verifyDecisionPack } from './index'
import { readDecisionPackEntries, writeForgedDecisionPack } from './test-decision-pack'
import { clipIds, openExportProfile, type TestProfile } from './test-profile'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../hash-lists/testing/make-hash-list'

/** Issue 14: `matched_from` in the decision pack, written only when a decision has one. */

let p: TestProfile
let key: DeviceKey
beforeEach(() => {
  p = openExportProfile()
  key = loadOrCreateDeviceKey(p.t.dataDir)
})
afterEach(() => p.close())

const remove = (clipId: string) => ({ clipId, categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn the market' })

async function exported(): Promise<{ file: string; json: string; doc: DecisionsDocument }> {
  const file = path.join(p.scratch(), 'decisions.zip')
  await writeDecisionPack(p.source, key, file, { now: () => new Date('2025-09-04T00:00:00.000Z') })
  const { json, doc } = await readDecisionPackEntries(file)
  return { file, json: json.toString('utf8'), doc }
}

const forged = (doc: unknown) => writeForgedDecisionPack(doc, path.join(p.scratch(), 'forged.zip'))

describe('matched_from in a decision pack', () => {
  test('round trip: written last and only where set, signed, verified, lines without a match unchanged', async () => {
    await p.importPack('pk-a', clipIds('a', 2).map((id) => ({ id })))
    p.at('2025-09-01T08:00:00.000Z')
    const original = p.record(remove('a-000'))
    p.at('2025-09-01T08:05:00.000Z')
    const copy = p.record({
      ...remove('a-001'),
      matchedFrom: { source: 'clip', clipId: 'a-000', decisionId: original.id, queryMatchPercent: 92.5, comparedMatchPercent: 100, sameFile: false },
    })
    const { file, json, doc } = await exported()
    const lines = json.split('\n').filter((l) => l.startsWith('{"id":'))
    const common = (id: string, clipId: string, decidedAt: string) => ({
      id,
      clip_id: clipId,
      pack_id: 'pk-a',
      revises_id: null,
      decided_at: decidedAt,
      reviewer_id: p.t.identity.reviewerId,
      device_id: p.t.identity.deviceId,
      policy_id: 'live-safety',
      policy_version: '2025.09',
      categories: ['violence.arson'],
      action: 'remove',
      escalation_target: null,
      ranges: [],
      rationale: 'calls to burn the market',
    })
    // Byte for byte: the decision made from scratch is the line a pack held before matched_from existed.
    expect(lines[0]!.replace(/,$/, '')).toBe(JSON.stringify(common(original.id, 'a-000', '2025-09-01T08:00:00.000Z')))
    expect(lines[1]!.replace(/,$/, '')).toBe(
      JSON.stringify({
        ...common(copy.id, 'a-001', '2025-09-01T08:05:00.000Z'),
        matched_from: { source: 'clip', clip_id: 'a-000', decision_id: original.id, query_match_percent: 92.5, compared_match_percent: 100, same_file: false },
      }),
    )
    expect(doc.decisions[0]).not.toHaveProperty('matched_from')
    expect(await verifyDecisionPack(file, { expectedPublicKey: key.publicKey })).toMatchObject({ ok: true, summary: { version: 1 } })
  })

  test('a pack without any matched_from (as written before it existed) still verifies', async () => {
    await p.importPack('pk-a', clipIds('a', 2).map((id) => ({ id })))
    p.record(remove('a-000'))
    p.record(remove('a-001'))
    const { file, json } = await exported()
    expect(json).not.toContain('matched_from')
    expect(await verifyDecisionPack(file)).toMatchObject({ ok: true })
  })

  test('a correctly signed pack whose decision matched its own clip, or whose matched_from is malformed, is refused', async () => {
    await p.importPack('pk-a', clipIds('a', 2).map((id) => ({ id })))
    const original = p.record(remove('a-000'))
    p.record({ ...remove('a-001'), matchedFrom: { source: 'clip', clipId: 'a-000', decisionId: original.id, queryMatchPercent: 80, comparedMatchPercent: 75, sameFile: false } })
    const { doc } = await exported()

    const own = structuredClone(doc)
    const ownMatch = own.decisions[1]!.matched_from as PackedMatchedFromClip
    ownMatch.clip_id = 'a-001'
    const ownCheck = await verifyDecisionPack(await forged(own))
    expect(ownCheck.ok ? [] : ownCheck.problems).toEqual([{ code: 'matches', message: `decision ${doc.decisions[1]!.id} says it came from a match with its own clip a-001` }])

    for (const bad of [
      { source: 'elsewhere', clip_id: 'a-000', decision_id: null, query_match_percent: 80, compared_match_percent: 75, same_file: false },
      { ...doc.decisions[1]!.matched_from, query_match_percent: 101 },
      { ...doc.decisions[1]!.matched_from, note: 'extra' },
      null,
    ]) {
      const changed = structuredClone(doc) as unknown as { decisions: Record<string, unknown>[] }
      changed.decisions[1]!.matched_from = bad
      const check = await verifyDecisionPack(await forged(changed))
      expect(check.ok, JSON.stringify(bad)).toBe(false)
      if (!check.ok) expect(check.problems.map((x) => x.code)).toContain('shape')
    }
  })

  test('a match with a hash list entry: written with the list, its version and the entry, verified; a malformed one refused', async () => {
    await p.importPack('pk-a', clipIds('a', 1).map((id) => ({ id })))
    const issuer = makeIssuerKey()
    await p.t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(issuer, [makeEntry('e1')]), issuer) })
    const d = p.record({
      ...remove('a-000'),
      matchedFrom: {
        source: 'hashlist',
        listId: 'hl-jkt-riots',
        listSource: 'hashlist',
        listVersion: '2025-09-05T10:00:00.000Z',
        entryId: 'e1',
        label: 'known riot footage e1',
        queryMatchPercent: 96.4,
        comparedMatchPercent: 100,
        sameFile: false,
      },
    })
    const { file, json, doc } = await exported()
    const line = json.split('\n').find((l) => l.startsWith(`{"id":"${d.id}"`))!
    expect(line.replace(/,$/, '')).toMatch(
      /,"matched_from":\{"source":"hashlist","list_id":"hl-jkt-riots","list_source":"hashlist","list_version":"2025-09-05T10:00:00.000Z","entry_id":"e1","label":"known riot footage e1","query_match_percent":96.4,"compared_match_percent":100,"same_file":false\}\}$/,
    )
    expect(await verifyDecisionPack(file, { expectedPublicKey: key.publicKey })).toMatchObject({ ok: true })

    for (const bad of [
      { ...doc.decisions[0]!.matched_from, list_version: 'yesterday' },
      { ...doc.decisions[0]!.matched_from, list_source: 'industry' },
      { ...doc.decisions[0]!.matched_from, label: 'x'.repeat(201) },
      { ...doc.decisions[0]!.matched_from, clip_id: 'a-000' },
    ]) {
      const changed = structuredClone(doc) as unknown as { decisions: Record<string, unknown>[] }
      changed.decisions[0]!.matched_from = bad
      const check = await verifyDecisionPack(await forged(changed))
      expect(check.ok, JSON.stringify(bad)).toBe(false)
      if (!check.ok) expect(check.problems.map((x) => x.code)).toContain('shape')
    }
  })
})
