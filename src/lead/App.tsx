import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, SessionInfo, SignOutResult } from '../shared/lead-api'
import { Policy, type Locale } from '../shared/policy'
import { earlyAnswers } from './api/early-answers'
import { LeadClient, type LeadApiError } from './api/lead-client'
import { LeadProblem } from './components/LeadProblem'
import { Shell } from './components/Shell'
import { SignIn } from './components/SignIn'
import { LOCALE_KEY } from './i18n/i18n'
import { asLeadError, LeadContext, type Lead } from './lead-context'
import { pageModules } from './page-modules'
import { DisputesPage } from './pages/DisputesPage'
import type { Route } from './route'
import { useRoute } from './use-route'

type SessionState = { state: 'checking' } | { state: 'signedOut'; reason: 'ended' | 'signedOut' | null } | { state: 'signedIn'; session: SessionInfo; policy: Policy | null }

// The disputed list is part of the console's first code (a lead's usual way in, and where
// the console's start is measured); every other page is its own chunk, loaded when first
// opened (or by boot.ts, when the console is opened at it).
const OverviewPage = lazy(() => pageModules.overview().then((m) => ({ default: m.OverviewPage })))
const ClipPage = lazy(() => pageModules.clip().then((m) => ({ default: m.ClipPage })))
const QaPage = lazy(() => pageModules.qa().then((m) => ({ default: m.QaPage })))
const ExportsPage = lazy(() => pageModules.exports().then((m) => ({ default: m.ExportsPage })))
const AdminPage = lazy(() => pageModules.admin().then((m) => ({ default: m.AdminPage })))

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

const defaultClient = new LeadClient(undefined, earlyAnswers)

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

  // The page's first answers (boot.ts) serve the first page only: its effects, which take
  // them, run before this one. Signed out, or stopped by an error, they are dropped too, so
  // nothing asked for before a sign-in is shown after it.
  const started = lead !== null || session.state === 'signedOut' || error !== null
  useEffect(() => {
    if (started) earlyAnswers.drop()
  }, [started])

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
        <Suspense
          fallback={
            <p className="loading" role="status">
              {t('common.loading')}
            </p>
          }
        >
          <Page route={route} role={lead.session.lead.role} />
        </Suspense>
      </Shell>
    </LeadContext.Provider>
  )
}
