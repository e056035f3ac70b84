import { useEffectEvent, useLayoutEffect } from 'react'
import { useTranslation } from 'react-i18next'
import type { Locale } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'
import { isApplyToCopiesKey, keyPressOf } from '../state/keys'
import type { CopiesOffer } from './use-copies-offer'

interface Props {
  offer: CopiesOffer
  locale: Locale
  onApply(): void
}

/** In the saved notice: how many copies of the video just decided are still undecided, and Shift+D to decide them all alike. */
export function CopiesOfferNotice({ offer, locale, onApply }: Props) {
  const { t } = useTranslation()
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || offer.phase !== 'offered' || !isApplyToCopiesKey(keyPressOf(e))) return
    e.preventDefault()
    onApply()
  })
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  if (offer.phase === 'done') {
    const n = offer.applied.length
    return (
      <p className="copies-offer" data-testid="copies-applied" data-count={n}>
        {t('copies.done', { count: n, n: formatNumber(n, locale) })}
      </p>
    )
  }
  const n = offer.copies.length
  return (
    <p className="copies-offer" data-testid="copies-offer" data-count={n} data-clip-ids={offer.copies.map((c) => c.clipId).join(' ')}>
      {t('copies.offer', { count: n, n: formatNumber(n, locale) })}{' '}
      <button type="button" onClick={onApply} disabled={offer.phase === 'applying'} aria-keyshortcuts="Shift+D" data-testid="apply-to-copies">
        {offer.phase === 'applying' ? t('copies.applying') : t('copies.apply', { count: n, n: formatNumber(n, locale) })} <kbd aria-hidden="true">⇧D</kbd>
      </button>
    </p>
  )
}
