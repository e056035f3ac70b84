import { memo, useCallback, useDeferredValue, useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ClipDetail } from '../../shared/domain'
import type { ClipMatches } from '../../shared/known-content'
import type { DecisionDraftInput, Locale, Policy } from '../../shared/policy'
import { formatClipTime, formatNumber } from '../../ui/i18n/format'
import { keyPressOf, rangeEdgeOf } from '../state/keys'
import { DEFAULT_FPS, markerTimes, SPEEDS, timelineDurationMs } from '../state/playback'
import { interpretPlaybackKey } from '../state/playback-keys'
import { compileWatchList, findWatchHits } from '../../shared/watch-terms'
import { ClipDetails } from './ClipDetails'
import { KnownContentPanel } from './KnownContentPanel'
import { formFromMatch } from '../state/known-content'
import { DecisionForm } from './DecisionForm'
import { KeyHelpButton } from './KeyHelp'
import { Timeline } from './Timeline'
import { usePlayback } from './usePlayback'
import { decisionFormKey, useDecisionForm } from './use-decision-form'
import { markTiming } from '../timing'

interface Props {
  clip: ClipDetail
  policy: Policy
  locale: Locale
  mediaUrl: (sha256: string) => string
  onSave: (draft: DecisionDraftInput) => Promise<boolean>
  /** Changes when the heading should take focus (after moving on from a save). */
  focusToken: number
  /** Wellness: mute the video (a protected sensitive clip); blur and grayscale are styled by the wrapper. */
  muted?: boolean | undefined
  /** The media of the clip most likely opened next: loaded now in a hidden player that becomes this one's. */
  nextMedia?: { sha256: string } | null | undefined
  /** Known footage this clip matches (use-clip-matches.ts), null until known. */
  matches?: ClipMatches | null | undefined
}

/**
 * One clip: the video, what it is and why it was flagged, what was said, and the form.
 * Memoised: the workspace re-renders for the queue, notices and the session's figures,
 * none of which change the clip on screen (its callbacks are stable for this).
 */
