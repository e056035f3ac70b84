import { useId, type Ref } from 'react'
import { useTranslation } from 'react-i18next'
import type { OutcomeView, ReviewerDecision } from '../../../shared/lead-api'
import { actionsAllowedFor, CATEGORY_KINDS, ESCALATE_ACTION, kindOf } from '../../../shared/policy-rules'
import { formatClipTime } from '../../../ui/i18n/format'
import { actionName, categoryName, escalationTargetName } from '../../../ui/i18n/policy-text'
import { problemMessage } from '../../../ui/i18n/problems'
import type { LeadApiError } from '../../api/lead-client'
import { LeadProblem } from '../../components/LeadProblem'
import { routeHref } from '../../route'
import { useClipContextOrThrow } from './ClipContext'
import { adoptedDecision, chooseAction, draftProblems, toggleCategory, type OutcomeDraft } from './outcome-form'

interface Props {
  ref?: Ref<HTMLFormElement>
  draft: OutcomeDraft
  onChange(draft: OutcomeDraft): void
  decisions: readonly ReviewerDecision[]
  durationMs: number
  /** The clip has a lead's outcome already: this revises it. */
  revising: boolean
  saving: boolean
  onSave(): void
  error: LeadApiError | null
  saved: OutcomeView | null
  nextDisputed: string | null
}

/** The lead's outcome: categories, action, rationale (required where the policy says), checked as it is written. */
export function OutcomeForm({ ref, draft, onChange, decisions, durationMs, revising, saving, onSave, error, saved, nextDisputed }: Props) {
  const { t } = useTranslation()
  const { policy, locale } = useClipContextOrThrow()
  const ids = useId()
  const problems = draftProblems(policy, draft, durationMs || null)
  const kind = kindOf(policy, draft.categories)
  const allowed = new Set(actionsAllowedFor(policy, kind).map((a) => a.id))
  const adopted = adoptedDecision(draft, decisions)
  const from = decisions.find((d) => d.id === draft.takenFrom)
  const rationaleRequired = policy.actions.find((a) => a.id === draft.action)?.rationaleRequired ?? false

  return (
    <form
      ref={ref}
      className="outcome-form lead-section"
      aria-labelledby={`${ids}-title`}
      data-testid="outcome-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (problems.length === 0) onSave()
      }}
    >
      <h2 id={`${ids}-title`}>{revising ? t('clip.form.reviseTitle') : t('clip.form.title')}</h2>
      <p className="muted small" data-testid="outcome-source">
        {adopted ? t('clip.form.adopting', { reviewer: adopted.reviewer_name }) : from ? t('clip.form.editedFrom', { reviewer: from.reviewer_name }) : t('clip.form.ownDecision')}
      </p>

      {CATEGORY_KINDS.map((k) => (
        <fieldset key={k} className="outcome-categories">
          <legend>{t(`ui:kind.${k}`)}</legend>
          {policy.categories
            .filter((c) => c.kind === k)
            .map((c) => (
              <label key={c.id} className="check">
                <input type="checkbox" checked={draft.categories.includes(c.id)} onChange={() => onChange(toggleCategory(policy, draft, c.id))} data-testid={`outcome-category-${c.id}`} />
                <span>{categoryName(policy, c.id, locale)}</span>
              </label>
            ))}
        </fieldset>
      ))}

      <fieldset className="outcome-actions">
        <legend>{t('clip.form.action')}</legend>
        {policy.actions.map((a) => (
          <label key={a.id} className="check">
            <input
              type="radio"
              name={`${ids}-action`}
              value={a.id}
              checked={draft.action === a.id}
              disabled={!allowed.has(a.id)}
              onChange={() => onChange(chooseAction(draft, a.id))}
              data-testid={`outcome-action-${a.id}`}
            />
            <span>{actionName(policy, a.id, locale)}</span>
          </label>
        ))}
      </fieldset>

      {draft.action === ESCALATE_ACTION && (
        <label className="stacked">
          <span>{t('clip.form.escalateTo')}</span>
          <select value={draft.escalationTarget ?? ''} onChange={(e) => onChange({ ...draft, escalationTarget: e.target.value || null })} data-testid="outcome-escalation">
            <option value="">{t('clip.form.choose')}</option>
            {policy.escalationTargets.map((x) => (
              <option key={x.id} value={x.id}>
                {escalationTargetName(policy, x.id, locale)}
              </option>
            ))}
          </select>
        </label>
      )}

      {draft.ranges.length > 0 && (
        <div>
          <h3>{t('clip.form.ranges')}</h3>
          <ul className="decision-ranges">
            {draft.ranges.map((r, i) => (
              <li key={i}>
                {formatClipTime(r.start_ms, locale)}–{formatClipTime(r.end_ms, locale)} {r.label && <strong>{r.label}</strong>}{' '}
                <button type="button" className="link" onClick={() => onChange({ ...draft, ranges: draft.ranges.filter((_, j) => j !== i) })}>
                  {t('clip.form.removeRange')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <label className="stacked">
        <span>
          {t('clip.form.rationale')} {rationaleRequired && <span className="muted">({t('clip.form.required')})</span>}
        </span>
        <textarea
          rows={4}
          value={draft.rationale}
          onChange={(e) => onChange({ ...draft, rationale: e.target.value })}
          aria-invalid={problems.some((p) => p.field === 'rationale')}
          data-testid="outcome-rationale"
        />
      </label>

      {problems.length > 0 && (draft.action || draft.categories.length > 0) && (
        <ul className="form-problems" aria-live="polite" data-testid="outcome-problems">
          {problems.map((p, i) => (
            <li key={i} data-code={p.code}>
              {problemMessage(t, policy, locale, p)}
            </li>
          ))}
        </ul>
      )}
      {error && <LeadProblem error={error} />}
      {saved && (
        <p role="status" className="saved-notice" data-testid="outcome-saved">
          {t('clip.form.saved', { action: actionName(policy, saved.action ?? '', locale) })}{' '}
          {nextDisputed ? <a href={routeHref({ page: 'clip', clipId: nextDisputed })}>{t('clip.form.nextHint')}</a> : <a href={routeHref({ page: 'disputes' })}>{t('clip.form.noneLeft')}</a>}
        </p>
      )}
      <div className="form-row">
        <button type="submit" className="primary" disabled={problems.length > 0 || saving} aria-keyshortcuts="Control+Enter" data-testid="outcome-save">
          {saving ? t('clip.form.saving') : revising ? t('clip.form.saveRevision') : t('clip.form.save')}
        </button>
        <span className="muted small">{t('clip.form.keysHint')}</span>
      </div>
    </form>
  )
}
