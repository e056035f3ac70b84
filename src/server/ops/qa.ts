import type { AgreementReport, QaDrawResult, QaRule, QaRuleBody } from '../../shared/lead-api'
import type { SQL } from 'drizzle-orm'
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
 * The agreement report reads the pairs of decisions in force on the clips decided by two
 * reviewers or more in the window (decision_pairs, kept per clip by every push:
 * ops/decision-pairs.ts), and lets the database count: the statistics are computed from
 * contingency tables, so what it reads grows with reviewer pairs and labels, not decisions.
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

/**
 * Pairs counted by first and second reviewer and action, and whether they are their clip's
 * only pair; `inOrder` is r1 < r2 as the database orders ids (which one is `a` of the
 * reviewer pair). A tuple: 40,000 of these go to Node as one JSON array, which it parses in
 * a tenth of the CPU that as many rows take.
 */
type PairCell = [r1: string, r2: string, inOrder: boolean, a1: string, a2: string, alone: boolean, n: number]

interface CategoryCounts {
  c: string
  both: number
  first_only: number
  second_only: number
}

/** Fleiss' sums over the clips with three or more decisions in force (decision_pairs.clip_heads > 2). */
interface CrowdedSums {
  items: number
  ratings: number
  agreement_sum: number | null
  totals: Record<string, number>
}

/**
 * The report's three reads, in one read-only snapshot, so they count the same pairs however
 * many pushes land meanwhile. Each pair is a row of decision_pairs (ops/decision-pairs.ts).
 */
