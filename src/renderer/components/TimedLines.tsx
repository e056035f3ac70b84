import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import type { TimedLine } from '../../shared/domain'
import type { Locale } from '../../shared/policy'
import { formatClipTime } from '../i18n/format'

interface Props {
  lines: readonly TimedLine[]
  locale: Locale
  /** Index of the line under the playhead, highlighted. */
  activeIndex: number
  emptyText: string
  label: string
  onSeek: (ms: number) => void
}

/** Transcript or chat: each line is a button that plays the clip from that moment. */
export const TimedLines = memo(function TimedLines({ lines, locale, activeIndex, emptyText, label, onSeek }: Props) {
  const { t } = useTranslation()
  if (lines.length === 0) return <p className="muted">{emptyText}</p>
  return (
    <ol className="timed-lines" aria-label={label}>
      {lines.map((line, i) => (
        <li key={i} className={i === activeIndex ? 'is-active' : undefined}>
          <button
            type="button"
            className="timed-line"
            onClick={() => onSeek(line.atMs)}
            title={t('clip.seek', { time: formatClipTime(line.atMs, locale) })}
          >
            <span className="time">{formatClipTime(line.atMs, locale)}</span>
            {line.author && <span className="author">{line.author}</span>}
            <span className="text">{line.text}</span>
          </button>
        </li>
      ))}
    </ol>
  )
})

/** The last line that started at or before `ms` (lines come in time order). */
export function activeLineIndex(lines: readonly TimedLine[], ms: number): number {
  let lo = 0
  let hi = lines.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if ((lines[mid]?.atMs ?? Infinity) <= ms) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}
