import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { DecisionsDocument } from '../../shared/decision-pack-format'
import { TinjauError } from '../../shared/errors'
import { loadOrCreateDeviceKey, type DeviceKey } from '../device-key'
import { writeDecisionPack, verifyDecisionPack, type VerifyResult } from './index'
import { readDecisionPackEntries as contents, writeForgedDecisionPack, zipOf } from './test-decision-pack'
import { clipIds, openExportProfile, type TestProfile } from './test-profile'

let p: TestProfile
let key: DeviceKey
beforeEach(() => {
  p = openExportProfile()
  key = loadOrCreateDeviceKey(p.t.dataDir)
})
afterEach(() => p.close())

const remove = (clipId: string, rationale = 'calls to burn the market') => ({ clipId, categories: ['violence.arson'], action: 'remove', rationale })

async function exportPack(opts: Parameters<typeof writeDecisionPack>[3] = {}) {
  const file = path.join(p.scratch(), 'decisions.zip')
  const result = await writeDecisionPack(p.source, key, file, opts)
  return { file, result }
}

/** The zip with an entry name changed in place (same length), where a zip writer would refuse the name. */
function renamed(zip: Buffer, from: string, to: string): Buffer {
  const out = Buffer.from(zip)
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) out.write(to, at, 'latin1')
  return out
}

/** A pack signed by a key of the test's own, holding whatever JSON the test gives. */
const forged = (doc: unknown, file = path.join(p.scratch(), 'forged.zip')) => writeForgedDecisionPack(doc, file)

const problemsOf = (r: VerifyResult) => (r.ok ? [] : r.problems.map((x) => `${x.code}: ${x.message}`))

