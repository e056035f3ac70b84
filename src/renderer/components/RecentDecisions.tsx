import { useTranslation } from 'react-i18next'
import type { Locale, Policy } from '../../shared/policy'
import { formatTimeOfDay } from '../../ui/i18n/format'
import { actionName } from '../../ui/i18n/policy-text'
import type { RecentEntry } from '../state/recent'

interface Props {
  entries: readonly RecentEntry[]
  policy: Policy
  locale: Locale
  currentClipId: string | null
  /** Open the clip; its form starts from the decision in force, ready to revise. */
  onOpen: (clipId: string) => void
}

/** This session's last decisions, newest first; each can be revised until it is synced. */
export function RecentDecisions({ entries, policy, locale, currentClipId, onOpen }: Props) {
  const { t } = useTranslation()
  return (
    <nav className="recent-strip" aria-labelledby="recent-heading" data-testid="recent-decisions">
      <h2 id="recent-heading">{t('recent.title')}</h2>
      {entries.length === 0 && <p className="muted">{t('recent.none')}</p>}
      <ol className="recent-list">
        {entries.map(({ decision: d, revisable, count }) => (
          <li key={d.id} className={`recent-item${d.clipId === currentClipId ? ' is-current' : ''}`} data-testid="recent-decision" data-clip-id={d.clipId} data-decision-id={d.id}>
            <button
              type="button"
              onClick={() => onOpen(d.clipId)}
              disabled={!revisable}
              aria-current={d.clipId === currentClipId ? 'true' : undefined}
              aria-label={t(revisable ? 'recent.revise' : 'recent.synced', { clip: d.clipId, action: actionName(policy, d.action, locale) })}
            >
              <span>
                <strong>{actionName(policy, d.action, locale)}</strong> <span className="muted">{formatTimeOfDay(d.decidedAt, locale)}</span>
              </span>
              <span className="muted">
                {d.clipId}
                {count > 1 && <> · {t('recent.revised')}</>}
                {!revisable && <> · {t('recent.syncedShort')}</>}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  )
}
