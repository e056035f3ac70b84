import { useTranslation } from 'react-i18next'
import type { Locale } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'
import { decisionsThisSession, medianSecondsPerClip, type SessionStats } from '../state/session-stats'

interface Props {
  stats: SessionStats
  locale: Locale
}

/** Always-visible session figures (see state/session-stats.ts). */
export function StatusBar({ stats, locale }: Props) {
  const { t } = useTranslation()
  const decisions = decisionsThisSession(stats)
  const median = medianSecondsPerClip(stats)
  return (
    <footer className="status-bar" data-testid="status-bar" aria-label={t('statusBar.label')}>
      <span data-testid="status-decisions" data-count={decisions}>
        {t('statusBar.decisions', { count: decisions, n: formatNumber(decisions, locale) })}
      </span>
      <span data-testid="status-median" data-seconds={median ?? ''}>
        {median === null
          ? t('statusBar.noMedian')
          : t('statusBar.median', { seconds: formatNumber(median, locale, { maximumFractionDigits: 1 }) })}
      </span>
    </footer>
  )
}
