import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiError } from '../../shared/errors'
import type { SyncIssues, SyncStatus } from '../../shared/sync-status'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'

const FIRST_STATUS_DELAY_MS = 400

/**
 * The sync client's status as the host reports it (asked once, then followed through
 * `sync.status` events), and the reviewer's sync actions. An action's own failure (a
 * wrong enrollment code, say) is returned to the form that asked; a run's failure shows
 * in the status.
 */
export function useSync() {
  const api = useApi()
  const [status, setStatus] = useState<SyncStatus | null>(null)
  const [issues, setIssues] = useState<SyncIssues | null>(null)
  /** Events seen so far: an answer is older than any event that arrived while it was on its way. */
  const events = useRef(0)

  useEffect(() => {
    let live = true
    const off = api.on('sync.status', (s) => {
      events.current++
      setStatus(s)
    })
    // Not among the start-up calls: the queue comes first, the sync button a moment later.
    const ask = window.setTimeout(() => {
      const seen = events.current
      api.call('sync.status', {}).then(
        (s) => live && events.current === seen && setStatus(s),
        () => undefined,
      )
    }, FIRST_STATUS_DELAY_MS)
    return () => {
      live = false
      window.clearTimeout(ask)
      off()
    }
  }, [api])

  // An action's answer is the status when the host answered; the run it started goes on
  // and reports through events, which may reach the page before that answer does. The
  // answer is used only when no event came meanwhile, so it never hides a newer status.
  const act = useCallback(
    async (run: () => Promise<SyncStatus>): Promise<ApiError | null> => {
      const seen = events.current
      try {
        const answer = await run()
        if (events.current === seen) setStatus(answer)
        return null
      } catch (err) {
        return toApiError(err)
      }
    },
    [],
  )

  const enroll = useCallback((serverUrl: string, code: string) => act(() => api.call('sync.enroll', { serverUrl, code })), [act, api])
  const runNow = useCallback(() => act(() => api.call('sync.run', {})), [act, api])
  const unenroll = useCallback(() => act(() => api.call('sync.unenroll', {})), [act, api])
  const loadIssues = useCallback(async () => {
    try {
      setIssues(await api.call('sync.issues', {}))
    } catch {
      setIssues(null)
    }
  }, [api])

  return { status, issues, enroll, runNow, unenroll, loadIssues }
}

export type SyncControls = ReturnType<typeof useSync>
