import { describe, expect, test } from 'vitest'
import type { ReviewerDecision } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { livePolicy as policy, renderInLocale } from '../../testing/render-lead'
import { ClipContext } from './ClipContext'
import { DecisionCard } from './DecisionCard'
import { OutcomeForm } from './OutcomeForm'
import { draftFrom, EMPTY_DRAFT, type OutcomeDraft } from './outcome-form'

const rina: ReviewerDecision = {
  id: 'd-rina',
  reviewer_id: 'rina',
  reviewer_name: 'Rina Lestari',
  action: 'remove',
  categories: ['violence.arson'],
  escalation_target: null,
  ranges: [{ start_ms: 1500, end_ms: 2500, label: 'the call', note: '' }],
  rationale: 'Urges arson at 0:02.',
  decided_at: '2026-12-06T10:00:00.000Z',
  matched_from: null,
  qa: true,
}

function render(locale: Locale, node: React.ReactNode): string {
  return renderInLocale(locale, <ClipContext.Provider value={{ policy, locale, seek: () => {} }}>{node}</ClipContext.Provider>)
}
const form = (draft: OutcomeDraft) => (
  <OutcomeForm draft={draft} onChange={() => {}} decisions={[rina]} durationMs={7000} revising={false} saving={false} onSave={() => {}} error={null} saved={null} nextDisputed={null} />
)

describe('the adjudication page parts', () => {
  test("a reviewer's decision: who, what, where, why, and the key that takes it", () => {
    const en = render('en', <DecisionCard decision={rina} index={0} chosen={false} canTake onTake={() => {}} />)
    expect(en).toContain('Rina Lestari')
    expect(en).toContain('QA review (blind)')
    expect(en).toContain('Remove clip')
    expect(en).toContain('Urging arson or destruction of property')
    expect(en).toContain('0:01.5–0:02.5')
    expect(en).toContain('Urges arson at 0:02.')
    expect(en).toContain('aria-keyshortcuts="1"')
    const id = render('id', <DecisionCard decision={rina} index={0} chosen canTake onTake={() => {}} />)
    expect(id).toContain('Ambil keputusan ini')
    expect(id).toContain('aria-pressed="true"')
  })

  test('a decision applied from a known-content match says which, in both languages', () => {
    const matched = { ...rina, matched_from: { source: 'clip', clip_id: 'demo-007', decision_id: 'd-0', query_match_percent: 92.5, compared_match_percent: 80, same_file: false } } as const
    expect(render('en', <DecisionCard decision={matched} index={0} chosen={false} canTake={false} onTake={() => {}} />)).toContain(
      'From a match with clip demo-007 (93 % of frames matched)',
    )
    expect(render('id', <DecisionCard decision={matched} index={0} chosen={false} canTake={false} onTake={() => {}} />)).toContain(
      'Dari kecocokan dengan klip demo-007 (93 % bingkai cocok)',
    )
    expect(render('en', <DecisionCard decision={rina} index={0} chosen={false} canTake={false} onTake={() => {}} />)).not.toContain('decision-matched-from')
  })

  test('a decision applied from a hash list entry names the entry, its label and the list version; the team’s hashes as such', () => {
    const fromList = {
      source: 'hashlist',
      list_id: 'hl-jkt-riots',
      list_source: 'hashlist',
      list_version: '2025-09-05T10:00:00.000Z',
      entry_id: 'arson-thamrin',
      label: 'Car set on fire',
      query_match_percent: 96.4,
      compared_match_percent: 100,
      same_file: false,
    } as const
    const card = (lang: 'en' | 'id', m: typeof fromList | (Omit<typeof fromList, 'list_source'> & { list_source: 'team' })) =>
      render(lang, <DecisionCard decision={{ ...rina, matched_from: m }} index={0} chosen={false} canTake={false} onTake={() => {}} />)
    expect(card('en', fromList)).toContain('From “Car set on fire”, entry arson-thamrin of hash list hl-jkt-riots version 2025-09-05T10:00:00.000Z (96 % of frames matched)')
    expect(card('id', fromList)).toContain('Dari “Car set on fire”, entri arson-thamrin daftar hash hl-jkt-riots versi 2025-09-05T10:00:00.000Z (96 % bingkai cocok)')
    expect(card('en', { ...fromList, list_source: 'team' })).toContain('From “Car set on fire”, entry arson-thamrin of the team&#x27;s hashes (96 % of frames matched)')
    expect(card('id', { ...fromList, list_source: 'team' })).toContain('Dari “Car set on fire”, entri arson-thamrin hash tim (96 % bingkai cocok)')
  })

  test('the outcome form says whose decision it takes, and what still blocks saving', () => {
    const taken = render('en', form(draftFrom(rina)))
    expect(taken).toContain('Taking Rina Lestari&#x27;s decision as the outcome.')
    expect(taken).not.toContain('data-testid="outcome-problems"')
    expect(taken).toMatch(/data-testid="outcome-save"[^>]*>Settle the clip/)
    const unreasoned = render('id', form({ ...draftFrom(rina), rationale: '' }))
    expect(unreasoned).toContain('data-code="rationale_required"')
    expect(unreasoned).toContain('Tulis alasan')
    expect(unreasoned).toMatch(/disabled=""[^>]*data-testid="outcome-save"/)
    const empty = render('en', form(EMPTY_DRAFT))
    expect(empty).toContain('Your own outcome.')
    // Nothing chosen yet: no problems shouted, the button simply waits.
    expect(empty).not.toContain('data-testid="outcome-problems"')
  })
})
