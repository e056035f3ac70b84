import path from 'node:path'
import Database from 'better-sqlite3'
import { setImmediate as tick } from 'node:timers/promises'
import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../shared/dispatch'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia, type FakeMedia } from './testing/make-pack'
import { openTestTinjau } from './testing/open-test-tinjau'
import { parseSearch } from './search-query'
import { openTinjau, type Tinjau } from './tinjau'

/** Full-text search over titles, transcripts and chat: the query reader, and the index on a real SQLite file. */

let open: { close(): void }[] = []
afterEach(() => {
  for (const o of open) o.close()
  open = []
})

describe('reading a search string', () => {
  test.each([
    ['"bakar pasar', 'unbalanced_quotes'],
    ['ayo "kumpul', 'unbalanced_quotes'],
    ['(bakar OR rusuh', 'unbalanced_parentheses'],
    ['bakar)', 'unbalanced_parentheses'],
    ['OR', 'dangling_operator'],
    ['bakar OR', 'dangling_operator'],
    ['AND bakar', 'dangling_operator'],
    ['NOT bakar', 'dangling_operator'],
    ['bakar OR OR pasar', 'dangling_operator'],
    ['*', 'bad_wildcard'],
    ['ba*kar', 'bad_wildcard'],
    ['**', 'bad_wildcard'],
    ['"" *', 'bad_wildcard'],
    ['()', 'no_terms'],
    ['- !!', 'no_terms'],
    ['""', 'no_terms'],
  ])('%j → hint %s', (input, hint) => {
    expect(parseSearch(input)).toEqual({ kind: 'invalid', hint })
  })

  test.each([
    ['bakar', '"bakar"'],
    ['bakar pasar', '("bakar" AND "pasar")'],
    ['kump*', '"kump"*'],
    ['"ayo kumpul" OR bakar', '("ayo kumpul" OR "bakar")'],
    ['demo NOT damai', '("demo" NOT "damai")'],
    ['(bakar OR rusuh) pasar', '(("bakar" OR "rusuh") AND "pasar")'],
    ['title:bakar', '"title:bakar"'],
    ['NEAR(a b)', '("NEAR" AND ("a" AND "b"))'],
    ['^awal - akhir', '("^awal" AND "akhir")'],
    ['or and not', '("or" AND "and" AND "not")'],
  ])('%j → %s', (input, match) => {
    expect(parseSearch(input)).toEqual({ kind: 'query', match })
  })

  test('blank means no search', () => {
    expect(parseSearch(undefined)).toEqual({ kind: 'empty' })
    expect(parseSearch('   ')).toEqual({ kind: 'empty' })
  })
})

interface Text {
  title: string
  transcript: string[]
  chat: string[]
}

function clipWith(id: string, media: FakeMedia, text: Text, extra: Record<string, unknown> = {}) {
  return makeClip(id, media, {
    stream: { id: `live-${id}`, title: text.title, region: 'ID-JK', commerce: id.endsWith('s') },
    transcript: text.transcript.map((t, k) => ({ at_ms: k * 1000, text: t })),
    chat: text.chat.map((t, k) => ({ at_ms: k * 1000, author: `u${k}`, text: t })),
    ...extra,
  })
}

const TEXTS: Record<string, Text> = {
  'c-riot': { title: 'Demo depan gedung DPR', transcript: ['ayo kumpul di depan gerbang', 'bakar saja kalau tidak mau dengar'], chat: ['gaskeun', 'lokasi dimana?'] },
  'c-shop-s': { title: 'Batik tulis Pekalongan — promo', transcript: ['harga spesial hari ini kak'], chat: ['berapa harganya?', 'mantap kak'] },
  'c-cafe-s': { title: 'Café Sabang: kuliner malam', transcript: ['enak sekali'], chat: ['BAKAR ikan nya mantap'] },
  'c-news': { title: 'Update banjir Jakarta Timur', transcript: ['tolong jangan terprovokasi, tetap tenang'], chat: ['hoaks ini'] },
  'c-en': { title: 'Evening chat', transcript: ['we gather at the square, burn it down'], chat: ['Burning now'] },
}

async function profile(texts = TEXTS, packId = 'pk-test-01', t?: Tinjau & { dataDir: string }) {
  const root = tempDir('tinjau-pack-')
  const media = writeMedia(root, 'media/a.webm', Buffer.from('fake webm '.repeat(50)))
  writeManifest(root, makeManifest(Object.entries(texts).map(([id, text]) => clipWith(id, media, text)), { pack_id: packId }))
  if (!t) {
    t = openTestTinjau()
    open.push(t)
  }
  await t.handlers['pack.importDirectory']({ path: root })
  return t
}

