import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { DsaStatementsFile, validateDsaStatement, validateDsaStatementsFile, type DsaStatement } from '../../shared/dsa-statement'
import { TinjauError } from '../../shared/errors'
import { actionsAllowedFor, ESCALATE_ACTION, type DecisionDraftInput } from '../../shared/policy'
import { clampDay, clock, languageCode, puidFor, truncate } from './dsa-map'
import { buildDsaStatements, writeDsaStatements } from './index'
import { resolveSelection } from './selection'
import { DsaFilePool } from './dsa-pool'
import { clipIds, openExportProfile, type TestProfile } from './test-profile'

let p: TestProfile
beforeEach(() => {
  p = openExportProfile()
})
afterEach(() => p.close())

interface ClipShape {
  flags?: { source: string; label: string; reference?: string }[]
  commerce?: boolean
  language?: string | undefined
  accountType?: 'business' | 'private'
}

/** makeClip overrides for a clip of this shape (stream and account are replaced whole). */
function shaped(id: string, s: ClipShape = {}): Record<string, unknown> {
  return {
    stream: { id: `live-${id}`, title: `Stream ${id}`, ...(s.language !== undefined ? { language: s.language } : {}), commerce: s.commerce ?? false },
    account: { id: `acct-${id}`, handle: `seller.${id}`, display_name: `Seller ${id}`, type: s.accountType ?? 'business' },
    flags: s.flags ?? [{ source: 'user_report', label: 'violence.arson', count: 3 }],
  }
}

async function writeAll(opts: Parameters<typeof writeDsaStatements>[2] = {}) {
  const dir = path.join(p.scratch(), 'dsa')
  const result = await writeDsaStatements(p.source, dir, opts)
  const files = readdirSync(dir).sort()
  const bodies = files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown)
  const statements = bodies.flatMap((b) => (b as { statements: DsaStatement[] }).statements)
  return { dir, result, files, bodies, statements, text: files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n') }
}

const FLAG_SETS = [
  [{ source: 'classifier', label: 'violence.arson' }, { source: 'user_report', label: 'public_safety.provocation' }],
  [{ source: 'authority_request', label: 'public_safety.provocation', reference: 'REQ-1' }],
  [{ source: 'trusted_flagger', label: 'hate' }, { source: 'keyword', label: 'hate' }],
  [{ source: 'classifier', label: 'violence.graphic' }],
]
const LANGUAGES = ['id', 'en-US', 'zz', undefined]

