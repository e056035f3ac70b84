import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react'
import type { QueueItem } from '../../shared/domain'
import { useRowWindow } from './use-row-window'
import { markTiming } from '../timing'

/**
 * The queue rows, virtualized: only the rows on screen (and some either side) are in the
 * DOM, so 100,000 clips scroll as smoothly as 17. Rows have one fixed height, so the
 * scrollbar is exact before a row is loaded; a row whose page has not arrived yet is a
 * placeholder. A listbox: one row is in the tab order, ArrowUp/ArrowDown/Home/End move the
 * selection (and open that clip) across the whole queue, Enter or Space opens the focused row.
 */

/** Keep in step with `.queue-vlist .queue-row` in queue.css. */
export const QUEUE_ROW_HEIGHT = 96
/** Rows rendered beyond each edge of the screen. */
const OVERSCAN = 24
/**
 * Until the list has first painted: the first screen is what the reviewer waits for at
 * start, and the rows beyond it can follow a frame later.
 */
const FIRST_PAINT_OVERSCAN = 2

interface Props {
  total: number
  /** Bumped when loaded rows change (rowAt reads from a cache). */
  version: number
  rowAt: (index: number) => QueueItem | undefined
  indexOf: (id: string) => number
  /** Rows [start, end] are on screen (with overscan): load them. */
  onRange: (start: number, end: number) => void
  /** Changes when the view changes: the list goes back to the top. */
  resetKey: string
  selectedId: string | null
  label: string
  loadingLabel: string
  onSelect: (id: string) => void
  renderRow: (item: QueueItem) => ReactNode
}

export function QueueList(props: Props) {
  const { total, rowAt, indexOf, selectedId, onSelect } = props
  const scrollRef = useRef<HTMLDivElement>(null)
  const listRef = useRef<HTMLUListElement>(null)
  /** A row the keyboard moved to whose page was not loaded yet: selected once it arrives. */
  const pendingIndex = useRef<number | null>(null)
  /** Focus follows the selection only when the keyboard moved it inside the list. */
  const focusWanted = useRef(false)

  const [painted, setPainted] = useState(false)
  useEffect(() => {
    if (painted || total === 0) return
    markTiming('first-rows') // committed
    const frame = requestAnimationFrame(() => setPainted(true))
    return () => cancelAnimationFrame(frame)
  }, [painted, total])
  const rowWindow = useRowWindow(scrollRef, total, QUEUE_ROW_HEIGHT, painted ? OVERSCAN : FIRST_PAINT_OVERSCAN)
  const { first } = rowWindow
  const last = Math.max(first, rowWindow.last)
  const rows = Array.from({ length: Math.max(0, rowWindow.last - first + 1) }, (_, k) => ({ index: first + k, start: (first + k) * QUEUE_ROW_HEIGHT }))

  useEffect(() => {
    if (total > 0) props.onRange(first, last)
    // props.onRange is stable per view; the range and total are what matter.
  }, [first, last, total, props.version, props.onRange])

  useLayoutEffect(() => {
    rowWindow.scrollToOffset(0)
    // Only when the view changes.
  }, [props.resetKey])

  const selectedIndex = selectedId ? indexOf(selectedId) : -1
  // Bring the selection into view when it moves (n / p, a save opening the next clip).
  useEffect(() => {
    if (selectedIndex >= 0) rowWindow.scrollToIndex(selectedIndex)
  }, [selectedIndex])

  // A pending keyboard move lands once its row has loaded.
  useEffect(() => {
    const i = pendingIndex.current
    if (i === null) return
    const row = rowAt(i)
    if (row) {
      pendingIndex.current = null
      onSelect(row.id)
    }
  })

  // Keep focus on the selected row when the keyboard moved the selection.
  useEffect(() => {
    const list = listRef.current
    if (!list || !selectedId || !focusWanted.current) return
    const row = list.querySelector<HTMLElement>(`[data-clip-id="${CSS.escape(selectedId)}"]`)
    if (row && row !== document.activeElement) {
      row.focus({ preventScroll: true })
      focusWanted.current = false
    }
  })

  const moveTo = (index: number) => {
    if (total === 0) return
    const i = Math.max(0, Math.min(total - 1, index))
    rowWindow.scrollToIndex(i)
    focusWanted.current = true
    const row = rowAt(i)
    if (row) {
      pendingIndex.current = null
      onSelect(row.id)
    } else pendingIndex.current = i
  }

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[data-index]')
    const current = el ? Number(el.dataset.index) : selectedIndex
    if (e.key === 'ArrowDown') moveTo(current < 0 ? 0 : current + 1)
    else if (e.key === 'ArrowUp') moveTo(current < 0 ? 0 : current - 1)
    else if (e.key === 'Home') moveTo(0)
    else if (e.key === 'End') moveTo(total - 1)
    else if (e.key === 'PageDown') moveTo(current + Math.max(1, last - first - 2 * OVERSCAN))
    else if (e.key === 'PageUp') moveTo(current - Math.max(1, last - first - 2 * OVERSCAN))
    else if ((e.key === 'Enter' || e.key === ' ') && el?.dataset.clipId) onSelect(el.dataset.clipId)
    else return
    e.preventDefault()
  }

  // The one row in the tab order: the selected one when rendered, else the first rendered.
  const selectedRendered = selectedIndex >= first && selectedIndex <= last && selectedIndex >= 0
  const tabbable = selectedRendered ? selectedIndex : first

  return (
    <div className="queue-vlist" ref={scrollRef}>
      <ul
        className="queue-list"
        role="listbox"
        aria-label={props.label}
        ref={listRef}
        onKeyDown={onKeyDown}
        style={{ height: rowWindow.totalHeight }}
      >
        {rows.map((v) => {
          const item = rowAt(v.index)
          const style = { transform: `translateY(${v.start}px)`, height: QUEUE_ROW_HEIGHT }
          if (!item) {
            return (
              <li
                key={`placeholder-${v.index}`}
                role="option"
                aria-selected={false}
                aria-disabled
                aria-posinset={v.index + 1}
                aria-setsize={total}
                tabIndex={v.index === tabbable ? 0 : -1}
                className="queue-row is-placeholder"
                data-index={v.index}
                style={style}
              >
                <span className="muted">{props.loadingLabel}</span>
              </li>
            )
          }
          const selected = item.id === selectedId
          return (
            <li
              key={item.id}
              role="option"
              aria-selected={selected}
              aria-posinset={v.index + 1}
              aria-setsize={total}
              tabIndex={v.index === tabbable ? 0 : -1}
              className={`queue-row${selected ? ' is-selected' : ''}`}
              data-testid="queue-row"
              data-clip-id={item.id}
              data-status={item.status}
              data-index={v.index}
              style={style}
              onClick={() => onSelect(item.id)}
            >
              {props.renderRow(item)}
            </li>
          )
        })}
      </ul>
    </div>
  )
}
