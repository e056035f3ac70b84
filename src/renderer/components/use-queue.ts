import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { TinjauApi } from '../../shared/contract'
import type { QueueItem, QueueQueryInput, SearchHint, SearchIndexState, StatusCounts } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import { toApiError } from '../api/api-error'
import { QUEUE_PAGE_ROWS, type FirstPage } from '../state/first-page'
import { queryOf, type QueueView } from '../state/queue-view'
import { markTiming } from '../timing'
import { useQueueChanged } from './hooks'

/**
 * The queue as the list sees it: `total` rows, of which the pages around what is on screen
 * are loaded (the host serves at most 500 rows per call). Rows load on demand as the list
 * scrolls; far-away pages are dropped so scrolling through 100,000 clips keeps memory flat.
 * A view change or `queue.changed` reloads what is on screen, keeping the old rows shown
 * until the new ones arrive.
 */

export { QUEUE_PAGE_ROWS, type FirstPage } from '../state/first-page'
/** Pages kept in memory (each QUEUE_PAGE_ROWS rows); the ones furthest from the screen go first. */
const KEPT_PAGES = 30
const INDEX_POLL_MS = 2_000

interface Meta {
  total: number
  counts: StatusCounts | null
  searchHint: SearchHint | null
  searchIndex: SearchIndexState | null
}

export interface QueueState extends Meta {
  /** Loaded rows, in queue order (rows of pages not loaded are left out). */
  items: QueueItem[]
  loading: boolean
  /** The row at a position of the whole queue, if its page is loaded. */
  rowAt(index: number): QueueItem | undefined
  /** The position of a loaded row, or -1. */
  indexOf(id: string): number
  /** The list shows rows [start, end]: load their pages (and a page either side) if missing. */
  showRange(start: number, end: number): void
  refresh(): Promise<void>
  /** Reload unless a load has started since `since` (performance.now()), e.g. for a `queue.changed` that came. */
  refreshUnlessSince(since: number): void
  /** Bumped whenever rows change, for memoised consumers. */
  version: number
}

type PageMeta = { total: number; counts: StatusCounts; searchHint?: SearchHint | null; searchIndex?: SearchIndexState }

function metaOf(page: PageMeta): Meta {
  return { total: page.total, counts: page.counts, searchHint: page.searchHint ?? null, searchIndex: page.searchIndex ?? null }
}