async function countPairs(db: Db, inWindow: SQL): Promise<{ cells: PairCell[]; categories: CategoryCounts[]; crowded: CrowdedSums }> {
  return db.transaction(
    async (txn) => {
      const tx = txn as unknown as Db
      // JIT never pays here: forced on over the issue-13 seed (450,000 pairs) it saved no CPU on
      // these scans and cost 30 ms compiling, 0.1–0.5 s once optimising and inlining (past
      // 500,000 cost units, which the plans reach as pairs grow). Below jit_above_cost it is off anyway.
      await tx.execute(sql`SET LOCAL jit = off`)
      const grouped = await one<{ cells: PairCell[] | null }>(
        tx,
        sql`SELECT json_agg(json_build_array(r1, r2, r1 < r2, a1, a2, alone, n)) AS cells
              FROM (SELECT first_reviewer AS r1, second_reviewer AS r2, first_action AS a1, second_action AS a2, clip_heads = 2 AS alone, count(*) AS n
                      FROM decision_pairs WHERE ${inWindow} GROUP BY 1, 2, 3, 4, 5) g`,
      )
      // Grouping by the three category sets first: far fewer of them than pairs, and each is unnested once.
      const categories = await rows<CategoryCounts>(
        tx,
        sql`WITH s AS (
              SELECT both_categories, first_categories, second_categories, count(*) AS n
                FROM decision_pairs WHERE ${inWindow} GROUP BY 1, 2, 3)
            SELECT c, COALESCE(sum(n) FILTER (WHERE k = 1), 0)::int AS both, COALESCE(sum(n) FILTER (WHERE k = 2), 0)::int AS first_only,
                   COALESCE(sum(n) FILTER (WHERE k = 3), 0)::int AS second_only
              FROM s CROSS JOIN LATERAL (
                SELECT c, 1 AS k FROM unnest(s.both_categories) c UNION ALL
                SELECT c, 2 FROM unnest(s.first_categories) c UNION ALL
                SELECT c, 3 FROM unnest(s.second_categories) c) u
             GROUP BY c`,
      )
      // A clip with k decisions in the window has k(k − 1)/2 pairs there, and each decision is
      // in k − 1 of them: counting actions over both sides of its pairs gives n_ij (k − 1).
      const crowded = await one<CrowdedSums>(
        tx,
        sql`WITH w AS (SELECT clip_id, first_action, second_action FROM decision_pairs WHERE clip_heads > 2 AND ${inWindow}),
              sides AS (SELECT clip_id, action, count(*) AS n FROM w CROSS JOIN LATERAL (VALUES (first_action), (second_action)) v(action) GROUP BY 1, 2),
              k AS (SELECT clip_id, round((1 + sqrt(1 + 4 * sum(n))) / 2)::int AS ni FROM sides GROUP BY clip_id),
              nij AS (SELECT s.clip_id, s.action, s.n / (k.ni - 1) AS nij, k.ni FROM sides s JOIN k USING (clip_id)),
              per AS (SELECT clip_id, ni, sum(nij * (nij - 1)) AS agree FROM nij GROUP BY clip_id, ni)
            SELECT (SELECT count(*)::int FROM per) AS items, (SELECT COALESCE(sum(ni), 0)::int FROM per) AS ratings,
                   (SELECT sum(agree::float8 / (ni * (ni - 1))) FROM per) AS agreement_sum,
                   (SELECT COALESCE(json_object_agg(action, n), '{}'::json) FROM (SELECT action, sum(nij)::int AS n FROM nij GROUP BY action) t) AS totals`,
      )
      return { cells: grouped?.cells ?? [], categories, crowded: crowded! }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

export async function agreementReport(db: Db, window: ReportWindow = {}): Promise<AgreementReport> {
  const from = checkTime(window.from, 'from')
  const to = checkTime(window.to, 'to')
  if (from !== null && to !== null && from >= to) throw new ServerError('invalid_request', '"from" must come before "to"', [{ path: 'query.from', message: 'after "to"' }])
  // The decisions in force in the window, on clips with two or more of them there, each pair
  // once, earlier → later: the pairs whose both decisions are in it. first_at ≤ second_at, so
  // that is first_at ≥ from and second_at < to; bounding first_at by `to` too lets a window
  // use the index on first_at.
  const where = [sql`TRUE`]
  if (from !== null) where.push(sql`first_at >= ${from}`)
  if (to !== null) where.push(sql`first_at < ${to} AND second_at < ${to}`)
  if (window.packId !== undefined) where.push(sql`pack_id = ${window.packId}`)
  const { cells, categories, crowded } = await countPairs(db, sql.join(where, sql` AND `))

  const pairs = new Map<string, PairCount[]>()
  const byOrder = new Map<string, PairCount>()
  // Fleiss over clips whose only pair this is: an item of two ratings, agreeing or not.
  let alone = 0
  let aloneAgreeing = 0
  const totals = new Map(Object.entries(crowded.totals))
  for (const [r1, r2, inOrder, a1, a2, isAlone, n] of cells) {
    const [ra, rb, la, lb] = inOrder ? [r1, r2, a1, a2] : [r2, r1, a2, a1]
    const key = `${ra}\u0000${rb}`
    const cellsOfPair = pairs.get(key)
    if (cellsOfPair) cellsOfPair.push({ a: la, b: lb, n })
    else pairs.set(key, [{ a: la, b: lb, n }])
    const order = `${a1}\u0000${a2}`
    byOrder.set(order, { a: a1, b: a2, n: (byOrder.get(order)?.n ?? 0) + n })
    if (!isAlone) continue
    alone += n
    if (a1 === a2) aloneAgreeing += n
    totals.set(a1, (totals.get(a1) ?? 0) + n)
    totals.set(a2, (totals.get(a2) ?? 0) + n)
  }
  const ordered = [...byOrder.values()]
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
    [...categories]
      .sort((x, y) => (x.c < y.c ? -1 : x.c > y.c ? 1 : 0))
      .map((r) => [r.c, binaryKappaCounts({ both: r.both, firstOnly: r.first_only, secondOnly: r.second_only, neither: overall.n - r.both - r.first_only - r.second_only })]),
  )
  const f = fleissFromAggregates({
    items: alone + crowded.items,
    ratings: 2 * alone + crowded.ratings,
    agreementSum: aloneAgreeing + Number(crowded.agreement_sum ?? 0),
    totals,
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
      .map(([key, cellsOfPair]) => {
        const [a, b] = key.split('\u0000') as [string, string]
        const k = cohensKappaCounts(cellsOfPair)
        return { a, b, n: k.n, agreement: k.observed, kappa: k.kappa }
      }),
    per_action: perAction,
    per_category: perCategory,
    confusion,
  }
}
