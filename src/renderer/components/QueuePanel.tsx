import { useTranslation } from 'react-i18next'
import type { QueueItem } from '../../shared/domain'
import type { Locale, Policy } from '../../shared/policy'
import { formatNumber } from '../i18n/format'
import { useNow } from './hooks'
import { QueueList } from './QueueList'
import { QueueRow } from './QueueRow'

export const QUEUE_FILTERS = ['all', 'pending', 'decided', 'escalated'] as const
export type QueueFilter = (typeof QUEUE_FILTERS)[number]

interface Props {
  policy: Policy
  locale: Locale
  filter: QueueFilter
  items: readonly QueueItem[]
  total: number
  loading: boolean
  selectedId: string | null
  onFilterChange: (filter: QueueFilter) => void
  onSelect: (id: string) => void
  onLoadMore: () => void
}

export function QueuePanel(props: Props) {
  const { policy, locale, filter, items, total, loading, selectedId } = props
  const { t } = useTranslation()
  const now = useNow(30_000)
  return (
    <aside className="queue-panel" aria-labelledby="queue-heading">
      <div className="queue-head">
        <h2 id="queue-heading">{t('queue.title')}</h2>
        <span className="muted">{t('queue.shown', { shown: formatNumber(items.length, locale), total: formatNumber(total, locale) })}</span>
      </div>
      <fieldset className="segmented">
        <legend>{t('filter.label')}</legend>
        {QUEUE_FILTERS.map((f) => (
          <label key={f} className={filter === f ? 'is-checked' : undefined}>
            <input
              type="radio"
              name="queue-filter"
              value={f}
              checked={filter === f}
              onChange={() => props.onFilterChange(f)}
              data-testid={`filter-${f}`}
            />
            {f === 'all' ? t('filter.all') : t(`status.${f}`)}
          </label>
        ))}
      </fieldset>
      {items.length === 0 ? (
        <p className="queue-empty muted" role="status">
          {loading ? t('queue.loading') : t('queue.empty')}
        </p>
      ) : (
        <QueueList
          items={items}
          selectedId={selectedId}
          label={t('queue.list')}
          onSelect={props.onSelect}
          renderRow={(item) => <QueueRow item={item} policy={policy} locale={locale} now={now} />}
        />
      )}
      {items.length < total && (
        <button type="button" className="load-more" onClick={props.onLoadMore} disabled={loading}>
          {t('queue.loadMore')}
        </button>
      )}
    </aside>
  )
}
