import { describe, expect, test } from 'vitest'
import type { ExportRun } from '../../../shared/lead-api'
import { formatDateTime } from '../../../ui/i18n/format'
import { renderLead as wrap } from '../../testing/render-lead'
import { ExportsPage } from '../ExportsPage'
import { ExportResult, ExportRunsTable } from './ExportRuns'

/** The DSA exports page rendered to markup in both languages, from runs as the service lists them. */

const full: ExportRun = {
  id: 'run-1',
  created_at: '2026-12-01T09:00:00.000Z',
  created_by: 'operator',
  since_last: false,
  statements: 1520,
  files: 2,
  skipped: { pending: 4, disputed: 3, not_restrictive: 880, unknown_action: 0, already_filed: 0 },
}
const incremental: ExportRun = {
  id: 'run-2',
  created_at: '2026-12-03T16:30:00.000Z',
  created_by: 'lead:lina',
  since_last: true,
  statements: 12,
  files: 1,
  skipped: { pending: 1, disputed: 2, not_restrictive: 900, unknown_action: 0, already_filed: 1520 },
}

describe('the export runs (rendered to markup)', () => {
  test('newest first; when, by whom, which kind, statements, skipped by reason', () => {
    const html = wrap('en', <ExportRunsTable runs={[full, incremental]} locale="en" />)
    expect(html.indexOf('export-run-run-2')).toBeLessThan(html.indexOf('export-run-run-1'))
    expect(html).toContain('<tr data-testid="export-run-run-2" data-statements="12">')
    expect(html).toContain('<tr data-testid="export-run-run-1" data-statements="1520">')
    expect(html).toContain(`<th scope="row">${formatDateTime(incremental.created_at, 'en')}<span class="exports-run-id muted small">Run run-2</span></th><td>lina</td><td>New outcomes only</td><td class="num">12</td>`)
    expect(html).toContain('<td>Operator (command line)</td><td>All in force</td><td class="num">1,520</td>')
    expect(html).toContain('<li data-reason="already_filed">1,520 filed before</li><li data-reason="not_restrictive">900 not restricting</li><li data-reason="disputed">2 disputed</li><li data-reason="pending">1 pending</li>')
    expect(html).not.toContain('data-reason="unknown_action"')
    for (const h of ['When', 'By', 'Kind', 'Statements', 'Files', 'Skipped']) expect(html).toMatch(new RegExp(`<th scope="col"( class="num")?>${h}</th>`))
  })

  test('each file is a download link, 0 to files − 1', () => {
    const html = wrap('en', <ExportRunsTable runs={[full, incremental]} locale="en" />)
    expect(html).toContain(`<a href="/lead/api/exports/run-1/files/0" download="" aria-label="Download file 1 of 2, run of ${formatDateTime(full.created_at, 'en')}" data-testid="export-file-run-1-0">File 1</a>`)
    expect(html).toContain('href="/lead/api/exports/run-1/files/1"')
    expect(html).toContain('data-testid="export-file-run-2-0"')
    expect(html).not.toContain('export-file-run-2-1')
    const none = wrap('en', <ExportRunsTable runs={[{ ...incremental, files: 0, statements: 0, skipped: {} }]} locale="en" />)
    expect(none).toContain('<span class="muted">no file</span>')
    expect(none).toContain('<span class="muted">none</span>')
  })

  test('in Bahasa Indonesia', () => {
    const html = wrap('id', <ExportRunsTable runs={[full, incremental]} locale="id" />)
    expect(html).toContain('<td>Operator (baris perintah)</td><td>Semua yang berlaku</td><td class="num">1.520</td>')
    expect(html).toContain('<td>Hasil baru saja</td>')
    expect(html).toContain('1.520 sudah pernah diajukan')
    expect(html).toContain('2 disengketakan')
    expect(html).toContain('>Berkas 1</a>')
    expect(html).toContain('<th scope="col">Dilewati</th>')
    expect(wrap('id', <ExportRunsTable runs={[]} locale="id" />)).toContain('Belum ada ekspor yang dijalankan.')
  })

  test('what an export just did: statements, what it skipped, its files', () => {
    const html = wrap('en', <ExportResult run={incremental} locale="en" />)
    expect(html).toContain('data-testid="export-result" data-run="run-2" data-statements="12"')
    expect(html).toContain('New outcomes only: 12 statements of reasons filed.')
    expect(html).toContain('data-testid="export-result-file-run-2-0"')
    const nothing = wrap('en', <ExportResult run={{ ...incremental, statements: 0, files: 0 }} locale="en" />)
    expect(nothing).toContain('New outcomes only: 0 statements of reasons filed.')
    expect(nothing).toContain('Nothing new to file since the last run.')
    expect(wrap('en', <ExportResult run={{ ...full, statements: 1 }} locale="en" />)).toContain('All outcomes in force: 1 statement of reasons filed.')
    expect(wrap('id', <ExportResult run={full} locale="id" />)).toContain('Semua hasil yang berlaku: 1.520 pernyataan alasan diajukan.')
  })
})

describe('the exports page (before the runs have loaded)', () => {
  test('one h1, the rules of filing in a line, both buttons, a status region', () => {
    const html = wrap('en', <ExportsPage />)
    expect(html).toContain('data-testid="exports-page"')
    expect(html.match(/<h1/g)).toHaveLength(1)
    expect(html).toContain('<h1>DSA exports</h1>')
    expect(html).toContain('one statement of reasons per clip whose outcome in force restricts it')
    expect(html).toContain('none while a clip is pending or disputed')
    expect(html).toContain('“New outcomes only” never files a statement twice')
    expect(html).toMatch(/<button type="button" class="primary"[^>]*data-testid="export-new">Export new outcomes only<\/button>/)
    expect(html).toMatch(/<button type="button"[^>]*aria-haspopup="dialog"[^>]*data-testid="export-all">Export all outcomes in force…<\/button>/)
    expect(html).toMatch(/<div role="status" class="exports-status"/)
    expect(html).toMatch(/<h2 id="[^"]+">Export runs<\/h2>/)
    // The confirm step is a dialog opened by the button, not there before.
    expect(html).not.toContain('export-confirm')
    const id = wrap('id', <ExportsPage />)
    expect(id).toContain('<h1>Ekspor DSA</h1>')
    expect(id).toContain('Ekspor hasil baru saja')
    expect(id).toContain('tidak pernah mengajukan pernyataan dua kali')
  })
})
