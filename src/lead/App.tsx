import { useCallback, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, SessionInfo, SignOutResult } from '../shared/lead-api'
import { Policy, type Locale } from '../shared/policy'
import { LeadClient, type LeadApiError } from './api/lead-client'
import { LeadProblem } from './components/LeadProblem'
import { Shell } from './components/Shell'
import { SignIn } from './components/SignIn'
import { LOCALE_KEY } from './i18n/i18n'
import { asLeadError, LeadContext, type Lead } from './lead-context'
import { AdminPage } from './pages/AdminPage'
import { ClipPage } from './pages/ClipPage'
import { DisputesPage } from './pages/DisputesPage'
import { ExportsPage } from './pages/ExportsPage'
import { OverviewPage } from './pages/OverviewPage'
import { QaPage } from './pages/QaPage'
import { useRoute, type Route } from './route'

type SessionState = { state: 'checking' } | { state: 'signedOut'; reason: 'ended' | 'signedOut' | null } | { state: 'signedIn'; session: SessionInfo; policy: Policy | null }

function Page({ route, role }: { route: Route; role: SessionInfo['lead']['role'] }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />
    case 'disputes':
      return <DisputesPage />
    case 'clip':
      return <ClipPage key={route.clipId} clipId={route.clipId} />
    case 'qa':
      return <QaPage />
    case 'exports':
      return <ExportsPage />
    case 'admin':
      return role === 'admin' ? <AdminPage /> : <OverviewPage />
  }
}

const defaultClient = new LeadClient()

/** Sign-in, then the console: the session is the cookie's (HttpOnly); this only asks who it is. */
export function App({ client = defaultClient }: { client?: LeadClient }) {
  const { t, i18n } = useTranslation()
  const route = useRoute()
  const [session, setSession] = useState<SessionState>({ state: 'checking' })
  const [error, setError] = useState<LeadApiError | null>(null)
  const [locale, setLocale] = useState<Locale>(i18n.language as Locale)

  const loadPolicy = useCallback(
    async (info: SessionInfo) => {
      setSession({ state: 'signedIn', session: info, policy: null })
      try {
        const policy = await client.call(Policy, 'GET', LEAD_ROUTES.policy)
        setSession({ state: 'signedIn', session: info, policy })
      } catch (err) {
        const e = asLeadError(err)
        if (e.code === 'unauthorized') setSession({ state: 'signedOut', reason: 'ended' })
        else setError(e)
      }
    },
    [client],
  )

  useEffect(() => {
    client.call(SessionInfo, 'GET', LEAD_ROUTES.session).then(loadPolicy, (err: unknown) => {
      const e = asLeadError(err)
      if (e.code !== 'unauthorized') setError(e)
      setSession({ state: 'signedOut', reason: null })
    })
  }, [client, loadPolicy])

  const changeLocale = (l: Locale) => {
    setLocale(l)
    void i18n.changeLanguage(l)
    document.documentElement.lang = l
    try {
      localStorage.setItem(LOCALE_KEY, l)
    } catch {
      // private mode: the choice lasts for this page only
    }
  }

  const signOut = async () => {
    try {
      await client.call(SignOutResult, 'DELETE', LEAD_ROUTES.session)
    } catch {
      // Signed out already, or the service is gone: the console forgets the session either way.
    }
    setSession({ state: 'signedOut', reason: 'signedOut' })
  }

  const lead = useMemo<Lead | null>(
    () =>
      session.state === 'signedIn' && session.policy
        ? { client, session: session.session, policy: session.policy, locale, sessionEnded: () => setSession({ state: 'signedOut', reason: 'ended' }) }
        : null,
    [client, session, locale],
  )

  if (session.state === 'checking' || (session.state === 'signedIn' && !session.policy && !error)) {
    return (
      <p className="loading" role="status">
        {t('common.loading')}
      </p>
    )
  }
  if (session.state === 'signedOut') {
    return (
      <>
        {error && <LeadProblem error={error} onDismiss={() => setError(null)} />}
        <SignIn client={client} reason={session.reason} onSignedIn={(s) => (setError(null), void loadPolicy(s))} />
      </>
    )
  }
  if (!lead) {
    return <main id="main">{error && <LeadProblem error={error} onReload={() => window.location.reload()} />}</main>
  }
  return (
    <LeadContext.Provider value={lead}>
      <Shell route={route} session={lead.session} locale={locale} onLocale={changeLocale} onSignOut={signOut}>
        <Page route={route} role={lead.session.lead.role} />
      </Shell>
    </LeadContext.Provider>
  )
}
