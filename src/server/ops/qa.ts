import type { AgreementReport, QaDrawResult, QaRule, QaRuleBody } from '../../shared/lead-api'
import { one, rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { binaryKappaCounts, cohensKappaCounts, confusionMatrix, fleissFromAggregates, type PairCount } from './agreement-stats'
import { isoSql, lockAssignmentChanges } from './assignments'
import { audit } from './leads'

/**
 * QA sampling and agreement (docs/outcomes.md, "QA sampling and agreement").
 *
 * A pack's rule draws a share of each reviewer's decided clips — per action when stratified
 * — for a blind second review: the clip is assigned (purpose `qa`) to another reviewer of
 * the pack, who sees it like any other clip and never the first decision (devices are shown
 * other reviewers' decisions only through adjudication notices, and only on clips they
 * decided themselves). The draw is deterministic (the clips with the lowest
 * sha256(pack | clip | reviewer)) and tops up: drawing again takes only what the share
 * still lacks, never a clip twice.
 *
 * The agreement report reads the decisions in force of every clip decided by two reviewers
 * or more in the window, and lets the database count: the statistics are computed from
 * contingency tables, so a million decisions move a few hundred rows.
 */

export async function setQaRule(db: Db, actor: string, packId: string, body: QaRuleBody): Promise<QaRule> {
  if (!Number.isInteger(body.percent) || body.percent < 0 || body.percent > 100) {
    throw new ServerError('invalid_request', 'a QA share is a whole percent from 0 to 100', [{ path: 'body.percent', message: '0–100' }])
  }
  if (!(await one(db, sql`SELECT 1 FROM packs WHERE id = ${packId}`))) throw new ServerError('not_found', `no pack "${packId}" has been loaded`)
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const rule = await one<QaRule>(
      tx,
      sql`INSERT INTO qa_rules (pack_id, percent, stratify_by_action, updated_by) VALUES (${packId}, ${body.percent}, ${body.stratify_by_action}, ${actor})
          ON CONFLICT (pack_id) DO UPDATE SET percent = EXCLUDED.percent, stratify_by_action = EXCLUDED.stratify_by_action,
            updated_by = EXCLUDED.updated_by, updated_at = now()
          RETURNING pack_id, percent, stratify_by_action, updated_by, ${isoSql(sql.raw('updated_at'))} AS updated_at`,
    )
    await audit(tx, actor, 'qa.rule', packId, { percent: body.percent, stratify_by_action: body.stratify_by_action })
    return rule!
  })
}

export async function listQaRules(db: Db): Promise<QaRule[]> {
  return rows<QaRule>(db, sql`SELECT pack_id, percent, stratify_by_action, updated_by, ${isoSql(sql.raw('updated_at'))} AS updated_at FROM qa_rules ORDER BY pack_id`)
}

interface Candidate {
  clip_id: string
  decision_id: string
  reviewer_id: string
  stratum: string
}

interface StratumCount {
  reviewer_id: string
  stratum: string
  decided: number
  sampled: number
}

