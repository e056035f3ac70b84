import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import type { ClipDetail } from '../../shared/domain'
import type { Locale, Policy } from '../../shared/policy'
import type { WatchMatcher } from '../../shared/watch-terms'
import { formatBytes, formatClipTime, formatDateTime, formatNumber, timeLeft } from '../../ui/i18n/format'
import { DecisionHistory } from './DecisionHistory'
import { FlagList } from './FlagList'
import { activeLineIndex, TimedLines } from './TimedLines'

interface Props {
  clip: ClipDetail
  policy: Policy
  locale: Locale
  playheadMs: number
  onSeek: (ms: number) => void
  watch: WatchMatcher
  watchName: (group: string) => string
}

/** What the clip is, why it was flagged, what was said, and its decisions: everything below the player. */
export const ClipDetails = memo(function ClipDetails({ clip, policy, locale, playheadMs, onSeek, watch, watchName }: Props) {
  const { t } = useTranslation()
  const seek = onSeek
  const due = clip.status === 'decided' || clip.status === 'synced' ? null : timeLeft(clip.dueAt, Date.now(), locale)
  const unknown = t('clip.unknown')
  return (
    <>
    <section aria-labelledby="details-heading">
      <h3 id="details-heading" className="visually-hidden">
        {t('clip.details')}
      </h3>
      <dl className="meta">
        <div>
          <dt>{t('clip.account')}</dt>
          <dd>
            {clip.account.handle ? `@${clip.account.handle.replace(/^@/, '')}` : clip.account.id}
            {clip.account.displayName && <span className="muted"> ({clip.account.displayName})</span>} · {t(`clip.accountType.${clip.account.type}`)}
          </dd>
        </div>
        <div>
          <dt>{t('clip.followers')}</dt>
          <dd>{clip.account.followers !== null ? formatNumber(clip.account.followers, locale) : unknown}</dd>
        </div>
        <div>
          <dt>{t('clip.priorStrikes')}</dt>
          <dd>{clip.account.priorStrikes !== null ? formatNumber(clip.account.priorStrikes, locale) : unknown}</dd>
        </div>
        <div>
          <dt>{t('clip.region')}</dt>
          <dd>{clip.stream.region ?? unknown}</dd>
        </div>
        <div>
          <dt>{t('clip.language')}</dt>
          <dd>{clip.stream.language ?? unknown}</dd>
        </div>
        <div>
          <dt>{t('clip.commerce')}</dt>
          <dd>{clip.stream.commerce ? t('clip.yes') : t('clip.no')}</dd>
        </div>
        <div>
          <dt>{t('clip.capturedAt')}</dt>
          <dd>{formatDateTime(clip.capturedAt, locale)}</dd>
        </div>
        <div>
          <dt>{t('clip.due')}</dt>
          <dd className={due?.overdue ? 'is-overdue' : undefined}>
            {clip.dueAt ? formatDateTime(clip.dueAt, locale) : t('queue.noDue')}
            {due && <> · {due.overdue ? t('queue.overdue', { span: due.span }) : t('queue.dueIn', { span: due.span })}</>}
          </dd>
        </div>
        <div>
          <dt>{t('clip.priority')}</dt>
          <dd>{clip.priority !== null ? formatNumber(clip.priority, locale) : unknown}</dd>
        </div>
        <div>
          <dt>{t('clip.viewerPeak')}</dt>
          <dd>{clip.stream.viewerPeak !== null ? formatNumber(clip.stream.viewerPeak, locale) : unknown}</dd>
        </div>
        <div>
          <dt>{t('clip.segment')}</dt>
          <dd>
            {formatClipTime(clip.segment.startMs, locale)}–{formatClipTime(clip.segment.endMs, locale)}
          </dd>
        </div>
        <div>
          <dt>{t('clip.media')}</dt>
          <dd>
            {clip.media.mime} · {formatBytes(clip.media.bytes, locale)}
            {clip.media.durationMs !== null && <> · {formatClipTime(clip.media.durationMs, locale)}</>}
          </dd>
        </div>
      </dl>
    </section>

    <section aria-labelledby="flags-heading">
      <h3 id="flags-heading">{t('clip.flags')}</h3>
      <FlagList flags={clip.flags} policy={policy} locale={locale} onSeek={seek} />
    </section>

    <div className="lines-columns">
      <section aria-labelledby="transcript-heading">
        <h3 id="transcript-heading">{t('clip.transcript')}</h3>
        <TimedLines
          lines={clip.transcript}
          locale={locale}
          activeIndex={activeLineIndex(clip.transcript, playheadMs)}
          emptyText={t('clip.noTranscript')}
          label={t('clip.transcript')}
          onSeek={seek}
          watch={watch}
          watchName={watchName}
        />
      </section>
      <section aria-labelledby="chat-heading">
        <h3 id="chat-heading">{t('clip.chat')}</h3>
        <TimedLines
          lines={clip.chat}
          locale={locale}
          activeIndex={activeLineIndex(clip.chat, playheadMs)}
          emptyText={t('clip.noChat')}
          label={t('clip.chat')}
          onSeek={seek}
          watch={watch}
          watchName={watchName}
        />
      </section>
    </div>

    <section aria-labelledby="history-heading">
      <h3 id="history-heading">{t('clip.history')}</h3>
      <DecisionHistory decisions={clip.decisions} policy={policy} locale={locale} outcome={clip.outcome} />
    </section>
    </>
  )
})
