import { useEffect } from 'react'
import type { TinjauApi } from '../../shared/contract'
import { activityReportEveryMs } from '../state/lock'

const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const

/**
 * Tell the host the reviewer is at work, so its idle timer (which owns the idle lock:
 * core/profile-session.ts) starts again. One small call at most every
 * activityReportEveryMs, whatever the input rate; nothing while the idle lock is off.
 */
export function useActivityReport(api: TinjauApi, idleLockMs: number | null): void {
  useEffect(() => {
    if (idleLockMs === null) return
    const every = activityReportEveryMs(idleLockMs)
    let last = 0
    const report = () => {
      const now = Date.now()
      if (now - last < every) return
      last = now
      api.call('profile.activity', {}).catch(() => undefined)
    }
    const opts = { capture: true, passive: true } as const
    for (const e of INPUT_EVENTS) window.addEventListener(e, report, opts)
    return () => {
      for (const e of INPUT_EVENTS) window.removeEventListener(e, report, opts)
    }
  }, [api, idleLockMs])
}
