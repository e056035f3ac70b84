import path from 'node:path'
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { DecisionDraft } from '../shared/policy'
import { tempDir } from '../core/testing/make-pack'
import { openTestTinjau } from '../core/testing/open-test-tinjau'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../core/hash-lists/testing/make-hash-list'
import { matchedFromText } from './format'
import { tinjau } from './testing/run-tinjau'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('decisions and match say which match a decision was applied from, in text and JSON', async () => {
  const dataDir = path.join(tempDir('tinjau-cli-'), 'profile')
  made.push(path.dirname(dataDir))
  expect((await tinjau(dataDir, 'import', path.resolve('resources/demo'))).code).toBe(0)
  const t = openTestTinjau(dataDir)
  const remove = { categories: ['violence.arson'], action: 'remove', rationale: 'car on fire' }
  const original = t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'demo-008', ...remove }))
  const matchedFrom = { source: 'clip', clipId: 'demo-008', decisionId: original.id, queryMatchPercent: 92.6, comparedMatchPercent: 90, sameFile: false } as const
  t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'demo-004', ...remove, matchedFrom }))
  t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'demo-015', ...remove, matchedFrom: { ...matchedFrom, sameFile: true } }))
  t.close()

  const text = await tinjau(dataDir, 'decisions')
  expect(text.code, text.stderr).toBe(0)
  expect(text.stdout.split('\n')[0]).toMatch(/REVISES\s+MATCHED FROM$/)
  expect(text.stdout).toMatch(/demo-004 .* demo-008 \(93 %\)$/m)
  expect(text.stdout).toMatch(/demo-015 .* demo-008 \(same file\)$/m)
  expect(text.stdout).toMatch(/demo-008 .* -\s+-$/m)
  const json = JSON.parse((await tinjau(dataDir, 'decisions', '--clip', 'demo-004', '--json')).stdout)
  expect(json.items[0].matchedFrom).toEqual(matchedFrom)

  // The Re-live (demo-015) is the same file as demo-008: its match shows where its decision came from.
  expect((await tinjau(dataDir, 'match', 'demo-008')).stdout).toMatch(/^demo-015\tsame file\tdecided remove \(violence\.arson\) by .+, applied from a match with demo-008 \(same file\)$/m)
}, 60_000)

it('decisions names the hash list entry a decision was applied from', async () => {
  const dataDir = path.join(tempDir('tinjau-cli-'), 'profile')
  made.push(path.dirname(dataDir))
  expect((await tinjau(dataDir, 'import', path.resolve('resources/demo'))).code).toBe(0)
  const t = openTestTinjau(dataDir)
  const key = makeIssuerKey()
  await t.handlers['hashlist.import']({ path: await writeTestHashList(makeHashListDoc(key, [makeEntry('e1', { label: 'Car set on fire' })]), key) })
  const matchedFrom = {
    source: 'hashlist',
    listId: 'hl-jkt-riots',
    listSource: 'hashlist',
    listVersion: '2025-09-05T10:00:00.000Z',
    entryId: 'e1',
    label: 'Car set on fire',
    queryMatchPercent: 96.4,
    comparedMatchPercent: 100,
    sameFile: false,
  } as const
  t.handlers['decision.record'](DecisionDraft.parse({ clipId: 'demo-004', categories: ['violence.arson'], action: 'remove', rationale: 'car on fire', matchedFrom }))
  t.close()

  const text = await tinjau(dataDir, 'decisions')
  expect(text.code, text.stderr).toBe(0)
  expect(text.stdout).toMatch(/demo-004 .* list hl-jkt-riots\/e1 \(96 %\) "Car set on…$/m)
  expect(matchedFromText(matchedFrom)).toBe('list hl-jkt-riots/e1 (96 %) "Car set on fire"')
  expect(matchedFromText({ ...matchedFrom, listSource: 'team', sameFile: true })).toBe('team hl-jkt-riots/e1 (same file) "Car set on fire"')
  expect(JSON.parse((await tinjau(dataDir, 'decisions', '--clip', 'demo-004', '--json')).stdout).items[0].matchedFrom).toEqual(matchedFrom)
}, 60_000)
