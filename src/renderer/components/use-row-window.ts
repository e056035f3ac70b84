import { useCallback, useLayoutEffect, useState, type RefObject } from 'react'
import { rowWindow, scrollOffsetToShow, type RowWindow } from '../state/row-window'

export interface RowWindowControl extends RowWindow {
  totalHeight: number
  scrollToOffset: (offset: number) => void
  /** Scrolls as little as needed to show row `index` whole. */
  scrollToIndex: (index: number) => void
}

/**
 * The rows of a fixed-row-height list to render, following the scroll element's scroll
 * offset and height (state/row-window.ts does the arithmetic).
 */
export function useRowWindow(scrollRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan: number): RowWindowControl {
  const [view, setView] = useState({ top: 0, height: 0 })

  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el) return
    const read = () => setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }))
    read()
    el.addEventListener('scroll', read, { passive: true })
    const resize = new ResizeObserver(read)
    resize.observe(el)
    return () => {
      el.removeEventListener('scroll', read)
      resize.disconnect()
    }
  }, [scrollRef])

  const scrollToOffset = useCallback(
    (offset: number) => {
      const el = scrollRef.current
      if (el) el.scrollTop = offset
    },
    [scrollRef],
  )
  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current
      if (!el) return
      const to = scrollOffsetToShow(index, el.scrollTop, el.clientHeight, rowHeight)
      if (to !== null) el.scrollTop = to
    },
    [scrollRef, rowHeight],
  )

  return { ...rowWindow(view.top, view.height, count, rowHeight, overscan), totalHeight: count * rowHeight, scrollToOffset, scrollToIndex }
}
