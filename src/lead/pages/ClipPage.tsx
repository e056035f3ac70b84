import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { PackClip } from '../../shared/field-pack'
import { ClipDetail, LEAD_ROUTES, OutcomeView, type ReviewerDecision } from '../../shared/lead-api'
import { DEFAULT_WELLNESS } from '../../shared/wellness-limits'
import { formatClipTime, formatDateTime } from '../../ui/i18n/format'
import { categoryName } from '../../ui/i18n/policy-text'
import { keyPressOf } from '../../ui/keys'
import { useClipProtection } from '../../ui/use-clip-protection'
import { protectionClassName } from '../../ui/wellness'
import { WellnessControls } from '../../ui/WellnessControls'
import { LeadApiError } from '../api/lead-client'
import { LeadProblem } from '../components/LeadProblem'
import { asLeadError, useLead, useLeadLoad } from '../lead-context'
import { navigate } from '../route'
import { adjudicationCommand } from './clip/adjudication-keys'
import { DecisionCard } from './clip/DecisionCard'
import { DecisionTimeline } from './clip/DecisionTimeline'
import { OutcomeForm } from './clip/OutcomeForm'
import { OutcomeHistory } from './clip/OutcomeHistory'
import { ClipContext, useClipContextOrThrow } from './clip/ClipContext'
import { draftFrom, EMPTY_DRAFT, toBody, type OutcomeDraft } from './clip/outcome-form'
import './clip/clip.css'

const clipRoute = (id: string) => LEAD_ROUTES.clip.replace(':id', encodeURIComponent(id))

/**
 * One disputed clip, for the lead to settle: the video (protected like the reviewer's, reveal
 * by holding V), what was said and flagged, each reviewer's decision side by side with their
 * ranges on one timeline, and the lead's outcome — taken from a reviewer (1–9) or written
 * (W), saved with Ctrl+Enter. N / P move through the disputed list.
 */
