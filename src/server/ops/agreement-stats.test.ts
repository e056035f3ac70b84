import { describe, expect, it } from 'vitest'
import {
  binaryKappaCounts,
  cohensKappa,
  cohensKappaCounts,
  confusionMatrix,
  fleissKappa,
  percentAgreement,
  perCategoryKappa,
  perLabelKappa,
  type LabelPair,
} from './agreement-stats'

/** `count` copies of one [rater A, rater B] pair. */
const times = (count: number, a: string, b: string): LabelPair[] => Array.from({ length: count }, () => [a, b] as const)

/** A row of category counts (n_ij) expanded into one item's ratings. */
const expand = (counts: number[], categories: string[]): string[] =>
  counts.flatMap((count, j) => Array.from({ length: count }, () => categories[j]!))

// Textbook 2×2: 50 clips.
//          B yes  B no
//   A yes    20     5    (A yes = 25)
//   A no     10    15    (A no  = 25)
//   B yes = 30, B no = 20
const textbook = [...times(20, 'yes', 'yes'), ...times(5, 'yes', 'no'), ...times(10, 'no', 'yes'), ...times(15, 'no', 'no')]

// Three actions, 20 clips (rows A, columns B):
//                remove  allow  age_restrict   A total
//   remove          6      1        1             8
//   allow           1      5        0             6
//   age_restrict    1      1        4             6
//   B total         8      7        5            20
const threeLabel = [
  ...times(6, 'remove', 'remove'),
  ...times(1, 'remove', 'allow'),
  ...times(1, 'remove', 'age_restrict'),
  ...times(1, 'allow', 'remove'),
  ...times(5, 'allow', 'allow'),
  ...times(1, 'age_restrict', 'remove'),
  ...times(1, 'age_restrict', 'allow'),
  ...times(4, 'age_restrict', 'age_restrict'),
]

describe('percentAgreement', () => {
  it('is the share of equal pairs', () => {
    // (20 + 15) / 50
    expect(percentAgreement(textbook)).toBeCloseTo(0.7, 3)
    // (6 + 5 + 4) / 20
    expect(percentAgreement(threeLabel)).toBeCloseTo(0.75, 3)
  })

  it('is null without pairs', () => {
    expect(percentAgreement([])).toBeNull()
  })
})

describe('cohensKappa', () => {
  it('gives 0.4 on the textbook 2×2', () => {
    // po = 35/50 = 0.7; pe = 0.5·0.6 (yes) + 0.5·0.4 (no) = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
    const r = cohensKappa(textbook)
    expect(r.n).toBe(50)
    expect(r.observed).toBeCloseTo(0.7, 3)
    expect(r.expected).toBeCloseTo(0.5, 3)
    expect(r.kappa).toBeCloseTo(0.4, 3)
  })

  it('handles three labels', () => {
    // po = 15/20 = 0.75
    // pe = (8·8 + 6·7 + 6·5)/20² = (64 + 42 + 30)/400 = 136/400 = 0.34
    // κ = (0.75 − 0.34)/(1 − 0.34) = 0.41/0.66 = 41/66 ≈ 0.6212
    const r = cohensKappa(threeLabel)
    expect(r.observed).toBeCloseTo(0.75, 3)
    expect(r.expected).toBeCloseTo(0.34, 3)
    expect(r.kappa).toBeCloseTo(41 / 66, 3)
    expect(r.kappa).toBeCloseTo(0.6212, 3)
  })

  it('is 1 on perfect agreement', () => {
    // po = 1; pe = 0.5·0.5 + 0.25·0.25 + 0.25·0.25 = 0.375; κ = 0.625/0.625 = 1
    const r = cohensKappa([...times(2, 'remove', 'remove'), ['allow', 'allow'], ['age_restrict', 'age_restrict']])
    expect(r.observed).toBe(1)
    expect(r.expected).toBeCloseTo(0.375, 3)
    expect(r.kappa).toBeCloseTo(1, 3)
  })

  it('is −1 when the raters always swap two equally used labels', () => {
    // po = 0; pe = 0.5·0.5 + 0.5·0.5 = 0.5; κ = (0 − 0.5)/0.5 = −1
    expect(cohensKappa([...times(3, 'remove', 'allow'), ...times(3, 'allow', 'remove')]).kappa).toBeCloseTo(-1, 3)
  })

  it('is null (undefined) when both raters used one identical label throughout', () => {
    // po = 1, pe = 1·1 = 1: κ = 0/0
    expect(cohensKappa(times(4, 'allow', 'allow'))).toEqual({ kappa: null, observed: 1, expected: 1, n: 4 })
  })

  it('is defined when each rater used a single but different label', () => {
    // po = 0; pe = 1·0 + 0·1 = 0; κ = (0 − 0)/(1 − 0) = 0
    expect(cohensKappa(times(3, 'allow', 'remove'))).toEqual({ kappa: 0, observed: 0, expected: 0, n: 3 })
  })

  it('is all null without pairs', () => {
    expect(cohensKappa([])).toEqual({ kappa: null, observed: null, expected: null, n: 0 })
  })
})

