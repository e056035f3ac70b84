import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { CLIP_STATUSES } from '../../shared/queue-constants'
import type { StatusCounts } from '../../shared/domain'
import { LOCALES } from '../../shared/policy-rules'
import type { Locale, Policy } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'

/** Language names are written in their own language, so anyone can find theirs. */
const LOCALE_NAMES: Record<Locale, string> = { en: 'English', id: 'Bahasa Indonesia' }

interface Props {
  policy: Policy
  locale: Locale
  counts: StatusCounts | null
  reviewerId: string
  onLocaleChange: (locale: Locale) => void
  /** Open the policy panel (also Shift+P). */
  onShowPolicy?: (() => void) | undefined
  /** Open the shift summary. */
  onShowShift?: (() => void) | undefined
  /** Open the wellness settings. */
  onShowWellness?: (() => void) | undefined
  /** Open the known-footage matching settings. */
  onShowMatching?: (() => void) | undefined
  /** Open the hash lists the profile holds. */
  onShowHashLists?: (() => void) | undefined
  /** Open the lock settings (idle time, passphrase). */
  onShowLockSettings?: (() => void) | undefined
  /** Lock the profile now. */
  onLock?: (() => void) | undefined
  /** True while a break is due: the shift button says so. */
  breakDue?: boolean | undefined
  /** Open the pack import dialog. */
  onImport?: (() => void) | undefined
  /** An import is under way (the button says so). */
  importing?: boolean | undefined
  /** Open the export dialog. */
  onExport?: (() => void) | undefined
  /** The sync status button (it opens the sync dialog). */
  syncButton?: ReactNode
}

export function Header({ policy, locale, counts, reviewerId, onLocaleChange, onShowPolicy, onShowShift, onShowWellness, onShowMatching, onShowHashLists, onShowLockSettings, onLock, breakDue, onImport, importing, onExport, syncButton }: Props) {
  const { t } = useTranslation()
  return (
    <header className="app-header">
      <div className="brand">
        <h1>{t('app.name')}</h1>
        <span className="muted">{t('app.policy', { name: policy.name[locale], version: policy.version })}</span>
        <span className="muted">{t('app.reviewer', { id: reviewerId })}</span>
      </div>
      <ul className="status-counts" aria-label={t('header.counts')}>
        {CLIP_STATUSES.map((s) => {
          const n = counts?.[s] ?? 0
          return (
            <li key={s} className={`status-count status-${s}`} data-testid={`count-${s}`} data-count={n}>
              <span className="status-count-label">{t(`status.${s}`)}</span>{' '}
              <strong className="status-count-value">{formatNumber(n, locale)}</strong>
            </li>
          )
        })}
      </ul>
      <div className="header-tools">
        {syncButton}
        {onImport && (
          <button type="button" onClick={onImport} data-testid="open-import" aria-busy={importing || undefined}>
            {importing ? t('packImport.openBusy') : t('packImport.open')}
          </button>
        )}
        {onExport && (
          <button type="button" onClick={onExport} data-testid="open-export">
            {t('exportDialog.open')}
          </button>
        )}
        {onShowPolicy && (
          <button type="button" onClick={onShowPolicy} aria-keyshortcuts="Shift+P" data-testid="open-policy">
            {t('policyPanel.open')} <kbd aria-hidden="true">⇧P</kbd>
          </button>
        )}
        {onShowShift && (
          <button type="button" onClick={onShowShift} className={breakDue ? 'primary' : undefined} data-testid="open-shift">
            {breakDue ? t('shift.openBreakDue') : t('shift.open')}
          </button>
        )}
        {onShowWellness && (
          <button type="button" onClick={onShowWellness} data-testid="open-wellness-settings">
            {t('wellness.settings.open')}
          </button>
        )}
        {onShowMatching && (
          <button type="button" onClick={onShowMatching} data-testid="open-matching-settings">
            {t('matching.open')}
          </button>
        )}
        {onShowHashLists && (
          <button type="button" onClick={onShowHashLists} data-testid="open-hash-lists">
            {t('hashLists.open')}
          </button>
        )}
        {onShowLockSettings && (
          <button type="button" onClick={onShowLockSettings} data-testid="open-lock-settings">
            {t('lockSettings.open')}
          </button>
        )}
        {onLock && (
          <button type="button" onClick={onLock} data-testid="lock-profile" title={t('lock.lockNowHint')}>
            {t('lock.lockNow')}
          </button>
        )}
      </div>
      <label className="locale-switch">
        <span>{t('header.language')}</span>
        <select
          data-testid="locale-switch"
          value={locale}
          onChange={(e) => onLocaleChange(e.target.value as Locale)}
        >
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </select>
      </label>
    </header>
  )
}
