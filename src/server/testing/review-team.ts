import path from 'node:path'
import { findPackageRoot } from '../../core/package-root'
import { loadPolicy } from '../../core/policy-loader'
import { one, sql } from '../db/open'
import { adjudicate } from '../ops/adjudicate'
import { addLead } from '../ops/leads'
import { writeTestPack, type TestPack } from './fixtures'
import { TestDevice } from './test-device'
import { startTestServer, type TestServer } from './test-server'

/**
 * The set-up most of the service's tests share: a test service, one pack loaded, reviewers
 * added and assigned their clips, one enrolled device each and, where disputes get settled,
 * a lead. Each test file still says who reviews which clips, since that is what it tests.
 */

/** The lead that settles disputes in the service's tests (signs in with TEST_LEAD_PASSWORD). */
export const TEST_LEAD = { id: 'lina', name: 'Lina Hartono' } as const
export const TEST_LEAD_PASSWORD = 'correct horse battery staple'

export interface TestReviewer {
  /** Shown name; the reviewer's id when not given. */
  name?: string
  /** The clips assigned to the reviewer, picked from the pack's clip ids; none when not given. */
  assigned?: (clipIds: string[]) => readonly string[]
}

export async function addTestLead(server: TestServer): Promise<void> {
  await addLead(server.db(), { ...TEST_LEAD, role: 'lead', password: TEST_LEAD_PASSWORD })
}

/**
 * TEST_LEAD settles the outcome now in force on `clipId` (a dispute, in the tests): remove for
 * arson, "The call to burn is plain at 0:01.", adopting `adoptedDecisionId` where given.
 */
export async function settleAsTestLead(server: TestServer, clipId: string, adoptedDecisionId: string | null = null): Promise<void> {
  const held = await one<{ outcome_id: string }>(server.db(), sql`SELECT outcome_id FROM clip_outcomes WHERE clip_id = ${clipId}`)
  if (!held) throw new Error(`clip ${clipId} has no outcome to settle`)
  const policy = loadPolicy(path.join(findPackageRoot(__dirname), 'resources'))
  await adjudicate(server.db(), policy, TEST_LEAD, clipId, {
    expected_outcome_id: held.outcome_id,
    action: 'remove',
    categories: ['violence.arson'],
    escalation_target: null,
    ranges: [],
    rationale: 'The call to burn is plain at 0:01.',
    adopted_decision_id: adoptedDecisionId,
  })
}

/** Adds the reviewers (in the record's order), assigns them their clips of `pack`, then enrolls a device for each. */
export async function enrollReviewers<R extends string>(server: TestServer, reviewers: Record<R, TestReviewer>, pack?: TestPack): Promise<Record<R, TestDevice>> {
  const entries = Object.entries(reviewers) as [R, TestReviewer][]
  for (const [id, r] of entries) await server.ops.addReviewer(id, r.name ?? id)
  for (const [id, r] of entries) {
    if (!r.assigned) continue
    if (!pack) throw new Error(`reviewer ${id} has clips assigned but there is no pack to assign them from`)
    const clips = r.assigned(pack.clipIds)
    // An empty list would assign the whole pack (the operator's `assign` with no clips).
    if (clips.length === 0) throw new Error(`reviewer ${id}: assigned() picked no clips`)
    await server.ops.assign(pack.packId, id, [...clips])
  }
  const devices = {} as Record<R, TestDevice>
  for (const [id] of entries) {
    const device = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode(id))
    devices[id] = device
  }
  return devices
}

export interface ReviewTeam<R extends string> {
  server: TestServer
  pack: TestPack
  devices: Record<R, TestDevice>
}

/**
 * A test service with a pack of `pack.clips` clips loaded and the reviewers enrolled (see
 * enrollReviewers); with `lead`, TEST_LEAD too. Give the beforeAll a minute (startTestServer).
 */
export async function startReviewTeam<R extends string>(opts: {
  pack: { clips: number; packId?: string; clipPrefix?: string }
  reviewers: Record<R, TestReviewer>
  lead?: boolean
}): Promise<ReviewTeam<R>> {
  const server = await startTestServer()
  try {
    const pack = writeTestPack(opts.pack.clips, opts.pack)
    await server.ops.loadPack(pack.dir)
    const devices = await enrollReviewers(server, opts.reviewers, pack)
    if (opts.lead) await addTestLead(server)
    return { server, pack, devices }
  } catch (err) {
    await server.stop()
    throw err
  }
}
