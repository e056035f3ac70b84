import { describe, expect, it } from 'vitest'
import { confusionView, formatKappa, formatShare, kappaStrength, labelRows, reviewerLabel } from './qa-format'
import { checkRule, ruleChanged, ruleInput } from './qa-rule-form'
import { dayValue, defaultWindow, localDayStart, windowQuery } from './qa-window'
import type { QaRule } from '../../../shared/lead-api'

describe('the report window → the service query', () => {
  it('days are local, "from" is the day start, "to" includes its day (ends at the next day start)', () => {
    const r = windowQuery({ from: '2026-12-01', to: '2026-12-07', pack: '' })
    expect(r).toEqual({ ok: true, query: { from: new Date(2026, 11, 1).toISOString(), to: new Date(2026, 11, 8).toISOString() } })
  })

  it('one day is a window; a month end rolls over into the next month', () => {
    const r = windowQuery({ from: '2026-12-31', to: '2026-12-31', pack: 'pk-1' })
    expect(r).toEqual({ ok: true, query: { from: new Date(2026, 11, 31).toISOString(), to: new Date(2027, 0, 1).toISOString(), pack: 'pk-1' } })
  })

  it('an empty date is no bound, an empty pack is every pack', () => {
    expect(windowQuery({ from: '', to: '', pack: '' })).toEqual({ ok: true, query: {} })
    expect(windowQuery({ from: '', to: '2026-01-02', pack: '' })).toEqual({ ok: true, query: { to: new Date(2026, 0, 3).toISOString() } })
  })

  it('says which field is wrong: not a day, or the start after the end', () => {
    expect(windowQuery({ from: '2026-02-31', to: '', pack: '' })).toEqual({ ok: false, error: 'badFrom', field: 'from' })
    expect(windowQuery({ from: '', to: '12/01/2026', pack: '' })).toEqual({ ok: false, error: 'badTo', field: 'to' })
    expect(windowQuery({ from: '2026-12-08', to: '2026-12-01', pack: '' })).toEqual({ ok: false, error: 'fromAfterTo', field: 'from' })
  })

  it('the first window is the last 30 days, today included', () => {
    const now = new Date(2026, 2, 10, 15, 30)
    expect(defaultWindow(now)).toEqual({ from: '2026-02-09', to: '2026-03-10', pack: '' })
    expect(dayValue(new Date(2026, 0, 5))).toBe('2026-01-05')
    expect(localDayStart('2024-02-29')?.getDate()).toBe(29)
    expect(localDayStart('2025-02-29')).toBeNull()
  })
})

describe('the QA rule form', () => {
  const rule: QaRule = { pack_id: 'pk', percent: 15, stratify_by_action: true, updated_by: 'lead:lina', updated_at: '2026-12-01T10:00:00Z' }

  it('starts from the rule in force, or 0 % not stratified', () => {
    expect(ruleInput(rule)).toEqual({ percent: '15', stratify: true })
    expect(ruleInput(undefined)).toEqual({ percent: '0', stratify: false })
  })

  it('takes a whole percent from 0 to 100', () => {
    expect(checkRule({ percent: ' 25 ', stratify: false })).toEqual({ ok: true, body: { percent: 25, stratify_by_action: false } })
    expect(checkRule({ percent: '0', stratify: true })).toEqual({ ok: true, body: { percent: 0, stratify_by_action: true } })
    expect(checkRule({ percent: '100', stratify: true })).toMatchObject({ ok: true })
    expect(checkRule({ percent: '', stratify: false })).toEqual({ ok: false, error: 'percentEmpty' })
    expect(checkRule({ percent: '12.5', stratify: false })).toEqual({ ok: false, error: 'percentWhole' })
    expect(checkRule({ percent: '-3', stratify: false })).toEqual({ ok: false, error: 'percentWhole' })
    expect(checkRule({ percent: '101', stratify: false })).toEqual({ ok: false, error: 'percentRange' })
  })

  it('knows when the form differs from the saved rule (a draw uses the saved one)', () => {
    expect(ruleChanged({ percent: '15', stratify: true }, rule)).toBe(false)
    expect(ruleChanged({ percent: '16', stratify: true }, rule)).toBe(true)
    expect(ruleChanged({ percent: '15', stratify: false }, rule)).toBe(true)
    expect(ruleChanged({ percent: '0', stratify: false }, undefined)).toBe(false)
  })
})

describe('report figures', () => {
  it('kappas with two decimals and shares as percentages, in the locale; null stays null', () => {
    expect(formatKappa(0.71234, 'en')).toBe('0.71')
    expect(formatKappa(0.7, 'id')).toBe('0,70')
    expect(formatKappa(-0.125, 'en')).toBe('-0.13')
    expect(formatKappa(null, 'en')).toBeNull()
    expect(formatKappa(Number.NaN, 'en')).toBeNull()
    expect(formatShare(0.875, 'en')).toBe('87.5%')
    expect(formatShare(0.8754, 'id')).toBe('87,5%')
    expect(formatShare(1, 'en')).toBe('100%')
    expect(formatShare(null, 'id')).toBeNull()
  })

  it('puts words on a kappa (Landis and Koch)', () => {
    expect([-0.1, 0, 0.2, 0.35, 0.6, 0.61, 0.8, 0.95].map(kappaStrength)).toEqual(['poor', 'slight', 'slight', 'fair', 'moderate', 'substantial', 'substantial', 'almostPerfect'])
    expect(kappaStrength(null)).toBeNull()
  })

  it('lists labels in the policy order, unknown ones last by name', () => {
    const cell = { kappa: 0.5, agreement: 0.9, n: 10 }
    const rows = labelRows({ remove: cell, zz: cell, allow: cell, aa: cell }, (id) => id.toUpperCase(), ['allow', 'label', 'remove'], 'en')
    expect(rows.map((r) => r.id)).toEqual(['allow', 'remove', 'aa', 'zz'])
    expect(rows[0]!.name).toBe('ALLOW')
  })

  it('sums the confusion matrix and reorders it by the policy, cells following their labels', () => {
    const v = confusionView(
      {
        labels: ['allow', 'remove', 'label'],
        counts: [
          [10, 2, 1],
          [3, 7, 0],
          [0, 1, 4],
        ],
      },
      ['allow', 'label', 'remove'],
    )
    expect(v.labels).toEqual(['allow', 'label', 'remove'])
    expect(v.counts).toEqual([
      [10, 1, 2],
      [0, 4, 1],
      [3, 0, 7],
    ])
    expect(v.rowTotals).toEqual([13, 5, 10])
    expect(v.columnTotals).toEqual([13, 5, 10])
    expect(v.total).toBe(28)
    expect(v.agreed).toBe(21)
    expect(confusionView({ labels: [], counts: [] })).toMatchObject({ total: 0, agreed: 0, labels: [] })
  })

  it('names a reviewer with their id when the name differs', () => {
    const names = new Map([
      ['rina', 'Rina'],
      ['x', 'x'],
    ])
    expect(reviewerLabel('rina', names)).toBe('Rina (rina)')
    expect(reviewerLabel('x', names)).toBe('x')
    expect(reviewerLabel('gone', names)).toBe('gone')
  })
})
