import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import { QUEUE_SORTS } from '../../shared/queue-constants'
import type { QueueSort } from '../../shared/domain'
import { FLAG_SOURCES } from '../../shared/flag-sources'
import type { FlagSource } from '../../shared/field-pack'
import type { Locale, Policy } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'
import {
  activeFilterCount,
  COMMERCE_FILTERS,
  DEFAULT_VIEW,
  DUE_WITHIN_HOURS,
  KNOWN_FILTERS,
  STATUS_FILTERS,
  type CommerceFilter,
  type KnownFilter,
  type QueueView,
} from '../state/queue-view'
import { useNow } from './hooks'
import { QueueList } from './QueueList'
import { QueueRow } from './QueueRow'
import type { QueueState } from './use-queue'
import './queue.css'

/** Kept for callers that name the status filter alone. */
export const QUEUE_FILTERS = STATUS_FILTERS
export type QueueFilter = (typeof STATUS_FILTERS)[number]

interface Props {
  policy: Policy
  locale: Locale
  view: QueueView
  queue: QueueState
  selectedId: string | null
  /** Given an update, so choices made in quick succession build on each other. */
  onViewChange: (update: (view: QueueView) => QueueView) => void
  onSelect: (id: string) => void
}

/** Memoised: a clip opening or a notice in the workspace does not re-render the queue (useQueue's state is one object while unchanged). */
export const QueuePanel = memo(function QueuePanel(props: Props) {
  const { policy, locale, view, queue, selectedId } = props
  const { t } = useTranslation()
  const now = useNow(30_000)
  // Every change is applied at once (no typing pause): the host answers a filter or search
  // in milliseconds, and an answer to an older query is dropped by useQueue.
  const set = (patch: Partial<QueueView>) => props.onViewChange((v) => ({ ...v, ...patch }))
  const filters = activeFilterCount(view)
  const index = queue.searchIndex

  return (
    <aside className="queue-panel" aria-labelledby="queue-heading">
      <div className="queue-head">
        <h2 id="queue-heading">{t('queue.title')}</h2>
        <span className="muted" data-testid="queue-total" data-total={queue.total} aria-live="polite">
          {t('queueView.matching', { count: queue.total, total: formatNumber(queue.total, locale) })}
        </span>
      </div>

      <div className="queue-search" role="search">
        <label htmlFor="queue-search-input" className="visually-hidden">
          {t('queueView.search')}
        </label>
        <input
          id="queue-search-input"
          type="search"
          data-testid="queue-search"
          value={view.search}
          maxLength={500}
          placeholder={t('queueView.searchPlaceholder')}
          aria-describedby="queue-search-help"
          onChange={(e) => set({ search: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && view.search !== '') {
              e.preventDefault()
              e.stopPropagation()
              set({ search: '' })
            }
          }}
        />
        <p id="queue-search-help" className="queue-search-help muted">
          {queue.searchHint ? (
            <span className="queue-search-hint" role="status" data-testid="queue-search-hint" data-hint={queue.searchHint}>
              {t(`queueView.hint.${queue.searchHint}`)}
            </span>
          ) : index && !index.complete ? (
            <span role="status" data-testid="search-index-status" data-waiting={index.waiting}>
              {t('queueView.indexBuilding', { indexed: formatNumber(index.indexed, locale), total: formatNumber(index.indexed + index.waiting, locale) })}
            </span>
          ) : (
            t('queueView.searchHelp')
          )}
        </p>
      </div>

      <fieldset className="segmented">
        <legend>{t('filter.label')}</legend>
        {STATUS_FILTERS.map((f) => (
          <label key={f} className={view.status === f ? 'is-checked' : undefined}>
            <input type="radio" name="queue-filter" value={f} checked={view.status === f} onChange={() => set({ status: f })} data-testid={`filter-${f}`} />
            {f === 'all' ? t('filter.all') : t(`status.${f}`)}
            {f !== 'all' && queue.counts && <span className="segmented-count"> {formatNumber(queue.counts[f] ?? 0, locale)}</span>}
          </label>
        ))}
      </fieldset>

      <details className="queue-filters">
        <summary data-testid="queue-filters-toggle">
          {t('queueView.filters')}
          {filters > 0 && <span className="badge"> {t('queueView.activeFilters', { count: filters })}</span>}
        </summary>
        <div className="queue-filter-grid">
          <label>
            <span>{t('queueView.category')}</span>
            <select data-testid="queue-filter-category" value={view.category} onChange={(e) => set({ category: e.target.value })}>
              <option value="">{t('queueView.any')}</option>
              {policy.categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name[locale]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('queueView.source')}</span>
            <select data-testid="queue-filter-source" value={view.source} onChange={(e) => set({ source: e.target.value as FlagSource | '' })}>
              <option value="">{t('queueView.any')}</option>
              {FLAG_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {t(`source.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('queueView.region')}</span>
            <input
              type="text"
              data-testid="queue-filter-region"
              value={view.region}
              maxLength={16}
              placeholder={t('queueView.regionPlaceholder')}
              onChange={(e) => set({ region: e.target.value })}
            />
          </label>
          <label>
            <span>{t('queueView.commerce')}</span>
            <select data-testid="queue-filter-commerce" value={view.commerce} onChange={(e) => set({ commerce: e.target.value as CommerceFilter })}>
              {COMMERCE_FILTERS.map((c) => (
                <option key={c} value={c}>
                  {t(`queueView.commerceChoice.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('queueView.dueWithin')}</span>
            <select
              data-testid="queue-filter-due"
              value={view.dueWithinHours === null ? '' : String(view.dueWithinHours)}
              onChange={(e) => set({ dueWithinHours: e.target.value === '' ? null : Number(e.target.value) })}
            >
              <option value="">{t('queueView.any')}</option>
              {DUE_WITHIN_HOURS.map((h) => (
                <option key={h} value={h}>
                  {h === 0 ? t('queueView.overdueOnly') : t('queueView.withinHours', { count: h, n: formatNumber(h, locale) })}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('queueView.hasMatch')}</span>
            <select data-testid="queue-filter-known" value={view.known} onChange={(e) => set({ known: e.target.value as KnownFilter })}>
              {KNOWN_FILTERS.map((k) => (
                <option key={k} value={k}>
                  {t(`queueView.hasMatchChoice.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="queue-filter-check">
            <input type="checkbox" data-testid="queue-group-copies" checked={view.groupCopies} onChange={(e) => set({ groupCopies: e.target.checked })} />
            <span>{t('queueView.groupCopies')}</span>
          </label>
          <label>
            <span>{t('queueView.sort')}</span>
            <select data-testid="queue-sort" value={view.sort} onChange={(e) => set({ sort: e.target.value as QueueSort })}>
              {QUEUE_SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`queueView.sortBy.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            data-testid="queue-clear-filters"
            disabled={filters === 0 && view.search === '' && view.status === 'all' && view.sort === 'urgency' && !view.groupCopies}
            onClick={() => props.onViewChange(() => DEFAULT_VIEW)}
          >
            {t('queueView.clear')}
          </button>
        </div>
      </details>

      {queue.total === 0 ? (
        <p className="queue-empty muted" role="status">
          {queue.loading ? t('queue.loading') : queue.searchHint ? t('queueView.noResults') : t('queue.empty')}
        </p>
      ) : (
        <QueueList
          total={queue.total}
          version={queue.version}
          rowAt={queue.rowAt}
          indexOf={queue.indexOf}
          onRange={queue.showRange}
          resetKey={JSON.stringify(view)}
          selectedId={selectedId}
          label={t('queue.list')}
          loadingLabel={t('queueView.rowLoading')}
          onSelect={props.onSelect}
          renderRow={(item) => <QueueRow item={item} policy={policy} locale={locale} now={now} />}
        />
      )}
    </aside>
  )
})