describe('DSA statements of reasons', () => {
  test('every action with every category the policy allows: restrictive ones give a valid statement, allow and escalate none', async () => {
    const { policy } = p.t
    const combos: DecisionDraftInput[] = []
    for (const category of policy.categories) {
      for (const action of actionsAllowedFor(policy, category.kind)) {
        combos.push({
          clipId: `combo-${String(combos.length).padStart(3, '0')}`,
          categories: [category.id],
          action: action.id,
          rationale: `${action.id} for ${category.id}`,
          ...(action.id === ESCALATE_ACTION ? { escalationTarget: 'senior_review' } : {}),
          ranges: [{ startMs: 1000, endMs: 2500, label: 'here', note: 'and here' }],
        })
      }
    }
    // 11 violation categories × 7 actions, 4 no-violation categories × 3 (allow, label, escalate).
    expect(combos).toHaveLength(89)
    await p.importPack(
      'pk-all',
      combos.map((c, i) => ({
        id: c.clipId,
        overrides: shaped(c.clipId, { flags: FLAG_SETS[i % 4], commerce: i % 2 === 0, language: LANGUAGES[i % 4], accountType: i % 3 === 0 ? 'private' : 'business' }),
      })),
    )
    const recorded = combos.map((c) => p.record(c))

    const { result, statements, bodies } = await writeAll()
    const restrictive = recorded.filter((d) => policy.actions.find((a) => a.id === d.action)?.dsa)
    expect(restrictive).toHaveLength(11 * 6 + 4)
    expect(statements.map((s) => s.puid)).toEqual(restrictive.map((d) => d.id))
    expect(result.skipped).toEqual({ not_restrictive: 89 - restrictive.length, unknown_action: 0 })
    for (const body of bodies) expect(validateDsaStatementsFile(body)).toMatchObject({ ok: true })
    for (const s of statements) expect(validateDsaStatement(s)).toMatchObject({ ok: true })

    const byPuid = new Map(statements.map((s) => [s.puid, s]))
    for (const [i, d] of recorded.entries()) {
      const s = byPuid.get(d.id)
      const action = policy.actions.find((a) => a.id === d.action)!
      if (!action.dsa) {
        expect(s, `${d.action} gives no statement`).toBeUndefined()
        continue
      }
      const category = policy.categories.find((c) => c.id === d.categories[0])!
      expect(s).toBeDefined()
      expect(s!.decision_visibility).toEqual(action.dsa.decision_visibility)
      expect(s!.decision_provision).toBe(action.dsa.decision_provision)
      expect(s!.decision_account).toBe(action.dsa.decision_account)
      expect(s!.category).toBe(category.dsa?.category ?? 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC')
      expect(s!.category_specification).toEqual(category.dsa && category.dsa.keywords.length > 0 ? category.dsa.keywords : undefined)
      expect(s!.incompatible_content_ground).toBe(`live-safety: ${category.name.en}`)
      expect(s!.source_type).toBe(['SOURCE_ARTICLE_16', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_VOLUNTARY'][i % 4])
      expect(s!.incompatible_content_illegal).toBe(i % 4 === 1 ? 'Yes' : 'No')
      expect(s!.automated_detection).toBe(i % 4 === 1 ? 'No' : 'Yes')
      expect(s!.content_language).toBe(['ID', 'EN', undefined, undefined][i % 4])
      expect(s!.account_type).toBe(i % 3 === 0 ? 'ACCOUNT_TYPE_PRIVATE' : 'ACCOUNT_TYPE_BUSINESS')
      const product = i % 2 === 0 && d.categories[0]!.split('.').includes('commerce')
      expect(s!.content_type).toEqual(product ? ['CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_PRODUCT'] : ['CONTENT_TYPE_VIDEO'])
    }
  })

  test('one statement in full: the mapping of policy-default.md', async () => {
    await p.importPack('pk-one', [{ id: 'one', overrides: { ...shaped('one', { flags: FLAG_SETS[0], commerce: true, language: 'id' }), captured_at: '2025-08-29T23:30:00+07:00' } }])
    p.at('2025-09-04T10:15:00.000Z')
    const d = p.record({
      clipId: 'one',
      categories: ['commerce.fraud', 'commerce.prohibited'],
      action: 'end_live',
      rationale: '  Transfer-first scheme while selling fireworks.  ',
      ranges: [{ startMs: 21_500, endMs: 24_000, label: 'transfer first', note: '' }, { startMs: 0, endMs: 900, label: '', note: '' }],
    })
    const { statements } = await writeAll()
    expect(statements).toEqual([
      {
        decision_visibility: ['DECISION_VISIBILITY_CONTENT_DISABLED'],
        decision_provision: 'DECISION_PROVISION_PARTIAL_SUSPENSION',
        decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
        incompatible_content_ground: 'live-safety: Scams and fraud in live selling, Prohibited or unsafe products',
        incompatible_content_explanation: 'Transfer-first scheme while selling fireworks.',
        incompatible_content_illegal: 'No',
        content_type: ['CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_PRODUCT'],
        category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
        category_addition: ['STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS'],
        category_specification: ['KEYWORD_OTHER', 'KEYWORD_PROHIBITED_PRODUCTS'],
        account_type: 'ACCOUNT_TYPE_BUSINESS',
        content_language: 'ID',
        content_date: '2025-08-29',
        application_date: '2025-09-04',
        decision_facts: 'Transfer-first scheme while selling fireworks.\n\nTime ranges in the clip:\n- 0:21.500–0:24.000 transfer first\n- 0:00.000–0:00.900',
        source_type: 'SOURCE_ARTICLE_16',
        automated_detection: 'Yes',
        automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
        puid: d.id,
      },
    ])
  })

  test('of a revised decision only the one in force counts; with `to`, the one in force then', async () => {
    await p.importPack('pk-r', clipIds('r', 3).map((id) => ({ id, overrides: shaped(id) })))
    p.at('2025-09-01T08:00:00Z')
    const removed = p.record({ clipId: 'r-000', categories: ['hate'], action: 'remove', rationale: 'slur' })
    const limited = p.record({ clipId: 'r-001', categories: ['hate'], action: 'remove', rationale: 'slur' })
    const escalated = p.record({ clipId: 'r-002', categories: ['hate'], action: 'escalate', escalationTarget: 'legal', rationale: 'unsure' })
    p.at('2025-09-10T08:00:00Z')
    p.record({ clipId: 'r-000', categories: ['ok.news'], action: 'allow', rationale: 'news after all', revisesId: removed.id })
    const limit = p.record({ clipId: 'r-001', categories: ['hate'], action: 'limit', rationale: 'limit instead', revisesId: limited.id })
    const resolved = p.record({ clipId: 'r-002', categories: ['hate'], action: 'remove', rationale: 'legal says remove', revisesId: escalated.id })

    expect((await writeAll()).statements.map((s) => s.puid)).toEqual([limit.id, resolved.id])
    // As of 5 September, the first decisions were in force (the escalation restricts nothing).
    expect((await writeAll({ to: '2025-09-05' })).statements.map((s) => s.puid)).toEqual([removed.id, limited.id])
    expect((await writeAll({ from: '2025-09-05' })).statements.map((s) => s.puid)).toEqual([limit.id, resolved.id])
  })

  test('at most 100 statements a file, in order, files numbered from 0001', async () => {
    const ids = clipIds('m', 290)
    await p.importPack('pk-many', ids.map((id) => ({ id, overrides: shaped(id) })))
    const recorded = p.t.store.sqlite.transaction(() => ids.map((id) => p.record({ clipId: id, categories: ['violence.graphic'], action: 'age_restrict', rationale: 'gore' })))()
    const { files, bodies, result } = await writeAll()
    expect(files).toEqual(['dsa-statements-0001.json', 'dsa-statements-0002.json', 'dsa-statements-0003.json'])
    expect(bodies.map((b) => (b as DsaStatementsFile).statements.length)).toEqual([100, 100, 90])
    expect(result.statements).toBe(290)
    expect(bodies.flatMap((b) => (b as DsaStatementsFile).statements.map((s) => s.puid))).toEqual(recorded.map((d) => d.id))
    for (const b of bodies) expect(validateDsaStatementsFile(b).ok).toBe(true)
    // The files hold exactly the text the in-memory build gives (the writer encodes statement by statement).
    const inMemory = buildDsaStatements(p.source, resolveSelection(p.source.sqlite, {}))
    expect(files.map((f) => readFileSync(path.join(result.dir, f), 'utf8'))).toEqual(inMemory.files)
  })

  test('no personal data: no handle, name, account id, reviewer or device id, title, transcript or chat text', async () => {
    const who = {
      handle: 'batik.bu.sri',
      display: 'Batik Bu Sri',
      account: 'acct-5521',
      title: 'Batik tulis Pekalongan — promo hari ini',
      stream: 'live-884213',
      transcript: 'ayo kumpul semua di depan toko',
      chat: 'bakar saja tokonya!',
      author: 'pembeli.setia77',
    }
    await p.importPack('pk-pd', [
      {
        id: 'pd-1',
        overrides: {
          stream: { id: who.stream, title: who.title, language: 'id', commerce: true },
          account: { id: who.account, handle: who.handle, display_name: who.display, type: 'private' },
          transcript: [{ at_ms: 1000, end_ms: 3000, text: who.transcript }],
          chat: [{ at_ms: 2000, author: who.author, text: who.chat }],
        },
      },
    ])
    const { reviewerId, deviceId } = p.t.identity
    p.record({
      clipId: 'pd-1',
      categories: ['violence.incitement'],
      action: 'suspend_account',
      rationale: `@${who.handle} (${who.display.toUpperCase()}, ${who.account}) on "${who.title}" says "${who.transcript}"; ${who.author} wrote "${who.chat}". Checked by ${reviewerId} on ${deviceId}.`,
      ranges: [{ startMs: 1000, endMs: 3000, label: `${who.handle} speaks`, note: `chat: ${who.chat}` }],
    })
    const { text, statements } = await writeAll()
    expect(statements).toHaveLength(1)
    for (const secret of [...Object.values(who), reviewerId, deviceId]) expect(text.toLowerCase()).not.toContain(secret.toLowerCase())
    expect(statements[0]!.decision_facts).toContain('[redacted]')
    expect(validateDsaStatement(statements[0]).ok).toBe(true)
  })

  test('long text is cut to the limits between characters, and still validates', async () => {
    await p.importPack('pk-long', [{ id: 'long', overrides: shaped('long') }])
    const rationale = `${'x'.repeat(1998)}🔥🔥${'y'.repeat(2990)}`
    p.record({
      clipId: 'long',
      categories: ['violence.graphic'],
      action: 'remove',
      rationale,
      ranges: Array.from({ length: 50 }, (_, i) => ({ startMs: i * 100, endMs: i * 100 + 50, label: 'l'.repeat(200), note: 'n'.repeat(300) })),
    })
    const [s] = (await writeAll()).statements
    expect([...s!.incompatible_content_explanation!]).toHaveLength(2000)
    expect(s!.incompatible_content_explanation!.endsWith('x🔥…')).toBe(true)
    expect([...s!.decision_facts]).toHaveLength(5000)
    expect(validateDsaStatement(s).ok).toBe(true)
  })

  test('a statement that breaks the schema after whole files were staged: an error naming the decision, and no file left behind', async () => {
    const ids = clipIds('f', 150)
    await p.importPack('pk-f', ids.map((id) => ({ id, overrides: shaped(id) })))
    const recorded = p.t.store.sqlite.transaction(() =>
      ids.map((id, i) => p.record({ clipId: id, categories: ['hate'], action: i === 130 ? 'limit' : 'remove', rationale: 'slur' })),
    )()
    // A policy whose `limit` names a visibility restriction the DSA schema does not know.
    const policy = structuredClone(p.source.policy)
    const limit = policy.actions.find((a) => a.id === 'limit')!
    limit.dsa = { ...limit.dsa, decision_visibility: ['DECISION_VISIBILITY_NOT_IN_THE_SCHEMA'] }
    const dir = path.join(p.scratch(), 'dsa-broken')
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'notes.txt'), 'mine')
    const err = await writeDsaStatements({ ...p.source, policy }, dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TinjauError)
    expect((err as TinjauError).message).toContain(`decision ${recorded[130]!.id} breaks the schema: decision_visibility.0`)
    expect(readdirSync(dir)).toEqual(['notes.txt'])
  })

  test('files are checked and written on a worker thread, while the profile goes on taking decisions', async () => {
    const pool = await DsaFilePool.start()
    expect(pool.threaded).toBe(true)
    await pool.close()

    const ids = clipIds('w', 700)
    await p.importPack('pk-w', ids.map((id) => ({ id, overrides: shaped(id) })))
    p.t.store.sqlite.transaction(() => ids.slice(0, 650).forEach((id) => p.record({ clipId: id, categories: ['hate'], action: 'remove', rationale: 'slur' })))()
    const dir = path.join(p.scratch(), 'dsa-live')
    let done = false
    const exported = writeDsaStatements(p.source, dir).finally(() => (done = true))
    // The export waits on its worker between files; the reviewer's saves go on meanwhile.
    const later: string[] = []
    for (let i = 650; !done && i < 700; i++) {
      later.push(p.record({ clipId: ids[i]!, categories: ['hate'], action: 'remove', rationale: 'slur' }).id)
      await new Promise((r) => setImmediate(r))
    }
    const result = await exported
    expect(later.length).toBeGreaterThan(0)
    expect(result.statements).toBeGreaterThanOrEqual(650)
    expect(result.files).toHaveLength(Math.ceil(result.statements / 100))
    for (const f of result.files) expect(validateDsaStatementsFile(JSON.parse(readFileSync(f, 'utf8'))).ok).toBe(true)
  })

  test('an output folder that already holds statement files is refused; other files do not matter', async () => {
    await p.importPack('pk-d', [{ id: 'd-1', overrides: shaped('d-1') }])
    p.record({ clipId: 'd-1', categories: ['hate'], action: 'remove', rationale: 'slur' })
    const dir = path.join(p.scratch(), 'out')
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'notes.txt'), 'mine')
    await writeDsaStatements(p.source, dir)
    const err = await writeDsaStatements(p.source, dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TinjauError)
    expect((err as TinjauError).code).toBe('conflict')
    expect(readdirSync(dir).sort()).toEqual(['dsa-statements-0001.json', 'notes.txt'])
  })
})

