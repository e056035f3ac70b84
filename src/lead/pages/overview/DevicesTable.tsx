import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import type { Overview } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime, formatNumber } from '../../../ui/i18n/format'
import { shortId } from './overview-format'

/** A device in use that has not synced for this long (since enrolling, if it never has) is marked as quiet. */
export const QUIET_AFTER_MS = 24 * 3_600_000

/** Every enrolled device and when it last synced, so a lead sees whose figures are old. */
export function DevicesTable({ overview, locale, nowMs }: { overview: Overview; locale: Locale; nowMs: number }) {
  const { t } = useTranslation()
  const id = useId()
  const names = new Map(overview.reviewers.map((r) => [r.id, r.name]))
  return (
    <section className="lead-section" aria-labelledby={`${id}-title`} data-testid="devices">
      <h2 id={`${id}-title`}>{t('overview.devices.title')}</h2>
      {overview.devices.length === 0 ? (
        <p className="muted">{t('overview.devices.none')}</p>
      ) : (
        <div className="ov-scroll" role="region" tabIndex={0} aria-labelledby={`${id}-caption`}>
          <table className="lead-table">
            <caption id={`${id}-caption`} className="visually-hidden">
              {t('overview.devices.caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.devices.reviewer')}</th>
                <th scope="col">{t('overview.devices.device')}</th>
                <th scope="col">{t('overview.devices.enrolled')}</th>
                <th scope="col">{t('overview.devices.lastSync')}</th>
                <th scope="col">{t('overview.devices.state')}</th>
                <th scope="col" className="num">
                  {t('overview.devices.unsent')}
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.devices.map((d) => {
                // Quiet: in use, and nothing heard for a day since its last sync (or its enrollment, if it never synced).
                const quiet = d.revoked_at === null && nowMs - Date.parse(d.last_sync_at ?? d.enrolled_at) > QUIET_AFTER_MS
                return (
                  <tr key={d.device_id} data-testid={`device-row-${d.device_id}`} data-reviewer={d.reviewer_id}>
                    <td>
                      {names.get(d.reviewer_id) ?? d.reviewer_id} <span className="muted small">({d.reviewer_id})</span>
                    </td>
                    <th scope="row">
                      {d.name ?? <span className="muted">{t('overview.devices.unnamed')}</span>}{' '}
                      <code className="small" title={d.device_id}>
                        {shortId(d.device_id)}
                      </code>
                    </th>
                    <td>{formatDateTime(d.enrolled_at, locale)}</td>
                    <td>
                      {d.last_sync_at === null ? t('common.time.never') : formatDateTime(d.last_sync_at, locale)}
                      {quiet && (
                        <>
                          {' '}
                          <span className="badge ov-badge-warn">{t('overview.devices.quiet')}</span>
                        </>
                      )}
                    </td>
                    <td>
                      {d.revoked_at === null ? (
                        t('overview.devices.active')
                      ) : (
                        <span className="badge ov-badge-danger">{t('overview.devices.revoked', { time: formatDateTime(d.revoked_at, locale) })}</span>
                      )}
                    </td>
                    <td className="num">{d.unsent === null ? <span className="muted">{t('overview.notReported')}</span> : formatNumber(d.unsent, locale)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
