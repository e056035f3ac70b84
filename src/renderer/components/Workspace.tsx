import { useCallback, useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TinjauApi } from '../../shared/contract'
import type { AppInfo, ClipDetail, ImportSummary, QueueItem, StatusCounts } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import type { DecisionDraftInput, Locale, Policy } from '../../shared/policy'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import { actionKeyMap, describeTarget, interpretKey } from '../state/keys'
import { neighbour, nextPendingAfter } from '../state/queue-nav'
import { ClipView } from './ClipView'
import { ErrorAlert } from './ErrorAlert'
import { Header } from './Header'
import { QueuePanel, type QueueFilter } from './QueuePanel'
import { WelcomePanel } from './WelcomePanel'

const PAGE_SIZE = 100
/** The host serves at most this many rows per call. */
const MAX_PER_CALL = 500

interface QueueData {
  items: QueueItem[]
  total: number
  counts: StatusCounts | null
}

/** The listed rows for a filter, growing by "load more", refreshed on `queue.changed`. */
function useQueue(api: TinjauApi, filter: QueueFilter, onError: (e: ApiError) => void) {
  const [data, setData] = useState<QueueData>({ items: [], total: 0, counts: null })
  const [loading, setLoading] = useState(true)
  const [count, setCount] = useState(PAGE_SIZE)
  const generation = useRef(0)
  const countRef = useRef(count)
  countRef.current = count

  const load = useCallback(async () => {
    const mine = ++generation.current
    setLoading(true)
    try {
      const status = filter === 'all' ? undefined : [filter]
      const items: QueueItem[] = []
      const wanted = countRef.current
      let page = await api.call('queue.list', { ...(status ? { status } : {}), limit: Math.min(MAX_PER_CALL, wanted), offset: 0 })
      items.push(...page.items)
      while (items.length < wanted && items.length < page.total && page.items.length > 0) {
        page = await api.call('queue.list', { ...(status ? { status } : {}), limit: Math.min(MAX_PER_CALL, wanted - items.length), offset: items.length })
        items.push(...page.items)
      }
      if (mine === generation.current) setData({ items, total: page.total, counts: page.counts })
    } catch (err) {
      if (mine === generation.current) onError(toApiError(err))
    } finally {
      if (mine === generation.current) setLoading(false)
    }
    // onError is a state setter, so it is stable and left out of the dependencies.
  }, [api, filter])

  useEffect(() => {
    void load()
  }, [load, count])
  useEffect(() => api.on('queue.changed', () => void load()), [api, load])

  return {
    ...data,
    loading,
    refresh: load,
    loadMore: () => setCount((c) => c + PAGE_SIZE),
    resetCount: () => setCount(PAGE_SIZE),
  }
}

type SavedNotice = { savedClipId: string; nextClipId: string | null }

interface Props {
  info: AppInfo
  policy: Policy
  locale: Locale
  onLocaleChange: (locale: Locale) => void
}

