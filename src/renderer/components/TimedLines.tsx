import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import type { TimedLine } from '../../shared/domain'
import type { Locale } from '../../shared/policy'
import { formatClipTime } from '../../ui/i18n/format'
import { findWatchHits, splitByHits, type WatchMatcher } from '../../shared/watch-terms'

interface Props {
  lines: readonly TimedLine[]
  locale: Locale
  /** Index of the line under the playhead, highlighted. */
  activeIndex: number
  emptyText: string
  label: string
  onSeek: (ms: number) => void
  /** The policy's watch-list terms, highlighted where they occur. */
  watch?: WatchMatcher | undefined
  /** A watch group's name, in the reviewer's language. */
  watchName?: ((group: string) => string) | undefined
}

/** The line's text with watch-list terms marked. */
function LineText({ text, watch, watchName }: { text: string; watch?: WatchMatcher | undefined; watchName?: ((group: string) => string) | undefined }) {
  const hits = watch ? findWatchHits(text, watch) : []
  if (hits.length === 0) return <span className="text">{text}</span>
  return (
    <span className="text">
      {splitByHits(text, hits).map((part, i) =>
        part.group ? (
          <mark key={i} className="watch-term" data-testid="watch-term" data-group={part.group} title={watchName?.(part.group)}>
            {part.text}
          </mark>
        ) : (
          part.text
        ),
      )}
    </span>
  )
}

/** Transcript or chat: each line is a button that plays the clip from that moment. */
export const TimedLines = memo(function TimedLines({ lines, locale, activeIndex, emptyText, label, onSeek, watch, watchName }: Props) {
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
            <LineText text={line.text} watch={watch} watchName={watchName} />
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