export async function drawQaSample(db: Db, packId: string, actor: string): Promise<QaDrawResult> {
  const rule = await one<{ percent: number; stratify_by_action: boolean }>(db, sql`SELECT percent, stratify_by_action FROM qa_rules WHERE pack_id = ${packId}`)
  if (!rule) throw new ServerError('not_found', `pack "${packId}" has no QA rule; set one first (percent, stratified by action or not)`)
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    // The same lock as every assignment change: QA assignments are pulled like the others.
    await lockAssignmentChanges(tx)
    const stratum = rule.stratify_by_action ? sql`h.action` : sql`'all'`
    // What each reviewer decided alone on a clip of theirs (a review assignment, or no assignment at all, e.g. a decision pack).
    const counts = await rows<StratumCount>(
      tx,
      sql`SELECT h.reviewer_id, ${stratum} AS stratum, count(*)::int AS decided,
                 count(*) FILTER (WHERE EXISTS (SELECT 1 FROM qa_samples s WHERE s.clip_id = h.clip_id AND s.reviewer_id = h.reviewer_id))::int AS sampled
            FROM decision_heads h
           WHERE h.pack_id = ${packId}
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.clip_id = h.clip_id AND a.reviewer_id = h.reviewer_id AND a.purpose = 'qa')
           GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    // Clips one reviewer decided and no one else holds or decided: those a second review can check.
    const candidates = await rows<Candidate>(
      tx,
      sql`SELECT h.clip_id, h.decision_id, h.reviewer_id, ${stratum} AS stratum
            FROM decision_heads h
           WHERE h.pack_id = ${packId}
             AND NOT EXISTS (SELECT 1 FROM qa_samples s WHERE s.clip_id = h.clip_id)
             AND NOT EXISTS (SELECT 1 FROM decision_heads o WHERE o.clip_id = h.clip_id AND o.reviewer_id <> h.reviewer_id)
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.clip_id = h.clip_id AND a.reviewer_id <> h.reviewer_id AND a.active)
           ORDER BY h.reviewer_id, 4, sha256(convert_to(${packId} || '|' || h.clip_id || '|' || h.reviewer_id, 'UTF8')), h.clip_id`,
    )
    // The pack's team: whoever holds or held clips of it for review.
    const team = await rows<{ reviewer_id: string; load: number }>(
      tx,
      sql`SELECT a.reviewer_id, count(*) FILTER (WHERE a.active)::int AS load
            FROM assignments a JOIN clips cl ON cl.id = a.clip_id WHERE cl.pack_id = ${packId} GROUP BY a.reviewer_id ORDER BY a.reviewer_id`,
    )
    const load = new Map(team.map((t) => [t.reviewer_id, t.load]))
    const byStratum = new Map<string, Candidate[]>()
    for (const c of candidates) {
      const key = `${c.reviewer_id}\u0000${c.stratum}`
      byStratum.set(key, [...(byStratum.get(key) ?? []), c])
    }
    const drawn: (Candidate & { qa_reviewer_id: string })[] = []
    const sampled: Record<string, number> = {}
    const unmatched = new Set<string>()
    for (const s of counts) {
      const want = Math.ceil((rule.percent * s.decided) / 100) - s.sampled
      if (want <= 0) continue
      const others = team.filter((t) => t.reviewer_id !== s.reviewer_id)
      if (others.length === 0) {
        unmatched.add(s.reviewer_id)
        continue
      }
      for (const c of (byStratum.get(`${s.reviewer_id}\u0000${s.stratum}`) ?? []).slice(0, want)) {
        // The least loaded other reviewer, by id on a tie: the same data draws the same people.
        const second = [...others].sort((x, y) => load.get(x.reviewer_id)! - load.get(y.reviewer_id)! || (x.reviewer_id < y.reviewer_id ? -1 : 1))[0]!
        load.set(second.reviewer_id, load.get(second.reviewer_id)! + 1)
        drawn.push({ ...c, qa_reviewer_id: second.reviewer_id })
        sampled[s.reviewer_id] = (sampled[s.reviewer_id] ?? 0) + 1
      }
    }
    if (drawn.length > 0) {
      const json = JSON.stringify(drawn)
      await tx.execute(sql`INSERT INTO qa_samples (clip_id, pack_id, decision_id, reviewer_id, qa_reviewer_id, stratum, sampled_by)
        SELECT clip_id, ${packId}, decision_id, reviewer_id, qa_reviewer_id, stratum, ${actor}
          FROM jsonb_to_recordset(${json}::jsonb) AS x(clip_id text, decision_id text, reviewer_id text, qa_reviewer_id text, stratum text)`)
      await tx.execute(sql`WITH x AS (SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(clip_id text, qa_reviewer_id text)),
          up AS (
            INSERT INTO assignments (reviewer_id, clip_id, active, purpose) SELECT qa_reviewer_id, clip_id, true, 'qa' FROM x
            ON CONFLICT (reviewer_id, clip_id) DO UPDATE SET active = true, purpose = 'qa'
            RETURNING reviewer_id, clip_id)
        INSERT INTO assignment_changes (reviewer_id, clip_id, pack_id, kind)
        SELECT up.reviewer_id, up.clip_id, cl.pack_id, 'assigned' FROM up JOIN clips cl ON cl.id = up.clip_id ORDER BY cl.idx`)
    }
    await audit(tx, actor, 'qa.draw', packId, { sampled, unmatched: [...unmatched] })
    return { pack_id: packId, sampled, unmatched: [...unmatched].sort() }
  })
}

// ---- the agreement report -----------------------------------------------------------------

export interface ReportWindow {
  from?: string
  to?: string
  packId?: string
}

function checkTime(value: string | undefined, name: string): string | null {
  if (value === undefined) return null
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ServerError('invalid_request', `${name} must be a date or an RFC 3339 time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z`, [{ path: `query.${name}`, message: 'not a time' }])
  }
  return new Date(value).toISOString()
}

export async function agreementReport(db: Db, window: ReportWindow = {}): Promise<AgreementReport> {
  const from = checkTime(window.from, 'from')
  const to = checkTime(window.to, 'to')
  if (from !== null && to !== null && from >= to) throw new ServerError('invalid_request', '"from" must come before "to"', [{ path: 'query.from', message: 'after "to"' }])
  const where = [sql`TRUE`]
  if (from !== null) where.push(sql`decided_at >= ${from}`)
  if (to !== null) where.push(sql`decided_at < ${to}`)
  if (window.packId !== undefined) where.push(sql`pack_id = ${window.packId}`)
  // Decisions in force in the window, on clips with two or more of them; each pair once, ordered earlier → later.
  const base = sql`h AS MATERIALIZED (
      SELECT clip_id, reviewer_id, action, categories, decided_at FROM decision_heads WHERE ${sql.join(where, sql` AND `)}),
    m AS MATERIALIZED (
      SELECT h.* FROM h JOIN (SELECT clip_id FROM h GROUP BY clip_id HAVING count(*) >= 2) k USING (clip_id)),
    p AS (
      SELECT x.reviewer_id AS r1, y.reviewer_id AS r2, x.action AS a1, y.action AS a2, x.categories AS c1, y.categories AS c2
        FROM m x JOIN m y ON x.clip_id = y.clip_id AND (x.decided_at, x.reviewer_id) < (y.decided_at, y.reviewer_id))`
  const [byPair, byOrder, byCategory, fleiss, fleissTotals] = await Promise.all([
    rows<{ ra: string; rb: string; la: string; lb: string; n: number }>(
      db,
      sql`WITH ${base}
          SELECT LEAST(r1, r2) AS ra, GREATEST(r1, r2) AS rb,
                 CASE WHEN r1 < r2 THEN a1 ELSE a2 END AS la, CASE WHEN r1 < r2 THEN a2 ELSE a1 END AS lb, count(*)::int AS n
            FROM p GROUP BY 1, 2, 3, 4`,
    ),
    rows<{ a: string; b: string; n: number }>(db, sql`WITH ${base} SELECT a1 AS a, a2 AS b, count(*)::int AS n FROM p GROUP BY 1, 2`),
    rows<{ c: string; both: number; first_only: number; second_only: number; pairs: number }>(
      db,
      sql`WITH ${base}, t AS (SELECT count(*)::int AS pairs FROM p)
          SELECT c, count(*) FILTER (WHERE p.c1 ? c AND p.c2 ? c)::int AS both,
                 count(*) FILTER (WHERE p.c1 ? c AND NOT p.c2 ? c)::int AS first_only,
                 count(*) FILTER (WHERE NOT p.c1 ? c AND p.c2 ? c)::int AS second_only, (SELECT pairs FROM t) AS pairs
            FROM p CROSS JOIN LATERAL (SELECT DISTINCT e AS c FROM jsonb_array_elements_text(p.c1 || p.c2) e) cats GROUP BY c`,
    ),
    one<{ items: number; ratings: number; agreement_sum: number | null }>(
      db,
      sql`WITH ${base}, cl AS (SELECT clip_id, action, count(*) AS nij FROM m GROUP BY clip_id, action),
          per AS (SELECT clip_id, sum(nij) AS ni, sum(nij * (nij - 1)) AS agree FROM cl GROUP BY clip_id)
          SELECT count(*)::int AS items, COALESCE(sum(ni), 0)::int AS ratings, sum(agree::float8 / (ni * (ni - 1))) AS agreement_sum FROM per`,
    ),
    rows<{ action: string; n: number }>(db, sql`WITH ${base} SELECT action, count(*)::int AS n FROM m GROUP BY action`),
  ])

  const pairs = new Map<string, PairCount[]>()
  for (const r of byPair) {
    const key = `${r.ra}\u0000${r.rb}`
    pairs.set(key, [...(pairs.get(key) ?? []), { a: r.la, b: r.lb, n: r.n }])
  }
  const ordered: PairCount[] = byOrder.map((r) => ({ a: r.a, b: r.b, n: r.n }))
  const overall = cohensKappaCounts(ordered)
  const confusion = confusionMatrix([], [...new Set(ordered.flatMap((c) => [c.a, c.b]))].sort())
  for (const c of ordered) confusion.counts[confusion.labels.indexOf(c.a)]![confusion.labels.indexOf(c.b)]! += c.n
  // One-vs-rest per action ("both chose it, or both did not"), from the confusion matrix's row and column sums.
  const perAction = Object.fromEntries(
    confusion.labels.map((label, i) => {
      const both = confusion.counts[i]![i]!
      const row = confusion.counts[i]!.reduce((x, y) => x + y, 0)
      const column = confusion.counts.reduce((x, r) => x + r[i]!, 0)
      return [label, binaryKappaCounts({ both, firstOnly: row - both, secondOnly: column - both, neither: overall.n - row - column + both })]
    }),
  )
  const perCategory = Object.fromEntries(
    [...byCategory]
      .sort((x, y) => (x.c < y.c ? -1 : x.c > y.c ? 1 : 0))
      .map((r) => [r.c, binaryKappaCounts({ both: r.both, firstOnly: r.first_only, secondOnly: r.second_only, neither: r.pairs - r.both - r.first_only - r.second_only })]),
  )
  const f = fleissFromAggregates({
    items: fleiss?.items ?? 0,
    ratings: fleiss?.ratings ?? 0,
    agreementSum: Number(fleiss?.agreement_sum ?? 0),
    totals: new Map(fleissTotals.map((t) => [t.action, t.n])),
  })
  return {
    from,
    to,
    pack_id: window.packId ?? null,
    clips: f.items,
    percent_agreement: overall.observed,
    fleiss_kappa: f.kappa,
    pairs: [...pairs]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([key, cells]) => {
        const [a, b] = key.split('\u0000') as [string, string]
        const k = cohensKappaCounts(cells)
        return { a, b, n: k.n, agreement: k.observed, kappa: k.kappa }
      }),
    per_action: perAction,
    per_category: perCategory,
    confusion,
  }
}