export const ClipView = memo(function ClipView({ clip, policy, locale, mediaUrl, onSave, focusToken, muted, nextMedia, matches }: Props) {
  const { t } = useTranslation()
  const videoRef = useRef<HTMLVideoElement>(null)
  const articleRef = useRef<HTMLElement>(null)
  // Deciding without watching: once the form holds the match, focus goes to its rationale.
  const [formFocus, setFormFocus] = useState(0)
  useEffect(() => {
    if (formFocus > 0) articleRef.current?.querySelector<HTMLTextAreaElement>('textarea[data-testid="rationale"]')?.focus()
  }, [formFocus])
  const titleRef = useRef<HTMLHeadingElement>(null)
  const [playheadMs, setPlayheadMs] = useState(0)

  useEffect(() => {
    if (focusToken > 0) titleRef.current?.focus()
  }, [focusToken, clip.id])
  useLayoutEffect(() => {
    markTiming('clip-shown') // committed
  }, [clip.id])

  const seek = useCallback((ms: number) => {
    const video = videoRef.current
    if (!video) return
    video.currentTime = ms / 1000
    setPlayheadMs(Math.round(ms))
  }, [])
  const getPlayheadMs = useCallback(() => Math.round((videoRef.current?.currentTime ?? 0) * 1000), [])
  const onTime = () => setPlayheadMs(getPlayheadMs())

  // Playback: keys (state/playback-keys.ts), shuttle, speed, frame steps, marker jumps.
  const markers = useMemo(() => markerTimes(clip.flags), [clip.flags])
  const playback = usePlayback(videoRef, clip.media.sha256, markers, seek)
  const [videoDurationS, setVideoDurationS] = useState<number | null>(null)
  // A new clip's player may have loaded while hidden (the prefetched next clip), so its
  // duration and position are read from it, not waited for as events.
  useEffect(() => {
    const video = videoRef.current
    setVideoDurationS(video && Number.isFinite(video.duration) ? video.duration : null)
    setPlayheadMs(Math.round((video?.currentTime ?? 0) * 1000))
  }, [clip.media.sha256])
  const latestMs = Math.max(0, ...markers, ...clip.transcript.map((l) => l.endMs ?? l.atMs), ...clip.chat.map((l) => l.atMs))
  const durationMs = timelineDurationMs(clip.media.durationMs, videoDurationS, clip.segment, latestMs)
  // The policy's watch-list terms: highlighted in transcript and chat, marked on the timeline.
  const watch = useMemo(() => compileWatchList(policy.watchList), [policy])
  const watchName = useCallback((group: string) => policy.watchList?.find((g) => g.id === group)?.name[locale] ?? group, [policy, locale])
  const watchMoments = useMemo(
    () =>
      [...clip.transcript, ...clip.chat].flatMap((line) => {
        const hits = findWatchHits(line.text, watch)
        if (hits.length === 0) return []
        const names = [...new Set(hits.map((h) => watchName(h.group)))].join(', ')
        return [{ atMs: line.atMs, label: t('watch.moment', { names, time: formatClipTime(line.atMs, locale), text: line.text }) }]
      }),
    [clip.transcript, clip.chat, watch, watchName, t, locale],
  )

  // The decision form's state lives here: the timeline draws and edits its time ranges.
  const [form, dispatchForm] = useDecisionForm(policy, clip)
  const rangeEditing = useMemo(
    () => ({
      ranges: form.ranges,
      selectedRange: form.selectedRange,
      marks: form.marks,
      onSelect: (key: number | null) => dispatchForm({ type: 'selectRange', key }),
      onChange: (key: number, patch: { startMs: number; endMs: number }) => dispatchForm({ type: 'updateRange', key, patch }),
    }),
    [form.ranges, form.selectedRange, form.marks, dispatchForm],
  )

  // Sorted, so the two players never swap places in the DOM (moving a media element can interrupt its loading).
  const players = [clip.media.sha256, ...(nextMedia && nextMedia.sha256 !== clip.media.sha256 ? [nextMedia.sha256] : [])].sort()

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented) return
    const press = keyPressOf(e)
    const edge = rangeEdgeOf(press)
    if (edge) {
      e.preventDefault()
      dispatchForm({ type: 'mark', edge, atMs: getPlayheadMs() })
      return
    }
    if (e.key === 'Escape' && (form.selectedRange !== null || form.marks.inMs !== null || form.marks.outMs !== null) && !press.ctrlKey && !press.altKey && !press.metaKey) {
      // Escape lets go of the chosen range or the half-made one (dialogs handle their own Escape first).
      e.preventDefault()
      dispatchForm({ type: 'clearMarks' })
      return
    }
    const cmd = interpretPlaybackKey(press)
    if (!cmd || cmd.type === 'help') return // `?` belongs to KeyHelp
    e.preventDefault()
    playback.run(cmd)
  })
  // Bound in the same commit that shows the clip, like the decision keys.
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])
  const rate = (r: number) => t('playback.rate', { rate: formatNumber(r, locale) })
  const { transport } = playback
  const shownRate = rate(playback.speed * transport.shuttle)

  const detailClip = useDeferredValue(clip)
  const title = clip.stream.title ?? t('queue.untitled')

  return (
    <article className="clip-view" aria-labelledby="clip-title" ref={articleRef}>
      <header className="clip-head">
        <h2 id="clip-title" ref={titleRef} tabIndex={-1} data-testid="clip-title" data-clip-id={clip.id}>
          {title}
        </h2>
        <span className={`badge status-badge status-${clip.status}`}>{t(`status.${clip.status}`)}</span>
        {clip.stream.commerce && <span className="badge commerce">{t('queue.commerce')}</span>}
        <span className="muted">{clip.id}</span>
      </header>

      <div className="clip-columns">
        <div className="clip-main">
          <KnownContentPanel
            clipId={clip.id}
            posterSha256={clip.poster?.sha256 ?? null}
            result={matches ?? null}
            policy={policy}
            locale={locale}
            onApply={(m, opts) => {
              dispatchForm({
                type: 'reset',
                state: formFromMatch(policy, form, m, (rationale) => {
                  const percent = formatNumber(m.queryMatchPercent, locale, { maximumFractionDigits: 0 })
                  return (
                    m.source === 'clip'
                      ? t('known.rationale', { clip: m.clipId, percent, rationale })
                      : t('known.listRationale', { label: m.label, list: m.listName, percent, rationale })
                  ).trim()
                }),
              })
              if (opts?.focusForm) setFormFocus((n) => n + 1)
            }}
          />
          <div className="clip-player">
            {players.map((sha) =>
              sha === clip.media.sha256 ? (
                <video
                  key={sha}
                  ref={videoRef}
                  className="clip-video"
                  controls
                  preload="auto"
                  src={mediaUrl(clip.media.sha256)}
                  poster={clip.poster ? mediaUrl(clip.poster.sha256) : undefined}
                  aria-label={t('clip.video')}
                  data-testid="clip-video"
                  muted={muted}
                  onTimeUpdate={onTime}
                  onSeeked={onTime}
                  onDurationChange={(e) => setVideoDurationS(Number.isFinite(e.currentTarget.duration) ? e.currentTarget.duration : null)}
                  {...playback.videoEvents}
                />
              ) : (
                // The next clip's player, loading now; when that clip opens React keeps this
                // element (same key), so it is ready to play at once.
                <video key={sha} className="clip-video" src={mediaUrl(sha)} preload="auto" muted hidden tabIndex={-1} aria-hidden="true" data-testid="prefetch-video" />
              ),
            )}
          </div>

          <div className="playback-bar" role="group" aria-label={t('playback.controls')}>
            <label>
              <span>{t('playback.speed')}</span>
              <select data-testid="playback-speed" value={String(playback.speed)} onChange={(e) => playback.setSpeed(Number(e.target.value))} aria-keyshortcuts="- = < >">
                {SPEEDS.map((s) => (
                  <option key={s} value={String(s)}>
                    {rate(s)}
                  </option>
                ))}
              </select>
            </label>
            <span className="playback-state muted" data-testid="playback-state" data-direction={transport.direction} aria-live="polite">
              {transport.direction === 0
                ? t('playback.paused')
                : t(transport.direction > 0 ? 'playback.forward' : 'playback.reverse', { rate: shownRate })}
            </span>
            <span className="muted small" data-testid="playback-fps">
              {playback.fps !== null
                ? t('playback.fps', { fps: formatNumber(playback.fps, locale) })
                : t('playback.fpsAssumed', { fps: formatNumber(DEFAULT_FPS, locale) })}
            </span>
            <KeyHelpButton />
          </div>
          <Timeline
            durationMs={durationMs}
            playheadMs={playheadMs}
            flags={clip.flags}
            transcript={clip.transcript}
            chat={clip.chat}
            watchMoments={watchMoments}
            policy={policy}
            locale={locale}
            onSeek={seek}
            playing={transport.direction !== 0}
            getPlayheadMs={getPlayheadMs}
            rangeEditing={rangeEditing}
          />

          {/* Below the player: rendered in a second pass (useDeferredValue), so saving and
              moving on shows the next clip's heading, video and form at once. */}
          {detailClip.id === clip.id ? (
            <ClipDetails clip={detailClip} policy={policy} locale={locale} playheadMs={playheadMs} onSeek={seek} watch={watch} watchName={watchName} />
          ) : (
            <p className="muted" role="status">
              {t('clip.loading')}
            </p>
          )}
        </div>

        <div className="clip-side">
          <DecisionForm
            key={decisionFormKey(clip)}
            clip={clip}
            state={form}
            dispatch={dispatchForm}
            policy={policy}
            locale={locale}
            playheadMs={playheadMs}
            getPlayheadMs={getPlayheadMs}
            onSave={onSave}
          />
        </div>
      </div>
    </article>
  )
})
