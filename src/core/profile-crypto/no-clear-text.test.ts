import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import type { Tinjau } from '../tinjau'
import type { ScryptParams } from './profile-key-file'
import type { ProfileKeys } from './profile-keys'
import { unlockProfile } from './unlock-profile'

/**
 * Issue 15: "nothing in the data directory holds clear text". A profile with an imported
 * pack (stream title, account, transcript, chat authors and lines), media and decisions
 * with rationales, each carrying a string found nowhere else; then every file under the data
 * directory, whatever its name, is searched for those strings (as written, JSON-escaped,
 * UTF-16 and lower-cased as the full-text index keeps them) and for windows of the media
 * bytes. Once for a clear profile encrypted in place, once for one encrypted from the start,
 * both while the profile is open (WAL and temporary files too) and after it closed.
 */

const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'

// Each holds a marker word with its own first letters: the full-text index stores a word
// prefix-compressed against its neighbour in sort order, so markers must not share a prefix.
const SECRETS = {
  title: 'Pasar Qwtitle3310',
  handle: 'jzhandle4471',
  displayName: 'Toko Kpdisplay9902',
  transcript: 'ayo kumpul Xjtranscript5521 "sekarang"',
  chatAuthor: 'wgauthor7731',
  chatText: 'bakar vkchat8842!',
  rationale: 'membakar "pasar" yhrationale6604 — é',
  rangeNote: 'fqnote1187 di menit 3',
}

/** Every form a string could take in a file. */
function forms(s: string): Buffer[] {
  const escaped = JSON.stringify(s).slice(1, -1)
  const tokens = s.match(/[A-Za-z]+\d{4}/g) ?? []
  return [...new Set([s, escaped, s.toLowerCase(), ...tokens, ...tokens.map((t) => t.toLowerCase())])].flatMap((f) => [Buffer.from(f, 'utf8'), Buffer.from(f, 'utf16le')])
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []))
}

interface Fixture {
  packDir: string
  /** 64-byte windows of each media file's bytes. */
  windows: Buffer[]
}

function makeFixture(): Fixture {
  const packDir = tempDir('tinjau-secret-pack-')
  const video = randomBytes(300_000)
  const poster = randomBytes(9_000)
  const media = writeMedia(packDir, 'media/clip.webm', video)
  const posterRef = writeMedia(packDir, 'media/poster.jpg', poster, 'image/jpeg')
  const clips = Array.from({ length: 30 }, (_, i) =>
    makeClip(`clip-${String(i).padStart(6, '0')}`, media, {
      poster: posterRef,
      stream: { id: `live-${i}`, title: `${SECRETS.title} ${i}`, started_at: '2025-08-29T12:40:00+07:00', region: 'ID-JK', language: 'id', commerce: true, viewer_peak: 100 },
      account: { id: `acct-${i}`, handle: SECRETS.handle, display_name: SECRETS.displayName, type: 'business', followers: 10, prior_strikes: 0 },
      transcript: [{ at_ms: 11_000, end_ms: 14_000, text: SECRETS.transcript }],
      chat: [{ at_ms: 12_500, author: SECRETS.chatAuthor, text: SECRETS.chatText }],
    }),
  )
  writeManifest(packDir, makeManifest(clips, { pack_id: 'pk-secret-01' }))
  const windows = [video, poster].flatMap((bytes) =>
    Array.from({ length: 8 }, (_, k) => {
      const at = Math.floor(((bytes.length - 64) * k) / 7)
      return bytes.subarray(at, at + 64)
    }),
  )
  return { packDir, windows }
}

