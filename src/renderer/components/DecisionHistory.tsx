import { useTranslation } from 'react-i18next'
import type { ClipOutcome, DecisionRecord } from '../../shared/domain'
import type { MatchedFrom } from '../../shared/matched-from'
import type { Locale, Policy } from '../../shared/policy'
import { formatClipTime, formatDateTime, formatNumber } from '../../ui/i18n/format'
import { actionName, categoryName, escalationTargetName } from '../../ui/i18n/policy-text'

interface Props {
  decisions: readonly DecisionRecord[]
  policy: Policy
  locale: Locale
  outcome?: ClipOutcome | null | undefined
}

/** The match a decision was applied from: another clip, or a hash list entry (the team's hashes named as such). */
function MatchedFromLine({ m, locale }: { m: MatchedFrom; locale: Locale }) {
  const { t } = useTranslation()
  const percent = formatNumber(m.queryMatchPercent, locale, { maximumFractionDigits: 0 })
  if (m.source === 'clip') return <>{m.sameFile ? t('history.matchedFromSameFile', { clip: m.clipId }) : t('history.matchedFrom', { clip: m.clipId, percent })}</>
  const key = m.listSource === 'team' ? 'history.matchedFromTeam' : 'history.matchedFromList'
  return <>{t(m.sameFile ? `${key}SameFile` : key, { label: m.label, list: m.listId, percent })}</>
}

/** What the organisation made of the clip, beside (never instead of) the reviewer's own decisions. */
function OutcomeNote({ outcome, policy, locale }: { outcome: ClipOutcome; policy: Policy; locale: Locale }) {
  const { t } = useTranslation()
  const action = outcome.action ? actionName(policy, outcome.action, locale) : ''
  const headline =
    outcome.kind === 'adjudicated'
      ? t('history.outcomeSettledByLead', { lead: outcome.leadName ?? '—', action })
      : outcome.kind === 'consensus'
        ? t('history.outcomeAgreed', { action })
        : outcome.kind === 'single_review'
          ? t('history.outcomeSingle', { action })
          : outcome.kind === 'disputed'
            ? t('history.outcomeDisputed')
            : t('history.outcomePending')
  return (
    <section className={`outcome-note outcome-${outcome.kind}`} aria-label={t('history.outcomeTitle')} data-outcome-kind={outcome.kind}>
      <p>
        <strong>{headline}</strong> <span className="muted small">{t('history.outcomeAt', { time: formatDateTime(outcome.settledAt, locale) })}</span>
      </p>
      {outcome.upheld !== null && <p className={outcome.upheld ? 'outcome-upheld' : 'outcome-not-upheld'}>{outcome.upheld ? t('history.outcomeUpheld') : t('history.outcomeNotUpheld')}</p>}
      {outcome.kind === 'adjudicated' && outcome.categories.length > 0 && (
        <ul className="chips">
          {outcome.categories.map((c) => (
            <li key={c} className="chip">
              {categoryName(policy, c, locale)}
            </li>
          ))}
        </ul>
      )}
      {outcome.kind === 'adjudicated' && outcome.rationale && <p className="rationale-text">{outcome.rationale}</p>}
      {outcome.upheld === false && <p className="muted small">{t('history.outcomeUnchanged')}</p>}
    </section>
  )
}

/** Every decision on the clip, newest first; the newest is the one in force. */
export function DecisionHistory({ decisions, policy, locale, outcome }: Props) {
  const { t } = useTranslation()
  if (decisions.length === 0) return <p className="muted">{t('clip.noHistory')}</p>
  const newestFirst = [...decisions].reverse()
  return (
    <>
      {outcome && <OutcomeNote outcome={outcome} policy={policy} locale={locale} />}
      <ol className="history">
        {newestFirst.map((d, i) => (
          <li key={d.id} className={i === 0 ? 'is-in-force' : 'is-superseded'} data-decision-id={d.id}>
            <div className="history-head">
              <span className={`badge ${i === 0 ? 'in-force' : 'superseded'}`}>{i === 0 ? t('history.inForce') : t('history.superseded')}</span>
              <strong>{actionName(policy, d.action, locale)}</strong>
              <time dateTime={d.decidedAt}>{formatDateTime(d.decidedAt, locale)}</time>
              <span className="muted">{t(`history.sync.${d.syncState}`)}</span>
            </div>
            <ul className="chips">
              {d.categories.map((c) => (
                <li key={c} className="chip">
                  {categoryName(policy, c, locale)}
                </li>
              ))}
            </ul>
            {d.escalationTarget && <p>{t('history.escalatedTo', { target: escalationTargetName(policy, d.escalationTarget, locale) })}</p>}
            {d.ranges.length > 0 && (
              <ul className="history-ranges">
                {d.ranges.map((r, j) => (
                  <li key={j}>
                    {t('history.range', { start: formatClipTime(r.startMs, locale), end: formatClipTime(r.endMs, locale) })}
                    {r.label && <strong> {r.label}</strong>}
                    {r.note && <span className="muted"> — {r.note}</span>}
                  </li>
                ))}
              </ul>
            )}
            <p className="rationale-text">{d.rationale || <span className="muted">{t('history.noRationale')}</span>}</p>
            {d.matchedFrom && (
              <p
                className="small"
                data-testid="history-matched-from"
                data-match-clip-id={d.matchedFrom.source === 'clip' ? d.matchedFrom.clipId : undefined}
                data-match-list-id={d.matchedFrom.source === 'hashlist' ? d.matchedFrom.listId : undefined}
                data-match-entry-id={d.matchedFrom.source === 'hashlist' ? d.matchedFrom.entryId : undefined}
              >
                <MatchedFromLine m={d.matchedFrom} locale={locale} />
              </p>
            )}
            <p className="muted small">
              {t('history.by', { reviewer: d.reviewerId, device: d.deviceId.slice(0, 8) })}
              {d.revisesId && <> · {t('history.revises', { id: d.revisesId.slice(0, 8) })}</>}
            </p>
          </li>
        ))}
      </ol>
    </>
  )
}
