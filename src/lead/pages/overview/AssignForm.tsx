import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { AssignResult, LEAD_ROUTES } from '../../../shared/lead-api'
import { formatNumber } from '../../../ui/i18n/format'
import type { LeadApiError } from '../../api/lead-client'
import { LeadProblem } from '../../components/LeadProblem'
import { asLeadError, useLead } from '../../lead-context'
import { ASSIGN_MODES, buildAssignBody, COUNT_MAX, EMPTY_ASSIGN_FORM, firstInvalidField, MIN_PRIORITY_MAX, validateAssignForm, type AssignField, type AssignFormState, type AssignMode } from './assign-form'

interface Props {
  packId: string
  /** Every reviewer the service knows (overview.reviewers). */
  reviewers: readonly { id: string; name: string }[]
  /** Clips assigned to each reviewer in this pack now, for the labels. */
  assigned: ReadonlyMap<string, number>
  onAssigned(): void
}

/**
 * Assign a pack's clips: to whom, which clips (all, those matching the filters, or the first
 * N of those, most urgent first) and whether each clip goes to all chosen reviewers or is
 * dealt out among them. Checked here before it is sent; the service's answer says what changed.
 */
export function AssignForm({ packId, reviewers, assigned, onAssigned }: Props) {
  const { t } = useTranslation()
  const { client, locale, sessionEnded } = useLead()
  const [state, setState] = useState<AssignFormState>(EMPTY_ASSIGN_FORM)
  const [tried, setTried] = useState(false)
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<AssignResult | null>(null)
  const [error, setError] = useState<LeadApiError | null>(null)
  const id = useId()
  const ids = {
    title: `${id}-title`,
    mode: `${id}-mode`,
    filterHint: `${id}-filter-hint`,
    splitHint: `${id}-split-hint`,
    error: (f: AssignField) => `${id}-error-${f}`,
  }
  const refs = {
    reviewers: useRef<HTMLInputElement>(null),
    minPriority: useRef<HTMLInputElement>(null),
    dueBefore: useRef<HTMLInputElement>(null),
    count: useRef<HTMLInputElement>(null),
  } satisfies Record<AssignField, unknown>

  // Messages show once the lead has tried to send, and follow what they type from then on.
  const errors = tried ? validateAssignForm(state) : {}
  const set = (patch: Partial<AssignFormState>) => setState((s) => ({ ...s, ...patch }))
  // Typing a filter or a count picks the mode it belongs to, so nothing typed is ignored.
  const setFilter = (patch: Partial<AssignFormState>) => setState((s) => ({ ...s, ...patch, mode: s.mode === 'all' ? 'filter' : s.mode }))
  const toggleReviewer = (rid: string, on: boolean) =>
    setState((s) => ({ ...s, reviewerIds: on ? [...s.reviewerIds.filter((r) => r !== rid), rid] : s.reviewerIds.filter((r) => r !== rid) }))
  const nameOf = (rid: string) => reviewers.find((r) => r.id === rid)?.name ?? rid

  const invalid = (f: AssignField) => (errors[f] ? { 'aria-invalid': true as const, 'aria-describedby': ids.error(f) } : {})
  const message = (f: AssignField) =>
    errors[f] ? (
      <p id={ids.error(f)} className="ov-error" data-testid={`assign-error-${f}`}>
        {t(`overview.assign.errors.${errors[f]}`, { max: formatNumber(f === 'count' ? COUNT_MAX : MIN_PRIORITY_MAX, locale) })}
      </p>
    ) : null

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    setTried(true)
    const built = buildAssignBody(packId, state)
    if (!built.ok) {
      const first = firstInvalidField(built.errors)
      if (first) refs[first].current?.focus()
      return
    }
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      setResult(await client.call(AssignResult, 'POST', LEAD_ROUTES.assign, { body: built.body }))
      onAssigned()
    } catch (err) {
      const e2 = asLeadError(err)
      if (e2.code === 'unauthorized') sessionEnded()
      setError(e2)
    } finally {
      setBusy(false)
    }
  }

  const modeLabel: Record<AssignMode, string> = {
    all: t('overview.assign.modes.all'),
    filter: t('overview.assign.modes.filter'),
    count: t('overview.assign.modes.count'),
  }

  return (
    <form className="ov-assign" onSubmit={submit} noValidate aria-labelledby={ids.title} data-testid={`assign-form-${packId}`}>
      <h3 id={ids.title}>{t('overview.assign.title')}</h3>

      <fieldset className="ov-fieldset">
        <legend>{t('overview.assign.reviewers')}</legend>
        {reviewers.length === 0 ? (
          <p className="muted">{t('overview.assign.noReviewers')}</p>
        ) : (
          <>
            <ul className="ov-checks">
              {reviewers.map((r, i) => (
                <li key={r.id}>
                  <label className="ov-check">
                    <input
                      ref={i === 0 ? refs.reviewers : undefined}
                      type="checkbox"
                      checked={state.reviewerIds.includes(r.id)}
                      onChange={(e) => toggleReviewer(r.id, e.target.checked)}
                      {...(errors.reviewers ? { 'aria-describedby': ids.error('reviewers') } : {})}
                      data-testid={`assign-reviewer-${r.id}`}
                    />
                    <span>
                      {r.name} <span className="muted">{t('overview.assign.reviewerHas', { id: r.id, n: formatNumber(assigned.get(r.id) ?? 0, locale) })}</span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
            <p className="ov-inline-buttons">
              <button type="button" onClick={() => set({ reviewerIds: reviewers.map((r) => r.id) })}>
                {t('overview.assign.chooseAll')}
              </button>
              <button type="button" onClick={() => set({ reviewerIds: [] })}>
                {t('overview.assign.chooseNone')}
              </button>
            </p>
          </>
        )}
        {message('reviewers')}
      </fieldset>

      <fieldset className="ov-fieldset">
        <legend>{t('overview.assign.which')}</legend>
        <ul className="ov-checks">
          {ASSIGN_MODES.map((m) => (
            <li key={m}>
              <label className="ov-check">
                <input type="radio" name={ids.mode} value={m} checked={state.mode === m} onChange={() => set({ mode: m })} data-testid={`assign-mode-${m}`} />
                <span>{modeLabel[m]}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>

      <fieldset className="ov-fieldset" aria-describedby={ids.filterHint}>
        <legend>{t('overview.assign.filters')}</legend>
        <p id={ids.filterHint} className="muted small">
          {t('overview.assign.filterHint')}
        </p>
        <div className="form-row">
          <label className="ov-check">
            <input type="checkbox" checked={state.unassignedOnly} onChange={(e) => setFilter({ unassignedOnly: e.target.checked })} data-testid="assign-unassigned-only" />
            <span>{t('overview.assign.unassignedOnly')}</span>
          </label>
          <label className="ov-check">
            <input type="checkbox" checked={state.authorityOnly} onChange={(e) => setFilter({ authorityOnly: e.target.checked })} data-testid="assign-authority-only" />
            <span>{t('overview.assign.authorityOnly')}</span>
          </label>
        </div>
        <div className="form-row">
          <label>
            <span>{t('overview.assign.minPriority')}</span>
            <input
              ref={refs.minPriority}
              type="number"
              inputMode="numeric"
              min={0}
              max={MIN_PRIORITY_MAX}
              step={1}
              value={state.minPriority}
              onChange={(e) => setFilter({ minPriority: e.target.value })}
              {...invalid('minPriority')}
              data-testid="assign-min-priority"
            />
          </label>
          <label>
            <span>{t('overview.assign.dueBefore')}</span>
            <input
              ref={refs.dueBefore}
              type="datetime-local"
              value={state.dueBefore}
              onChange={(e) => setFilter({ dueBefore: e.target.value })}
              {...invalid('dueBefore')}
              data-testid="assign-due-before"
            />
          </label>
        </div>
        {message('minPriority')}
        {message('dueBefore')}
      </fieldset>

      <div className="form-row">
        <label>
          <span>{t('overview.assign.count')}</span>
          <input
            ref={refs.count}
            type="number"
            inputMode="numeric"
            min={1}
            max={COUNT_MAX}
            step={1}
            value={state.count}
            onChange={(e) => setState((s) => ({ ...s, count: e.target.value, mode: 'count' }))}
            {...invalid('count')}
            data-testid="assign-count"
          />
        </label>
      </div>
      {message('count')}

      <label className="ov-check">
        <input type="checkbox" checked={state.split} onChange={(e) => set({ split: e.target.checked })} aria-describedby={ids.splitHint} data-testid="assign-split" />
        <span>{t('overview.assign.split')}</span>
      </label>
      <p id={ids.splitHint} className="muted small">
        {t('overview.assign.splitHint')}
      </p>

      <p>
        <button type="submit" className="primary" aria-disabled={busy || undefined} data-testid="assign-submit">
          {busy ? t('overview.assign.submitting') : t('overview.assign.submit')}
        </button>
      </p>
      {error && <LeadProblem error={error} onDismiss={() => setError(null)} />}
      <div role="status" className="ov-result" data-testid="assign-result">
        {result && (
          <>
            <p data-clips={result.clips}>{t('overview.assign.matched', { n: formatNumber(result.clips, locale) })}</p>
            {Object.keys(result.changed).length > 0 && (
              <ul className="ov-changed">
                {Object.entries(result.changed).map(([rid, n]) => (
                  <li key={rid} data-reviewer={rid} data-changed={n}>
                    {t('overview.assign.changed', { name: nameOf(rid), n: formatNumber(n, locale) })}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </form>
  )
}
