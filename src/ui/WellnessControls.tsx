import { useTranslation } from 'react-i18next'
import type { Locale, Policy } from '../shared/policy'
import { categoryName } from './i18n/policy-text'
import { isProtected, PROTECTION_KINDS } from './wellness'
import type { ClipProtection } from './use-clip-protection'
import './wellness.css'

interface Props {
  policy: Policy
  locale: Locale
  protection: ClipProtection
}

/**
 * The wellness bar above a clip: why it is protected, "reveal" (hold V, or click), and a
 * toggle each for blur, colour and sound.
 */
export function WellnessControls({ policy, locale, protection }: Props) {
  const { t } = useTranslation('ui')
  const { sensitive, protection: chosen, effective, held } = protection
  const protectedNow = isProtected(effective)
  const revealed = held || !isProtected(chosen)
  return (
    <div
      className={`wellness-bar${sensitive.length > 0 ? ' is-sensitive' : ''}`}
      role="group"
      aria-label={t('wellness.controls')}
      data-testid="wellness-bar"
      data-protected={protectedNow}
      data-sensitive={sensitive.length > 0}
    >
      <p className="wellness-why">
        {sensitive.length > 0 ? (
          <>
            <strong>{t('wellness.sensitive')}</strong> {sensitive.map((c) => categoryName(policy, c, locale)).join(', ')}
          </>
        ) : (
          <span className="muted">{t('wellness.notSensitive')}</span>
        )}
        {held && <span className="badge wellness-held"> {t('wellness.holding')}</span>}
      </p>
      <div className="wellness-buttons">
        <button
          type="button"
          className={revealed ? undefined : 'primary'}
          onClick={protection.reveal}
          aria-pressed={!isProtected(chosen)}
          aria-keyshortcuts="V"
          data-testid="wellness-reveal"
        >
          {isProtected(chosen) ? t('wellness.reveal') : t('wellness.protect')}
        </button>
        <kbd aria-hidden="true">{t('wellness.holdKey')}</kbd>
        {PROTECTION_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            className="wellness-toggle"
            aria-pressed={chosen[kind]}
            onClick={() => protection.toggle(kind)}
            data-testid={`wellness-${kind}`}
          >
            {t(`wellness.toggle.${kind}`)}
          </button>
        ))}
      </div>
    </div>
  )
}
