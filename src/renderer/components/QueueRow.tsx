import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import type { QueueItem } from '../../shared/domain'
import { findCategory } from '../../shared/policy-rules'
import type { Locale, Policy } from '../../shared/policy'
import { formatNumber, timeLeft } from '../../ui/i18n/format'
import { uniqueLabels } from '../../ui/i18n/policy-text'

interface Props {
  item: QueueItem
  policy: Policy
  locale: Locale
  now: number
}

/** One queue row: status, priority, time to the deadline, what it was flagged for and by whom. */
export const QueueRow = memo(function QueueRow({ item, policy, locale, now }: Props) {
  const { t } = useTranslation()
  // A deadline matters until the clip is decided; after that it is history, not a warning.
  const open = item.status !== 'decided' && item.status !== 'synced'
  const due = open ? timeLeft(item.dueAt, now, locale) : null
  return (
    <div className="queue-row-body">
      <div className="queue-row-line">
        <span className={`badge status-badge status-${item.status}`}>{t(`status.${item.status}`)}</span>
        {item.priority !== null && (
          <span className="badge priority" title={t('queue.priorityLabel', { value: formatNumber(item.priority, locale) })}>
            {t('queue.priority', { value: formatNumber(item.priority, locale) })}
          </span>
        )}
        {item.authority && (
          <span className="badge authority" title={t('queueView.authorityLabel')} data-testid="authority-marker">
            {t('queueView.authority')}
          </span>
        )}
        {item.copies && (
          <span
            className="badge copies"
            title={t('queue.copiesLabel', { count: item.copies.count - 1, n: formatNumber(item.copies.count - 1, locale) })}
            data-testid="copies-badge"
            data-group={item.copies.group}
            data-count={item.copies.count}
          >
            {t('queue.copies', { count: item.copies.count, n: formatNumber(item.copies.count, locale) })}
          </span>
        )}
        {open && (
          <span className={`due${due?.overdue ? ' is-overdue' : ''}`}>
            {due ? (due.overdue ? t('queue.overdue', { span: due.span }) : t('queue.dueIn', { span: due.span })) : t('queue.noDue')}
          </span>
        )}
      </div>
      <div className="queue-row-title">{item.streamTitle ?? t('queue.untitled')}</div>
      <div className="queue-row-meta muted">
        <span>{item.id}</span>
        {item.accountHandle && <span>@{item.accountHandle.replace(/^@/, '')}</span>}
        {item.region && <span>{item.region}</span>}
        {item.commerce && (
          <span className="badge commerce" title={t('queue.commerceLabel')} data-testid="commerce-badge">
            {t('queue.commerce')}
          </span>
        )}
      </div>
      <div className="queue-row-flags">
        {item.flagSources.length > 0 && (
          <span className="queue-row-sources muted" title={t('queueView.sources')} data-sources={item.flagSources.join(' ')}>
            {item.flagSources.map((s) => t(`source.${s}`)).join(' · ')}
          </span>
        )}
        {item.flagLabels.length > 0 && (
          <ul className="chips" aria-label={t('queue.labels')}>
            {uniqueLabels(item.flagLabels).map((label) => {
              const category = findCategory(policy, label)
              return category ? (
                <li key={label} className={`chip chip-${category.kind}`} title={category.help[locale]} data-label={label}>
                  {category.name[locale]}
                </li>
              ) : (
                <li key={label} className="chip chip-unknown" title={t('queue.unknownLabel')} data-label={label}>
                  {label}
                </li>
              )
            })}
          </ul>
        )}
      </div>
    </div>
  )
})
