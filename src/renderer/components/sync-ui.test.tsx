import { renderToStaticMarkup } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it } from 'vitest'
import type { Locale } from '../../shared/policy'
import type { SyncIssues, SyncStatus } from '../../shared/sync-status'
import { createI18n } from '../i18n/i18n'
import { SyncButton, SyncDialog } from './SyncDialog'
import type { SyncControls } from './use-sync'

/** The sync button and dialog, rendered to markup in both languages. */

const enrolled = {
  server: { url: 'https://sync.example.org', reviewerId: 'rina', reviewerName: 'Rina', enrolledAt: '2026-11-29T08:00:00Z' },
  lastSuccessAt: '2026-11-29T09:00:00Z',
  lastAttemptAt: '2026-11-29T09:00:00Z',
  counts: { pending: 1234, rejected: 1, notices: 1 },
  nextRunAt: null,
}
const status = (s: Record<string, unknown>): SyncStatus => ({ ...enrolled, ...s }) as SyncStatus
const issues: SyncIssues = {
  rejected: [{ decisionId: 'd-1', clipId: 'clip-7', reviewerId: 'rina', decidedAt: '2026-11-29T08:30:00Z', rejectedAt: '2026-11-29T09:00:00Z', rejection: 'not_assigned', message: 'clip clip-7 is not assigned to rina' }],
  adjudications: [
    {
      clip_id: 'clip-9',
      pack_id: 'pk-1',
      opened_at: '2026-11-29T09:00:00Z',
      state: 'open',
      decisions: [
        { id: 'd-2', reviewer_id: 'rina', action: 'remove', categories: ['hate'] },
        { id: 'd-3', reviewer_id: 'budi', action: 'allow', categories: ['ok.news'] },
      ],
    },
  ],
}
const controls = (s: SyncStatus | null): SyncControls => ({
  status: s,
  issues,
  enroll: async () => null,
  runNow: async () => null,
  unenroll: async () => null,
  loadIssues: async () => undefined,
})
const wrap = (locale: Locale, node: React.ReactNode) => renderToStaticMarkup(<I18nextProvider i18n={createI18n(locale)}>{node}</I18nextProvider>)
const noop = () => undefined

describe('sync in the UI (rendered to markup)', () => {
  it('the header button says where sync stands, with locale numbers and what needs a look', () => {
    const offline = wrap('en', <SyncButton status={status({ state: 'offline', message: 'connect ECONNREFUSED', nextRetryAt: null })} locale="en" onOpen={noop} />)
    expect(offline).toContain('data-state="offline"')
    expect(offline).toContain('Offline: 1,234 decisions waiting')
    expect(offline).toContain('· 2 need a look')
    const id = wrap('id', <SyncButton status={status({ state: 'syncing', phase: 'push', done: 1000, total: 1234 })} locale="id" onOpen={noop} />)
    expect(id).toContain('Mengirim keputusan: 1.000 dari 1.234')
    expect(wrap('en', <SyncButton status={null} locale="en" onOpen={noop} />)).toBe('')
  })

  it('not enrolled: the dialog is the enrollment form with labelled fields', () => {
    const html = wrap('en', <SyncDialog sync={controls(status({ state: 'not_enrolled', server: null }))} locale="en" onClose={noop} />)
    expect(html).toContain('data-testid="sync-server-url"')
    expect(html).toContain('data-testid="sync-code"')
    expect(html).toMatch(/<label for="[^"]+">Enrollment code<\/label>/)
    expect(html).not.toContain('data-testid="sync-run"')
  })

  it('an error says what failed and what happens next; refused decisions and adjudications are listed', () => {
    const html = wrap('en', <SyncDialog sync={controls(status({ state: 'error', code: 'unauthorized', message: 'the token was revoked', next: '', nextRetryAt: null }))} locale="en" onClose={noop} />)
    expect(html).toContain('Sync stopped: this device is no longer enrolled')
    expect(html).toContain('the token was revoked')
    expect(html).toContain('Enroll this device again with a new code from your lead.')
    expect(html).toContain('the clip is not assigned to you on the server')
    expect(html).toContain('budi chose allow (ok.news)')
    expect(html).toContain('https://sync.example.org')
  })

  it('a run cannot be asked for while one is going on', () => {
    const html = wrap('id', <SyncDialog sync={controls(status({ state: 'syncing', phase: 'media', done: 3, total: 10 }))} locale="id" onClose={noop} />)
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="sync-run"/)
    expect(html).toContain('Mengunduh media: 3 dari 10')
  })
})