export function useQueue(api: TinjauApi, view: QueueView, onError: (e: ApiError) => void, firstPage?: { key: string; page: FirstPage } | null): QueueState {
  const query = useMemo(() => queryOf(view), [view])
  const queryKey = JSON.stringify(query)
  const pages = useRef(new Map<number, QueueItem[]>())
  const inFlight = useRef(new Set<number>())
  const generation = useRef(0)
  const range = useRef({ start: 0, end: 0 })
  /** The start-up call's first page, already answered: the list starts with it, no load. */
  const [answered] = useState(() => {
    const page = firstPage?.key === queryKey ? firstPage.page.value() : null
    if (page) pages.current = new Map([[0, page.items]])
    return page
  })
  const [meta, setMeta] = useState<Meta>(() => (answered ? metaOf(answered) : { total: 0, counts: null, searchHint: null, searchIndex: null }))
  const [loading, setLoading] = useState(answered === null)
  const [version, setVersion] = useState(answered ? 1 : 0)
  const queryRef = useRef<QueueQueryInput>(query)
  queryRef.current = query
  /** Used once, by the first load, when it is for the same query (and not already used above). */
  const early = useRef(answered ? null : (firstPage ?? null))
  const skipFirstLoad = useRef(answered !== null)

  const applyMeta = useCallback((page: PageMeta) => setMeta(metaOf(page)), [])

  const fetchPage = useCallback(
    (p: number, mine: number) => api.call('queue.list', { ...queryRef.current, limit: QUEUE_PAGE_ROWS, offset: p * QUEUE_PAGE_ROWS }).then((page) => ({ p, page, mine })),
    [api],
  )

  /** Drop the pages furthest from the screen once more than KEPT_PAGES are held. */
  const evict = () => {
    if (pages.current.size <= KEPT_PAGES) return
    const centre = (range.current.start + range.current.end) / 2 / QUEUE_PAGE_ROWS
    const far = [...pages.current.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre))
    for (const p of far.slice(0, pages.current.size - KEPT_PAGES)) pages.current.delete(p)
  }

  const pagesFor = (start: number, end: number): number[] => {
    const first = Math.max(0, Math.floor(start / QUEUE_PAGE_ROWS) - 1)
    const last = Math.floor(end / QUEUE_PAGE_ROWS) + 1
    return Array.from({ length: last - first + 1 }, (_, k) => first + k)
  }

  /** Reload page 0 and the pages on screen, then swap them in at once. */
  const lastLoadAt = useRef(0)
  const load = useCallback(async () => {
    lastLoadAt.current = performance.now()
    const mine = ++generation.current
    inFlight.current.clear()
    setLoading(true)
    try {
      const head = early.current?.key === queryKey ? early.current.page : null
      early.current = null
      const first = head ? { p: 0, page: await head.promise, mine } : await fetchPage(0, mine)
      if (mine !== generation.current) return
      const total = first.page.total
      // Only pages on screen are waited for; the page either side loads after (showRange).
      const onScreen = { first: Math.floor(range.current.start / QUEUE_PAGE_ROWS), last: Math.floor(range.current.end / QUEUE_PAGE_ROWS) }
      const wanted = pagesFor(range.current.start, range.current.end).filter((p) => p > 0 && p >= onScreen.first && p <= onScreen.last && p * QUEUE_PAGE_ROWS < total)
      const rest = await Promise.all(wanted.map((p) => fetchPage(p, mine)))
      if (mine !== generation.current) return
      const next = new Map<number, QueueItem[]>([[0, first.page.items]])
      for (const r of rest) next.set(r.p, r.page.items)
      if (mine === 1) markTiming('first-page')
      pages.current = next
      applyMeta(rest.length > 0 ? rest[rest.length - 1]!.page : first.page)
      setVersion((v) => v + 1)
    } catch (err) {
      if (mine === generation.current) onError(toApiError(err))
    } finally {
      if (mine === generation.current) setLoading(false)
    }
    // onError is a state setter (stable); queryKey stands for the query (read through queryRef).
  }, [fetchPage, applyMeta, queryKey])

  const showRange = useCallback(
    (start: number, end: number) => {
      range.current = { start, end }
      const mine = generation.current
      for (const p of pagesFor(start, end)) {
        if (p * QUEUE_PAGE_ROWS >= meta.total || pages.current.has(p) || inFlight.current.has(p)) continue
        inFlight.current.add(p)
        fetchPage(p, mine).then(
          ({ page }) => {
            inFlight.current.delete(p)
            if (mine !== generation.current) return
            pages.current.set(p, page.items)
            evict()
            applyMeta(page)
            setVersion((v) => v + 1)
          },
          (err: unknown) => {
            inFlight.current.delete(p)
            if (mine === generation.current) onError(toApiError(err))
          },
        )
      }
    },
    [fetchPage, applyMeta, meta.total],
  )

  // A new view starts at the top.
  useEffect(() => {
    range.current = { start: 0, end: 0 }
    if (skipFirstLoad.current) {
      // The first view's rows are already in (see `answered`).
      skipFirstLoad.current = false
      generation.current++
      markTiming('first-page')
      return
    }
    void load()
  }, [load])
  useQueueChanged(api, load)
  // While the search index is being built there is no event for its progress: ask again now
  // and then, so "building" goes away (and a search finds more) without the reviewer asking.
  const building = meta.searchIndex !== null && !meta.searchIndex.complete
  useEffect(() => {
    if (!building) return
    const id = window.setTimeout(() => void load(), INDEX_POLL_MS)
    return () => window.clearTimeout(id)
  }, [building, load, version])

  const items = useMemo(() => {
    const out: QueueItem[] = []
    for (const p of [...pages.current.keys()].sort((a, b) => a - b)) out.push(...pages.current.get(p)!)
    return out
    // version says when pages.current changed.
  }, [version])

  const positions = useMemo(() => {
    const map = new Map<string, number>()
    for (const [p, rows] of pages.current) rows.forEach((r, k) => map.set(r.id, p * QUEUE_PAGE_ROWS + k))
    return map
  }, [version])

  const rowAt = useCallback((index: number) => pages.current.get(Math.floor(index / QUEUE_PAGE_ROWS))?.[index % QUEUE_PAGE_ROWS], [])
  const indexOf = useCallback((id: string) => positions.get(id) ?? -1, [positions])

  const refreshUnlessSince = useCallback(
    (since: number) => {
      if (lastLoadAt.current < since) void load()
    },
    [load],
  )

  // One object while nothing in it changes, so the memoised queue panel is not re-rendered
  // by the workspace's other state (a clip opening, a notice).
  return useMemo(
    () => ({ ...meta, items, loading, rowAt, indexOf, showRange, refresh: load, refreshUnlessSince, version }),
    [meta, items, loading, rowAt, indexOf, showRange, load, refreshUnlessSince, version],
  )
}
