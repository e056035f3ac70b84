import type Database from 'better-sqlite3'
import { TinjauError } from '../shared/errors'
import { SKIP_REASON_MAX, type SkipInput, type SkipRecord } from '../shared/wellness'
import { appendAudit } from './audit'
import type { Identity } from './settings'

/**
 * Skipping a clip: the reviewer sets it aside with a reason (cannot judge it now, needs
 * context, conflict of interest, needs a break...). The clip's status becomes `skipped`
 * and an audit entry records who, when and why, in one transaction.
 *
 * A skip does NOT go to the outbox. The outbox carries decisions about content, which the
 * sync service turns into enforcement and statements of reasons; a skip decides nothing
 * about the clip — it is this reviewer's workflow step, and the clip stays open for a
 * decision (here, later, or by whoever the lead reassigns the pack to). The audit trail
 * keeps it, and the clip's status says it; sending it as a "decision" would risk a sync
 * service treating it as one. (The outbox also references a decision row by key.)
 *
 * Only a clip without a decision in force can be skipped: pending, or skipped already
 * (skipping again records the new reason). A skipped clip can be decided later as usual.
 */

const SKIPPABLE = new Set(['pending', 'skipped'])

export class SkipLog {
  private readonly stmts

  constructor(
    private readonly sqlite: Database.Database,
    private readonly identity: Identity,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmts = {
      clip: sqlite.prepare('SELECT status FROM clips WHERE id = ?').pluck(),
      status: sqlite.prepare("UPDATE clips SET status = 'skipped' WHERE id = ?"),
    }
  }

  skip(input: SkipInput): SkipRecord {
    // Checked here too, not only by the contract's schema: core is called directly (CLI, tests).
    const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
    if (reason.length === 0) throw new TinjauError('invalid_input', 'a reason is required to skip a clip', [{ path: 'reason', message: 'a reason is required' }])
    if ([...reason].length > SKIP_REASON_MAX) {
      throw new TinjauError('invalid_input', `the reason is longer than ${SKIP_REASON_MAX} characters`, [
        { path: 'reason', message: `at most ${SKIP_REASON_MAX} characters` },
      ])
    }
    const run = this.sqlite.transaction((): SkipRecord => {
      const status = this.stmts.clip.get(input.clipId) as string | undefined
      if (status === undefined) throw new TinjauError('not_found', `no clip with id "${input.clipId}"`, [{ path: 'clipId', message: 'unknown clip' }])
      if (!SKIPPABLE.has(status)) {
        throw new TinjauError('conflict', `clip "${input.clipId}" is ${status}: only a clip without a decision can be skipped`, [
          { path: 'clipId', message: `clip is ${status}` },
        ])
      }
      const skippedAt = this.now().toISOString()
      this.stmts.status.run(input.clipId)
      appendAudit(this.sqlite, {
        at: skippedAt,
        actor: this.identity.reviewerId,
        deviceId: this.identity.deviceId,
        kind: 'clip.skipped',
        subject: input.clipId,
        payload: { reason, previousStatus: status },
      })
      return { clipId: input.clipId, reason, skippedAt, previousStatus: status }
    })
    return run.immediate()
  }
}