export function ClipPage({ clipId }: { clipId: string }) {
  const { t } = useTranslation()
  const lead = useLead()
  const { policy, locale } = lead
  const loaded = useLeadLoad((l, signal) => l.client.call(ClipDetail, 'GET', clipRoute(clipId), { signal }), [clipId])
  const detail = loaded.data
  const parsedClip = useMemo(() => (detail ? PackClip.safeParse(detail.clip) : null), [detail])
  const clip = parsedClip?.success ? parsedClip.data : null

  const [draft, setDraft] = useState<OutcomeDraft>(EMPTY_DRAFT)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<LeadApiError | null>(null)
  const [saved, setSaved] = useState<OutcomeView | null>(null)
  const [playheadMs, setPlayheadMs] = useState(0)
  const videoRef = useRef<HTMLVideoElement>(null)
  const formRef = useRef<HTMLFormElement>(null)
  const headingRef = useRef<HTMLHeadingElement>(null)

  useEffect(() => {
    if (detail) headingRef.current?.focus()
  }, [detail?.clip.id])

  const flags = clip?.flags ?? []
  const protection = useClipProtection(clip ? clip.id : null, flags, policy, DEFAULT_WELLNESS, true)
  const durationMs = clip ? (clip.media.duration_ms ?? clip.segment.end_ms - clip.segment.start_ms) : 0
  const settleable = detail?.outcome?.kind === 'disputed' || detail?.outcome?.kind === 'adjudicated'

  const take = useCallback(
    (d: ReviewerDecision) => {
      setDraft(draftFrom(d))
      setSaved(null)
      setSaveError(null)
    },
    [],
  )
  const seek = useCallback((ms: number) => {
    const v = videoRef.current
    if (v) v.currentTime = ms / 1000
    setPlayheadMs(ms)
  }, [])

  const save = useCallback(async () => {
    if (!detail?.outcome || !draft.action || saving) return
    setSaving(true)
    setSaveError(null)
    try {
      const outcome = await lead.client.call(OutcomeView, 'POST', LEAD_ROUTES.outcome.replace(':id', encodeURIComponent(clipId)), {
        body: toBody(draft, detail.outcome.id, detail.decisions),
      })
      setSaved(outcome)
      loaded.reload()
    } catch (err) {
      const e = asLeadError(err)
      if (e.code === 'unauthorized') lead.sessionEnded()
      setSaveError(e)
    } finally {
      setSaving(false)
    }
  }, [detail, draft, saving, lead, clipId, loaded])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !detail) return
      const cmd = adjudicationCommand(keyPressOf(e))
      if (!cmd) return
      if (cmd.type === 'take') {
        const d = detail.decisions[cmd.index]
        if (!d || !settleable) return
        e.preventDefault()
        take(d)
      } else if (cmd.type === 'write') {
        if (!settleable) return
        e.preventDefault()
        formRef.current?.querySelector<HTMLInputElement>('input[type=checkbox]')?.focus()
      } else if (cmd.type === 'next' || cmd.type === 'prev') {
        const to = cmd.type === 'next' ? detail.next_disputed : detail.prev_disputed
        if (!to) return
        e.preventDefault()
        navigate({ page: 'clip', clipId: to })
      } else if (cmd.type === 'list') {
        e.preventDefault()
        navigate({ page: 'disputes' })
      } else if (cmd.type === 'save') {
        if (!settleable) return
        e.preventDefault()
        void save()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [detail, settleable, take, save])

  if (!detail) {
    return loaded.error ? (
      <LeadProblem error={loaded.error} onReload={loaded.reload} />
    ) : (
      <p role="status" className="loading">
        {t('common.loading')}
      </p>
    )
  }
  if (!clip) {
    const issues = parsedClip && !parsedClip.success ? parsedClip.error.issues : []
    return (
      <LeadProblem
        error={new LeadApiError('invalid_response', t('clip.unreadable', { id: clipId }), 200, issues.slice(0, 5).map((i) => ({ path: ['clip', ...i.path.map(String)].join('.'), message: i.message })))}
        onReload={loaded.reload}
      />
    )
  }

  const outcome = detail.outcome
  const title = clip.stream.title ?? t('clip.untitled')
  const lanes = detail.decisions.map((d, i) => ({ id: d.id, label: `${i + 1}. ${d.reviewer_name}`, ranges: d.ranges }))

  return (
    <ClipContext.Provider value={{ policy, locale, seek }}>
      <article className="clip-page" data-testid="clip-page" data-clip-id={clip.id} data-outcome-kind={outcome?.kind ?? 'none'}>
        <header className="page-head clip-page-head">
          <h1 ref={headingRef} tabIndex={-1}>
            {title}
          </h1>
          <span className={`badge outcome-kind outcome-${outcome?.kind ?? 'none'}`} data-testid="clip-outcome-kind">
            {t(`clip.kind.${outcome?.kind ?? 'none'}`)}
          </span>
          <span className="muted">
            {t('clip.idLine', { id: clip.id, pack: detail.pack_id })}
            {clip.due_at && <> · {t('clip.due', { time: formatDateTime(clip.due_at, locale) })}</>}
          </span>
          <nav className="clip-nav" aria-label={t('clip.navLabel')}>
            <button type="button" disabled={!detail.prev_disputed} onClick={() => detail.prev_disputed && navigate({ page: 'clip', clipId: detail.prev_disputed })} aria-keyshortcuts="P" data-testid="clip-prev">
              {t('clip.prev')}
            </button>
            <button type="button" onClick={() => navigate({ page: 'disputes' })} aria-keyshortcuts="L">
              {t('clip.backToList')}
            </button>
            <button type="button" disabled={!detail.next_disputed} onClick={() => detail.next_disputed && navigate({ page: 'clip', clipId: detail.next_disputed })} aria-keyshortcuts="N" data-testid="clip-next">
              {t('clip.next')}
            </button>
          </nav>
        </header>
        {loaded.error && <LeadProblem error={loaded.error} onReload={loaded.reload} />}

        <div className="clip-page-columns">
          <div className="clip-page-media">
            <div className={protectionClassName(protection.effective)} data-testid="clip-wellness">
              <WellnessControls policy={policy} locale={locale} protection={protection} />
              <video
                ref={videoRef}
                className="clip-video"
                controls
                preload="metadata"
                src={detail.media_url}
                poster={detail.poster_url ?? undefined}
                muted={protection.effective.mute}
                aria-label={t('clip.video')}
                data-testid="clip-video"
                onTimeUpdate={(e) => setPlayheadMs(Math.round(e.currentTarget.currentTime * 1000))}
              />
            </div>
            <DecisionTimeline durationMs={durationMs} lanes={lanes} marks={flags.flatMap((f) => (f.at_ms === undefined ? [] : [f.at_ms]))} playheadMs={playheadMs} locale={locale} onSeek={seek} />
            <ClipText clip={clip} />
          </div>

          <div className="clip-page-decide">
            <section aria-labelledby="decisions-heading">
              <h2 id="decisions-heading">{t('clip.decisionsTitle', { count: detail.decisions.length })}</h2>
              <div className="decision-cards">
                {detail.decisions.map((d, i) => (
                  <DecisionCard key={d.id} decision={d} index={i} chosen={draft.takenFrom === d.id} canTake={settleable} onTake={() => take(d)} />
                ))}
              </div>
            </section>

            {settleable ? (
              <OutcomeForm
                ref={formRef}
                draft={draft}
                onChange={(d) => (setDraft(d), setSaved(null))}
                decisions={detail.decisions}
                durationMs={durationMs}
                revising={outcome?.kind === 'adjudicated'}
                saving={saving}
                onSave={() => void save()}
                error={saveError}
                saved={saved}
                nextDisputed={detail.next_disputed}
              />
            ) : (
              <p className="muted" data-testid="not-settleable">
                {t('clip.notSettleable', { kind: t(`clip.kind.${outcome?.kind ?? 'none'}`) })}
              </p>
            )}

            <OutcomeHistory history={detail.history} decisions={detail.decisions} />
          </div>
        </div>
      </article>
    </ClipContext.Provider>
  )
}

