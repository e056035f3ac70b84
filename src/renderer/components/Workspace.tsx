import { useCallback, useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppInfo, ClipDetail, ImportSummary } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import type { DecisionDraftInput, Locale, Policy } from '../../shared/policy'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import { actionKeyMap, interpretKey, keyPressOf } from '../state/keys'
import { neighbour, nextPendingAfter } from '../state/queue-nav'
import { EMPTY_SESSION, recordClipTime, type SessionStats } from '../state/session-stats'
import { ClipView } from './ClipView'
import { sameClipDetail } from '../state/clip-detail'
import { useStableCallback } from './hooks'
import { ErrorAlert } from './ErrorAlert'
import { Header } from './Header'
import { KeyHelp } from './KeyHelp'
import { PrefetchClip } from './PrefetchClip'
import { QueuePanel } from './QueuePanel'
import { useQueue, type FirstPage } from './use-queue'
import { DEFAULT_VIEW, type QueueView } from '../state/queue-view'
import { WelcomePanel } from './WelcomePanel'
// Wellness, skip, recent decisions, policy panel, shift summary:
import { protectionClassName } from '../../ui/wellness'
import { BreakReminder } from './BreakReminder'
import { PolicyPanel } from './PolicyPanel'
import { RecentDecisions } from './RecentDecisions'
import { ReviewActionsContext } from './review-actions'
import { ShiftSummary } from './ShiftSummary'
import { StatusBar } from './StatusBar'
import { useBackgroundHasher } from '../hashing/use-background-hasher'
import { spanExposureMs } from '../state/exposure'
import { useReviewSession } from './use-review-session'
import { useClipMatches } from './use-clip-matches'
import { WellnessControls } from '../../ui/WellnessControls'
import { WellnessSettingsDialog } from './WellnessSettingsDialog'
import { HashListsDialog } from './HashListsDialog'
import { MatchingSettingsDialog } from './MatchingSettingsDialog'
import { LockSettingsDialog } from './LockSettingsDialog'
import { markTiming } from '../timing'
import { ExportDialog } from './ExportDialog'
import { SyncButton, SyncDialog } from './SyncDialog'
import { useSync } from './use-sync'
import { ImportDialog } from './ImportDialog'
import { usePackImport } from './use-pack-import'
import { CopiesOfferNotice } from './CopiesOfferNotice'
import { useCopiesOffer } from './use-copies-offer'

type SavedNotice = { savedClipId: string; nextClipId: string | null }

interface Props {
  info: AppInfo
  policy: Policy
  /** The default view's first page, asked for while the app started. */
  firstPage?: { key: string; page: FirstPage } | undefined
  locale: Locale
  onLocaleChange: (locale: Locale) => void
  /** Lock the profile now (the lock screen replaces the workspace). */
  onLock?: (() => Promise<void>) | undefined
}

