import { renderToStaticMarkup } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it } from 'vitest'
import type { ReactNode } from 'react'
import { Policy } from '../../shared/policy'
import policyJson from '../../../resources/policy/live-safety.json'
import { createI18n } from '../i18n/i18n'
import { KeyHelpList } from './KeyHelp'
import { Timeline } from './Timeline'

const policy = Policy.parse(policyJson)
const render = (locale: 'en' | 'id', node: ReactNode) => renderToStaticMarkup(<I18nextProvider i18n={createI18n(locale)}>{node}</I18nextProvider>)
const flag = (source: 'classifier' | 'user_report', label: string, atMs: number | null) => ({ source, label, score: null, atMs, count: null, reference: null, dueAt: null })
const line = (atMs: number, text: string, endMs: number | null = null) => ({ atMs, endMs, text, author: null })

describe('Timeline (rendered to markup)', () => {
  const timeline = (locale: 'en' | 'id') =>
    render(
      locale,
      <Timeline
        durationMs={30_000}
        playheadMs={7_500}
        flags={[flag('classifier', 'violence.arson', 12_000), flag('user_report', 'made.up', null), flag('user_report', 'made.up', 3_000)]}
        transcript={[line(11_000, 'bakar', 14_000)]}
        chat={[line(12_500, 'ayo'), line(13_000, 'gas')]}
        policy={policy}
        locale={locale}
        onSeek={() => undefined}
      />,
    )

  it('is a named slider with the playhead as its value, and labels every timed flag', () => {
    const html = timeline('en')
    expect(html).toContain('data-testid="timeline"')
    expect(html).toMatch(/role="slider"[^>]*aria-label="Timeline"/)
    expect(html).toContain('aria-valuenow="7500"')
    expect(html).toContain('aria-valuemax="30000"')
    expect(html).toContain('aria-valuetext="0:07.5 of 0:30.0"')
    expect(html.match(/data-testid="timeline-marker"/g)).toHaveLength(2) // the flag without a time has no marker
    const arson = policy.categories.find((c) => c.id === 'violence.arson')!.name.en
    expect(html).toContain(`aria-label="Classifier: ${arson} at 0:12.0"`)
    expect(html).toContain('aria-label="User report: made.up at 0:03.0"')
    expect(html).toContain('left:40%') // the marker at 12 s of 30 s
    expect(html).toContain('2 chat messages, 0:12.5–0:13.0')
  })

  it('speaks Bahasa Indonesia, with the locale decimal separator', () => {
    const html = timeline('id')
    expect(html).toMatch(/aria-label="Lini waktu"/)
    expect(html).toContain('aria-valuetext="0:07,5 dari 0:30,0"')
    expect(html).toContain('Laporan pengguna: made.up pada 0:03,0')
  })
})

describe('the ? overlay content (rendered to markup)', () => {
  it('lists playback, decision and queue keys with the policy action names, in both languages', () => {
    const en = render('en', <KeyHelpList policy={policy} locale="en" />)
    expect(en).toContain('<kbd>Space</kbd>')
    expect(en).toContain('<kbd>J</kbd>')
    expect(en).toContain('Play backwards; press again to go faster (×1, ×2, ×4)')
    expect(en).toContain('Slower (down to 0.5×)')
    for (const a of policy.actions) expect(en).toContain(`Action: ${a.name.en}`)
    expect(en).not.toMatch(/keyHelp\./) // no missing translation shows its key

    const id = render('id', <KeyHelpList policy={policy} locale="id" />)
    expect(id).toContain('<kbd>Spasi</kbd>')
    expect(id).toContain('Lebih lambat (paling lambat 0,5×)')
    for (const a of policy.actions) expect(id).toContain(`Tindakan: ${a.name.id}`)
    expect(id).not.toMatch(/keyHelp\./)
  })
})