async function fillProfile(t: Tinjau, f: Fixture): Promise<void> {
  await t.handlers['pack.importDirectory']({ path: f.packDir })
  for (let i = 0; i < 5; i++) {
    t.handlers['decision.record'](
      DecisionDraft.parse({
        clipId: `clip-${String(i).padStart(6, '0')}`,
        categories: ['violence.arson'],
        action: 'remove',
        rationale: SECRETS.rationale,
        ranges: [{ startMs: 1000, endMs: 4000, label: 'bakar', note: SECRETS.rangeNote }],
      }),
    )
  }
  // Let the background full-text index catch up, so its pages are in the files searched.
  for (let i = 0; i < 100 && !t.search.state().complete; i++) await new Promise((r) => setTimeout(r, 100))
  expect(t.search.state()).toMatchObject({ complete: true, waiting: 0 })
}

/** Files that hold any secret or media window, with what was found. */
function clearTextFound(dataDir: string, f: Fixture): string[] {
  const needles = [...Object.entries(SECRETS).flatMap(([name, s]) => forms(s).map((b) => ({ name, b }))), ...f.windows.map((b, i) => ({ name: `media window ${i}`, b }))]
  const found: string[] = []
  for (const file of walk(dataDir)) {
    const bytes = readFileSync(file)
    for (const { name, b } of needles) if (bytes.includes(b)) found.push(`${path.relative(dataDir, file)}: ${name}`)
  }
  return [...new Set(found)]
}

let open: Tinjau[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

/** The search itself can fail: a clear profile is full of what it looks for. */
function expectSearchFindsClearProfile(dataDir: string, f: Fixture): void {
  const found = clearTextFound(dataDir, f)
  expect(found.some((x) => x.startsWith('tinjau.sqlite') && x.includes('rationale'))).toBe(true)
  // The transcript reaches the database only through the full-text index.
  expect(found.some((x) => x.startsWith('tinjau.sqlite') && x.includes('transcript'))).toBe(true)
  expect(found.some((x) => x.startsWith('packs/') && x.includes('chatAuthor'))).toBe(true)
  expect(found.some((x) => x.startsWith('media/') && x.includes('media window'))).toBe(true)
}

async function openedEncrypted(dataDir: string, keys: ProfileKeys): Promise<Tinjau> {
  const t = openTestTinjau(dataDir, { keys })
  open.push(t)
  return t
}

describe('nothing in the data directory holds clear text', () => {
  test('a clear profile encrypted in place, then used: open and after closing', async () => {
    const f = makeFixture()
    const clear = openTestTinjau()
    await fillProfile(clear, f)
    clear.close()
    expectSearchFindsClearProfile(clear.dataDir, f)

    const { keys, encryptedInPlace } = await unlockProfile(clear.dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    expect(encryptedInPlace?.outcome).toBe('encrypted')
    expect(clearTextFound(clear.dataDir, f)).toEqual([])

    // Used after encryption: a revision written (WAL), the index read; searched while open.
    const t = await openedEncrypted(clear.dataDir, keys)
    const first = t.handlers['clip.get']({ clipId: 'clip-000000' }).decisions[0]!
    expect(first.rationale).toBe(SECRETS.rationale)
    t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'clip-000000', categories: ['violence.arson'], action: 'limit', rationale: SECRETS.rationale, revisesId: first.id }))
    expect(clearTextFound(clear.dataDir, f)).toEqual([])
    t.close()
    open = []
    expect(clearTextFound(clear.dataDir, f)).toEqual([])
  })

  test('a profile encrypted from the start: open and after closing', async () => {
    const f = makeFixture()
    const dataDir = tempDir('tinjau-data-')
    const { keys, encryptedInPlace } = await unlockProfile(dataDir, { passphrase: PASS }, { scrypt: CHEAP })
    expect(encryptedInPlace).toBeUndefined()
    const t = await openedEncrypted(dataDir, keys)
    await fillProfile(t, f)
    expect(t.handlers['clip.get']({ clipId: 'clip-000003' }).decisions[0]!.rationale).toBe(SECRETS.rationale)
    expect(clearTextFound(dataDir, f)).toEqual([])
    t.close()
    open = []
    expect(clearTextFound(dataDir, f)).toEqual([])
  })
})