describe('exporting a decision pack', () => {
  test('holds every decision with its revisions, signed by the device, and verifies', async () => {
    await p.importPack('pk-a', clipIds('a', 3).map((id) => ({ id })))
    p.at('2025-09-01T08:00:00.000Z')
    const first = p.record({ ...remove('a-000'), ranges: [{ startMs: 1000, endMs: 4000, label: 'call to burn', note: 'at the "market", 2nd time' }] })
    p.at('2025-09-02T08:00:00.000Z')
    const escalated = p.record({ clipId: 'a-001', categories: ['public_safety.coordination'], action: 'escalate', escalationTarget: 'imminent_harm', rationale: 'names a place' })
    p.at('2025-09-03T08:00:00.000Z')
    const revised = p.record({ ...remove('a-000', 'on reflection, limit reach'), action: 'limit', revisesId: first.id })

    const { file, result } = await exportPack({ now: () => new Date('2025-09-04T00:00:00.000Z') })
    expect(result.counts).toEqual({ decisions: 3, revisions: 1, chains: 2, clips: 2, packs: 1 })
    const { json, sig, doc } = await contents(file)
    expect(key.publicKey).toBe(doc.exporter.public_key)
    expect(sig).toHaveLength(64)
    expect(doc).toMatchObject({
      format: 'tinjau.decisions',
      version: 1,
      created_at: '2025-09-04T00:00:00.000Z',
      exporter: { device_id: p.t.identity.deviceId, reviewer_id: p.t.identity.reviewerId },
      selection: { from: null, to: null, pack_id: null },
      packs: [{ id: 'pk-a', created_at: '2025-09-04T08:00:00Z', issuer: { name: 'T&S Test', public_key: null }, policy: { id: 'live-safety', version: '2025.09' }, signed: false }],
      clip_extras: {},
    })
    expect(doc.decisions.map((d) => d.id)).toEqual([first.id, escalated.id, revised.id])
    expect(doc.decisions[0]).toEqual({
      id: first.id,
      clip_id: 'a-000',
      pack_id: 'pk-a',
      revises_id: null,
      decided_at: '2025-09-01T08:00:00.000Z',
      reviewer_id: p.t.identity.reviewerId,
      device_id: p.t.identity.deviceId,
      policy_id: 'live-safety',
      policy_version: '2025.09',
      categories: ['violence.arson'],
      action: 'remove',
      escalation_target: null,
      ranges: [{ start_ms: 1000, end_ms: 4000, label: 'call to burn', note: 'at the "market", 2nd time' }],
      rationale: 'calls to burn the market',
    })
    expect(doc.decisions[1]).toMatchObject({ action: 'escalate', escalation_target: 'imminent_harm', ranges: [] })
    expect(doc.decisions[2]).toMatchObject({ revises_id: first.id, action: 'limit' })
    // One decision per line: the file reads and diffs well.
    expect(json.toString('utf8').split('\n').filter((l) => l.startsWith('{"id":'))).toHaveLength(3)

    const check = await verifyDecisionPack(file)
    expect(check).toEqual({
      ok: true,
      summary: {
        format: 'tinjau.decisions',
        version: 1,
        createdAt: '2025-09-04T00:00:00.000Z',
        deviceId: p.t.identity.deviceId,
        reviewerId: p.t.identity.reviewerId,
        publicKey: key.publicKey,
        selection: { from: null, to: null, packId: null },
        counts: { decisions: 3, revisions: 1, chains: 2, clips: 2, packs: 1 },
        firstDecidedAt: '2025-09-01T08:00:00.000Z',
        lastDecidedAt: '2025-09-03T08:00:00.000Z',
      },
    })
    expect(await verifyDecisionPack(file, { expectedPublicKey: key.publicKey })).toMatchObject({ ok: true })
  })

  test('an empty selection is a valid pack of no decisions', async () => {
    await p.importPack('pk-a', [{ id: 'a-000' }])
    const { file, result } = await exportPack()
    expect(result.counts).toEqual({ decisions: 0, revisions: 0, chains: 0, clips: 0, packs: 0 })
    expect(await verifyDecisionPack(file)).toMatchObject({ ok: true, summary: { firstDecidedAt: null } })
  })

  test('a time range takes the decisions decided in [from, to) and the whole chains they are part of', async () => {
    await p.importPack('pk-a', clipIds('a', 3).map((id) => ({ id })))
    p.at('2025-08-01T10:00:00.000Z')
    const a = p.record(remove('a-000'))
    p.at('2025-08-02T10:00:00.000Z')
    const c = p.record(remove('a-001'))
    p.at('2025-09-05T10:00:00.000Z')
    const b = p.record({ ...remove('a-000', 'revised'), action: 'limit', revisesId: a.id })
    p.at('2025-09-06T10:00:00.000Z')
    const d = p.record({ ...remove('a-000', 'revised again'), action: 'label', revisesId: b.id })
    const ids = async (opts: { from?: string; to?: string }) => (await contents((await exportPack(opts)).file)).doc.decisions.map((x) => x.id)

    expect(await ids({ from: '2025-09-01' })).toEqual([a.id, b.id, d.id])
    expect(await ids({ to: '2025-08-02T10:00:00Z' })).toEqual([a.id, b.id, d.id])
    expect(await ids({ from: '2025-08-02T10:00:00Z', to: '2025-08-03' })).toEqual([c.id])
    expect(await ids({ from: '2025-08-02T17:00:00+07:00', to: '2025-08-03' })).toEqual([c.id])
    expect(await ids({ from: '2025-10-01' })).toEqual([])
    const { result } = await exportPack({ from: '2025-09-01' })
    expect(result.selection).toEqual({ from: '2025-09-01T00:00:00.000Z', to: null, packId: null })
  })

  test('a pack id takes the decisions on that pack\'s clips', async () => {
    await p.importPack('pk-a', [{ id: 'a-000' }])
    await p.importPack('pk-b', [{ id: 'b-000' }, { id: 'b-001' }])
    p.record(remove('a-000'))
    const b0 = p.record(remove('b-000'))
    const b1 = p.record({ clipId: 'b-001', categories: ['ok.commerce'], action: 'allow' })
    const { file, result } = await exportPack({ packId: 'pk-b' })
    const { doc } = await contents(file)
    expect(doc.decisions.map((d) => d.id)).toEqual([b0.id, b1.id])
    expect(doc.packs.map((x) => x.id)).toEqual(['pk-b'])
    expect(result.selection.packId).toBe('pk-b')
    expect(await verifyDecisionPack(file)).toMatchObject({ ok: true, summary: { selection: { packId: 'pk-b' } } })
  })

  test('refuses an unknown pack, a time without a zone, from not before to, and an existing file', async () => {
    await p.importPack('pk-a', [{ id: 'a-000' }])
    const refused = async (opts: Parameters<typeof writeDecisionPack>[3], file?: string) => {
      const err = await writeDecisionPack(p.source, key, file ?? path.join(p.scratch(), 'x.zip'), opts).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TinjauError)
      return err as TinjauError
    }
    expect((await refused({ packId: 'pk-nope' })).code).toBe('not_found')
    expect((await refused({ from: '2025-09-01T08:00:00' })).message).toMatch(/not a time with a zone/)
    expect((await refused({ from: 'yesterday' })).code).toBe('invalid_input')
    expect((await refused({ to: '2025-02-30' })).code).toBe('invalid_input')
    expect((await refused({ from: '2025-09-02', to: '2025-09-01' })).message).toMatch(/must be before/)
    const { file } = await exportPack()
    const before = readFileSync(file)
    expect((await refused({}, file)).code).toBe('conflict')
    expect(readFileSync(file)).toEqual(before)
    await writeDecisionPack(p.source, key, file, { overwrite: true })
  })

  test('round-trips the fields field-pack v1 does not define, of clips and pack headers', async () => {
    await p.importPack(
      'pk-x',
      [
        {
          id: 'x-000',
          overrides: {
            vendor_ref: { system: 'crm', id: 42 },
            stream: { id: 'live-1', title: 'Batik', language: 'id', commerce: true, vendor_tag: 'promo' },
            flags: [
              { source: 'classifier', label: 'violence.arson', score: 0.9 },
              { source: 'user_report', label: 'hate', count: 3, vendor_score: 0.25 },
            ],
          },
        },
        { id: 'x-001' },
      ],
      { vendor_batch: 'b-7', issuer: { name: 'T&S', region: 'JKT' } },
    )
    p.record(remove('x-000'))
    p.record(remove('x-001'))
    const { doc } = await contents((await exportPack()).file)
    expect(doc.clip_extras).toEqual({ 'x-000': { vendor_ref: { system: 'crm', id: 42 }, stream: { vendor_tag: 'promo' }, flags: [{}, { vendor_score: 0.25 }] } })
    expect(doc.packs[0]!.extra).toEqual({ vendor_batch: 'b-7', issuer: { region: 'JKT' } })
  })

  test('unknown fields are found as well when a few clips of a large pack are exported (read clip by clip)', async () => {
    const ids = clipIds('y', 40)
    await p.importPack('pk-y', ids.map((id, i) => ({ id, overrides: i === 7 ? { vendor_ref: 'V-7' } : {} })))
    p.record(remove('y-007'))
    const { doc } = await contents((await exportPack()).file)
    expect(doc.clip_extras).toEqual({ 'y-007': { vendor_ref: 'V-7' } })
  })

  test('a few hundred decisions export quickly (a sanity check; the benchmark measures 100,000)', async () => {
    const ids = clipIds('s', 300)
    await p.importPack('pk-s', ids.map((id) => ({ id })))
    p.t.store.sqlite.transaction(() => ids.forEach((id) => p.record(remove(id))))()
    const started = performance.now()
    const { file, result } = await exportPack()
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(result.counts.decisions).toBe(300)
    expect(await verifyDecisionPack(file)).toMatchObject({ ok: true })
  })
})

