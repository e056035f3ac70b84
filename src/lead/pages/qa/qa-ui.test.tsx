import type { ReactNode } from 'react'
import { describe, expect, test } from 'vitest'
import type { AgreementReport, Overview, PackProgress, QaRule } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime } from '../../../ui/i18n/format'
import { fakeClient, livePolicy as policy, renderLead } from '../../testing/render-lead'
import { QaPage } from '../QaPage'
import { AgreementReportView } from './AgreementReportView'
import { QaReportSection, reportMatches } from './QaReportSection'
import { QaRules } from './QaRules'
import { dayValue } from './qa-window'

/** The QA page's parts rendered to markup in both languages, from data as the service sends it. */

const client = fakeClient('{}')
const wrap = (locale: Locale, node: ReactNode) => renderLead(locale, node, { client })
const noop = () => undefined

const pack = (pack_id: string, clips: number): PackProgress => ({
  pack_id,
  created_at: '2026-12-01T08:00:00Z',
  loaded_at: '2026-12-01T09:00:00Z',
  clips,
  assigned: clips,
  overdue: 0,
  outcomes: { undecided: 0, pending: 0, single_review: clips, consensus: 0, disputed: 0, adjudicated: 0 },
  reviewers: [],
  actions: {},
  timeline: [],
})
const overview: Overview = {
  packs: [pack('jkt-12', 1234), pack('sby-01', 1)],
  devices: [],
  disputed: 0,
  reviewers: [
    { id: 'rina', name: 'Rina Wijaya' },
    { id: 'budi', name: 'Budi Santoso' },
    { id: 'sari', name: 'Sari' },
  ],
}
const rules: QaRule[] = [{ pack_id: 'jkt-12', percent: 20, stratify_by_action: true, updated_by: 'lead:lina', updated_at: '2026-12-02T10:00:00Z' }]
const draw = { packId: 'jkt-12', result: { pack_id: 'jkt-12', sampled: { rina: 3, budi: 1, sari: 0 }, unmatched: ['sari'] } }

const report: AgreementReport = {
  from: '2026-12-01T00:00:00.000Z',
  to: '2026-12-08T00:00:00.000Z',
  pack_id: null,
  clips: 40,
  percent_agreement: 0.875,
  fleiss_kappa: 0.7234,
  pairs: [
    { a: 'budi', b: 'rina', n: 30, agreement: 0.9, kappa: 0.8123 },
    { a: 'rina', b: 'sari', n: 10, agreement: 1, kappa: null },
  ],
  per_action: {
    remove: { kappa: 0.9, agreement: 0.95, n: 40 },
    allow: { kappa: 0.55, agreement: 0.85, n: 40 },
  },
  per_category: {
    'violence.arson': { kappa: 0.31, agreement: 0.8, n: 40 },
    'ok.news': { kappa: null, agreement: 1, n: 40 },
  },
  confusion: {
    labels: ['remove', 'allow'],
    counts: [
      [15, 2],
      [3, 20],
    ],
  },
}
const names = new Map(overview.reviewers.map((r) => [r.id, r.name]))

