import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEARCH_HINTS } from '../shared/domain'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../core/testing/make-pack'
import { SEARCH_HINT_TEXT } from './commands/queue'
import { queueIds, tinjau } from './testing/run-tinjau'

/** `tinjau queue` with the filters of the app, on a profile holding the shipped demo pack. */

const DEMO_DIR = path.resolve(__dirname, '../../resources/demo')

interface DemoClip {
  id: string
  stream: { title: string | null; region: string | null; commerce: boolean }
  flags: { source: string; label: string }[]
  transcript?: { text: string }[]
  chat?: { text: string }[]
  priority?: number
}
const demo = (JSON.parse(readFileSync(path.join(DEMO_DIR, 'pack.json'), 'utf8')) as { clips: DemoClip[] }).clips
const ALL = demo.map((c) => c.id).sort()
const where = (keep: (c: DemoClip) => boolean) => demo.filter(keep).map((c) => c.id).sort()
const sorted = (ids: string[]) => [...ids].sort()
/** The clips whose title, transcript or chat has `word` as a word of its own. */
const saying = (word: string) =>
  where((c) =>
    [c.stream.title ?? '', ...(c.transcript ?? []).map((l) => l.text), ...(c.chat ?? []).map((l) => l.text)].some((text) =>
      text.toLowerCase().split(/[^\p{L}\p{N}]+/u).includes(word),
    ),
  )

