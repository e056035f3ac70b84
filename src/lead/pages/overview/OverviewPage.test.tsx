import type { ReactNode } from 'react'
import { describe, expect, test } from 'vitest'
import type { Overview } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { fakeClient, fakeSession, renderLead } from '../../testing/render-lead'
import { OverviewPage } from '../OverviewPage'
import { DevicesTable } from './DevicesTable'
import { DisputedSummary, OverviewView } from './OverviewView'
import { PackLoader } from './PackLoader'

/** The overview's sections rendered to markup in both languages, from figures as the service sends them. */

const NOW = Date.parse('2026-12-03T14:35:00Z')
const signedIn = { client: fakeClient('{}'), session: fakeSession('admin') }
const wrap = (locale: Locale, node: ReactNode) => renderLead(locale, node, signedIn)

const overview: Overview = {
  packs: [
    {
      pack_id: 'demo-2026-12',
      created_at: '2026-12-01T08:00:00Z',
      loaded_at: '2026-12-02T09:30:00Z',
      clips: 1234,
      assigned: 1000,
      overdue: 7,
      outcomes: { undecided: 900, pending: 120, single_review: 150, consensus: 40, disputed: 19, adjudicated: 5 },
      reviewers: [
        { reviewer_id: 'rina', name: 'Rina Wijaya', assigned: 620, decided_on_device: 310, synced: 300, overdue: 4, median_seconds_per_clip: 42.35 },
        { reviewer_id: 'budi', name: 'Budi Santoso', assigned: 380, decided_on_device: null, synced: 0, overdue: 3, median_seconds_per_clip: null },
      ],
      actions: { allow: 180, remove: 25, suspend_account: 3, newer_action: 1 },
      timeline: [
        { hour: '2026-12-03T12:00:00.000Z', decisions: 17 },
        { hour: '2026-12-03T14:00:00.000Z', decisions: 2 },
      ],
    },
    {
      pack_id: 'quiet-pack',
      created_at: '2026-11-20T08:00:00Z',
      loaded_at: '2026-11-21T09:30:00Z',
      clips: 3,
      assigned: 0,
      overdue: 0,
      outcomes: { undecided: 3, pending: 0, single_review: 0, consensus: 0, disputed: 0, adjudicated: 0 },
      reviewers: [],
      actions: {},
      timeline: [],
    },
  ],
  devices: [
    { device_id: 'dev_0123456789abcdef', reviewer_id: 'rina', name: 'Rina laptop', enrolled_at: '2026-11-01T08:00:00Z', last_sync_at: '2026-12-03T14:00:00Z', revoked_at: null, unsent: 12 },
    { device_id: 'dev_fedcba9876543210', reviewer_id: 'budi', name: null, enrolled_at: '2026-11-02T08:00:00Z', last_sync_at: null, revoked_at: '2026-11-30T10:00:00Z', unsent: null },
  ],
  disputed: 19,
  reviewers: [
    { id: 'budi', name: 'Budi Santoso' },
    { id: 'rina', name: 'Rina Wijaya' },
    { id: 'sari', name: 'Sari Lestari' },
  ],
}

const view = (locale: Locale) =>
  wrap(
    locale,
    <>
      <DisputedSummary disputed={overview.disputed} />
      <PackLoader onLoaded={() => undefined} />
      <OverviewView overview={overview} nowMs={NOW} onChanged={() => undefined} />
    </>,
  )

/** The markup of the element with this test id, up to its closing tag (sections and rows do not nest their own kind). */
function part(html: string, testId: string, tag: string): string {
  const start = html.indexOf(`data-testid="${testId}"`)
  expect(start, testId).toBeGreaterThan(-1)
  const open = html.lastIndexOf(`<${tag}`, start)
  return html.slice(open, html.indexOf(`</${tag}>`, start) + tag.length + 3)
}