describe('verifying a decision pack', () => {
  async function goodPack() {
    await p.importPack('pk-a', clipIds('a', 2).map((id) => ({ id })))
    const first = p.record(remove('a-000'))
    p.record({ ...remove('a-000', 'again'), action: 'limit', revisesId: first.id })
    p.record(remove('a-001'))
    return exportPack()
  }

  test('one changed byte anywhere in decisions.json breaks the signature', async () => {
    const { file } = await goodPack()
    const { json, sig } = await contents(file)
    const changed = Buffer.from(json)
    const at = changed.indexOf('calls to burn')
    changed[at] = 'C'.charCodeAt(0)
    const tampered = path.join(p.scratch(), 'tampered.zip')
    writeFileSync(tampered, await zipOf([['decisions.json', changed], ['decisions.sig', sig]]))
    const problems = problemsOf(await verifyDecisionPack(tampered))
    expect(problems).toEqual([expect.stringMatching(/^signature: decisions\.sig does not match decisions\.json under ed25519:/)])
  })

  test('a changed byte of the zip file itself is found', async () => {
    const { file } = await goodPack()
    const bytes = readFileSync(file)
    // A byte inside the compressed decisions.json: the inflated text or its CRC no longer matches.
    bytes[60] = bytes[60]! ^ 0xff
    writeFileSync(file, bytes)
    const r = await verifyDecisionPack(file)
    expect(r.ok).toBe(false)
    expect(problemsOf(r).join('\n')).toMatch(/decisions\.json|signature|damaged/)
  })

  test('another signer, or a key other than the expected one, is named', async () => {
    const { file } = await goodPack()
    const { doc } = await contents(file)
    const other = await forged(doc)
    const otherKey = (await contents(other)).doc.exporter.public_key
    expect(await verifyDecisionPack(other)).toMatchObject({ ok: true })
    expect(problemsOf(await verifyDecisionPack(other, { expectedPublicKey: key.publicKey }))).toEqual([
      `key_mismatch: signed by ${otherKey}, not by the expected key ${key.publicKey}`,
    ])
  })

  test.each([
    ['not a zip', async (f: string) => writeFileSync(f, 'just text'), /^container: not a readable zip file/],
    ['an extra entry', async (f: string) => writeFileSync(f, await zipOf([['decisions.json', Buffer.from('{}')], ['decisions.sig', Buffer.alloc(64)], ['evil.sh', Buffer.from('rm -rf')]])), /unexpected entry "evil\.sh"/],
    ['no signature', async (f: string) => writeFileSync(f, await zipOf([['decisions.json', Buffer.from('{}')]])), /entry decisions\.sig is missing/],
    ['the same entry twice', async (f: string) => writeFileSync(f, await zipOf([['decisions.json', Buffer.from('{}')], ['decisions.json', Buffer.from('{}')], ['decisions.sig', Buffer.alloc(64)]])), /decisions\.json appears more than once/],
    ['a path outside the zip', async (f: string) => writeFileSync(f, renamed(await zipOf([['aa/decisions.json', Buffer.from('{}')], ['decisions.sig', Buffer.alloc(64)]]), 'aa/', '../')), /container: .*\.\.\/decisions\.json/],
    ['many entries', async (f: string) => writeFileSync(f, await zipOf(Array.from({ length: 20 }, (_, i): [string, Buffer] => [`e${i}`, Buffer.alloc(1)]))), /holds 20 entries; expected exactly decisions\.json and decisions\.sig/],
    ['a signature of the wrong size', async (f: string) => writeFileSync(f, await zipOf([['decisions.json', Buffer.from('{}')], ['decisions.sig', Buffer.alloc(65)]])), /decisions\.sig is 65 bytes, more than the limit of 64/],
    ['JSON that is not UTF-8', async (f: string) => writeFileSync(f, await zipOf([['decisions.json', Buffer.from([0x7b, 0xff, 0x7d])], ['decisions.sig', Buffer.alloc(64)]])), /encoding: decisions\.json is not valid UTF-8/],
    ['text that is not JSON', async (f: string) => writeFileSync(f, await zipOf([['decisions.json', Buffer.from('{"format":')], ['decisions.sig', Buffer.alloc(64)]])), /json: decisions\.json is not valid JSON/],
  ])('refuses %s', async (_name, make, expected) => {
    const file = path.join(p.scratch(), 'bad.zip')
    await make(file)
    const r = await verifyDecisionPack(file)
    expect(r.ok).toBe(false)
    expect(problemsOf(r).join('\n')).toMatch(expected)
  })

  test('a decisions.json over the size limit is refused before it is read', async () => {
    const { file } = await goodPack()
    expect(problemsOf(await verifyDecisionPack(file, { maxJsonBytes: 100 }))).toEqual([expect.stringMatching(/^container: entry decisions\.json is \d+ bytes, more than the limit of 100$/)])
  })

  test('a deflate bomb stops at the limit', async () => {
    const file = path.join(p.scratch(), 'bomb.zip')
    writeFileSync(file, await zipOf([['decisions.json', Buffer.alloc(50 * 1024 * 1024, 0x20)], ['decisions.sig', Buffer.alloc(64)]]))
    expect(readFileSync(file).length).toBeLessThan(200_000)
    expect(problemsOf(await verifyDecisionPack(file, { maxJsonBytes: 1024 * 1024 }))[0]).toMatch(/more than the limit of 1048576/)
  })

  test.each([
    ['a newer version', (d: DecisionsDocument) => ({ ...d, version: 2 }), /^format: decisions\.json: version 2 is not supported/],
    ['another format', (d: DecisionsDocument) => ({ ...d, format: 'tinjau.pack' }), /^format: decisions\.json: format is "tinjau\.pack"/],
    ['a field that is not in the format', (d: DecisionsDocument) => ({ ...d, decisions: d.decisions.map((x) => ({ ...x, score: 1 })) }), /^shape: decisions\.json: decisions\.0: Unrecognized key: "score"/],
    ['a missing field', (d: DecisionsDocument) => ({ ...d, decisions: d.decisions.map(({ action: _a, ...x }) => x) }), /^shape: decisions\.json: decisions\.0\.action: /],
    ['a duplicate id', (d: DecisionsDocument) => ({ ...d, decisions: [...d.decisions, d.decisions[2]], counts: { ...d.counts, decisions: 4, chains: 3 } }), /^ids: decision .* appears more than once/],
    ['a revision of a decision not in the pack', (d: DecisionsDocument) => ({ ...d, decisions: d.decisions.slice(1), counts: { ...d.counts, decisions: 2, chains: 1, revisions: 1 } }), /^revisions: decision .* revises .*, which is not in the pack/],
    ['a loop of revisions', (d: DecisionsDocument) => ({ ...d, decisions: d.decisions.map((x, i) => (i === 0 ? { ...x, revises_id: d.decisions[1]!.id } : x)), counts: { ...d.counts, revisions: 2, chains: 1 } }), /^revisions: decision .* is part of a loop/],
    ['a revision on another clip', (d: DecisionsDocument) => ({ ...d, decisions: d.decisions.map((x, i) => (i === 2 ? { ...x, revises_id: d.decisions[1]!.id } : x)), counts: { ...d.counts, revisions: 2, chains: 1 } }), /on another clip/],
    ['counts that do not match', (d: DecisionsDocument) => ({ ...d, counts: { ...d.counts, decisions: 99 } }), /^counts: counts\.decisions says 99, but the pack holds 3/],
    ['a pack nobody decided on', (d: DecisionsDocument) => ({ ...d, packs: [...d.packs, { ...d.packs[0]!, id: 'pk-z' }], counts: { ...d.counts, packs: 2 } }), /^packs: pack pk-z is listed but no decision comes from it/],
    ['clip extras of a clip not in the pack', (d: DecisionsDocument) => ({ ...d, clip_extras: { 'zz-1': { a: 1 } } }), /^ids: clip_extras names clip zz-1/],
  ])('a correctly signed pack with %s is refused', async (_name, edit, expected) => {
    const { file } = await goodPack()
    const { doc } = await contents(file)
    const problems = problemsOf(await verifyDecisionPack(await forged(edit(doc))))
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.join('\n')).toMatch(expected)
  })
})