describe('fleissKappa', () => {
  it('reproduces the Wikipedia worked example (10 items, 14 raters, 5 categories)', () => {
    const categories = ['c1', 'c2', 'c3', 'c4', 'c5']
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ]
    // Σ_j n_ij(n_ij − 1) per row: 182, 46, 56, 80, 60, 84, 44, 32, 52, 52 = 688
    // P̄ = 688 / (10 · 14 · 13) = 688/1820 ≈ 0.378
    // column totals 20, 28, 39, 21, 32 of 140: P̄e = (400 + 784 + 1521 + 441 + 1024)/140² = 4170/19600 ≈ 0.213
    // κ = (688/1820 − 4170/19600)/(1 − 4170/19600) = 4211/20059 ≈ 0.210
    const r = fleissKappa(table.map((row) => expand(row, categories)))
    expect(r.items).toBe(10)
    expect(r.ratings).toBe(140)
    expect(r.kappa).toBeCloseTo(4211 / 20059, 3)
    expect(r.kappa).toBeCloseTo(0.21, 3)
  })

  it('takes a variable number of raters per item and ignores items rated once', () => {
    // [x x x]   n=3: P = 3·2/(3·2)         = 1
    // [x y]     n=2: P = 0/(2·1)           = 0
    // [y y x x] n=4: P = (2·1 + 2·1)/(4·3) = 1/3
    // [z]       n=1: ignored, z counts nowhere
    // [y y]     n=2: P = 2·1/(2·1)         = 1
    // P̄ = (1 + 0 + 1/3 + 1)/4 = 7/12
    // totals x = 3+1+2 = 6, y = 1+2+2 = 5 of 11: P̄e = (36 + 25)/121 = 61/121
    // κ = (7/12 − 61/121)/(1 − 61/121) = (115/1452)/(60/121) = 115/720 = 23/144 ≈ 0.1597
    const r = fleissKappa([['x', 'x', 'x'], ['x', 'y'], ['y', 'y', 'x', 'x'], ['z'], ['y', 'y']])
    expect(r.items).toBe(4)
    expect(r.ratings).toBe(11)
    expect(r.kappa).toBeCloseTo(23 / 144, 3)
    expect(r.kappa).toBeCloseTo(0.1597, 3)
  })

  it('with two raters per item is Scott’s pi, not Cohen’s kappa', () => {
    // Textbook 2×2 as items: 35 agreeing items (P = 1), 15 disagreeing (P = 0): P̄ = 35/50 = 0.7
    // pooled ratings: yes = 2·20 + 5 + 10 = 55, no = 5 + 10 + 2·15 = 45 of 100
    // P̄e = 0.55² + 0.45² = 0.3025 + 0.2025 = 0.505
    // κ = (0.7 − 0.505)/(1 − 0.505) = 0.195/0.495 = 13/33 ≈ 0.3939 (Cohen's gives 0.4)
    const r = fleissKappa(textbook.map(([a, b]) => [a, b]))
    expect(r.items).toBe(50)
    expect(r.ratings).toBe(100)
    expect(r.kappa).toBeCloseTo(13 / 33, 3)
    expect(r.kappa).toBeCloseTo(0.3939, 3)
  })

  it('is 1 on perfect agreement over several categories', () => {
    // P̄ = 1; P̄e = 0.5² + 0.5² = 0.5; κ = 0.5/0.5 = 1
    expect(fleissKappa([['a', 'a', 'a'], ['b', 'b', 'b']]).kappa).toBeCloseTo(1, 3)
  })

  it('is null when one category was used throughout, or without usable items', () => {
    expect(fleissKappa([['a', 'a'], ['a', 'a', 'a']])).toEqual({ kappa: null, items: 2, ratings: 5 })
    expect(fleissKappa([['a'], []])).toEqual({ kappa: null, items: 0, ratings: 0 })
    expect(fleissKappa([])).toEqual({ kappa: null, items: 0, ratings: 0 })
  })
})