describe('QA rules (rendered to markup)', () => {
  test('each pack has its form: share, stratified, save and draw, with the rule in force', () => {
    const html = wrap('en', <QaRules overview={overview} rules={rules} lastDraw={draw} onChanged={noop} onDrawn={noop} />)
    expect(html).toContain('data-testid="qa-rule-jkt-12"')
    expect(html).toMatch(/<input id="([^"]+)-percent"[^>]*data-testid="qa-percent-jkt-12" value="20"\/>/)
    const percentId = /<input id="([^"]+-percent)"[^>]*data-testid="qa-percent-jkt-12"/.exec(html)![1]
    expect(html).toContain(`<label for="${percentId}"><span>Share to sample (%)</span>`)
    expect(html).toMatch(/<input type="checkbox"[^>]*data-testid="qa-stratify-jkt-12" checked=""\/>/)
    expect(html).toContain('Pack jkt-12 <span class="muted">· 1,234 clips</span>')
    expect(html).toContain(`In force: 20% of each reviewer&#x27;s decided clips, per action — set by lina, ${formatDateTime(rules[0]!.updated_at, 'en')}.`)
    expect(html).toContain('data-testid="qa-save-jkt-12"')
    expect(html).toMatch(/<button type="button"[^>]*data-testid="qa-draw-jkt-12"/)
    expect(html).not.toMatch(/<button type="button" disabled=""[^>]*data-testid="qa-draw-jkt-12"/)
  })

  test('a pack without a rule says so, and cannot be drawn until one is saved', () => {
    const html = wrap('en', <QaRules overview={overview} rules={rules} onChanged={noop} onDrawn={noop} />)
    expect(html).toContain('Pack sby-01 <span class="muted">· 1 clip</span>')
    expect(html).toContain('No rule yet: no clip of this pack is drawn for QA.')
    expect(html).toContain('data-testid="qa-percent-sby-01" value="0"/>')
    expect(html).toMatch(/<button type="button" disabled=""[^>]*data-testid="qa-draw-sby-01"/)
    expect(html).toContain('Save a rule before drawing.')
    expect(html).not.toContain('data-testid="qa-draw-result"')
  })

  test('the last draw: clips per first reviewer and who has no one to check them, in a status region', () => {
    const html = wrap('en', <QaRules overview={overview} rules={rules} lastDraw={draw} onChanged={noop} onDrawn={noop} />)
    expect(html).toMatch(/<div role="status" class="qa-status"><div class="qa-draw-result" data-testid="qa-draw-result" data-total="4">/)
    expect(html).toContain('4 clips of jkt-12 drawn for a blind second review.')
    expect(html).toContain('<li>Budi Santoso (budi): 1 clip</li><li>Rina Wijaya (rina): 3 clips</li>')
    expect(html).not.toContain('Sari (sari): 0')
    expect(html).toContain('No one else on this pack can check Sari (sari)')
    const id = wrap('id', <QaRules overview={overview} rules={rules} lastDraw={draw} onChanged={noop} onDrawn={noop} />)
    expect(id).toContain('4 klip dari jkt-12 diambil untuk tinjauan kedua secara buta.')
    expect(id).toContain('Rina Wijaya (rina): 3 klip')
    expect(id).toContain('Berlaku: 20% dari klip yang sudah diputuskan setiap peninjau, per tindakan — diatur oleh lina')
    expect(id).toContain('Per tindakan (stratifikasi)')
  })

  test('no pack loaded: says what to do', () => {
    expect(wrap('id', <QaRules overview={{ ...overview, packs: [] }} rules={[]} onChanged={noop} onDrawn={noop} />)).toContain('Belum ada paket yang dimuat.')
  })
})

describe('the agreement report (rendered to markup)', () => {
  test('the team figures carry their raw values; kappas with two decimals and words', () => {
    const html = wrap('en', <AgreementReportView report={report} names={names} policy={policy} locale="en" />)
    expect(html).toContain(`Decisions from ${formatDateTime(report.from!, 'en')} until ${formatDateTime(report.to!, 'en')} · All packs`)
    expect(html).toMatch(/<dd data-testid="qa-percent-agreement" data-value="0.875">87.5%<\/dd>/)
    expect(html).toMatch(/<dd data-testid="qa-fleiss" data-value="0.7234">0.72<span class="muted small"> · substantial<\/span><\/dd>/)
    expect(html).toContain('<dt>Fleiss&#x27; kappa (whole team)</dt>')
  })

  test('reviewer pairs: n, agreement, Cohen’s kappa; a null kappa is “not enough decisions”', () => {
    const html = wrap('en', <AgreementReportView report={report} names={names} policy={policy} locale="en" />)
    expect(html).toMatch(
      /<tr data-testid="qa-pair-budi-rina"><th scope="row">Budi Santoso \(budi\) and Rina Wijaya \(rina\)<\/th><td class="num">30<\/td><td class="num">90%<\/td><td class="num">0.81<span class="muted small"> · almost perfect<\/span><\/td><\/tr>/,
    )
    expect(html).toMatch(/<tr data-testid="qa-pair-rina-sari">.*?<td class="num">100%<\/td><td class="num"><span class="muted">not enough decisions<\/span><\/td><\/tr>/)
    expect(html).toContain('<th scope="col" class="num">Cohen&#x27;s kappa</th>')
  })

  test('per action and per category, named from the policy in its order', () => {
    const html = wrap('en', <AgreementReportView report={report} names={names} policy={policy} locale="en" />)
    expect(html).toMatch(/data-testid="qa-per-action-allow"><th scope="row">Allow<\/th><td class="num">0.55<span class="muted small"> · moderate<\/span><\/td><td class="num">85%<\/td><td class="num">40<\/td>/)
    expect(html.indexOf('qa-per-action-allow')).toBeLessThan(html.indexOf('qa-per-action-remove'))
    expect(html).toContain('<th scope="row">Remove clip</th>')
    expect(html).toContain('<th scope="row">Urging arson or destruction of property</th>')
    expect(html).toMatch(/data-testid="qa-per-category-ok.news"><th scope="row">[^<]+<\/th><td class="num"><span class="muted">not enough decisions<\/span>/)
  })

  test('the confusion matrix is a table: earlier decision’s action in row headers, later in column headers, a caption explaining', () => {
    const html = wrap('en', <AgreementReportView report={report} names={names} policy={policy} locale="en" />)
    const table = /<table[^>]*data-testid="qa-confusion">.*?<\/table>/s.exec(html)![0]
    expect(table).toContain('<caption>Each row is the action of the earlier decision on a clip, each column the action of the later one;')
    expect(table).toContain('where they agree: 35 of 40 pairs.</caption>')
    expect(table).toContain('<th scope="col">Earlier (rows) · later (columns)</th><th scope="col" class="num">Allow</th><th scope="col" class="num">Remove clip</th><th scope="col" class="num">Total</th>')
    // Reordered by the policy: allow first; the cells follow their labels.
    expect(table).toContain('<tr><th scope="row">Allow</th><td class="num qa-diagonal" data-testid="qa-confusion-allow-allow"><strong>20</strong></td><td class="num" data-testid="qa-confusion-allow-remove">3</td><td class="num">23</td></tr>')
    expect(table).toContain('<tr><th scope="row">Remove clip</th><td class="num" data-testid="qa-confusion-remove-allow">2</td>')
    expect(table).toContain('<tfoot><tr><th scope="row">Total</th><td class="num">22</td><td class="num">18</td><td class="num">40</td></tr></tfoot>')
  })

  test('in Bahasa Indonesia, with its number formats', () => {
    const html = wrap('id', <AgreementReportView report={{ ...report, pack_id: 'jkt-12' }} names={names} policy={policy} locale="id" />)
    expect(html).toContain('87,5%')
    expect(html).toContain('0,72<span class="muted small"> · kuat</span>')
    expect(html).toContain('Budi Santoso (budi) dan Rina Wijaya (rina)')
    expect(html).toContain('<th scope="row">Izinkan</th>')
    expect(html).toContain('<th scope="row">Hapus klip</th>')
    expect(html).toContain('keputusan belum cukup')
    expect(html).toContain('menunjukkan kesepakatan: 35 dari 40 pasangan.')
    expect(html).toContain('· jkt-12</p>')
    expect(html).toContain('Matriks konfusi tindakan')
  })

  test('null figures and an empty window say so, without tables', () => {
    const empty: AgreementReport = { ...report, clips: 0, percent_agreement: null, fleiss_kappa: null, pairs: [], per_action: {}, per_category: {}, confusion: { labels: [], counts: [] }, from: null, to: null }
    const html = wrap('en', <AgreementReportView report={empty} names={names} policy={policy} locale="en" />)
    expect(html).toMatch(/<dd data-testid="qa-percent-agreement" data-value=""><span class="muted">not enough decisions<\/span><\/dd>/)
    expect(html).toMatch(/<dd data-testid="qa-fleiss" data-value=""><span class="muted">not enough decisions<\/span><\/dd>/)
    expect(html).toContain('Decisions from the first decision until now · All packs')
    expect(html).toContain('No clip was decided by two reviewers or more in this window.')
    expect(html).not.toContain('<table')
  })
})

