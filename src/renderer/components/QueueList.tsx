import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react'
import type { QueueItem } from '../../shared/domain'
import { neighbour } from '../state/queue-nav'

/**
 * The list of queue rows, on its own so it can be replaced by a virtualized list
 * (100,000 rows) without touching anything around it. A listbox: one row is in the tab
 * order, ArrowUp/ArrowDown/Home/End move the selection (and open that clip), Enter or
 * Space opens the focused row.
 */

interface Props {
  items: readonly QueueItem[]
  selectedId: string | null
  label: string
  onSelect: (id: string) => void
  renderRow: (item: QueueItem) => ReactNode
}

export function QueueList({ items, selectedId, label, onSelect, renderRow }: Props) {
  const listRef = useRef<HTMLUListElement>(null)
  const focusable = items.some((i) => i.id === selectedId) ? selectedId : (items[0]?.id ?? null)

  // Keep focus on the selected row when the selection moves while the list has focus.
  useEffect(() => {
    const list = listRef.current
    if (!list || !selectedId || !list.contains(document.activeElement)) return
    const row = list.querySelector<HTMLElement>(`[data-clip-id="${CSS.escape(selectedId)}"]`)
    if (row && row !== document.activeElement) row.focus()
  }, [selectedId])

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const current = (e.target as HTMLElement).closest<HTMLElement>('[data-clip-id]')?.dataset.clipId ?? selectedId
    let target: string | null = null
    if (e.key === 'ArrowDown') target = neighbour(items, current ?? null, 1)
    else if (e.key === 'ArrowUp') target = neighbour(items, current ?? null, -1)
    else if (e.key === 'Home') target = items[0]?.id ?? null
    else if (e.key === 'End') target = items[items.length - 1]?.id ?? null
    else if ((e.key === 'Enter' || e.key === ' ') && current) target = current
    else return
    e.preventDefault()
    if (target) {
      onSelect(target)
      listRef.current?.querySelector<HTMLElement>(`[data-clip-id="${CSS.escape(target)}"]`)?.focus()
    }
  }

  return (
    <ul className="queue-list" role="listbox" aria-label={label} ref={listRef} onKeyDown={onKeyDown}>
      {items.map((item) => {
        const selected = item.id === selectedId
        return (
          <li
            key={item.id}
            role="option"
            aria-selected={selected}
            tabIndex={item.id === focusable ? 0 : -1}
            className={`queue-row${selected ? ' is-selected' : ''}`}
            data-testid="queue-row"
            data-clip-id={item.id}
            data-status={item.status}
            onClick={() => onSelect(item.id)}
          >
            {renderRow(item)}
          </li>
        )
      })}
    </ul>
  )
}