describe('confusionMatrix', () => {
  it('counts rows by the first label and columns by the second, labels sorted', () => {
    expect(confusionMatrix(threeLabel)).toEqual({
      labels: ['age_restrict', 'allow', 'remove'],
      counts: [
        [4, 1, 1],
        [0, 5, 1],
        [1, 1, 6],
      ],
    })
  })

  it('keeps the given order, with unused labels, and appends unseen ones sorted', () => {
    const pairs: LabelPair[] = [['remove', 'allow'], ['remove', 'remove'], ['violence', 'allow'], ['allow', 'hate']]
    expect(confusionMatrix(pairs, ['remove', 'allow', 'escalate'])).toEqual({
      labels: ['remove', 'allow', 'escalate', 'hate', 'violence'],
      counts: [
        [1, 1, 0, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
      ],
    })
  })

  it('is empty without pairs or labels', () => {
    expect(confusionMatrix([])).toEqual({ labels: [], counts: [] })
  })
})

describe('perLabelKappa', () => {
  it('computes one-vs-rest kappa per label', () => {
    // Each label L from the three-label table as a yes/no question over all 20 clips.
    // remove:       both 6, A only 2, B only 2, neither 10
    //   po = 16/20 = 0.8; pA = pB = 8/20 = 0.4; pe = 0.4·0.4 + 0.6·0.6 = 0.52; κ = 0.28/0.48 = 7/12 ≈ 0.5833
    // allow:        both 5, A only 1, B only 2, neither 12
    //   po = 17/20 = 0.85; pA = 0.3, pB = 0.35; pe = 0.105 + 0.455 = 0.56; κ = 0.29/0.44 = 29/44 ≈ 0.6591
    // age_restrict: both 4, A only 2, B only 1, neither 13
    //   po = 17/20 = 0.85; pA = 0.3, pB = 0.25; pe = 0.075 + 0.525 = 0.6; κ = 0.25/0.4 = 0.625
    const r = perLabelKappa(threeLabel)
    expect(Object.keys(r)).toEqual(['age_restrict', 'allow', 'remove'])
    expect(r.remove!.n).toBe(20)
    expect(r.remove!.agreement).toBeCloseTo(0.8, 3)
    expect(r.remove!.kappa).toBeCloseTo(0.5833, 3)
    expect(r.allow!.agreement).toBeCloseTo(0.85, 3)
    expect(r.allow!.kappa).toBeCloseTo(0.6591, 3)
    expect(r.age_restrict!.agreement).toBeCloseTo(0.85, 3)
    expect(r.age_restrict!.kappa).toBeCloseTo(0.625, 3)
  })

  it('gives null kappa for a label both raters chose on every pair', () => {
    expect(perLabelKappa(times(3, 'allow', 'allow'))).toEqual({ allow: { kappa: null, agreement: 1, n: 3 } })
  })

  it('is empty without pairs', () => {
    expect(perLabelKappa([])).toEqual({})
  })
})

describe('perCategoryKappa', () => {
  it('computes present/absent kappa per category over category sets', () => {
    // pair  A                    B
    //  1    [violence]           [violence, gore]
    //  2    [gore]               []
    //  3    []                   []
    //  4    [violence, hate]     [violence]
    // violence: A T F F T, B T F F T → po = 1; pe = 0.5·0.5 + 0.5·0.5 = 0.5; κ = 0.5/0.5 = 1
    // gore:     A F T F F, B T F F F → po = 2/4 = 0.5; pe = 0.25·0.25 + 0.75·0.75 = 0.625; κ = −0.125/0.375 = −1/3
    // hate:     A F F F T, B F F F F → po = 3/4 = 0.75; pe = 0.25·0 + 0.75·1 = 0.75; κ = 0/0.25 = 0
    const r = perCategoryKappa([
      [['violence'], ['violence', 'gore']],
      [['gore'], []],
      [[], []],
      [['violence', 'hate'], ['violence']],
    ])
    expect(Object.keys(r)).toEqual(['gore', 'hate', 'violence'])
    expect(r.violence!.n).toBe(4)
    expect(r.violence!.agreement).toBeCloseTo(1, 3)
    expect(r.violence!.kappa).toBeCloseTo(1, 3)
    expect(r.gore!.agreement).toBeCloseTo(0.5, 3)
    expect(r.gore!.kappa).toBeCloseTo(-1 / 3, 3)
    expect(r.hate!.agreement).toBeCloseTo(0.75, 3)
    expect(r.hate!.kappa).toBeCloseTo(0, 3)
  })

  it('gives null kappa for a category present on both sides throughout', () => {
    expect(perCategoryKappa([[['spam'], ['spam']], [['spam'], ['spam']]])).toEqual({
      spam: { kappa: null, agreement: 1, n: 2 },
    })
  })
})

describe('from counts (what the database hands back)', () => {
  const pairs: [string, string][] = [
    ['remove', 'remove'], ['remove', 'allow'], ['allow', 'allow'], ['allow', 'allow'], ['label', 'remove'], ['remove', 'remove'], ['label', 'label'],
  ]
  it('gives Cohen’s kappa of the same table as the pairs do', () => {
    const cells = new Map<string, number>()
    for (const [a, b] of pairs) cells.set(`${a}|${b}`, (cells.get(`${a}|${b}`) ?? 0) + 1)
    const counted = cohensKappaCounts([...cells].map(([k, n]) => ({ a: k.split('|')[0]!, b: k.split('|')[1]!, n })))
    expect(counted).toEqual(cohensKappa(pairs))
  })
  it('gives the one-vs-rest kappa of a 2×2 table as perLabelKappa does', () => {
    const isRemove = pairs.map(([a, b]) => [a === 'remove', b === 'remove'] as const)
    const t = {
      both: isRemove.filter(([a, b]) => a && b).length,
      firstOnly: isRemove.filter(([a, b]) => a && !b).length,
      secondOnly: isRemove.filter(([a, b]) => !a && b).length,
      neither: isRemove.filter(([a, b]) => !a && !b).length,
    }
    expect(binaryKappaCounts(t)).toEqual(perLabelKappa(pairs).remove)
  })
})
