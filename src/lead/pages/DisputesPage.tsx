import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { DisputeList, LEAD_ROUTES, type DisputeItem } from '../../shared/lead-api'
import { formatDateTime, formatNumber, timeLeft } from '../../ui/i18n/format'
import { actionName } from '../../ui/i18n/policy-text'
import { keyPressOf, isTextField } from '../../ui/keys'
import { LeadProblem } from '../components/LeadProblem'
import { asLeadError, useLead, useLeadLoad } from '../lead-context'
import type { LeadApiError } from '../api/lead-client'
import { FIRST_DISPUTES_QUERY } from '../first-requests'
import { navigate, routeHref } from '../route'
import { moveSelection } from './disputes/list-keys'
import './disputes/disputes.css'

const PAGE = FIRST_DISPUTES_QUERY.limit

/**
 * The clips whose reviewers disagree, most urgent first (overdue or flagged by an authority,
 * then by due time), a page at a time. Keys: ↓/↑ or J/K move, Enter opens, the clip page's
 * N/P go on from there.
 */
export function DisputesPage() {
  const { t } = useTranslation()
  const lead = useLead()
  const { locale, policy } = lead
  const first = useLeadLoad((l, signal) => l.client.call(DisputeList, 'GET', LEAD_ROUTES.disputes, { query: FIRST_DISPUTES_QUERY, signal }), [])
  const [more, setMore] = useState<{ items: DisputeItem[]; next: string | null } | null>(null)
  const [moreError, setMoreError] = useState<LeadApiError | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const [selected, setSelected] = useState(0)
  const listRef = useRef<HTMLTableSectionElement>(null)
  useEffect(() => setMore(null), [first.data])

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])]
  const next = more ? more.next : (first.data?.next ?? null)
  const now = Date.now()

  const loadMore = async () => {
    if (!next || loadingMore) return
    setLoadingMore(true)
    setMoreError(null)
    try {
      const page = await lead.client.call(DisputeList, 'GET', LEAD_ROUTES.disputes, { query: { limit: PAGE, cursor: next } })
      setMore({ items: [...(more?.items ?? []), ...page.items], next: page.next })
    } catch (err) {
      const e = asLeadError(err)
      if (e.code === 'unauthorized') lead.sessionEnded()
      setMoreError(e)
    } finally {
      setLoadingMore(false)
    }
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTextField(keyPressOf(e).target)) return
      const links = [...(listRef.current?.querySelectorAll<HTMLAnchorElement>('a[data-clip-link]') ?? [])]
      const to = moveSelection(e.key, selected, items.length)
      if (to === null) return
      e.preventDefault()
      // The first key only brings focus to the selected row; the next ones move it.
      const at = links.includes(document.activeElement as HTMLAnchorElement) ? to : selected
      setSelected(at)
      links[at]?.focus()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [selected, items.length])

  const total = first.data?.total ?? 0
  return (
    <div data-testid="disputes-page">
      <header className="page-head">
        <h1>{t('disputes.title')}</h1>
        {first.data && (
          <span className="muted" data-testid="disputes-total" data-count={total}>
            {t('disputes.total', { count: total, countText: formatNumber(total, locale) })}
          </span>
        )}
        <button type="button" onClick={first.reload}>
          {t('common.reload')}
        </button>
      </header>
      <p className="muted">{t('disputes.intro')}</p>
      {first.error && <LeadProblem error={first.error} onReload={first.reload} />}
      {!first.data && !first.error && (
        <p role="status" className="loading">
          {t('common.loading')}
        </p>
      )}
      {first.data && items.length === 0 && (
        <p role="status" data-testid="disputes-empty">
          {t('disputes.empty')}
        </p>
      )}
      {items.length > 0 && (
        <table className="lead-table disputes-table">
          <caption className="visually-hidden">{t('disputes.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('disputes.col.clip')}</th>
              <th scope="col">{t('disputes.col.urgency')}</th>
              <th scope="col">{t('disputes.col.decisions')}</th>
              <th scope="col">{t('disputes.col.opened')}</th>
            </tr>
          </thead>
          <tbody ref={listRef}>
            {items.map((d, i) => {
              const left = timeLeft(d.due_at, now, locale)
              return (
                <tr key={d.clip_id} className={i === selected ? 'is-selected' : undefined} data-testid="dispute-row" data-clip-id={d.clip_id}>
                  <td>
                    <a href={routeHref({ page: 'clip', clipId: d.clip_id })} data-clip-link onFocus={() => setSelected(i)} onClick={(e) => (e.preventDefault(), navigate({ page: 'clip', clipId: d.clip_id }))}>
                      {d.title ?? t('clip.untitled')}
                    </a>
                    <div className="muted small">
                      {d.clip_id} · {d.pack_id}
                    </div>
                  </td>
                  <td>
                    {d.overdue && <span className="badge badge-overdue">{t('disputes.overdue')}</span>}{' '}
                    {d.authority && <span className="badge badge-authority">{t('disputes.authority')}</span>}{' '}
                    {left ? <span title={formatDateTime(d.due_at!, locale)}>{t(left.overdue ? 'disputes.overdueBy' : 'disputes.dueIn', { span: left.span })}</span> : <span className="muted">{t('disputes.noDue')}</span>}
                  </td>
                  <td>
                    <ul className="plain">
                      {d.decisions.map((x) => (
                        <li key={x.id}>
                          {x.reviewer_id}: <strong>{actionName(policy, x.action, locale)}</strong>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>{formatDateTime(d.opened_at, locale)}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {moreError && <LeadProblem error={moreError} onReload={() => void loadMore()} />}
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={loadingMore} data-testid="disputes-more">
          {loadingMore ? t('common.loading') : t('disputes.more')}
        </button>
      )}
      <p className="muted small">{t('disputes.keys')}</p>
    </div>
  )
}
