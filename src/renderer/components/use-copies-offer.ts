import { useCallback, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TinjauApi } from '../../shared/contract'
import type { DecisionRecord } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import type { ClipMatch } from '../../shared/known-content'
import type { Locale } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'
import { toApiError } from '../api/api-error'
import { copyDrafts, undecidedCopies } from '../state/copies'

export type CopiesOffer =
  | { phase: 'offered' | 'applying'; decision: DecisionRecord; copies: ClipMatch[] }
  | { phase: 'done'; decision: DecisionRecord; applied: string[] }

/**
 * After a save: the copies of the decided clip's video that are not decided yet, asked for
 * once the save has answered (not before: the next clip opens first), and the one call that
 * decides them all (`decision.recordMany`).
 */
export function useCopiesOffer(api: TinjauApi, locale: Locale, onError: (error: ApiError) => void, onApplied: (clipIds: string[]) => void | Promise<void>) {
  const { t } = useTranslation()
  const [offer, setOffer] = useState<CopiesOffer | null>(null)
  // The save the offer belongs to: a later save (or clear) makes an answer still out stale.
  const latest = useRef<string | null>(null)

  const offerFor = useCallback(
    (decision: DecisionRecord) => {
      latest.current = decision.id
      setOffer(null)
      void api
        .call('clip.matches', { clipId: decision.clipId })
        .then((result) => {
          const copies = undecidedCopies(result.matches)
          if (latest.current === decision.id && copies.length > 0) setOffer({ phase: 'offered', decision, copies })
        })
        // Matching is help, not a gate: without an answer there is just no offer.
        .catch(() => undefined)
    },
    [api],
  )

  const clear = useCallback(() => {
    latest.current = null
    setOffer(null)
  }, [])

  const apply = async () => {
    if (offer?.phase !== 'offered') return
    const { decision, copies } = offer
    setOffer({ phase: 'applying', decision, copies })
    const drafts = copyDrafts(decision, copies, (copy) =>
      t('copies.rationale', { clip: decision.clipId, percent: formatNumber(copy.comparedMatchPercent, locale, { maximumFractionDigits: 0 }), rationale: decision.rationale }).trim(),
    )
    try {
      const { items } = await api.call('decision.recordMany', { decisions: drafts })
      const applied = items.map((d) => d.clipId)
      if (latest.current === decision.id) setOffer({ phase: 'done', decision, applied })
      void onApplied(applied)
    } catch (err) {
      onError(toApiError(err))
      // Nothing was stored (all or none). A copy decided meanwhile makes the batch conflict:
      // ask again, so the offer holds only the copies still undecided.
      if (latest.current === decision.id) offerFor(decision)
    }
  }

  return { offer, offerFor, clear, apply }
}
