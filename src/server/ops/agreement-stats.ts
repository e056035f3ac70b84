/**
 * Inter-rater agreement for QA reports: how far reviewers' decisions on the same clips
 * agree beyond what chance alone would give. Pure functions over labels (an action, a
 * category), no store access, so reports and tests can feed them whatever they collect.
 *
 * Counts are kept as integers as long as possible: the degenerate cases (expected agreement
 * of exactly 1) are then detected exactly instead of through a rounded float.
 */

export type LabelPair = readonly [string, string]

export interface CohenResult {
  kappa: number | null
  observed: number | null
  expected: number | null
  n: number
}

export interface FleissResult {
  kappa: number | null
  /** Items that took part (two ratings or more). */
  items: number
  /** Ratings on those items. */
  ratings: number
}

export interface LabelKappa {
  kappa: number | null
  agreement: number | null
  n: number
}

export function percentAgreement(pairs: ReadonlyArray<LabelPair>): number | null {
  if (pairs.length === 0) return null
  return pairs.filter(([a, b]) => a === b).length / pairs.length
}

export function cohensKappa(pairs: ReadonlyArray<LabelPair>): CohenResult {
  return kappaOf(pairs)
}

/** Generic over the label type so the one-vs-rest helpers can run it on booleans. */
function kappaOf<T>(pairs: ReadonlyArray<readonly [T, T]>): CohenResult {
  const cells = new Map<T, Map<T, number>>()
  for (const [a, b] of pairs) {
    const row = cells.get(a) ?? new Map<T, number>()
    row.set(b, (row.get(b) ?? 0) + 1)
    cells.set(a, row)
  }
  return kappaOfCells([...cells].flatMap(([a, row]) => [...row].map(([b, n]) => ({ a, b, n }))))
}

/** A cell of a contingency table: how many pairs had `a` from the first rater and `b` from the second. */
export interface PairCount<T = string> {
  a: T
  b: T
  n: number
}

/**
 * Cohen's kappa from a contingency table rather than a list of pairs: what a database
 * hands back after GROUP BY, so a report over a million decisions moves a few hundred rows.
 */
export function cohensKappaCounts(cells: ReadonlyArray<PairCount>): CohenResult {
  return kappaOfCells(cells)
}

function kappaOfCells<T>(cells: ReadonlyArray<PairCount<T>>): CohenResult {
  let n = 0
  let agree = 0
  const first = new Map<T, number>()
  const second = new Map<T, number>()
  for (const { a, b, n: k } of cells) {
    if (k <= 0) continue
    n += k
    if (a === b) agree += k
    first.set(a, (first.get(a) ?? 0) + k)
    second.set(b, (second.get(b) ?? 0) + k)
  }
  if (n === 0) return { kappa: null, observed: null, expected: null, n: 0 }
  let chance = 0
  for (const [label, count] of first) chance += count * (second.get(label) ?? 0)
  const all = n * n
  return {
    kappa: chance === all ? null : (n * agree - chance) / (all - chance),
    observed: agree / n,
    expected: chance / all,
    n,
  }
}

/** Binary kappa ("did the rater choose it?") from its 2×2 table. */
export function binaryKappaCounts(t: { both: number; firstOnly: number; secondOnly: number; neither: number }): LabelKappa {
  const r = kappaOfCells<boolean>([
    { a: true, b: true, n: t.both },
    { a: true, b: false, n: t.firstOnly },
    { a: false, b: true, n: t.secondOnly },
    { a: false, b: false, n: t.neither },
  ])
  return { kappa: r.kappa, agreement: r.observed, n: r.n }
}

/**
 * Fleiss' kappa with a variable number of raters per item: each item's agreement P_i is
 * over its own n_i(n_i − 1) ordered rater pairs, and the category shares p_j over all
 * ratings counted. With the same number of raters everywhere this is classic Fleiss.
 * An item rated once has no rater pair, so it says nothing about agreement; it is left
 * out entirely, its rating included, so that it does not tilt the category shares either.
 */