describe('the QA page and its report form (before anything has loaded)', () => {
  test('one h1, the section headings, the one-line explanation of blind review', () => {
    const html = wrap('en', <QaPage />)
    expect(html).toContain('data-testid="qa-page"')
    expect(html.match(/<h1/g)).toHaveLength(1)
    expect(html).toContain('<h1>QA sampling</h1>')
    expect(html).toMatch(/<h2 id="[^"]+">Rules per pack<\/h2>/)
    expect(html).toMatch(/<h2 id="[^"]+">Agreement between reviewers<\/h2>/)
    expect(html).toContain('another reviewer of the pack decides each sampled clip without seeing the first decision')
    expect(html).toContain('Loading…')
    expect(wrap('id', <QaPage />)).toContain('<h1>Sampel QA</h1>')
  })

  test('the window form: labelled dates (the last 30 days to begin with), the pack, the run button', () => {
    const html = wrap('en', <QaReportSection packs={['jkt-12', 'sby-01']} names={names} />)
    expect(html).toContain('data-testid="qa-report"')
    const today = dayValue(new Date())
    expect(html).toMatch(new RegExp(`<input id="([^"]+)-to" type="date"[^>]*data-testid="qa-to" value="${today}"/>`))
    const fromId = /<input id="([^"]+-from)" type="date"[^>]*data-testid="qa-from"/.exec(html)![1]
    expect(html).toContain(`<label for="${fromId}"><span>From</span>`)
    expect(html).toContain('<span>To (included)</span>')
    expect(html).toContain('<option value="" selected="">All packs</option><option value="jkt-12">jkt-12</option><option value="sby-01">sby-01</option>')
    expect(html).toContain('data-testid="qa-run-report">Show report</button>')
    expect(wrap('id', <QaReportSection packs={[]} names={names} />)).toContain('Tampilkan laporan')
  })

  test('a report is shown only for the window it answers', () => {
    expect(reportMatches(report, { from: report.from!, to: report.to! })).toBe(true)
    expect(reportMatches(report, { from: report.from! })).toBe(false)
    expect(reportMatches({ ...report, pack_id: 'p' }, { from: report.from!, to: report.to!, pack: 'p' })).toBe(true)
  })
})
