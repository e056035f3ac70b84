import { useTranslation } from 'react-i18next'
import type { ReviewerDecision } from '../../../shared/lead-api'
import { formatClipTime, formatDateTime } from '../../../ui/i18n/format'
import { actionName, categoryName, escalationTargetName } from '../../../ui/i18n/policy-text'
import { findCategory } from '../../../shared/policy-rules'
import { useClipContextOrThrow } from './ClipContext'

interface Props {
  decision: ReviewerDecision
  index: number
  /** The outcome form holds this decision now. */
  chosen: boolean
  canTake: boolean
  onTake(): void
}

/** One reviewer's decision in force, beside the others: what, why, where in the clip. */
export function DecisionCard({ decision: d, index, chosen, canTake, onTake }: Props) {
  const { t } = useTranslation()
  const { policy, locale, seek } = useClipContextOrThrow()
  const key = index < 9 ? String(index + 1) : null
  return (
    <section className={`decision-card${chosen ? ' is-chosen' : ''}`} aria-labelledby={`dc-${d.id}`} data-testid="decision-card" data-decision-id={d.id} data-reviewer={d.reviewer_id}>
      <h3 id={`dc-${d.id}`}>
        {key && <kbd aria-hidden="true">{key}</kbd>} {d.reviewer_name} {d.qa && <span className="badge qa-badge">{t('clip.qaBlind')}</span>}
      </h3>
      <p>
        <strong data-testid="decision-action">{actionName(policy, d.action, locale)}</strong>
        {d.escalation_target && <> → {escalationTargetName(policy, d.escalation_target, locale)}</>}
      </p>
      <ul className="chips">
        {d.categories.map((c) => (
          <li key={c} className={`chip chip-${findCategory(policy, c)?.kind ?? 'unknown'}`}>
            {categoryName(policy, c, locale)}
          </li>
        ))}
      </ul>
      {d.ranges.length > 0 && (
        <ul className="decision-ranges">
          {d.ranges.map((r, i) => (
            <li key={i}>
              <button type="button" className="link" onClick={() => seek(r.start_ms)}>
                {formatClipTime(r.start_ms, locale)}–{formatClipTime(r.end_ms, locale)}
              </button>
              {r.label && <strong> {r.label}</strong>}
              {r.note && <span className="muted"> — {r.note}</span>}
            </li>
          ))}
        </ul>
      )}
      <p className="rationale-text">{d.rationale || <span className="muted">{t('clip.noRationale')}</span>}</p>
      {d.matched_from && (
        <p className="muted small" data-testid="decision-matched-from">
          {d.matched_from.source === 'clip'
            ? t('clip.matchedFrom', { clip: d.matched_from.clip_id, percent: Math.round(d.matched_from.query_match_percent) })
            : t(d.matched_from.list_source === 'team' ? 'clip.matchedFromTeam' : 'clip.matchedFromList', {
                label: d.matched_from.label,
                entry: d.matched_from.entry_id,
                list: d.matched_from.list_id,
                version: d.matched_from.list_version,
                percent: Math.round(d.matched_from.query_match_percent),
              })}
        </p>
      )}
      <p className="muted small">{t('clip.decidedAt', { time: formatDateTime(d.decided_at, locale) })}</p>
      {canTake && (
        <button type="button" onClick={onTake} aria-keyshortcuts={key ?? undefined} aria-pressed={chosen} data-testid={`take-decision-${index + 1}`}>
          {t('clip.take')}
        </button>
      )}
    </section>
  )
}
