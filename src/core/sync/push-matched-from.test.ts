import { rmSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DecisionDraft, type DecisionDraftInput } from '../../shared/policy'
import { PushRequest } from '../../shared/sync-protocol'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import { startTestServer, type TestServer } from '../../server/testing/test-server'
// eslint-disable-next-line no-restricted-imports
import { rows, sql } from '../../server/db/open'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openQuietProfile } from './testing/open-profile'
import type { Tinjau } from '../tinjau'
import { Outbox } from './push'

/**
 * Issue 14 through the sync client: a decision applied from a match is pushed with
 * `matched_from` (the decision pack's line) and the service holds it; the others go without
 * the key, as before.
 */

let server: TestServer
let t: Tinjau & { dataDir: string }
const dirs: string[] = []

beforeAll(async () => {
  server = await startTestServer()
}, 120_000)

afterAll(async () => {
  t?.close()
  await server?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const decide = (input: DecisionDraftInput) => t.handlers['decision.record'](DecisionDraft.parse(input))

test('a decision applied from a match is pushed with matched_from, and the service stores it', async () => {
  const dir = tempDir('tinjau-sync-pack-')
  dirs.push(dir)
  const media = writeMedia(dir, 'media/m.webm', Buffer.from('mirror media '.repeat(200)))
  const ids = ['mf-000', 'mf-001']
  writeManifest(dir, makeManifest(ids.map((id) => makeClip(id, media)), { pack_id: 'pk-mf' }))
  await server.ops.loadPack(dir)
  await server.ops.addReviewer('mf-rev', 'Match Reviewer')
  await server.ops.assign('pk-mf', 'mf-rev')
  t = openQuietProfile()
  dirs.push(t.dataDir)
  await t.sync.enroll(server.url, await server.ops.enrollmentCode('mf-rev'))
  expect((await t.sync.syncNow()).pulled).toMatchObject({ added: 2 })

  const original = decide({ clipId: 'mf-000', categories: ['violence.arson'], action: 'remove', rationale: 'calls to burn' })
  const matchedFrom = { source: 'clip', clipId: 'mf-000', decisionId: original.id, queryMatchPercent: 100, comparedMatchPercent: 100, sameFile: true } as const
  const copy = decide({ clipId: 'mf-001', categories: ['violence.arson'], action: 'remove', rationale: 'same video as mf-000', matchedFrom })

  // The body the client signs: matched_from on the copy only.
  const batch = new Outbox(t.store.sqlite, t.identity).nextBatch(0, 500)!
  const body = PushRequest.parse(JSON.parse(batch.body.toString('utf8')))
  expect(body.decisions.map((d) => 'matched_from' in d)).toEqual([false, true])
  expect(body.decisions[1]!.matched_from).toEqual({ source: 'clip', clip_id: 'mf-000', decision_id: original.id, query_match_percent: 100, compared_match_percent: 100, same_file: true })

  expect((await t.sync.syncNow()).pushed).toEqual({ stored: 2, duplicate: 0, rejected: 0 })
  const held = await rows<{ id: string; matched_from: unknown }>(server.db(), sql`SELECT id, matched_from FROM decisions WHERE reviewer_id = 'mf-rev' ORDER BY decided_at, id`)
  expect(held).toEqual([
    { id: original.id, matched_from: null },
    { id: copy.id, matched_from: body.decisions[1]!.matched_from },
  ])
  // Pushed again (the acks lost): duplicates, matched_from included in what makes them the same.
  t.store.sqlite.prepare('UPDATE outbox SET acked_at = NULL').run()
  expect((await t.sync.syncNow()).pushed).toEqual({ stored: 0, duplicate: 2, rejected: 0 })
}, 120_000)