let root: string
let dataDir: string
beforeAll(async () => {
  root = tempDir('tinjau-cli-filters-')
  dataDir = path.join(root, 'profile')
  const r = await tinjau(dataDir, 'import', DEMO_DIR)
  expect(r.code, r.stderr).toBe(0)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Each filter must keep some clips and drop others, or the test would prove nothing. */
function narrows(expected: string[]): string[] {
  expect(expected.length).toBeGreaterThan(0)
  expect(expected.length).toBeLessThan(ALL.length)
  return expected
}

describe('tinjau queue filters', () => {
  it('lists the whole demo pack without filters', async () => {
    expect(sorted(await queueIds(dataDir))).toEqual(ALL)
  })

  it('--commerce keeps live-selling streams only, --no-commerce the others', async () => {
    const selling = narrows(where((c) => c.stream.commerce))
    expect(sorted(await queueIds(dataDir, '--commerce'))).toEqual(selling)
    expect(sorted(await queueIds(dataDir, '--no-commerce'))).toEqual(where((c) => !c.stream.commerce))
    const page = JSON.parse((await tinjau(dataDir, 'queue', '--commerce', '--json')).stdout)
    expect(page.total).toBe(selling.length)
    expect(page.items.every((i: { commerce: boolean }) => i.commerce)).toBe(true)
  })

  it('--source keeps clips with a flag from any of the sources', async () => {
    const authority = narrows(where((c) => c.flags.some((f) => f.source === 'authority_request')))
    expect(sorted(await queueIds(dataDir, '--source', 'authority_request'))).toEqual(authority)
    const either = where((c) => c.flags.some((f) => f.source === 'authority_request' || f.source === 'trusted_flagger'))
    expect(sorted(await queueIds(dataDir, '--source', 'authority_request', 'trusted_flagger'))).toEqual(either)
  })

  it('--category and --region narrow, and filters combine', async () => {
    const arson = narrows(where((c) => c.flags.some((f) => f.label === 'violence.arson')))
    expect(sorted(await queueIds(dataDir, '--category', 'violence.arson'))).toEqual(arson)
    expect(sorted(await queueIds(dataDir, '--region', 'ID-JK'))).toEqual(narrows(where((c) => c.stream.region === 'ID-JK')))
    const sellingArson = narrows(where((c) => c.stream.commerce && c.flags.some((f) => f.label === 'violence.arson')))
    expect(sorted(await queueIds(dataDir, '--category', 'violence.arson', '--commerce'))).toEqual(sellingArson)
    expect(await queueIds(dataDir, '--region', 'XX-NONE')).toEqual([])
  })

  it('--search finds a word of the transcripts (building the index first), in any filter', async () => {
    const gedung = narrows(saying('gedung'))
    const r = await tinjau(dataDir, 'queue', '--search', 'gedung', '--json')
    expect(r.code, r.stderr).toBe(0)
    const page = JSON.parse(r.stdout)
    expect(sorted(page.items.map((i: { id: string }) => i.id))).toEqual(gedung)
    expect(page).toMatchObject({ total: gedung.length, searchHint: null, searchIndex: { complete: true, waiting: 0 } })
    expect(sorted(await queueIds(dataDir, '--search', 'gedung', '--source', 'authority_request'))).toEqual(
      where((c) => gedung.includes(c.id) && c.flags.some((f) => f.source === 'authority_request')),
    )
    // The index is kept in the profile: a later search has nothing to add first.
    const again = await tinjau(dataDir, 'queue', '--search', 'batik')
    expect(again.stderr).toBe('')
    expect(again.stdout).toMatch(new RegExp(`Clips 1-${saying('batik').length} of ${saying('batik').length} `))
  })

  it('--search that cannot be read: a hint on stderr, no rows, exit 0', async () => {
    const r = await tinjau(dataDir, 'queue', '--search', '"unbalanced')
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^tinjau: no results, the search "\\"unbalanced" cannot be read: a quotation mark is not closed/)
    expect(r.stdout).toMatch(/^No clips of 0 \(pending 17, /)
    const json = await tinjau(dataDir, 'queue', '--search', 'bakar OR', '--json')
    expect(json.code).toBe(0)
    expect(json.stderr).toContain(SEARCH_HINT_TEXT.dangling_operator)
    expect(JSON.parse(json.stdout)).toMatchObject({ items: [], total: 0, searchHint: 'dangling_operator' })
    expect(JSON.parse((await tinjau(dataDir, 'queue', '--search', 'ba*kar', '--json')).stdout).searchHint).toBe('bad_wildcard')
    expect(Object.keys(SEARCH_HINT_TEXT).sort()).toEqual([...SEARCH_HINTS].sort())
  })

  it('--sort priority puts the highest priority first; --sort refuses other orders (1)', async () => {
    const ids = await queueIds(dataDir, '--sort', 'priority')
    const priority = new Map(demo.map((c) => [c.id, c.priority ?? -1]))
    const list = ids.map((id) => priority.get(id)!)
    expect(list).toEqual([...list].sort((a, b) => b - a))
    expect(sorted(await queueIds(dataDir, '--sort', 'due'))).toEqual(ALL)
    const bad = await tinjau(dataDir, 'queue', '--sort', 'random')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^tinjau: option '--sort <order>' argument 'random' is invalid\. Allowed choices are urgency, due, priority\./)
    expect((await tinjau(dataDir, 'queue', '--source', 'rumour')).code).toBe(1)
  })

  it('--due-within refuses what is not a number of hours as a usage error naming the flag (1)', async () => {
    for (const junk of ['soon', '-1', '1e3', '']) {
      const r = await tinjau(dataDir, 'queue', '--due-within', junk)
      expect(r.code, junk).toBe(1)
      expect(r.stderr).toContain(`tinjau: option '--due-within <hours>' argument '${junk}' is invalid. Expected a number of hours`)
      expect(r.stdout).toBe('')
    }
    // A number beyond the contract's bound (a year) is refused by the contract, like --limit 1000.
    const tooFar = await tinjau(dataDir, 'queue', '--due-within', '9000')
    expect(tooFar.code).toBe(2)
    expect(tooFar.stderr).toMatch(/^tinjau: invalid input for queue\.list: dueWithinHours/)
  })
})

describe('tinjau queue --due-within', () => {
  it('keeps clips due within the hours, overdue ones included, never those with no due time', async () => {
    const base = tempDir('tinjau-cli-due-')
    try {
      const packDir = path.join(base, 'pack')
      const media = writeMedia(packDir, 'media/a.webm', Buffer.from('due bytes '.repeat(64)))
      const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString()
      const due = { overdue: inHours(-5), soon: inHours(2), later: inHours(100) }
      const clips = [
        ...Object.entries(due).map(([id, dueAt]) => makeClip(id, media, { due_at: dueAt })),
        makeClip('undated', media, { due_at: undefined }),
      ]
      writeManifest(packDir, makeManifest(clips))
      const profile = path.join(base, 'profile')
      expect((await tinjau(profile, 'import', packDir)).code).toBe(0)

      expect(sorted(await queueIds(profile))).toEqual(['later', 'overdue', 'soon', 'undated'])
      expect(sorted(await queueIds(profile, '--due-within', '24'))).toEqual(['overdue', 'soon'])
      expect(sorted(await queueIds(profile, '--due-within', '0'))).toEqual(['overdue'])
      expect(sorted(await queueIds(profile, '--due-within', '100.5'))).toEqual(['later', 'overdue', 'soon'])
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })
})
