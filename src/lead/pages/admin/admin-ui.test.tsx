import type { ReactNode } from 'react'
import { describe, expect, test } from 'vitest'
import type { LeadAccount, ReviewerAccount } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime } from '../../../ui/i18n/format'
import { fakeSession, renderLead } from '../../testing/render-lead'
import { AdminPage } from '../AdminPage'
import { AddLeadForm, LeadsTable } from './Leads'
import { AddReviewerForm, EnrollmentCodeBox, ReviewersTable } from './Reviewers'

/** The admin page rendered to markup in both languages, from accounts as the service lists them. */

const wrap = (locale: Locale, node: ReactNode) => renderLead(locale, node, { session: fakeSession('admin') })
const noop = () => undefined

const reviewers: ReviewerAccount[] = [
  {
    id: 'rina',
    name: 'Rina Wijaya',
    devices: [
      { device_id: 'dev-old', reviewer_id: 'rina', name: null, enrolled_at: '2026-10-01T08:00:00Z', last_sync_at: '2026-10-20T08:00:00Z', revoked_at: '2026-11-01T08:00:00Z', unsent: null },
      { device_id: 'dev-new', reviewer_id: 'rina', name: 'Rina laptop', enrolled_at: '2026-11-02T08:00:00Z', last_sync_at: '2026-12-03T08:00:00Z', revoked_at: null, unsent: 1204 },
    ],
  },
  { id: 'budi', name: 'Budi Santoso', devices: [] },
]
const leads: LeadAccount[] = [
  { id: 'lina', name: 'Lina', role: 'admin', created_at: '2026-09-01 08:00:00.123+00', disabled_at: null },
  { id: 'tomo', name: 'Tomo', role: 'lead', created_at: '2026-09-02T08:00:00Z', disabled_at: '2026-11-30T08:00:00Z' },
]

describe('reviewers and devices (rendered to markup)', () => {
  test('each reviewer with their devices, active first; revoke only an active one; a code button per reviewer', () => {
    const html = wrap('en', <ReviewersTable reviewers={reviewers} locale="en" onCode={noop} onRevoke={noop} />)
    expect(html).toContain('<tr data-testid="reviewer-row-rina"><th scope="row">Rina Wijaya<span class="admin-id muted">rina</span></th>')
    expect(html.indexOf('device-dev-new')).toBeLessThan(html.indexOf('device-dev-old'))
    expect(html).toContain('<strong>Rina laptop</strong><span class="badge admin-active">active</span>')
    expect(html).toContain(`<strong>dev-old</strong><span class="badge admin-revoked">revoked ${formatDateTime('2026-11-01T08:00:00Z', 'en')}</span>`)
    expect(html).toContain(`last sync ${formatDateTime('2026-12-03T08:00:00Z', 'en')}`)
    expect(html).toContain('1,204 decisions not sent yet')
    expect(html).toMatch(/<button type="button" class="danger" aria-label="Revoke device Rina laptop of Rina Wijaya" aria-haspopup="dialog" data-testid="device-revoke-dev-new">Revoke<\/button>/)
    expect(html).not.toContain('device-revoke-dev-old')
    expect(html).toContain('<tr data-testid="reviewer-row-budi">')
    expect(html).toContain('<span class="muted">No device enrolled</span>')
    expect(html).toMatch(/aria-label="Make enrollment code for Budi Santoso" data-testid="reviewer-code-budi">Make enrollment code<\/button>/)
    for (const h of ['Reviewer', 'Devices', 'Enrollment']) expect(html).toContain(`<th scope="col">${h}</th>`)
  })

  test('while a code is made, the buttons say so and take no second click', () => {
    const html = wrap('en', <ReviewersTable reviewers={reviewers} locale="en" codeFor="rina" onCode={noop} onRevoke={noop} />)
    expect(html).toMatch(/<button type="button" aria-disabled="true" data-testid="reviewer-code-rina">Making code…<\/button>/)
    expect(html).toMatch(/aria-disabled="true"[^>]*data-testid="reviewer-code-budi"/)
  })

  test('the enrollment code is shown once, clearly marked, with its expiry and a copy button', () => {
    const code = { reviewer_id: 'budi', code: 'ABCDE-FGHJK-LMNPQ-RSTUV', expires_at: '2026-12-10T08:00:00.000Z' }
    const html = wrap('en', <EnrollmentCodeBox code={code} reviewerName="Budi Santoso" locale="en" onDone={noop} />)
    expect(html).toMatch(/<h3 id="[^"]+" class="admin-code-title">Enrollment code for Budi Santoso \(budi\)<\/h3>/)
    expect(html).toContain('<strong>Shown only now: it cannot be shown again. If it is lost, make a new one.</strong>')
    expect(html).toContain('<code class="admin-code" data-testid="enrollment-code">ABCDE-FGHJK-LMNPQ-RSTUV</code>')
    expect(html).toContain(`Valid until ${formatDateTime(code.expires_at, 'en')}, for one device, once.`)
    expect(html).toContain('data-testid="enrollment-code-copy">Copy code</button>')
    expect(html).toMatch(/<span role="status" class="admin-copy-status"><\/span>/)
    const id = wrap('id', <EnrollmentCodeBox code={code} reviewerName="Budi Santoso" locale="id" onDone={noop} />)
    expect(id).toContain('Kode pendaftaran untuk Budi Santoso (budi)')
    expect(id).toContain('Hanya ditampilkan sekarang')
    expect(id).toContain('Salin kode')
  })

  test('adding a reviewer: labelled id and name, the rule for ids, a status region', () => {
    const html = wrap('en', <AddReviewerForm onAdded={noop} />)
    const idInput = /<input[^>]*id="([^"]+)"[^>]*data-testid="reviewer-add-id"/.exec(html)
    expect(idInput).not.toBeNull()
    expect(html).toContain(`<label for="${idInput![1]}">Reviewer id</label>`)
    expect(html).toContain('Letters, digits and . _ @ - only')
    expect(html).toMatch(/<label for="[^"]+">Name<\/label><input[^>]*data-testid="reviewer-add-name"/)
    expect(html).toContain('data-testid="reviewer-add-submit">Add reviewer</button>')
    expect(html).toMatch(/<p role="status" class="admin-status" data-testid="reviewer-add-status"><\/p>/)
    expect(wrap('id', <AddReviewerForm onAdded={noop} />)).toContain('>Id peninjau</label>')
  })
})

