import { useEffect, useEffectEvent, useLayoutEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ClipMatches, KnownMatch } from '../../shared/known-content'
import type { Locale, Policy } from '../../shared/policy'
import { formatDateTime, formatNumber } from '../../ui/i18n/format'
import { actionName, categoryName } from '../../ui/i18n/policy-text'
import { useApi } from '../api/api-context'
import { applicableMatch, matchedDecision, matchIsSensitive, matchKey } from '../state/known-content'
import { isApplyMatchKey, keyPressOf } from '../state/keys'

interface Props {
  clipId: string
  posterSha256: string | null
  /** What the clip matches (use-clip-matches.ts: asked once, shared with the clip's protection); null until known. */
  result: ClipMatches | null
  policy: Policy
  locale: Locale
  /** Fill the decision form from this match (the reviewer checks and saves); `focusForm`: and take the reviewer there. */
  onApply(match: KnownMatch, opts?: { focusForm: boolean }): void
}

/**
 * Known footage (issue 14), shown above the player before anything plays: the decided
 * clip this one matches, how much of it matched, the two posters side by side, and one
 * key (`D`) to fill in the same decision. A match decided in a protected category keeps
 * its poster blurred (the clip itself opens protected: use-review-session.ts) and offers
 * to decide without watching: the form filled from the match, and focus there.
 */
export function KnownContentPanel({ clipId, posterSha256, result, policy, locale, onApply }: Props) {
  const api = useApi()
  const { t } = useTranslation()
  const [applied, setApplied] = useState<string | null>(null)

  useEffect(() => {
    setApplied(null)
  }, [clipId])

  const best = result ? applicableMatch(result.matches) : null

  const apply = (opts?: { focusForm: boolean }) => {
    if (!best) return
    onApply(best, opts)
    setApplied(matchKey(best))
  }
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || !best || !isApplyMatchKey(keyPressOf(e))) return
    e.preventDefault()
    apply()
  })
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  if (!result) return null
  if (result.hashing === 'waiting' && result.matches.length === 0) {
    return (
      <p className="known-content muted small" role="status" data-testid="known-checking">
        {t('known.checking')}
      </p>
    )
  }
  if (result.hashing === 'failed' && result.matches.length === 0) {
    return (
      <p className="known-content muted small" role="status" data-testid="known-failed">
        {t('known.failed')}
      </p>
    )
  }
  if (result.matches.length === 0) return null

  const shown = best ?? result.matches[0]!
  const decision = matchedDecision(shown)
  const sensitive = matchIsSensitive(policy, shown)
  const names = (ids: readonly string[]) => ids.map((id) => categoryName(policy, id, locale)).join(', ')
  const others = result.matches.length - 1
  const percent = formatNumber(shown.queryMatchPercent, locale, { maximumFractionDigits: 0 })
  const matchPoster = shown.source === 'clip' ? shown.posterSha256 : null
  return (
    <section
      className="known-content"
      aria-labelledby="known-title"
      data-testid="known-content"
      data-match-source={shown.source}
      {...(shown.source === 'clip' ? { 'data-match-clip-id': shown.clipId } : { 'data-match-list-id': shown.listId, 'data-match-entry-id': shown.entryId })}
    >
      <h3 id="known-title">{t('known.title')}</h3>
      <div className="known-posters">
        {posterSha256 && <img src={api.mediaUrl(posterSha256)} alt={t('known.posterThis')} className={sensitive ? 'poster-protected' : undefined} />}
        {shown.source === 'clip' && matchPoster && (
          <img src={api.mediaUrl(matchPoster)} alt={t('known.posterMatch', { clip: shown.clipId })} className={sensitive ? 'poster-protected' : undefined} />
        )}
      </div>
      <div className="known-text">
        {shown.source === 'hashlist' ? (
          <>
            <p data-testid="known-match" data-query-percent={shown.queryMatchPercent} data-same-file={shown.sameFile}>
              {shown.sameFile ? t('known.listSameFile', { label: shown.label }) : t('known.listMatches', { label: shown.label, percent })}
            </p>
            <p className="small" data-testid="known-list">
              {t(shown.listSource === 'team' ? 'known.listTeam' : 'known.listFrom', { list: shown.listName, issuer: shown.issuerName })}
            </p>
            <p data-testid="known-decision">
              {t('known.listCarries', { action: actionName(policy, shown.decision.action, locale), categories: names(shown.decision.categories) })}
              {shown.decision.decidedBy && shown.decision.decidedAt && (
                <span className="muted"> · {t('known.listDecidedBy', { reviewer: shown.decision.decidedBy, time: formatDateTime(shown.decision.decidedAt, locale) })}</span>
              )}
            </p>
          </>
        ) : (
          <>
            <p data-testid="known-match" data-query-percent={shown.queryMatchPercent} data-same-file={shown.sameFile}>
              {shown.sameFile ? t('known.sameFile', { clip: shown.clipId }) : t('known.matches', { clip: shown.clipId, percent })}
              {shown.streamTitle && <span className="muted"> · {shown.streamTitle}</span>}
            </p>
            <p data-testid="known-decision">
              {shown.decision
                ? t('known.decided', {
                    action: actionName(policy, shown.decision.action, locale),
                    categories: names(shown.decision.categories),
                    reviewer: shown.decision.reviewerId,
                    time: formatDateTime(shown.decision.decidedAt, locale),
                  })
                : decision
                  ? t('known.settled', { action: actionName(policy, decision.action, locale), categories: names(decision.categories) })
                  : t('known.undecided')}
            </p>
          </>
        )}
        {sensitive && <p className="small">{t('known.sensitive')}</p>}
        {sensitive && decision && (
          <button type="button" className="primary" onClick={() => apply({ focusForm: true })} data-testid="decide-unwatched">
            {t('known.decideUnwatched')}
          </button>
        )}
        {decision && (
          <button type="button" onClick={() => apply()} aria-keyshortcuts="D" data-testid="apply-match">
            {t('known.apply')} <kbd>D</kbd>
          </button>
        )}
        {applied === matchKey(shown) && (
          <p role="status" className="small" data-testid="known-applied">
            {t('known.applied', { clip: shown.source === 'clip' ? shown.clipId : shown.label })}
          </p>
        )}
        {others > 0 && <p className="muted small">{t('known.others', { count: others, n: formatNumber(others, locale) })}</p>}
      </div>
    </section>
  )
}
