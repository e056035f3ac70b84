import type Database from 'better-sqlite3'
import { newId } from './ids'
import type { DecisionRecord } from '../shared/domain'
import { packMatchedFrom, unpackMatchedFrom, type MatchedFromHashList, type PackedMatchedFrom } from '../shared/matched-from'
import { TinjauError } from '../shared/errors'
import { checkDecisionAgainstPolicy, describeProblem, ESCALATE_ACTION, type DecisionDraft, type Policy } from '../shared/policy'
import { appendAudit } from './audit'
import type { Identity } from './settings'

/**
 * Recording decisions. The decision row, its outbox entry, the clip's new status and the
 * audit entry are one transaction: the caller hears "saved" only after it commits, and a
 * crash at any point leaves either all four or none.
 */

interface DecisionRow {
  id: string
  clip_id: string
  revises_id: string | null
  policy_id: string
  policy_version: string
  categories: string
  action: string
  escalation_target: string | null
  ranges: string
  rationale: string
  reviewer_id: string
  device_id: string
  decided_at: string
  matched_from: string | null
  acked_at: string | null
  rejected_at: string | null
}

const SELECT_DECISION = `SELECT d.*, o.acked_at, o.rejected_at FROM decisions d LEFT JOIN outbox o ON o.decision_id = d.id`

export function toDecisionRecord(row: DecisionRow): DecisionRecord {
  return {
    id: row.id,
    clipId: row.clip_id,
    revisesId: row.revises_id,
    policyId: row.policy_id,
    policyVersion: row.policy_version,
    categories: JSON.parse(row.categories) as string[],
    action: row.action,
    escalationTarget: row.escalation_target,
    ranges: JSON.parse(row.ranges) as DecisionRecord['ranges'],
    rationale: row.rationale,
    reviewerId: row.reviewer_id,
    deviceId: row.device_id,
    decidedAt: row.decided_at,
    matchedFrom: row.matched_from === null ? null : unpackMatchedFrom(JSON.parse(row.matched_from) as PackedMatchedFrom),
    syncState: row.acked_at ? 'acked' : row.rejected_at ? 'rejected' : 'pending',
  }
}

export class DecisionLog {
  private readonly stmts

  constructor(
    private readonly sqlite: Database.Database,
    private readonly policy: Policy,
    private readonly identity: Identity,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmts = {
      clip: sqlite.prepare('SELECT id, duration_ms FROM clips WHERE id = ?'),
      latest: sqlite.prepare(
        'SELECT id FROM decisions d WHERE clip_id = ? AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.revises_id = d.id)',
      ),
      byId: sqlite.prepare(`${SELECT_DECISION} WHERE d.id = ?`),
      insert: sqlite.prepare(`INSERT INTO decisions (id, clip_id, revises_id, policy_id, policy_version, categories, action,
        escalation_target, ranges, rationale, reviewer_id, device_id, decided_at, matched_from)
        VALUES (@id, @clipId, @revisesId, @policyId, @policyVersion, @categories, @action, @escalationTarget, @ranges,
        @rationale, @reviewerId, @deviceId, @decidedAt, @matchedFrom)`),
      decisionOnClip: sqlite.prepare('SELECT 1 FROM decisions WHERE id = ? AND clip_id = ?').pluck(),
      hashList: sqlite.prepare('SELECT source, created_at FROM hash_lists WHERE id = ?'),
      listEntryLabel: sqlite.prepare('SELECT label FROM hash_list_entries WHERE list_id = ? AND entry_id = ?').pluck(),
      enqueue: sqlite.prepare('INSERT INTO outbox (decision_id, enqueued_at) VALUES (?, ?)'),
      status: sqlite.prepare('UPDATE clips SET status = ? WHERE id = ?'),
      forClip: sqlite.prepare(`${SELECT_DECISION} WHERE d.clip_id = ? ORDER BY d.decided_at, d.id`),
      page: sqlite.prepare(`${SELECT_DECISION} ORDER BY d.decided_at DESC, d.id DESC LIMIT ? OFFSET ?`),
      pageForClip: sqlite.prepare(`${SELECT_DECISION} WHERE d.clip_id = ? ORDER BY d.decided_at DESC, d.id DESC LIMIT ? OFFSET ?`),
      count: sqlite.prepare('SELECT count(*) FROM decisions').pluck(),
      countForClip: sqlite.prepare('SELECT count(*) FROM decisions WHERE clip_id = ?').pluck(),
    }
  }

