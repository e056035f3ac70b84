import { memo, useEffect, useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { ClipFlag, TimedLine } from '../../shared/domain'
import { findCategory } from '../../shared/policy-rules'
import type { Locale, Policy } from '../../shared/policy'
import { formatClipTime } from '../../ui/i18n/format'
import { chatBursts, msAtPosition, percentOf, sliderKeyTarget, transcriptSpans } from '../state/playback'
import { drawableRanges } from '../state/range-edit'
import { TimelineRanges, type RangeEditing } from './TimelineRanges'
import './playback.css'

interface Props {
  durationMs: number
  playheadMs: number
  flags: readonly ClipFlag[]
  transcript: readonly TimedLine[]
  chat: readonly TimedLine[]
  policy: Policy
  locale: Locale
  onSeek: (ms: number) => void
  /** While playing (either way), the playhead follows this every animation frame. */
  playing?: boolean | undefined
  getPlayheadMs?: (() => number) | undefined
  /** Moments whose transcript or chat line holds a watch-list term (see state/watch-terms.ts). */
  watchMoments?: readonly { atMs: number; label: string }[] | undefined
  /** The decision's time ranges, drawn and edited under the track. */
  rangeEditing?: RangeEditing | undefined
}

/**
 * The timeline under the video: a slider (click, drag or arrow keys to seek) drawing
 * transcript lines and chat bursts, with the flagged moments as labelled buttons above
 * it (outside the slider, whose children are presentational).
 */
export const Timeline = memo(function Timeline({ durationMs, playheadMs, flags, transcript, chat, policy, locale, onSeek, playing, getPlayheadMs, watchMoments, rangeEditing }: Props) {
  const { t } = useTranslation()
  const trackRef = useRef<HTMLDivElement>(null)
  const playheadRef = useRef<HTMLSpanElement>(null)

  // `timeupdate` comes about four times a second; while playing, move the playhead
  // every frame without re-rendering anything (the slider's value follows the props).
  useEffect(() => {
    if (!playing || !getPlayheadMs) return
    let frame = requestAnimationFrame(function follow() {
      if (playheadRef.current) playheadRef.current.style.left = `${percentOf(getPlayheadMs(), durationMs)}%`
      frame = requestAnimationFrame(follow)
    })
    return () => cancelAnimationFrame(frame)
  }, [playing, getPlayheadMs, durationMs])
  const spans = useMemo(() => transcriptSpans(transcript, durationMs), [transcript, durationMs])
  const bursts = useMemo(() => chatBursts(chat), [chat])
  const time = (ms: number) => formatClipTime(ms, locale)

  const seekAt = (clientX: number) => {
    const rect = trackRef.current?.getBoundingClientRect()
    if (rect) onSeek(msAtPosition(clientX, rect.left, rect.width, durationMs))
  }
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return
    e.currentTarget.setPointerCapture(e.pointerId)
    seekAt(e.clientX)
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (e.currentTarget.hasPointerCapture(e.pointerId)) seekAt(e.clientX)
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const target = sliderKeyTarget(e.key, e.shiftKey, playheadMs, durationMs)
    if (target === null) return
    e.preventDefault()
    onSeek(target)
  }

  const markers = flags.filter((f) => f.atMs !== null)

  return (
    <div className="timeline" data-testid="timeline">
      {markers.length > 0 && (
        <ul className="timeline-markers" aria-label={t('playback.markers')}>
          {markers.map((f, i) => {
            const at = f.atMs ?? 0
            const label = t('playback.marker', {
              source: t(`source.${f.source}`),
              label: findCategory(policy, f.label)?.name[locale] ?? f.label,
              time: time(at),
            })
            return (
              <li key={i} style={{ left: `${percentOf(at, durationMs)}%` }}>
                <button
                  type="button"
                  className={`timeline-marker source-${f.source}`}
                  data-testid="timeline-marker"
                  data-at-ms={at}
                  aria-label={label}
                  title={label}
                  onClick={() => onSeek(at)}
                />
              </li>
            )
          })}
        </ul>
      )}
      <div
        ref={trackRef}
        className="timeline-track"
        role="slider"
        tabIndex={0}
        aria-label={t('playback.timeline')}
        aria-valuemin={0}
        aria-valuemax={Math.round(durationMs)}
        aria-valuenow={Math.round(Math.min(playheadMs, durationMs))}
        aria-valuetext={t('playback.timelineValue', { time: time(playheadMs), duration: time(durationMs) })}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onKeyDown={onKeyDown}
      >
        <div className="timeline-lane lane-transcript" title={t('playback.transcriptLane')}>
          {spans.map((s) => (
            <span
              key={s.index}
              className="timeline-span"
              style={{ left: `${percentOf(s.startMs, durationMs)}%`, width: `${percentOf(s.endMs, durationMs) - percentOf(s.startMs, durationMs)}%` }}
              title={t('playback.transcriptSpan', { start: time(s.startMs), end: time(s.endMs), text: transcript[s.index]?.text ?? '' })}
            />
          ))}
        </div>
        <div className="timeline-lane lane-chat" title={t('playback.chatLane')}>
          {bursts.map((b) => (
            <span
              key={b.index}
              className={`timeline-span${b.count >= 5 ? ' is-dense' : ''}`}
              style={{ left: `${percentOf(b.startMs, durationMs)}%`, width: `${percentOf(b.endMs, durationMs) - percentOf(b.startMs, durationMs)}%` }}
              title={t('playback.chatBurst', { count: b.count, start: time(b.startMs), end: time(b.endMs) })}
            />
          ))}
        </div>
        {drawableRanges(rangeEditing?.ranges ?? []).map((r) => (
          <span
            key={`r${r.key}`}
            className={`timeline-band${r.key === rangeEditing?.selectedRange ? ' is-selected' : ''}`}
            style={{ left: `${percentOf(r.startMs, durationMs)}%`, width: `${Math.max(0, percentOf(r.endMs, durationMs) - percentOf(r.startMs, durationMs))}%` }}
          />
        ))}
        {markers.map((f, i) => (
          <span key={i} className="timeline-flag" style={{ left: `${percentOf(f.atMs ?? 0, durationMs)}%` }} />
        ))}
        {(watchMoments ?? []).map((w, i) => (
          <span key={`w${i}`} className="timeline-watch" data-testid="timeline-watch" data-at-ms={w.atMs} title={w.label} style={{ left: `${percentOf(w.atMs, durationMs)}%` }} />
        ))}
        <span ref={playheadRef} className="timeline-playhead" style={{ left: `${percentOf(playheadMs, durationMs)}%` }} />
      </div>
      {rangeEditing && <TimelineRanges {...rangeEditing} durationMs={durationMs} locale={locale} trackRef={trackRef} onSeek={onSeek} />}
      <p className="timeline-legend muted small" aria-hidden="true">
        <span className="swatch swatch-flag" /> {t('playback.markers')} <span className="swatch swatch-transcript" /> {t('playback.transcriptLane')}{' '}
        <span className="swatch swatch-chat" /> {t('playback.chatLane')}
        {(watchMoments?.length ?? 0) > 0 && (
          <>
            {' '}
            <span className="swatch swatch-watch" /> {t('watch.legend')}
          </>
        )}
      </p>
    </div>
  )
})