describe('lead accounts (rendered to markup)', () => {
  test('each account with its role, when it was added, whether it is disabled; who you are', () => {
    const html = wrap('en', <LeadsTable leads={leads} locale="en" me="lina" />)
    expect(html).toContain('<tr data-testid="lead-row-lina" data-role="admin"><th scope="row"><span class="admin-mono">lina</span><span class="muted"> (you)</span></th><td>Lina</td><td>admin</td>')
    // The service's Postgres text time reads as a date, not as raw text.
    expect(html).toContain(`<td>${formatDateTime('2026-09-01T08:00:00.123Z', 'en')}</td>`)
    expect(html).toContain(`<td>Disabled ${formatDateTime('2026-11-30T08:00:00Z', 'en')}</td>`)
    expect(html).toContain('<tr data-testid="lead-row-tomo" data-role="lead">')
    const id = wrap('id', <LeadsTable leads={leads} locale="id" me="lina" />)
    expect(id).toContain('<span class="muted"> (Anda)</span>')
    expect(id).toContain('Dinonaktifkan')
    expect(id).toContain('<th scope="col">Peran</th>')
  })

  test('adding a lead: role lead or admin, the password twice as new-password fields, never a value shown', () => {
    const html = wrap('en', <AddLeadForm onAdded={noop} />)
    for (const f of ['lead-add-id', 'lead-add-name', 'lead-add-password', 'lead-add-password2']) {
      const input = new RegExp(`<input[^>]*id="([^"]+)"[^>]*data-testid="${f}"`).exec(html)
      expect(input, f).not.toBeNull()
      expect(html, f).toContain(`<label for="${input![1]}">`)
    }
    expect(html).toMatch(/<input type="password" autoComplete="new-password" required="" id="[^"]+" aria-describedby="[^"]+" data-testid="lead-add-password" value=""\/>/)
    expect(html).toMatch(/<input type="password" autoComplete="new-password" required="" id="[^"]+" data-testid="lead-add-password2" value=""\/>/)
    expect(html).toMatch(/<select id="[^"]+" aria-describedby="[^"]+" data-testid="lead-add-role"><option value="lead" selected="">lead<\/option><option value="admin">admin<\/option><\/select>/)
    expect(html).toContain('At least 12 characters.')
    expect(html).toContain('An admin also manages reviewers, devices and lead accounts.')
    expect(html).toContain('data-testid="lead-add-submit">Add account</button>')
    const id = wrap('id', <AddLeadForm onAdded={noop} />)
    expect(id).toContain('Ulangi kata sandi')
    expect(id).toContain('Paling sedikit 12 karakter.')
  })
})

describe('the admin page (before anything has loaded)', () => {
  test('one h1 and a section each for reviewers and leads', () => {
    const html = wrap('en', <AdminPage />)
    expect(html).toContain('data-testid="admin-page"')
    expect(html.match(/<h1/g)).toHaveLength(1)
    expect(html).toContain('<h1>Reviewers and devices</h1>')
    expect(html).toMatch(/<h2 id="[^"]+">Reviewers<\/h2>/)
    expect(html).toMatch(/<h2 id="[^"]+">Lead accounts<\/h2>/)
    expect(html).toContain('Loading…')
    expect(html).not.toContain('data-testid="enrollment-code"')
    expect(html).not.toContain('revoke-confirm')
    const id = wrap('id', <AdminPage />)
    expect(id).toContain('<h1>Peninjau dan perangkat</h1>')
    expect(id).toMatch(/<h2 id="[^"]+">Akun lead<\/h2>/)
  })
})