  record(draft: DecisionDraft): DecisionRecord {
    // IMMEDIATE: take the write lock before reading "the decision in force", so two
    // writers cannot both revise the same decision.
    return this.sqlite.transaction(() => this.insertOne(draft, '')).immediate()
  }

  /**
   * Several decisions in one transaction (applying one decision to every copy of a video):
   * each checked as `record` checks it, in order, and either all are stored or none. An
   * error names the draft by its place in the list (`decisions.2.revisesId`).
   */
  recordMany(drafts: readonly DecisionDraft[]): DecisionRecord[] {
    return this.sqlite.transaction(() => drafts.map((draft, i) => this.insertOne(draft, `decisions.${i}.`))).immediate()
  }

  private insertOne(draft: DecisionDraft, at: string): DecisionRecord {
    const where = (path: string) => at + path
    const clip = this.stmts.clip.get(draft.clipId) as { id: string; duration_ms: number | null } | undefined
    if (!clip) throw new TinjauError('not_found', `no clip with id "${draft.clipId}"`, [{ path: where('clipId'), message: 'unknown clip' }])
    const problems = checkDecisionAgainstPolicy(this.policy, draft, clip.duration_ms ?? undefined)
    if (problems.length > 0) {
      throw new TinjauError(
        'policy_violation',
        `the decision breaks policy ${this.policy.id} ${this.policy.version}: ${problems.map(describeProblem).join('; ')}`,
        problems.map((p) => ({ path: where(p.field), message: describeProblem(p) })),
      )
    }
    const latest = (this.stmts.latest.all(draft.clipId) as { id: string }[]).map((r) => r.id)
    const inForce = latest[0] ?? null
    if (draft.revisesId === null && inForce !== null) {
      throw new TinjauError('conflict', `clip "${draft.clipId}" already has decision ${inForce}; a new decision must revise it`, [
        { path: where('revisesId'), message: `must be ${inForce}` },
      ])
    }
    if (draft.revisesId !== null && draft.revisesId !== inForce) {
      throw new TinjauError(
        'conflict',
        inForce === null
          ? `decision ${draft.revisesId} is not a decision on clip "${draft.clipId}"`
          : `decision ${draft.revisesId} is not the one in force on clip "${draft.clipId}" (that is ${inForce})`,
        [{ path: where('revisesId'), message: 'not the decision in force' }],
      )
    }
    this.checkMatchedFrom(draft, where)
    const decidedAt = this.now().toISOString()
    const id = newId()
    this.stmts.insert.run({
      id,
      clipId: draft.clipId,
      revisesId: draft.revisesId,
      policyId: this.policy.id,
      policyVersion: this.policy.version,
      categories: JSON.stringify(draft.categories),
      action: draft.action,
      escalationTarget: draft.escalationTarget,
      ranges: JSON.stringify(draft.ranges),
      rationale: draft.rationale,
      reviewerId: this.identity.reviewerId,
      deviceId: this.identity.deviceId,
      decidedAt,
      matchedFrom: draft.matchedFrom === null ? null : JSON.stringify(packMatchedFrom(draft.matchedFrom)),
    })
    this.stmts.enqueue.run(id, decidedAt)
    this.stmts.status.run(draft.action === ESCALATE_ACTION ? 'escalated' : 'decided', draft.clipId)
    appendAudit(this.sqlite, {
      at: decidedAt,
      actor: this.identity.reviewerId,
      deviceId: this.identity.deviceId,
      kind: draft.revisesId ? 'decision.revised' : 'decision.recorded',
      subject: draft.clipId,
      // matchedFrom only when set: entries of decisions made from scratch keep their old shape.
      payload: {
        decisionId: id,
        revisesId: draft.revisesId,
        action: draft.action,
        categories: draft.categories,
        ...(draft.matchedFrom === null ? {} : { matchedFrom: draft.matchedFrom }),
      },
    })
    return toDecisionRecord(this.stmts.byId.get(id) as DecisionRow)
  }

