import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react'
import type { SessionInfo } from '../shared/lead-api'
import type { Locale, Policy } from '../shared/policy'
import { LeadApiError, type LeadClient } from './api/lead-client'

/** What every page of the console has: the client, who is signed in, the policy, the language. */
export interface Lead {
  client: LeadClient
  session: SessionInfo
  policy: Policy
  locale: Locale
  /** A call answered `unauthorized`: the session ended; back to sign-in. */
  sessionEnded(): void
}

export const LeadContext = createContext<Lead | null>(null)

export function useLead(): Lead {
  const lead = useContext(LeadContext)
  if (!lead) throw new Error('useLead outside the signed-in console')
  return lead
}

export interface Loaded<T> {
  data: T | null
  error: LeadApiError | null
  loading: boolean
  reload(): void
}

/** An error of any kind as the console shows it. */
export function asLeadError(err: unknown): LeadApiError {
  return err instanceof LeadApiError ? err : new LeadApiError('invalid_response', (err as Error)?.message ?? String(err), 0)
}

/**
 * Load what a page shows, again when `deps` change or on reload(); an older answer never
 * replaces a newer one, and an ended session sends the lead back to sign-in.
 */
export function useLeadLoad<T>(load: (lead: Lead, signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const lead = useLead()
  const [state, setState] = useState<{ data: T | null; error: LeadApiError | null; loading: boolean }>({ data: null, error: null, loading: true })
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    const ctl = new AbortController()
    setState((s) => ({ ...s, loading: true }))
    loadRef.current(lead, ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, error: null, loading: false })
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return
        const e = asLeadError(err)
        if (e.code === 'unauthorized') lead.sessionEnded()
        setState((s) => ({ data: s.data, error: e, loading: false }))
      },
    )
    return () => ctl.abort()
  }, [lead, tick, ...deps])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { ...state, reload }
}