export function Workspace({ info, policy, locale, onLocaleChange }: Props) {
  const api = useApi()
  const { t } = useTranslation()
  const [error, setError] = useState<ApiError | null>(null)
  const [filter, setFilter] = useState<QueueFilter>('all')
  const queue = useQueue(api, filter, setError)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [clip, setClip] = useState<ClipDetail | null>(null)
  const [clipReload, setClipReload] = useState(0)
  const [saved, setSaved] = useState<SavedNotice | null>(null)
  const [focusToken, setFocusToken] = useState(0)
  const [importing, setImporting] = useState(false)
  const [summary, setSummary] = useState<ImportSummary | null>(null)
  const [allDone, setAllDone] = useState(false)
  const actionKeys = useMemo(() => actionKeyMap(policy.actions), [policy])
  const mainRef = useRef<HTMLElement>(null)
  const shownClipId = clip?.id ?? null

  // A new clip starts at the top: its video, not the bottom of the last clip's form.
  useEffect(() => {
    if (shownClipId && mainRef.current) mainRef.current.scrollTop = 0
  }, [shownClipId])

  useEffect(() => {
    if (!selectedId) {
      setClip(null)
      return
    }
    let cancelled = false
    setClip((c) => (c?.id === selectedId ? c : null))
    api.call('clip.get', { clipId: selectedId }).then(
      (c) => {
        if (!cancelled) setClip(c)
      },
      (err: unknown) => {
        if (!cancelled) setError(toApiError(err))
      },
    )
    return () => {
      cancelled = true
    }
  }, [api, selectedId, clipReload])

  /** The reviewer picked a clip: forget the notices about the previous one. */
  const select = useCallback((id: string) => {
    setSelectedId(id)
    setSaved(null)
    setError(null)
  }, [])

  const reloadClip = () => {
    setError(null)
    setClipReload((n) => n + 1)
  }

  const changeLocale = async (next: Locale) => {
    onLocaleChange(next)
    try {
      await api.call('settings.setLocale', { locale: next })
    } catch (err) {
      setError(toApiError(err))
    }
  }

  const changeFilter = (f: QueueFilter) => {
    setFilter(f)
    queue.resetCount()
  }

  /** The first pending clip in queue order, other than `except`. */
  const firstPending = async (except?: string): Promise<string | null> => {
    const page = await api.call('queue.list', { status: ['pending'], limit: 2, offset: 0 })
    return page.items.find((i) => i.id !== except)?.id ?? null
  }

  const openNext = async () => {
    try {
      const id = await firstPending()
      setAllDone(id === null)
      if (id) {
        select(id)
        setFocusToken((n) => n + 1)
      }
    } catch (err) {
      setError(toApiError(err))
    }
  }

  const loadDemo = async () => {
    setImporting(true)
    setError(null)
    try {
      setSummary(await api.call('pack.importDemo', {}))
      await queue.refresh()
    } catch (err) {
      setError(toApiError(err))
    } finally {
      setImporting(false)
    }
  }

  const save = async (draft: DecisionDraftInput): Promise<boolean> => {
    setError(null)
    setSaved(null)
    const rows = queue.items
    try {
      await api.call('decision.record', draft)
    } catch (err) {
      setError(toApiError(err))
      return false
    }
    let next = nextPendingAfter(rows, draft.clipId)
    if (!next) {
      try {
        next = await firstPending(draft.clipId)
      } catch {
        next = null
      }
    }
    setSaved({ savedClipId: draft.clipId, nextClipId: next })
    if (next) {
      setSelectedId(next)
      setFocusToken((n) => n + 1)
    } else {
      setClipReload((n) => n + 1)
    }
    // Also refresh without waiting for `queue.changed`, in case the event is lost.
    void queue.refresh()
    return true
  }

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented) return
    const cmd = interpretKey(
      { key: e.key, code: e.code, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, shiftKey: e.shiftKey, target: describeTarget(e.target) },
      actionKeys,
    )
    if (cmd?.type !== 'next' && cmd?.type !== 'prev') return
    e.preventDefault()
    const id = neighbour(queue.items, selectedId, cmd.type === 'next' ? 1 : -1)
    if (id) select(id)
  })
  // A layout effect: bound in the same commit that shows the form, so a key pressed
  // right after a clip appears is not lost.
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  const totalClips = queue.counts ? Object.values(queue.counts).reduce((a, b) => a + b, 0) : null

  return (
    <div className="app">
      <Header policy={policy} locale={locale} counts={queue.counts} reviewerId={info.reviewerId} onLocaleChange={(l) => void changeLocale(l)} />
      <div className="workspace">
        <QueuePanel
          policy={policy}
          locale={locale}
          filter={filter}
          items={queue.items}
          total={queue.total}
          loading={queue.loading}
          selectedId={selectedId}
          onFilterChange={changeFilter}
          onSelect={select}
          onLoadMore={queue.loadMore}
        />
        <main className="main" aria-label={t('app.main')} ref={mainRef}>
          <div className="notices">
            {error && (
              <ErrorAlert
                error={error}
                onDismiss={() => setError(null)}
                onReloadClip={selectedId ? reloadClip : undefined}
              />
            )}
            {saved && (
              <div className="saved-notice" role="status" data-testid="saved-notice" data-clip-id={saved.savedClipId}>
                <strong>{t('saved.notice')}</strong> {saved.nextClipId ? t('saved.next') : t('saved.done')}
              </div>
            )}
          </div>
          {selectedId ? (
            clip ? (
              <ClipView clip={clip} policy={policy} locale={locale} mediaUrl={api.mediaUrl} onSave={save} focusToken={focusToken} />
            ) : (
              <p className="muted loading" role="status">
                {t('clip.loading')}
              </p>
            )
          ) : totalClips === null ? (
            <p className="muted loading" role="status">
              {t('queue.loading')}
            </p>
          ) : (
            <WelcomePanel
              locale={locale}
              empty={totalClips === 0}
              demoAvailable={info.demoAvailable}
              importing={importing}
              summary={summary}
              allDone={allDone}
              onLoadDemo={() => void loadDemo()}
              onOpenNext={() => void openNext()}
            />
          )}
        </main>
      </div>
    </div>
  )
}