  /**
   * Refuse a match that does not hold in this profile: the clip it names must be another clip
   * here, and its decision one on that clip; the hash list it names must be held here, from
   * that source and in that version, and the entry one of it, under that label.
   */
  private checkMatchedFrom(draft: DecisionDraft, where: (path: string) => string): void {
    const m = draft.matchedFrom
    if (m === null) return
    if (m.source === 'hashlist') {
      this.checkListMatch(m, where)
      return
    }
    if (m.clipId === draft.clipId) {
      throw new TinjauError('invalid_input', `a decision on clip "${draft.clipId}" cannot come from a match with the same clip`, [
        { path: where('matchedFrom.clipId'), message: 'the clip itself' },
      ])
    }
    if (!this.stmts.clip.get(m.clipId)) {
      throw new TinjauError('not_found', `the matched clip "${m.clipId}" is not in this profile`, [{ path: where('matchedFrom.clipId'), message: 'unknown clip' }])
    }
    if (m.decisionId !== null && !this.stmts.decisionOnClip.get(m.decisionId, m.clipId)) {
      throw new TinjauError('not_found', `decision ${m.decisionId} is not a decision on the matched clip "${m.clipId}"`, [
        { path: where('matchedFrom.decisionId'), message: 'not a decision on the matched clip' },
      ])
    }
  }

  private checkListMatch(m: MatchedFromHashList, where: (path: string) => string): void {
    const list = this.stmts.hashList.get(m.listId) as { source: string; created_at: string } | undefined
    if (!list) {
      throw new TinjauError('not_found', `the matched hash list "${m.listId}" is not in this profile`, [{ path: where('matchedFrom.listId'), message: 'unknown hash list' }])
    }
    if (list.source !== m.listSource) {
      throw new TinjauError('invalid_input', `hash list "${m.listId}" in this profile comes from ${list.source}, not ${m.listSource}`, [
        { path: where('matchedFrom.listSource'), message: `must be ${list.source}` },
      ])
    }
    // A newer version may carry another decision for the entry: the reviewer applies the one in force.
    if (list.created_at !== m.listVersion) {
      throw new TinjauError('conflict', `hash list "${m.listId}" in this profile is version ${list.created_at}, not ${m.listVersion}; open the match again`, [
        { path: where('matchedFrom.listVersion'), message: `the version in force is ${list.created_at}` },
      ])
    }
    const label = this.stmts.listEntryLabel.get(m.listId, m.entryId) as string | undefined
    if (label === undefined) {
      throw new TinjauError('not_found', `hash list "${m.listId}" has no entry "${m.entryId}"`, [{ path: where('matchedFrom.entryId'), message: 'unknown entry' }])
    }
    if (label !== m.label) {
      throw new TinjauError('invalid_input', `entry "${m.entryId}" of hash list "${m.listId}" is labelled ${JSON.stringify(label)}, not ${JSON.stringify(m.label)}`, [
        { path: where('matchedFrom.label'), message: 'not the entry\'s label' },
      ])
    }
  }

  forClip(clipId: string): DecisionRecord[] {
    return (this.stmts.forClip.all(clipId) as DecisionRow[]).map(toDecisionRecord)
  }

  /** The clip's decision in force: the one no other revises (the latest, should there be two chains). */
  inForce(clipId: string): DecisionRecord | null {
    const all = this.forClip(clipId)
    const revised = new Set(all.map((d) => d.revisesId))
    const heads = all.filter((d) => !revised.has(d.id))
    return heads.sort((a, b) => b.decidedAt.localeCompare(a.decidedAt) || b.id.localeCompare(a.id))[0] ?? null
  }

  list(opts: { clipId?: string | undefined; limit: number; offset: number }): { items: DecisionRecord[]; total: number } {
    const rows = opts.clipId
      ? (this.stmts.pageForClip.all(opts.clipId, opts.limit, opts.offset) as DecisionRow[])
      : (this.stmts.page.all(opts.limit, opts.offset) as DecisionRow[])
    const total = (opts.clipId ? this.stmts.countForClip.get(opts.clipId) : this.stmts.count.get()) as number
    return { items: rows.map(toDecisionRecord), total }
  }
}
