import { afterEach, expect } from 'vitest'
import { dispatch } from '../../shared/dispatch'
import { DecisionDraft, type DecisionDraftInput } from '../../shared/policy'
import type { Tinjau } from '../tinjau'
import { makePack } from './make-pack'
import { openTestTinjau } from './open-test-tinjau'
import { snapshotRows } from './store-snapshot'

/** What the tests of recording decisions share: real profiles with clips, and drafts to record on them. */

export type TestProfile = Tinjau & { dataDir: string }

/**
 * Call at a test file's top level: gives a function opening a fresh profile with a pack of
 * `clips` clips imported (clip-000000, clip-000001, …); each is closed after its test.
 */
export function useProfilesWithClips(): (clips: number) => Promise<TestProfile> {
  let open: TestProfile[] = []
  afterEach(() => {
    for (const t of open) t.close()
    open = []
  })
  return async (clips) => {
    const t = openTestTinjau()
    open.push(t)
    await t.handlers['pack.importDirectory']({ path: makePack(clips) })
    return t
  }
}

export const recordDraft = (t: Tinjau, input: DecisionDraftInput) => t.handlers['decision.record'](DecisionDraft.parse(input))

export const removalOf = (clipId: string, rationale: string): DecisionDraftInput => ({ clipId, categories: ['violence.arson'], action: 'remove', rationale })

/**
 * Records `draft` with each malformed matchedFrom through the contract (dispatch), as the
 * renderer would: each is refused as invalid_input naming its path, and the store is unchanged.
 */
export async function expectMalformedMatchesRefused(t: TestProfile, draft: DecisionDraftInput, cases: [unknown, string][]): Promise<void> {
  const rows = snapshotRows(t.store.sqlite)
  for (const [matchedFrom, path] of cases) {
    const res = await dispatch(t.handlers, 'decision.record', { ...draft, matchedFrom })
    expect(res.ok, JSON.stringify(matchedFrom)).toBe(false)
    if (!res.ok) {
      expect(res.error.code).toBe('invalid_input')
      expect(res.error.details?.map((d) => d.path)).toContain(path)
    }
  }
  expect(snapshotRows(t.store.sqlite)).toEqual(rows)
}