describe('DSA field helpers', () => {
  test('dates are UTC days held within the spec\'s range', () => {
    expect(clampDay('2025-08-29T23:30:00+07:00', { min: '2000-01-01', max: '2038-01-01' })).toBe('2025-08-29')
    expect(clampDay('2025-08-29T20:30:00-07:00', { min: '2000-01-01', max: '2038-01-01' })).toBe('2025-08-30')
    expect(clampDay('1999-05-01T00:00:00Z', { min: '2000-01-01', max: '2038-01-01' })).toBe('2000-01-01')
    expect(clampDay('2040-05-01T00:00:00Z', { min: '2020-01-01', max: '2038-01-01' })).toBe('2038-01-01')
    // UTC times take a short cut; it must give what Date gives, odd days included.
    const range = { min: '2000-01-01', max: '2038-01-01' }
    const byDate = (t: string) => (Number.isFinite(Date.parse(t)) ? new Date(Date.parse(t)).toISOString().slice(0, 10) : range.min)
    for (const t of ['2025-09-04T08:00:00Z', '2025-09-04T23:59:59.999Z', '2024-02-29T12:00:00Z', '2025-02-30T12:00:00Z', '2025-12-31T00:00:00.5Z', '2025-13-01T00:00:00Z', 'soon']) {
      expect(clampDay(t, range), t).toBe(byDate(t) < range.min ? range.min : byDate(t))
    }
  })
  test('languages: the primary subtag when it is ISO 639-1', () => {
    expect(['id', 'id-ID', 'en_US', 'MS', 'zh-Hant-TW', 'ind', 'zz', '', undefined].map(languageCode)).toEqual(['ID', 'ID', 'EN', 'MS', 'ZH', null, null, null, null])
  })
  test('puids: the decision id, or a digest when it does not fit', () => {
    expect(puidFor('0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')).toBe('0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')
    expect(puidFor('sync:device/42')).toMatch(/^sha256-[0-9a-f]{64}$/)
    expect(puidFor('sync:device/42')).toBe(puidFor('sync:device/42'))
  })
  test('clock and truncate', () => {
    expect([0, 61_500, 3_723_004].map(clock)).toEqual(['0:00.000', '1:01.500', '1:02:03.004'])
    expect(truncate('abc', 3)).toBe('abc')
    expect(truncate('a🔥🔥b', 3)).toBe('a🔥…')
  })
})