const ids = (t: Tinjau, search: string, extra: Record<string, unknown> = {}) =>
  t.queue
    .page({ search, limit: 100, ...extra })
    .items.map((i) => i.id)
    .sort()

describe('searching the queue', () => {
  test('matches titles, transcripts and chat, in Indonesian and English, ignoring case and diacritics', async () => {
    const t = await profile()
    await t.search.whenIdle()
    expect(t.queue.page({ search: 'bakar' }).searchIndex).toEqual({ complete: true, indexed: 5, waiting: 0 })
    expect(ids(t, 'bakar')).toEqual(['c-cafe-s', 'c-riot'])
    expect(ids(t, 'cafe')).toEqual(['c-cafe-s'])
    expect(ids(t, 'CAFÉ')).toEqual(['c-cafe-s'])
    expect(ids(t, 'kump*')).toEqual(['c-riot'])
    expect(ids(t, '"ayo kumpul"')).toEqual(['c-riot'])
    expect(ids(t, '"kumpul ayo"')).toEqual([])
    expect(ids(t, 'burn*')).toEqual(['c-en'])
    expect(ids(t, 'harga*')).toEqual(['c-shop-s'])
    expect(ids(t, 'bakar OR banjir')).toEqual(['c-cafe-s', 'c-news', 'c-riot'])
    expect(ids(t, 'bakar NOT ikan')).toEqual(['c-riot'])
    expect(ids(t, 'pekalongan promo')).toEqual(['c-shop-s'])
    // Combined with filters, and counted.
    expect(ids(t, 'bakar', { commerce: true })).toEqual(['c-cafe-s'])
    const page = t.queue.page({ search: 'mantap', limit: 1 })
    expect(page.total).toBe(2)
    expect(page.items).toHaveLength(1)
    expect(page.searchHint).toBeNull()
  })

  test('junk input gives no results and a hint, never an error, and counts stay', async () => {
    const t = await profile()
    await t.search.whenIdle()
    for (const junk of ['"bakar', '*', 'OR', 'bakar AND', '(((', ')', 'NOT', 'a**', '"""', '- -']) {
      const res = await dispatch(t.handlers, 'queue.list', { search: junk })
      expect(res.ok, junk).toBe(true)
      if (!res.ok) continue
      const page = res.value as ReturnType<Tinjau['queue']['page']>
      expect(page.items, junk).toEqual([])
      expect(page.total).toBe(0)
      expect(page.searchHint, junk).toMatch(/^(unbalanced_quotes|unbalanced_parentheses|dangling_operator|bad_wildcard|no_terms)$/)
      expect(page.counts.pending).toBe(5)
    }
    // FTS5 syntax characters inside words are only text.
    for (const odd of ['title:bakar', 'NEAR(bakar ikan)', '^bakar', 'bakar + ikan', '{bakar}', "bakar'", 'c-riot']) {
      const res = await dispatch(t.handlers, 'queue.list', { search: odd })
      expect(res.ok, odd).toBe(true)
    }
    expect(ids(t, '{bakar}')).toEqual(['c-cafe-s', 'c-riot'])
  })

  test('is built after the import, in the background, and says so until it is complete', async () => {
    const t = openTestTinjau()
    open.push(t)
    await t.search.whenIdle()
    const gateRelease = await t.gate.acquire()
    // While an import holds the gate, the index does not touch the connection.
    t.search.start()
    for (let k = 0; k < 5; k++) await tick()
    expect(t.search.state().complete).toBe(false)
    gateRelease()
    await t.search.whenIdle()
    expect(t.search.state().complete).toBe(true)

    await profile(TEXTS, 'pk-test-01', t)
    // The import has returned; its clips are not indexed yet.
    const during = t.queue.page({ search: 'bakar' })
    expect(during.searchIndex?.complete).toBe(false)
    await t.search.whenIdle()
    const after = t.queue.page({ search: 'bakar' })
    expect(after.searchIndex).toEqual({ complete: true, indexed: 5, waiting: 0 })
    expect(after.items.map((i) => i.id).sort()).toEqual(['c-cafe-s', 'c-riot'])
  })

  test('a newer pack that changes a clip replaces its text in the index', async () => {
    const t = await profile()
    await t.search.whenIdle()
    const changed = { ...TEXTS, 'c-news': { title: 'Update kebakaran pasar', transcript: ['api besar'], chat: ['semoga aman'] } }
    await profile(changed, 'pk-test-01', t)
    await t.search.whenIdle()
    expect(ids(t, 'banjir')).toEqual([])
    expect(ids(t, 'kebakaran')).toEqual(['c-news'])
    expect(ids(t, 'bakar')).toEqual(['c-cafe-s', 'c-riot'])
    expect(t.search.state()).toEqual({ complete: true, indexed: 5, waiting: 0 })
  })

  test('the CLI builds no index in the background, and says the index is incomplete when it is', async () => {
    const t = await profile()
    t.close()
    open = open.filter((o) => o !== t)
    const cli = openTinjau({ dataDir: t.dataDir, resourcesDir: path.resolve(__dirname, '../../resources'), host: 'cli', version: 'test' })
    open.push(cli)
    await tick()
    expect(cli.queue.page({ search: 'bakar' }).searchIndex).toEqual({ complete: false, indexed: 0, waiting: 5 })
    cli.search.start()
    await cli.search.whenIdle()
    expect(cli.queue.page({ search: 'bakar' }).searchIndex).toEqual({ complete: true, indexed: 5, waiting: 0 })
  })

  test('a profile opened again picks up clips left unindexed', async () => {
    const t = await profile()
    // Closed before the index ran (as if the app quit right after an import).
    t.close()
    open = open.filter((o) => o !== t)
    const again = openTestTinjau(t.dataDir)
    open.push(again)
    await again.search.whenIdle()
    expect(ids(again, 'gaskeun')).toEqual(['c-riot'])
  })

  /** A profile indexed in full and closed, its database changed by `tamper`, then opened again. */
  async function reopenedAfter(tamper: (db: Database.Database) => void): Promise<Tinjau & { dataDir: string }> {
    const t = await profile()
    await t.search.whenIdle()
    t.close()
    open = open.filter((o) => o !== t)
    const db = new Database(path.join(t.dataDir, 'tinjau.sqlite'))
    tamper(db)
    db.close()
    const again = openTestTinjau(t.dataDir)
    open.push(again)
    return again
  }

  test('an index complete at open counts as complete at once, and is checked in full a moment later', async () => {
    // One entry made stale with the counts unchanged (a clip changed behind the index's back).
    const again = await reopenedAfter((db) => db.prepare("UPDATE clips SET updated_at = '2099-01-01T00:00:00Z' WHERE id = 'c-riot'").run())
    const sourceOf = () =>
      again.store.sqlite.prepare("SELECT s.source FROM clip_search_state s JOIN clips c ON c.rowid = s.clip_rowid WHERE c.id = 'c-riot'").pluck().get() as string
    again.search.startAtOpen(30)
    // Complete at once: the counts match, and the full check waits.
    expect(again.search.state()).toEqual({ complete: true, indexed: 5, waiting: 0 })
    expect(sourceOf()).not.toContain('2099-01-01')
    await new Promise((resolve) => setTimeout(resolve, 60))
    await again.search.whenIdle()
    expect(sourceOf()).toContain('2099-01-01')
    expect(again.search.state().complete).toBe(true)
    expect(ids(again, 'gaskeun')).toEqual(['c-riot'])
  })

  test('at open, an index that stopped short of the newest clips is caught up at once', async () => {
    // A run stopped by a crash: entries are written in rowid order, so the newest are missing.
    const again = await reopenedAfter((db) => db.prepare('DELETE FROM clip_search_state WHERE clip_rowid >= (SELECT max(rowid) - 1 FROM clips)').run())
    again.search.startAtOpen(60_000)
    expect(again.search.state().complete).toBe(false)
    await again.search.whenIdle()
    expect(again.search.state()).toEqual({ complete: true, indexed: 5, waiting: 0 })
  })

  test('at open, an entry missing in the middle is found by the full check a moment later', async () => {
    const again = await reopenedAfter((db) => db.prepare('DELETE FROM clip_search_state WHERE clip_rowid = (SELECT min(rowid) FROM clips)').run())
    const tracked = () => again.store.sqlite.prepare('SELECT count(*) FROM clip_search_state').pluck().get()
    again.search.startAtOpen(30)
    expect(tracked()).toBe(4)
    await new Promise((resolve) => setTimeout(resolve, 60))
    await again.search.whenIdle()
    expect(tracked()).toBe(5)
    expect(again.search.state()).toEqual({ complete: true, indexed: 5, waiting: 0 })
  })
})
