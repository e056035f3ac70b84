import { useTranslation } from 'react-i18next'
import type { HashStatus } from '../../shared/frame-hashes'
import type { Locale } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'
import { decisionsThisSession, medianSecondsPerClip, type SessionStats } from '../state/session-stats'

interface Props {
  stats: SessionStats
  locale: Locale
  /** The background hasher's progress; null until it first reports. */
  hashing?: HashStatus | null
}

/** Always-visible session figures (see state/session-stats.ts). */
export function StatusBar({ stats, locale, hashing = null }: Props) {
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
      {hashing && (hashing.waiting > 0 || hashing.failed > 0) && (
        <span data-testid="hash-status" data-waiting={hashing.waiting} data-hashed={hashing.hashed} data-failed={hashing.failed}>
          {hashing.waiting > 0 &&
            t('statusBar.hashing', { done: formatNumber(hashing.hashed + hashing.failed, locale), total: formatNumber(hashing.total, locale) })}
          {hashing.waiting > 0 && hashing.failed > 0 && ' · '}
          {hashing.failed > 0 && t('statusBar.hashFailed', { count: hashing.failed, n: formatNumber(hashing.failed, locale) })}
        </span>
      )}
    </footer>
  )
}
