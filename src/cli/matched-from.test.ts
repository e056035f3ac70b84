import path from 'node:path'
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { DecisionDraft } from '../shared/policy'
import { tempDir } from '../core/testing/make-pack'
import { openTestTinjau } from '../core/testing/open-test-tinjau'
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