export function fleissKappa(items: ReadonlyArray<ReadonlyArray<string>>): FleissResult {
  const totals = new Map<string, number>()
  let used = 0
  let ratings = 0
  let agreementSum = 0
  for (const item of items) {
    const ni = item.length
    if (ni < 2) continue
    const counts = new Map<string, number>()
    for (const label of item) counts.set(label, (counts.get(label) ?? 0) + 1)
    let pairsAgreeing = 0
    for (const [label, nij] of counts) {
      pairsAgreeing += nij * (nij - 1)
      totals.set(label, (totals.get(label) ?? 0) + nij)
    }
    agreementSum += pairsAgreeing / (ni * (ni - 1))
    used++
    ratings += ni
  }
  return fleissFromAggregates({ items: used, ratings, agreementSum, totals })
}

/**
 * Fleiss' kappa from what a database can sum: the items rated twice or more, their
 * ratings, the sum of each item's P_i = Σ n_ij(n_ij − 1) / n_i(n_i − 1), and the ratings per label.
 */
export function fleissFromAggregates(a: { items: number; ratings: number; agreementSum: number; totals: ReadonlyMap<string, number> }): FleissResult {
  const { items: used, ratings, agreementSum, totals } = a
  if (used === 0) return { kappa: null, items: 0, ratings: 0 }
  let squares = 0
  for (const t of totals.values()) squares += t * t
  if (squares === ratings * ratings) return { kappa: null, items: used, ratings }
  const meanAgreement = agreementSum / used
  const expected = squares / (ratings * ratings)
  return { kappa: (meanAgreement - expected) / (1 - expected), items: used, ratings }
}

/**
 * Rows are the first label of each pair, columns the second. Labels passed in keep their
 * order (a report may want its own, e.g. by severity) and get a row even when unused;
 * labels seen but not passed are appended sorted, so no pair is ever dropped.
 */
export function confusionMatrix(
  pairs: ReadonlyArray<LabelPair>,
  labels: readonly string[] = [],
): { labels: string[]; counts: number[][] } {
  const order = [...new Set(labels)]
  const known = new Set(order)
  const extra = new Set<string>()
  for (const [a, b] of pairs) {
    if (!known.has(a)) extra.add(a)
    if (!known.has(b)) extra.add(b)
  }
  order.push(...sortLabels(extra))
  const index = new Map(order.map((label, i) => [label, i]))
  const counts = order.map(() => order.map(() => 0))
  for (const [a, b] of pairs) counts[index.get(a)!]![index.get(b)!]!++
  return { labels: order, counts }
}

/**
 * One-vs-rest kappa per label: "did both reviewers choose L or both not?". The overall
 * kappa hides which actions or categories reviewers disagree on; this shows it. Every
 * pair counts for every label, since not choosing L is a decision about L too.
 */
export function perLabelKappa(pairs: ReadonlyArray<LabelPair>): Record<string, LabelKappa> {
  const seen = new Set<string>()
  for (const [a, b] of pairs) seen.add(a).add(b)
  return binaryPerLabel(seen, (label) => pairs.map(([a, b]) => [a === label, b === label] as const))
}

/**
 * The same for decisions carrying a set of categories: each category is present or absent
 * on each side. A pair where neither side has a category still counts as agreement on it
 * (both judged it absent), which is what makes rare categories comparable with common ones.
 */
export function perCategoryKappa(
  pairs: ReadonlyArray<readonly [readonly string[], readonly string[]]>,
): Record<string, LabelKappa> {
  const seen = new Set<string>()
  for (const [a, b] of pairs) for (const c of [...a, ...b]) seen.add(c)
  return binaryPerLabel(seen, (category) =>
    pairs.map(([a, b]) => [a.includes(category), b.includes(category)] as const),
  )
}

function binaryPerLabel(
  labels: Iterable<string>,
  binary: (label: string) => ReadonlyArray<readonly [boolean, boolean]>,
): Record<string, LabelKappa> {
  // Object.fromEntries defines own properties, so a label such as "__proto__" stays a key.
  return Object.fromEntries(
    sortLabels(labels).map((label) => {
      const { kappa, observed, n } = kappaOf(binary(label))
      return [label, { kappa, agreement: observed, n }]
    }),
  )
}

/** By code unit, not locale: the same order on every machine a report is made on. */
function sortLabels(labels: Iterable<string>): string[] {
  return [...labels].sort()
}
