import { useTranslation } from 'react-i18next'
import type { OutcomeView, ReviewerDecision } from '../../../shared/lead-api'
import { formatDateTime } from '../../../ui/i18n/format'
import { actionName, categoryName } from '../../../ui/i18n/policy-text'
import { useClipContextOrThrow } from './ClipContext'

/** Every outcome of the clip, newest first: the audit trail (nothing is overwritten). */
export function OutcomeHistory({ history, decisions }: { history: readonly OutcomeView[]; decisions: readonly ReviewerDecision[] }) {
  const { t } = useTranslation()
  const { policy, locale } = useClipContextOrThrow()
  const nameOf = (decisionId: string | null) => decisions.find((d) => d.id === decisionId)?.reviewer_name ?? null
  return (
    <section aria-labelledby="outcome-history-heading" className="outcome-history">
      <h2 id="outcome-history-heading">{t('clip.history.title')}</h2>
      <ol data-testid="outcome-history">
        {[...history].reverse().map((o, i) => (
          <li key={o.id} data-kind={o.kind} className={i === 0 ? 'is-in-force' : undefined}>
            <strong>{t(`clip.kind.${o.kind}`)}</strong>
            {o.action && <> — {actionName(policy, o.action, locale)}</>}
            {o.categories && o.categories.length > 0 && <> ({o.categories.map((c) => categoryName(policy, c, locale)).join(', ')})</>}{' '}
            <span className="muted small">
              {formatDateTime(o.created_at, locale)}
              {o.lead_id && <> · {t('clip.history.byLead', { lead: o.lead_id })}</>}
              {o.source_decision_id && nameOf(o.source_decision_id) && <> · {t('clip.history.adopted', { reviewer: nameOf(o.source_decision_id) })}</>}
              {i === 0 && <> · {t('clip.history.inForce')}</>}
            </span>
            {o.rationale && o.kind === 'adjudicated' && <p className="rationale-text">{o.rationale}</p>}
          </li>
        ))}
      </ol>
    </section>
  )
}