export function Workspace({ info, policy, firstPage, locale, onLocaleChange, onLock }: Props) {
  const api = useApi()
  const { t } = useTranslation()
  const [error, setError] = useState<ApiError | null>(null)
  const [view, setView] = useState<QueueView>(DEFAULT_VIEW)
  const queue = useQueue(api, view, setError, firstPage)
  const hashing = useBackgroundHasher()
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [clip, setClip] = useState<ClipDetail | null>(null)
  const [clipReload, setClipReload] = useState(0)
  const [saved, setSaved] = useState<SavedNotice | null>(null)
  const [focusToken, setFocusToken] = useState(0)
  const [importing, setImporting] = useState(false)
  const [summary, setSummary] = useState<ImportSummary | null>(null)
  const [allDone, setAllDone] = useState(false)
  const actionKeys = useMemo(() => actionKeyMap(policy.actions), [policy])
  const mainRef = useRef<HTMLElement>(null)
  /** The prefetched next clip's details (see PrefetchClip), used when it opens; its media loads in ClipView's hidden player. */
  const prefetched = useRef<ClipDetail | null>(null)
  const [aheadMedia, setAheadMedia] = useState<{ clipId: string; sha256: string } | null>(null)
  const rememberPrefetched = useCallback((c: ClipDetail) => {
    prefetched.current = c
    setAheadMedia({ clipId: c.id, sha256: c.media.sha256 })
  }, [])

  // The dialog shows what the import did; the welcome panel's summary is the demo pack's.
  const refreshQueue = queue.refresh
  const onImported = useCallback(() => void refreshQueue(), [refreshQueue])
  const packImport = usePackImport(api, onImported)
  const [exporting, setExporting] = useState(false)
  const sync = useSync()
  const [syncOpen, setSyncOpen] = useState(false)

  const shownClipId = clip?.id ?? null
  // Asked as the clip is chosen, beside clip.get: a match to a protected decision protects it as it opens.
  const clipMatches = useClipMatches(api, selectedId)
  const matches = clip && clip.id === selectedId ? clipMatches : null
  const session = useReviewSession(api, { deviceId: info.deviceId, policy, clip, matches, onError: setError })
  const [skippedClipId, setSkippedClipId] = useState<string | null>(null)

  // A new clip starts at the top: its video, not the bottom of the last clip's form.
  useEffect(() => {
    if (shownClipId && mainRef.current) mainRef.current.scrollTop = 0
  }, [shownClipId])

  // Session figures for the status bar: how long each clip took, from shown to saved.
  const [sessionStats, setSessionStats] = useState<SessionStats>(EMPTY_SESSION)
  const shownAt = useRef<{ clipId: string | null; at: number }>({ clipId: null, at: Date.now() })
  useEffect(() => {
    shownAt.current = { clipId: shownClipId, at: Date.now() }
  }, [shownClipId])

  useEffect(() => {
    if (!selectedId) {
      setClip(null)
      return
    }
    let cancelled = false
    // A prefetched clip is on screen already (openClip); any other waits for its details.
    // The fresh copy re-renders the clip only if something in it changed.
    setClip((c) => (c?.id === selectedId ? c : null))
    api.call('clip.get', { clipId: selectedId }).then(
      (c) => {
        if (!cancelled) setClip((shown) => (shown && sameClipDetail(shown, c) ? shown : c))
      },
      (err: unknown) => {
        if (!cancelled) setError(toApiError(err))
      },
    )
    return () => {
      cancelled = true
    }
  }, [api, selectedId, clipReload])

  /**
   * Opens a clip. The prefetched next clip is shown in the same render that selects it, not
   * in a second one after the effect above has run (a save's next clip, sooner).
   */
  const openClip = useCallback((id: string) => {
    setSelectedId(id)
    const ahead = prefetched.current
    if (ahead?.id === id) setClip(ahead)
  }, [])

  /** The reviewer picked a clip: forget the notices about the previous one. */
  const select = useCallback((id: string) => {
    openClip(id)
    setSaved(null)
    setSkippedClipId(null)
    setError(null)
  }, [openClip])

  const reloadClip = () => {
    setError(null)
    setClipReload((n) => n + 1)
  }

  const changeLocale = async (next: Locale) => {
    onLocaleChange(next)
    try {
      await api.call('settings.setLocale', { locale: next })
    } catch (err) {
      setError(toApiError(err))
    }
  }

  /** The first pending clip in queue order, other than `except`. */
  const firstPending = async (except?: string): Promise<string | null> => {
    const page = await api.call('queue.list', { status: ['pending'], limit: 2, offset: 0 })
    return page.items.find((i) => i.id !== except)?.id ?? null
  }

  const openNext = async () => {
    try {
      const id = await firstPending()
      setAllDone(id === null)
      if (id) {
        select(id)
        setFocusToken((n) => n + 1)
      }
    } catch (err) {
      setError(toApiError(err))
    }
  }

  const loadDemo = async () => {
    setImporting(true)
    setError(null)
    try {
      setSummary(await api.call('pack.importDemo', {}))
      await queue.refresh()
    } catch (err) {
      setError(toApiError(err))
    } finally {
      setImporting(false)
    }
  }

  const save = async (draft: DecisionDraftInput): Promise<boolean> => {
    // The last save's notice stays until this one's answer replaces it (or an error does):
    // taking it away now moved the clip up and repainted the page while the call was out,
    // and the answer waited behind that paint.
    setError(null)
    const rows = queue.items
    markTiming('save')
    let record
    try {
      record = await api.call('decision.record', draft)
    } catch (err) {
      setSaved(null)
      setError(toApiError(err))
      return false
    }
    markTiming('recorded')
    if (shownAt.current.clipId === draft.clipId) {
      const took = Date.now() - shownAt.current.at
      setSessionStats((st) => recordClipTime(st, took))
    }
    let next = nextPendingAfter(rows, draft.clipId)
    if (!next) {
      try {
        next = await firstPending(draft.clipId)
      } catch {
        next = null
      }
    }
    setSaved({ savedClipId: draft.clipId, nextClipId: next })
    copiesOffer.offerFor(record)
    if (next) {
      openClip(next)
      setFocusToken((n) => n + 1)
    } else {
      setClipReload((n) => n + 1)
    }
    // `queue.changed` reloads the list; should that event be lost, reload anyway a moment
    // later (not at once: the next clip gets the host and the renderer first).
    const recordedAt = performance.now()
    setTimeout(() => queue.refreshUnlessSince(recordedAt), 600)
    return true
  }

  /** Skip with a reason (DecisionForm asks through ReviewActionsContext), then open the next pending clip. */
  const skip = async (clipId: string, reason: string): Promise<boolean> => {
    setError(null)
    setSaved(null)
    const rows = queue.items
    try {
      await api.call('clip.skip', { clipId, reason })
    } catch (err) {
      setError(toApiError(err))
      return false
    }
    session.countSkip()
    let next = nextPendingAfter(rows, clipId)
    if (!next) {
      try {
        next = await firstPending(clipId)
      } catch {
        next = null
      }
    }
    setSkippedClipId(clipId)
    if (next) {
      openClip(next)
      setFocusToken((n) => n + 1)
    } else {
      setClipReload((n) => n + 1)
    }
    void queue.refresh()
    return true
  }

  // Stable, so the memoised ClipView re-renders for its clip, not for every workspace change.
  // Copies of the video just decided, decided alike in one action; the open clip, if it was one, gives way to the next pending.
  // Moves on like a save does (openClip, not select), so the notice saying how many were decided stays.
  const copiesApplied = useStableCallback(async (clipIds: string[]) => {
    void queue.refresh()
    if (selectedId === null || !clipIds.includes(selectedId)) return
    try {
      const next = await firstPending()
      if (next) {
        openClip(next)
        setFocusToken((n) => n + 1)
      } else {
        setClipReload((n) => n + 1)
      }
    } catch (err) {
      setError(toApiError(err))
    }
  })
  const copiesOffer = useCopiesOffer(api, locale, setError, copiesApplied)

  const onSave = useStableCallback(save)
  const stableSkip = useStableCallback(skip)
  const reviewActions = useMemo(() => ({ skip: stableSkip }), [stableSkip])

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented) return
    const cmd = interpretKey(keyPressOf(e), actionKeys)
    if (cmd?.type !== 'next' && cmd?.type !== 'prev') return
    e.preventDefault()
    const id = neighbour(queue.items, selectedId, cmd.type === 'next' ? 1 : -1)
    if (id) select(id)
  })
  // A layout effect: bound in the same commit that shows the form, so a key pressed
  // right after a clip appears is not lost.
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  const totalClips = queue.counts ? Object.values(queue.counts).reduce((a, b) => a + b, 0) : null

  return (
    <div className="app">
      <Header
        policy={policy}
        locale={locale}
        counts={queue.counts}
        reviewerId={sync.status?.server?.reviewerId ?? info.reviewerId}
        onLocaleChange={(l) => void changeLocale(l)}
        onShowPolicy={() => session.panels.open('policy')}
        onShowShift={() => session.panels.open('shift')}
        onShowWellness={() => session.panels.open('wellness')}
        onShowMatching={() => session.panels.open('matching')}
        onShowHashLists={() => session.panels.open('hashLists')}
        onShowLockSettings={() => session.panels.open('lock')}
        onLock={onLock ? () => void onLock().catch((err: unknown) => setError(toApiError(err))) : undefined}
        breakDue={session.exposure.breakDue}
        onImport={packImport.show}
        importing={packImport.running}
        onExport={() => setExporting(true)}
        syncButton={<SyncButton status={sync.status} locale={locale} onOpen={() => setSyncOpen(true)} />}
      />
      {exporting && <ExportDialog dataDir={info.dataDir} locale={locale} onClose={() => setExporting(false)} />}
      {syncOpen && <SyncDialog sync={sync} locale={locale} onClose={() => setSyncOpen(false)} />}
      {packImport.open && <ImportDialog control={packImport} locale={locale} />}
      {packImport.dragging && (
        <div className="drop-overlay" aria-hidden="true" data-testid="drop-overlay">
          {t('packImport.dropHere')}
        </div>
      )}
      {session.panels.panel === 'policy' && <PolicyPanel policy={policy} locale={locale} onClose={session.panels.close} />}
      {session.panels.panel === 'shift' && <ShiftSummary session={session} locale={locale} onClose={session.panels.close} />}
      {session.panels.panel === 'wellness' && (
        <WellnessSettingsDialog settings={session.wellness.settings} onSave={session.wellness.save} onClose={session.panels.close} />
      )}
      {session.panels.panel === 'matching' && <MatchingSettingsDialog onClose={session.panels.close} onError={setError} />}
      {session.panels.panel === 'hashLists' && <HashListsDialog locale={locale} onClose={session.panels.close} />}
      {session.panels.panel === 'lock' && <LockSettingsDialog onClose={session.panels.close} onError={setError} />}
      <KeyHelp policy={policy} locale={locale} />
      <PrefetchClip
        clipId={selectedId ? (nextPendingAfter(queue.items, selectedId) ?? neighbour(queue.items, selectedId, 1)) : null}
        onDetail={rememberPrefetched}
      />
      <div className="workspace">
        <QueuePanel
          policy={policy}
          locale={locale}
          view={view}
          queue={queue}
          selectedId={selectedId}
          onViewChange={setView}
          onSelect={select}
        />
        <main className="main" aria-label={t('app.main')} ref={mainRef}>
          <RecentDecisions
            entries={session.decisions.recent}
            policy={policy}
            locale={locale}
            currentClipId={shownClipId}
            onOpen={(id) => {
              select(id)
              setFocusToken((n) => n + 1)
            }}
          />
          <div className="notices">
            {session.exposure.breakDue && (
              <BreakReminder
                locale={locale}
                exposureMs={spanExposureMs(session.exposure.state, Date.now())}
                onDismiss={session.exposure.dismiss}
                onTakeBreak={session.exposure.takeBreak}
              />
            )}
            {skippedClipId && !saved && (
              <div className="skipped-notice" role="status" data-testid="skipped-notice" data-clip-id={skippedClipId}>
                <strong>{t('skip.notice')}</strong>
              </div>
            )}
            {error && (
              <ErrorAlert
                error={error}
                onDismiss={() => setError(null)}
                onReloadClip={selectedId ? reloadClip : undefined}
              />
            )}
            {saved && (
              <div className="saved-notice" role="status" data-testid="saved-notice" data-clip-id={saved.savedClipId}>
                <strong>{t('saved.notice')}</strong> {saved.nextClipId ? t('saved.next') : t('saved.done')}
              </div>
            )}
            {saved && copiesOffer.offer?.decision.clipId === saved.savedClipId && (
              <CopiesOfferNotice offer={copiesOffer.offer} locale={locale} onApply={() => void copiesOffer.apply()} />
            )}
          </div>
          {selectedId ? (
            clip ? (
              <ReviewActionsContext value={reviewActions}>
                <div className={protectionClassName(session.protection.effective)} data-testid="clip-wellness">
                  <WellnessControls policy={policy} locale={locale} protection={session.protection} />
                  <ClipView
                    clip={clip}
                    policy={policy}
                    locale={locale}
                    mediaUrl={api.mediaUrl}
                    onSave={onSave}
                    focusToken={focusToken}
                    muted={session.protection.effective.mute}
                    nextMedia={aheadMedia && aheadMedia.clipId !== clip.id ? aheadMedia : null}
                    matches={matches}
                  />
                </div>
              </ReviewActionsContext>
            ) : (
              <p className="muted loading" role="status">
                {t('clip.loading')}
              </p>
            )
          ) : totalClips === null ? (
            <p className="muted loading" role="status">
              {t('queue.loading')}
            </p>
          ) : (
            <WelcomePanel
              locale={locale}
              empty={totalClips === 0}
              demoAvailable={info.demoAvailable}
              importing={importing}
              summary={summary}
              allDone={allDone}
              onLoadDemo={() => void loadDemo()}
              onOpenNext={() => void openNext()}
            />
          )}
        </main>
      </div>
      <StatusBar stats={sessionStats} locale={locale} hashing={hashing} />
    </div>
  )
}
