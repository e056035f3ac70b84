import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { AppInfo } from '../shared/domain'
import type { ApiError } from '../shared/errors'
import type { Locale, Policy } from '../shared/policy'
import { toApiError } from './api/api-error'
import { useApi } from './api/api-context'
import { ErrorAlert } from './components/ErrorAlert'
import type { FirstPage } from './components/use-queue'
import { Workspace } from './components/Workspace'
import { bootAnswers, startBoot, type BootRequests } from './boot'
import { isLocale } from './i18n/i18n'
import { markTiming } from './timing'

type Boot =
  | { state: 'loading' }
  | { state: 'failed'; error: ApiError }
  | { state: 'ready'; info: AppInfo; policy: Policy; firstPage: { key: string; page: FirstPage } }

/** Start: ask the host who we are and which policy applies, then hand over to the workspace. */
interface Props {
  /** The start-up calls, already on their way (main.tsx); a retry asks again. */
  boot?: BootRequests | undefined
}

export function App({ boot: early }: Props) {
  const api = useApi()
  const { t, i18n } = useTranslation()
  // Answered before React loaded (the usual case: main.tsx sent the calls first): the
  // workspace is the first render, not a loading screen and then the workspace.
  const [answeredEarly] = useState(() => (early ? bootAnswers(early) : null))
  const [boot, setBoot] = useState<Boot>(() =>
    early && answeredEarly ? { state: 'ready', info: answeredEarly.info, policy: answeredEarly.policy, firstPage: early.firstPage } : { state: 'loading' },
  )
  const [locale, setLocale] = useState<Locale>(() => answeredEarly?.info.locale ?? (isLocale(i18n.language) ? i18n.language : 'en'))

  // useTranslation hands out a new `i18n` object on every language change; keep the
  // first (it forwards to the same instance) so that changing language never looks like
  // a reason to start over.
  const i18nRef = useRef(i18n)
  const applyLocale = useCallback((next: Locale) => {
    setLocale(next)
    void i18nRef.current.changeLanguage(next)
  }, [])

  const earlyBoot = useRef(early ?? null)
  const start = useCallback(async () => {
    setBoot({ state: 'loading' })
    // The queue's first page is asked for with app.info and policy.get: it is what the reviewer waits for.
    const requests = earlyBoot.current ?? startBoot(api)
    earlyBoot.current = null
    try {
      const firstPage = requests.firstPage
      const [info, policy] = await Promise.all([requests.info.promise, requests.policy.promise])
      applyLocale(info.locale)
      markTiming('boot-answered')
      setBoot({ state: 'ready', info, policy, firstPage })
    } catch (err) {
      setBoot({ state: 'failed', error: toApiError(err) })
    }
  }, [api, applyLocale])

  useEffect(() => {
    if (answeredEarly) {
      markTiming('boot-answered')
      if (i18nRef.current.language !== answeredEarly.info.locale) void i18nRef.current.changeLanguage(answeredEarly.info.locale)
      return
    }
    void start()
  }, [start, answeredEarly])

  useEffect(() => {
    document.documentElement.lang = locale
  }, [locale])

  if (boot.state === 'ready') {
    return <Workspace info={boot.info} policy={boot.policy} firstPage={boot.firstPage} locale={locale} onLocaleChange={applyLocale} />
  }
  return (
    <div className="boot">
      <h1>{t('app.name')}</h1>
      {boot.state === 'loading' ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <h2>{t('app.startFailed')}</h2>
          <ErrorAlert error={boot.error} />
          <button type="button" onClick={() => void start()}>
            {t('app.retry')}
          </button>
        </>
      )}
    </div>
  )
}
