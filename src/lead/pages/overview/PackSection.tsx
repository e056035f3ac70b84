import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import type { Overview, PackProgress } from '../../../shared/lead-api'
import type { Locale, Policy } from '../../../shared/policy'
import { formatDateTime, formatNumber } from '../../../ui/i18n/format'
import { routeHref } from '../../route'
import { ActionChart } from './ActionChart'
import { AssignForm } from './AssignForm'
import { HourlyChart } from './HourlyChart'
import { formatSecondsPerClip } from './overview-format'

/** The outcome kinds in the order a clip moves through them, undecided first. */
export const OUTCOME_ORDER = ['undecided', 'pending', 'single_review', 'consensus', 'disputed', 'adjudicated'] as const

interface Props {
  pack: PackProgress
  reviewers: Overview['reviewers']
  policy: Policy
  locale: Locale
  nowMs: number
  onChanged(): void
}

/** One pack: its totals, each reviewer's progress, two pictures of the decisions, and assigning its clips. */
export function PackSection({ pack, reviewers, policy, locale, nowMs, onChanged }: Props) {
  const { t } = useTranslation()
  const id = useId()
  const n = (v: number) => formatNumber(v, locale)
  const assigned = new Map(pack.reviewers.map((r) => [r.reviewer_id, r.assigned]))
  const notReported = <span className="muted">{t('overview.notReported')}</span>

  return (
    <section className="lead-section ov-pack" aria-labelledby={`${id}-title`} data-testid={`pack-${pack.pack_id}`} data-pack={pack.pack_id}>
      <div className="ov-pack-head">
        <h2 id={`${id}-title`}>{pack.pack_id}</h2>
        <p className="muted">
          {t('overview.pack.times', { created: formatDateTime(pack.created_at, locale), loaded: formatDateTime(pack.loaded_at, locale) })}
        </p>
      </div>

      <h3 id={`${id}-totals`}>{t('overview.pack.totals')}</h3>
      <dl className="ov-totals" aria-labelledby={`${id}-totals`}>
        <div className="ov-stat" data-testid="total-clips" data-count={pack.clips}>
          <dt>{t('overview.pack.clips')}</dt>
          <dd>{n(pack.clips)}</dd>
        </div>
        <div className="ov-stat" data-testid="total-assigned" data-count={pack.assigned}>
          <dt>{t('overview.pack.assigned')}</dt>
          <dd>{n(pack.assigned)}</dd>
        </div>
        <div className={`ov-stat${pack.overdue > 0 ? ' ov-attention' : ''}`} data-testid="total-overdue" data-count={pack.overdue}>
          <dt>{t('overview.pack.overdue')}</dt>
          <dd>{n(pack.overdue)}</dd>
        </div>
        {OUTCOME_ORDER.map((kind) => {
          const count = pack.outcomes[kind]
          return (
            <div key={kind} className={`ov-stat ov-outcome-${kind}${kind === 'disputed' && count > 0 ? ' ov-attention' : ''}`} data-testid={`outcome-count-${kind}`} data-count={count}>
              <dt>{t(`overview.outcomes.${kind}`)}</dt>
              <dd>
                {kind === 'disputed' && count > 0 ? (
                  <a href={routeHref({ page: 'disputes' })} aria-label={t('overview.pack.disputedLink', { n: n(count) })}>
                    {n(count)}
                  </a>
                ) : (
                  n(count)
                )}
              </dd>
            </div>
          )
        })}
      </dl>

      <h3>{t('overview.reviewers.title')}</h3>
      {pack.reviewers.length === 0 ? (
        <p className="muted">{t('overview.reviewers.none')}</p>
      ) : (
        // Scrolls sideways on a narrow screen: focusable and named, so a keyboard can scroll it.
        <div className="ov-scroll" role="region" tabIndex={0} aria-labelledby={`${id}-reviewers`}>
          <table className="lead-table">
            <caption id={`${id}-reviewers`} className="visually-hidden">
              {t('overview.reviewers.caption', { id: pack.pack_id })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.reviewers.name')}</th>
                <th scope="col" className="num">
                  {t('overview.reviewers.assigned')}
                </th>
                <th scope="col" className="num">
                  {t('overview.reviewers.decidedOnDevice')}
                </th>
                <th scope="col" className="num">
                  {t('overview.reviewers.synced')}
                </th>
                <th scope="col" className="num">
                  {t('overview.reviewers.overdue')}
                </th>
                <th scope="col" className="num">
                  {t('overview.reviewers.median')}
                </th>
              </tr>
            </thead>
            <tbody>
              {pack.reviewers.map((r) => (
                <tr key={r.reviewer_id} data-testid={`reviewer-row-${r.reviewer_id}`} data-pack={pack.pack_id}>
                  <th scope="row">
                    {r.name} <span className="muted small">({r.reviewer_id})</span>
                  </th>
                  <td className="num">{n(r.assigned)}</td>
                  <td className="num">{r.decided_on_device === null ? notReported : n(r.decided_on_device)}</td>
                  <td className="num">{n(r.synced)}</td>
                  <td className={`num${r.overdue > 0 ? ' ov-attention' : ''}`}>{n(r.overdue)}</td>
                  <td className="num">
                    {r.median_seconds_per_clip === null ? (
                      <>
                        <span aria-hidden="true">{t('common.time.none')}</span>
                        <span className="visually-hidden">{t('overview.reviewers.noMedian')}</span>
                      </>
                    ) : (
                      formatSecondsPerClip(r.median_seconds_per_clip, locale)
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">{t('overview.reviewers.explain')}</p>

      <div className="ov-charts">
        <div className="ov-chart-box">
          <h3>{t('overview.charts.actions')}</h3>
          <ActionChart actions={pack.actions} policy={policy} locale={locale} />
        </div>
        <div className="ov-chart-box">
          <h3>{t('overview.charts.hourly')}</h3>
          <HourlyChart timeline={pack.timeline} nowMs={nowMs} locale={locale} />
        </div>
      </div>

      <AssignForm packId={pack.pack_id} reviewers={reviewers} assigned={assigned} onAssigned={onChanged} />
    </section>
  )
}