describe('packs and progress (rendered to markup)', () => {
  test('before the figures come: the page, its heading, loading, and the pack loader', () => {
    const html = wrap('en', <OverviewPage />)
    expect(html).toContain('data-testid="overview-page"')
    expect(html).toMatch(/<h1>Packs and progress<\/h1>/)
    expect(html).toContain('Loading…')
    expect(html).toContain('data-testid="pack-file"')
    expect(html).toContain('accept=".zip,application/zip"')
    expect(html).toMatch(/<label for="[^"]+"><span>Field pack \(\.zip\)<\/span><input[^>]*type="file"/)
    expect(html).toMatch(/<div role="status"[^>]*data-testid="pack-result"><\/div>/)
    expect(wrap('id', <OverviewPage />)).toContain('<h1>Paket dan kemajuan</h1>')
  })

  test('each pack: heading, times, totals with outcome counts, the disputed link', () => {
    const html = view('en')
    const pack = part(html, 'pack-demo-2026-12', 'section')
    expect(pack).toMatch(/<h2 id="[^"]+">demo-2026-12<\/h2>/)
    expect(pack).toContain('Made 1 Dec 2026')
    expect(pack).toMatch(/data-testid="total-clips" data-count="1234"><dt>Clips<\/dt><dd>1,234<\/dd>/)
    expect(pack).toMatch(/data-testid="outcome-count-undecided" data-count="900"><dt>Not decided yet<\/dt><dd>900<\/dd>/)
    for (const [kind, n] of Object.entries(overview.packs[0]!.outcomes)) expect(pack).toContain(`data-testid="outcome-count-${kind}" data-count="${n}"`)
    expect(pack).toMatch(/<a href="#\/disputes" aria-label="Disputed: 19. Open the disputed list">19<\/a>/)
    // A pack without disputes links nowhere.
    const quiet = part(html, 'pack-quiet-pack', 'section')
    expect(quiet).toContain('data-testid="outcome-count-disputed" data-count="0"')
    expect(quiet).not.toContain('#/disputes')
    expect(quiet).toContain('No clip of this pack is assigned to anyone yet')
    expect(quiet).toContain('No decisions yet.')
    expect(quiet).toContain('No decisions received in the last 48 hours.')
    expect(html).toContain('Disputed clips waiting for a lead, across all packs: 19.')
  })

  test("the reviewers' table: a header per column, one row per reviewer with their figures", () => {
    const html = view('en')
    const pack = part(html, 'pack-demo-2026-12', 'section')
    for (const h of ['Reviewer', 'Assigned', 'Decided on device', 'Synced', 'Overdue', 'Median time per clip']) expect(pack).toMatch(new RegExp(`<th scope="col"[^>]*>${h}</th>`))
    const rina = part(pack, 'reviewer-row-rina', 'tr')
    expect(rina).toContain('data-pack="demo-2026-12"')
    expect(rina).toMatch(/<th scope="row">Rina Wijaya <span[^>]*>\(rina\)<\/span><\/th><td class="num">620<\/td><td class="num">310<\/td><td class="num">300<\/td><td class="num ov-attention">4<\/td><td class="num">42.4 secs<\/td>/)
    const budi = part(pack, 'reviewer-row-budi', 'tr')
    expect(budi).toContain('not reported')
    expect(budi).toContain('fewer than two decisions')
  })

  test('the charts: action names from the policy with their numbers, and a summary of the hours', () => {
    const html = view('en')
    const bars = part(html, 'action-chart', 'svg')
    expect(bars).toContain('role="img"')
    expect(bars).toContain('aria-label="Decisions in force per action, 209 in all: Allow 180, Remove clip 25, Suspend account 3, newer_action 1."')
    expect(bars).toMatch(/>Allow<\/text>/)
    expect(bars).toMatch(/>180<\/text>/)
    expect(bars).not.toContain('style=')
    const hours = part(html, 'hourly-chart', 'svg')
    expect(hours).toContain('aria-label="19 decisions received in the last 48 hours; the busiest hour began 3 Dec 2026, 12:00, with 17."')
    expect(hours.match(/<rect /g)).toHaveLength(49)
    expect(hours).toContain('>48 h ago</text>')
    expect(html).toContain('Hours with decisions, as a table')
    const id = view('id')
    expect(id).toContain('Keputusan yang berlaku per tindakan, seluruhnya 209: Izinkan 180')
    expect(id).toContain('19 keputusan diterima dalam 48 jam terakhir; jam tersibuk mulai 3 Des 2026, 12.00, dengan 17.')
  })

  test('the assignment form: every reviewer to choose, the modes, split and count, labelled', () => {
    const html = view('en')
    const form = part(html, 'assign-form-demo-2026-12', 'form')
    for (const r of ['rina', 'budi', 'sari']) expect(form).toContain(`data-testid="assign-reviewer-${r}"`)
    expect(form).toMatch(/<input type="checkbox"[^>]*data-testid="assign-reviewer-sari"\/><span>Sari Lestari <span class="muted">\(sari, 0 assigned in this pack\)<\/span><\/span><\/label>/)
    expect(form).toContain('(rina, 620 assigned in this pack)')
    const radios = [...form.matchAll(/<input type="radio" data-testid="assign-mode-(\w+)" name="([^"]+)"( checked="")? value="(\w+)"\/>/g)]
    expect(radios.map((r) => [r[1], r[4], Boolean(r[3])])).toEqual([
      ['all', 'all', true],
      ['filter', 'filter', false],
      ['count', 'count', false],
    ])
    // One group: the same name for all three.
    expect(new Set(radios.map((r) => r[2])).size).toBe(1)
    expect(form).toMatch(/<legend>Which clips<\/legend>/)
    expect(form).toContain('data-testid="assign-split"')
    expect(form).toMatch(/<label><span>Number of clips \(N\)<\/span><input[^>]*data-testid="assign-count"/)
    expect(form).toMatch(/<button type="submit" class="primary" data-testid="assign-submit">Assign<\/button>/)
    expect(form).toMatch(/<div role="status" class="ov-result" data-testid="assign-result"><\/div>/)
    expect(html).toContain('data-testid="assign-form-quiet-pack"')
    const id = part(view('id'), 'assign-form-demo-2026-12', 'form')
    expect(id).toContain('Bagikan klip secara bergiliran di antara peninjau yang dipilih')
    expect(id).toContain('(rina, 620 ditugaskan di paket ini)')
  })

  test("devices: every device's last sync, never and revoked said in words", () => {
    const html = view('en')
    const rina = part(html, 'device-row-dev_0123456789abcdef', 'tr')
    expect(rina).toContain('Rina Wijaya')
    expect(rina).toMatch(/<th scope="row">Rina laptop <code class="small" title="dev_0123456789abcdef">dev_0123…<\/code><\/th>/)
    expect(rina).toContain('3 Dec 2026, 14:00')
    expect(rina).toContain('In use')
    expect(rina).toContain('<td class="num">12</td>')
    expect(rina).not.toContain('no sync for over a day')
    const budi = part(html, 'device-row-dev_fedcba9876543210', 'tr')
    expect(budi).toContain('unnamed')
    expect(budi).toContain('never')
    expect(budi).toContain('Revoked 30 Nov 2026, 10:00')
    expect(budi).toContain('not reported')
    // Revoked: not "quiet", whatever its last sync.
    expect(budi).not.toContain('no sync for over a day')
    const quiet = wrap('en', <DevicesTable overview={{ ...overview, devices: [{ ...overview.devices[0]!, last_sync_at: '2026-12-01T08:00:00Z' }, { ...overview.devices[0]!, device_id: 'dev-new', enrolled_at: '2026-12-03T14:00:00Z', last_sync_at: null }] }} locale="en" nowMs={NOW} />)
    expect(part(quiet, 'device-row-dev_0123456789abcdef', 'tr')).toContain('no sync for over a day')
    expect(part(quiet, 'device-row-dev-new', 'tr')).not.toContain('no sync for over a day')
    const id = part(view('id'), 'device-row-dev_fedcba9876543210', 'tr')
    expect(id).toContain('belum pernah')
    expect(id).toContain('Dicabut 30 Nov 2026, 10.00')
    expect(id).toContain('belum dilaporkan')
  })

  test('test ids starting "pack-" are the three of the loader and one per pack, nothing else', () => {
    const ids = [...view('en').matchAll(/data-testid="(pack-[^"]*)"/g)].map((m) => m[1])
    expect(ids.sort()).toEqual(['pack-demo-2026-12', 'pack-file', 'pack-quiet-pack', 'pack-result', 'pack-upload'])
  })

  test('headings in order: h1, then h2 per section, h3 within', () => {
    const html = wrap('en', <OverviewPage />) + view('en')
    const levels = [...html.matchAll(/<h([1-6])/g)].map((m) => Number(m[1]))
    expect(levels[0]).toBe(1)
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!, `heading ${i}`).toBeLessThanOrEqual(1)
    expect(html).not.toContain(' style=')
  })

  test('Bahasa Indonesia throughout: numbers and names in the locale', () => {
    const html = view('id')
    expect(html).toContain('Klip sengketa yang menunggu lead, di semua paket: 19.')
    expect(html).toMatch(/data-testid="total-clips" data-count="1234"><dt>Klip<\/dt><dd>1\.234<\/dd>/)
    expect(html).toContain('<dt>Diputuskan lead</dt>')
    expect(html).toContain('42,4 dtk')
    expect(html).toContain('Muat paket')
    expect(html).not.toMatch(/overview\.[a-zA-Z]/)
  })
})
