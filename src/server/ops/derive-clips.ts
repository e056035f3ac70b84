import { sql, type Db } from '../db/open'
import { prepared } from '../db/prepared'
import { adjudicationWrites, planAdjudications } from './adjudications'
import { readClipState } from './clip-state'
import { pairWrites } from './decision-pairs'
import { outcomeWrites, planOutcomes } from './outcomes'

/**
 * A push's derivations after its decision heads are refreshed: the clips' adjudication state
 * and outcomes, from one read of their state, and the agreement report's decision_pairs,
 * written in one statement (two round trips where refreshDecisionPairs, updateAdjudications
 * and deriveOutcomes one after the other take up to eleven). The caller holds the clips'
 * locks (lockClips). Returns the clips with an open adjudication.
 */
export async function deriveClips(
  tx: Db,
  clipIds: readonly string[],
  firstDecisions: readonly { clip_id: string; reviewer_id: string }[],
): Promise<Set<string>> {
  if (clipIds.length === 0) return new Set()
  const states = await readClipState(tx, clipIds)
  const adjudications = planAdjudications(clipIds, states)
  const outcomes = planOutcomes(clipIds, states, firstDecisions)
  // One text whatever the plans hold (empty ones write nothing), so it stays one prepared statement.
  await tx.execute(prepared(sql`WITH ${pairWrites(clipIds)}, ${adjudicationWrites(adjudications)}, ${outcomeWrites(outcomes)} SELECT 1`))
  return adjudications.open
}
