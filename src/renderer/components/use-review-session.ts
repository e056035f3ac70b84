import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { TinjauApi } from '../../shared/contract'
import type { ClipDetail, DecisionRecord } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import type { ClipMatches } from '../../shared/known-content'
import type { Policy } from '../../shared/policy'
import { DEFAULT_WELLNESS } from '../../shared/wellness-limits'
import type { WellnessSettings } from '../../shared/wellness'
import { toApiError } from '../api/api-error'
import { useQueueChanged } from './hooks'
import {
  countSensitiveClip,
  createExposure,
  dismissReminder,
  isBreakDue,
  msUntilBreakDue,
  setExposed,
  takeBreak,
  type ExposureState,
} from '../state/exposure'
import { isPolicyPanelKey, keyPressOf } from '../state/keys'
import { recentEntries, sessionDecisionCount, type RecentEntry } from '../state/recent'
import { useClipProtection } from '../../ui/use-clip-protection'
import { protectedMatchLabels, protectionLabels } from '../state/match-protection'

const NO_FLAGS: readonly { label: string }[] = []

/**
 * The reviewer's session (shift), for the wellness features, the recent decisions strip
 * and the shift summary. All rules are pure (state/exposure.ts, state/wellness.ts,
 * state/recent.ts); this only keeps the state and talks to the host.
 */

const RECENT_FETCH = 60

function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState !== 'hidden')
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden')
    document.addEventListener('visibilitychange', update)
    return () => document.removeEventListener('visibilitychange', update)
  }, [])
  return visible
}

/** The reviewer's wellness defaults, loaded from and saved to the profile. */
function useWellnessSettings(api: TinjauApi, onError: (e: ApiError) => void) {
  const [settings, setSettings] = useState<WellnessSettings>(DEFAULT_WELLNESS)
  const [loaded, setLoaded] = useState(false)
  useEffect(() => {
    let cancelled = false
    api.call('settings.get', {}).then(
      (s) => {
        if (!cancelled) {
          setSettings(s.wellness)
          setLoaded(true)
        }
      },
      (err: unknown) => {
        if (!cancelled) {
          setLoaded(true)
          onError(toApiError(err))
        }
      },
    )
    return () => {
      cancelled = true
    }
    // onError is a state setter: stable.
  }, [api])
  const save = useCallback(
    async (next: WellnessSettings): Promise<boolean> => {
      try {
        setSettings(await api.call('settings.setWellness', next))
        return true
      } catch (err) {
        onError(toApiError(err))
        return false
      }
    },
    [api],
  )
  return { settings, loaded, save }
}


/** Exposure to sensitive clips, with the break reminder; times from the real clock. */
function useExposure(exposed: boolean, clipId: string | null, breakAfterMinutes: number) {
  const [state, setState] = useState<ExposureState>(() => createExposure(Date.now()))
  const [, setTick] = useState(0)
  const spanMs = breakAfterMinutes * 60_000
  const counted = useRef<string | null>(null)

  useEffect(() => {
    setState((s) => setExposed(s, exposed, Date.now()))
  }, [exposed])
  useEffect(() => {
    if (exposed && clipId && counted.current !== clipId) {
      counted.current = clipId
      setState((s) => countSensitiveClip(s))
    }
  }, [exposed, clipId])
  // Wake up when the reminder becomes due.
  useEffect(() => {
    const ms = msUntilBreakDue(state, Date.now(), spanMs)
    if (ms === null || ms === 0) return
    const id = window.setTimeout(() => setTick((n) => n + 1), Math.min(ms + 250, 2 ** 31 - 1))
    return () => window.clearTimeout(id)
  })

  return {
    state,
    spanMs,
    breakDue: isBreakDue(state, Date.now(), spanMs),
    dismiss: () => setState((s) => dismissReminder(s, Date.now())),
    takeBreak: () => setState((s) => takeBreak(s, Date.now())),
  }
}

/** This session's decisions: the recent strip, and the count for the shift summary. */
function useSessionDecisions(api: TinjauApi, deviceId: string, sessionStartMs: number) {
  const [recent, setRecent] = useState<RecentEntry[]>([])
  const [count, setCount] = useState(0)
  const baseline = useRef<number | null>(null)
  const generation = useRef(0)

  const load = useCallback(async () => {
    const mine = ++generation.current
    try {
      const page = await api.call('decision.list', { limit: RECENT_FETCH, offset: 0 })
      if (mine !== generation.current) return
      const items: DecisionRecord[] = page.items
      if (baseline.current === null) {
        // The first answer sets the baseline: decisions made since are this session's.
        baseline.current = page.total - items.filter((d) => Date.parse(d.decidedAt) >= sessionStartMs && d.deviceId === deviceId).length
      }
      setCount(sessionDecisionCount(page.total, baseline.current))
      setRecent(recentEntries(items, sessionStartMs, deviceId))
    } catch {
      // The strip is a convenience: a failed refresh keeps what it showed; the next event retries.
    }
  }, [api, deviceId, sessionStartMs])

  useEffect(() => {
    void load()
  }, [load])
  useQueueChanged(api, load)
  return { recent, count, refresh: load }
}

export type SessionPanel = 'policy' | 'shift' | 'wellness' | 'matching' | 'hashLists' | 'lock'

/** Which of the session's dialogs is open; Shift+P opens and closes the policy panel. */
function usePanels() {
  const [panel, setPanel] = useState<SessionPanel | null>(null)
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || !isPolicyPanelKey(keyPressOf(e))) return
      e.preventDefault()
      setPanel((p) => (p === 'policy' ? null : 'policy'))
    }
    window.addEventListener('keydown', down)
    return () => window.removeEventListener('keydown', down)
  }, [])
  return { panel, open: (p: SessionPanel) => setPanel(p), close: () => setPanel(null) }
}

export function useReviewSession(
  api: TinjauApi,
  opts: { deviceId: string; policy: Policy; clip: ClipDetail | null; matches?: ClipMatches | null; onError: (e: ApiError) => void },
) {
  const [sessionStartMs] = useState(() => Date.now())
  const wellness = useWellnessSettings(api, opts.onError)
  // A match to footage decided in a protected category protects the clip as its own flag would.
  const { policy, clip, matches } = opts
  const flags = clip?.flags ?? NO_FLAGS
  const fromMatches = useMemo(() => protectedMatchLabels(policy, matches ?? null), [policy, matches])
  const labels = useMemo(() => protectionLabels(flags, fromMatches), [flags, fromMatches])
  const protection = useClipProtection(clip?.id ?? null, labels, policy, wellness.settings, wellness.loaded)
  const visible = useDocumentVisible()
  const exposure = useExposure(visible && protection.sensitive.length > 0, opts.clip?.id ?? null, wellness.settings.breakAfterMinutes)
  const decisions = useSessionDecisions(api, opts.deviceId, sessionStartMs)
  const [skips, setSkips] = useState(0)
  const panels = usePanels()
  return {
    panels,
    sessionStartMs,
    wellness,
    protection,
    exposure,
    decisions,
    skips,
    countSkip: () => setSkips((n) => n + 1),
  }
}

export type ReviewSession = ReturnType<typeof useReviewSession>
