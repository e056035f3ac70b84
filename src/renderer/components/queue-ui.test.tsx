import { renderToStaticMarkup } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it } from 'vitest'
import type { ReactNode } from 'react'
import type { QueueItem } from '../../shared/domain'
import { Policy } from '../../shared/policy'
import policyJson from '../../../resources/policy/live-safety.json'
import { createI18n } from '../i18n/i18n'
import { DEFAULT_VIEW } from '../state/queue-view'
import { QueuePanel } from './QueuePanel'
import { QueueRow } from './QueueRow'
import type { QueueState } from './use-queue'

/** The queue's row and panel, rendered to markup in both languages. */

const policy = Policy.parse(policyJson)
const render = (locale: 'en' | 'id', node: ReactNode) => renderToStaticMarkup(<I18nextProvider i18n={createI18n(locale)}>{node}</I18nextProvider>)
const NOW = Date.parse('2025-08-29T12:00:00Z')

const item = (over: Partial<QueueItem> = {}): QueueItem => ({
  id: 'clip-000001',
  status: 'pending',
  priority: 87,
  dueAt: '2025-08-29T11:30:00Z',
  capturedAt: '2025-08-29T10:00:00Z',
  durationMs: 30_000,
  streamTitle: 'Demo depan gedung DPR',
  accountHandle: 'seller.1',
  region: 'ID-JK',
  commerce: true,
  flagLabels: ['violence.arson', 'vendor.thing'],
  flagSources: ['classifier', 'authority_request'],
  authority: true,
  ...over,
})

describe('QueueRow', () => {
  it('shows status, priority, time left (overdue in red), sources, labels, commerce and authority', () => {
    const html = render('en', <QueueRow item={item()} policy={policy} locale="en" now={NOW} />)
    expect(html).toContain('Pending')
    expect(html).toContain('P87')
    expect(html).toMatch(/class="due is-overdue">overdue by 30 minutes/)
    expect(html).toContain('Classifier · Authority request')
    expect(html).toContain('data-testid="authority-marker"')
    expect(html).toContain('data-testid="commerce-badge"')
    expect(html).toContain('data-label="vendor.thing"')
  })

  it('speaks Indonesian, with the time left formatted for id-ID', () => {
    const html = render('id', <QueueRow item={item({ dueAt: '2025-08-29T14:15:00Z', authority: false, commerce: false })} policy={policy} locale="id" now={NOW} />)
    expect(html).toContain('2 jam 15 menit')
    expect(html).not.toContain('is-overdue')
    expect(html).not.toContain('authority-marker')
    expect(html).not.toContain('commerce-badge')
    expect(html).toContain('Pengklasifikasi')
  })
})

function state(over: Partial<QueueState> = {}): QueueState {
  return {
    total: 0,
    counts: { pending: 3, decided: 1, escalated: 0, skipped: 0, synced: 0 },
    searchHint: null,
    searchIndex: { complete: true, indexed: 4, waiting: 0 },
    items: [],
    loading: false,
    rowAt: () => undefined,
    indexOf: () => -1,
    showRange: () => undefined,
    refresh: async () => undefined,
    refreshUnlessSince: () => undefined,
    version: 0,
    ...over,
  }
}

describe('QueuePanel', () => {
  const panel = (locale: 'en' | 'id', q: QueueState, view = DEFAULT_VIEW) =>
    render(locale, <QueuePanel policy={policy} locale={locale} view={view} queue={q} selectedId={null} onViewChange={() => undefined} onSelect={() => undefined} />)

  it('has a labelled search box, status filters with counts, and every filter control', () => {
    const html = panel('en', state())
    expect(html).toMatch(/<label for="queue-search-input"[^>]*>Search titles, transcripts and chat<\/label>/)
    for (const f of ['all', 'pending', 'decided', 'escalated', 'skipped', 'synced']) expect(html).toContain(`data-testid="filter-${f}"`)
    for (const id of ['queue-filter-category', 'queue-filter-source', 'queue-filter-region', 'queue-filter-commerce', 'queue-filter-due', 'queue-sort', 'queue-clear-filters']) {
      expect(html).toContain(`data-testid="${id}"`)
    }
    expect(html).toContain('role="search"')
  })

  it('answers a search it could not read with a hint, in both languages', () => {
    const q = state({ searchHint: 'unbalanced_quotes' })
    const en = panel('en', q, { ...DEFAULT_VIEW, search: '"bakar' })
    expect(en).toContain('data-hint="unbalanced_quotes"')
    expect(en).toContain('a quotation mark is not closed')
    expect(en).toContain('No results.')
    expect(panel('id', q, { ...DEFAULT_VIEW, search: '"bakar' })).toContain('tanda kutip yang belum ditutup')
  })

  it('says when the search index is still being built', () => {
    const html = panel('en', state({ searchIndex: { complete: false, indexed: 1200, waiting: 98800 } }))
    expect(html).toContain('data-testid="search-index-status"')
    expect(html).toContain('Search index: building (1,200 of 100,000 clips)')
  })
})