/** Flags, transcript and chat, each line a button that seeks the video to it. */
function ClipText({ clip }: { clip: PackClip }) {
  const { t } = useTranslation()
  const { locale, seek, policy } = useClipContextOrThrow()
  const lines = (list: readonly { at_ms: number; text: string; author?: string }[] | undefined, label: string, testId: string) => (
    <section aria-label={label} className="clip-lines" data-testid={testId}>
      <h2>{label}</h2>
      {!list || list.length === 0 ? (
        <p className="muted">{t('clip.none')}</p>
      ) : (
        <ol>
          {list.map((l, i) => (
            <li key={i}>
              <button type="button" className="link time" onClick={() => seek(l.at_ms)} aria-label={t('clip.seekTo', { time: formatClipTime(l.at_ms, locale) })}>
                {formatClipTime(l.at_ms, locale)}
              </button>{' '}
              {l.author && <strong>{l.author}: </strong>}
              <span>{l.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
  return (
    <div className="clip-text">
      <section aria-labelledby="flags-heading" className="clip-lines">
        <h2 id="flags-heading">{t('clip.flagsTitle')}</h2>
        <table className="lead-table">
          <thead>
            <tr>
              <th scope="col">{t('clip.flagLabel')}</th>
              <th scope="col">{t('clip.flagSource')}</th>
              <th scope="col" className="num">
                {t('clip.flagAt')}
              </th>
              <th scope="col" className="num">
                {t('clip.flagScore')}
              </th>
            </tr>
          </thead>
          <tbody>
            {clip.flags.map((f, i) => (
              <tr key={i}>
                <td>{categoryName(policy, f.label, locale)}</td>
                <td>{t(`clip.source.${f.source}`, { defaultValue: f.source })}</td>
                <td className="num">{f.at_ms === undefined ? '—' : formatClipTime(f.at_ms, locale)}</td>
                <td className="num">{f.score === undefined ? '—' : f.score.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {lines(clip.transcript, t('clip.transcriptTitle'), 'clip-transcript')}
      {lines(clip.chat, t('clip.chatTitle'), 'clip-chat')}
    </div>
  )
}
