import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TinjauApi } from '../shared/contract'
import type { AppInfo } from '../shared/domain'
import type { ApiError } from '../shared/errors'
import type { Locale, Policy } from '../shared/policy'
import type { ProfileStatus } from '../shared/profile-lock'
import { ApiCallError, toApiError } from './api/api-error'
import { ApiContext, useApi } from './api/api-context'
import { ErrorAlert } from './components/ErrorAlert'
import { LockScreen } from './components/LockScreen'
import { useActivityReport } from './components/use-activity-report'
import type { FirstPage } from './components/use-queue'
import { Workspace } from './components/Workspace'
import { bootAnswers, startBoot, type BootRequests } from './boot'
import { isLocale } from './i18n/i18n'
import { markTiming } from './timing'

type Boot =
  | { state: 'loading' }
  | { state: 'locked' }
  | { state: 'failed'; error: ApiError }
  | { state: 'ready'; info: AppInfo; policy: Policy; firstPage: { key: string; page: FirstPage } }

/** How long a start may take before the loading screen asks whether the profile is being unlocked. */
const SLOW_START_MS = 700

/** Start: ask the host who we are and which policy applies, then hand over to the workspace. */
interface Props {
  /** The start-up calls, already on their way (main.tsx); a retry asks again. */
  boot?: BootRequests | undefined
}

/**
 * The api the workspace uses: a call refused as `locked` brings up the lock screen too (its
 * event may have been missed: a sleeping tab's event stream reconnects without it).
 */
function lockAware(api: TinjauApi, onLocked: () => void): TinjauApi {
  return {
    ...api,
    call: (method, input) =>
      api.call(method, input).catch((err: unknown) => {
        if (err instanceof ApiCallError && err.code === 'locked') onLocked()
        throw err
      }),
  }
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

  // The lock (issue 15). The lock screen replaces everything: the workspace is unmounted, so
  // no clip, title or decision stays on screen or in the page's memory.
  const [lock, setLock] = useState<ProfileStatus | null>(null)
  const lockShown = useRef(false)
  const [unlockingAtStart, setUnlockingAtStart] = useState<ProfileStatus | null>(null)
  const [idleLockMs, setIdleLockMs] = useState<number | null>(null)
  // Until told otherwise (a host handed an open profile, `tinjau serve`, cannot lock), offer Lock.
  const [canLock, setCanLock] = useState(true)
  const showLock = useCallback((status: ProfileStatus) => {
    lockShown.current = true
    setLock(status)
  }, [])
  const askLock = useCallback(() => {
    api.call('profile.status', {}).then(
      (s) => {
        if (s.state !== 'unlocked') showLock(s)
      },
      () => undefined,
    )
  }, [api, showLock])
  const unlocked = useCallback(() => {
    if (!lockShown.current) return
    lockShown.current = false
    setLock(null)
    void start()
  }, [start])
  useEffect(
    () =>
      api.on('profile.status', (s) => {
        if (s.state === 'unlocked') {
          setIdleLockMs(s.idleLockMs)
          setUnlockingAtStart(null)
          unlocked()
        } else if (s.state === 'unlocking') {
          // The lock screen's own unlock: it shows its progress; keep what it asked (choose or type).
          if (lockShown.current) setLock((prev) => (prev ? { ...prev, encrypting: s.encrypting } : s))
          else setUnlockingAtStart(s)
        } else showLock(s)
      }),
    [api, showLock, unlocked],
  )
  // Locked at start: the start-up calls were refused.
  useEffect(() => {
    if (boot.state === 'failed' && boot.error.code === 'locked') {
      setBoot({ state: 'locked' })
      askLock()
    }
    if (boot.state === 'ready') {
      api.call('profile.status', {}).then(
        (s) => {
          setIdleLockMs(s.idleLockMs)
          setCanLock(s.canLock)
        },
        () => undefined,
      )
    }
  }, [boot, api, askLock])
  // A start that takes a while is an unlock under way at start (the OS store, or
  // TINJAU_PASSPHRASE), whose "unlocking" event came before this page listened: ask, and say
  // so (encrypting an old profile in place can take a minute).
  useEffect(() => {
    if (boot.state !== 'loading') return
    const timer = setTimeout(() => {
      api.call('profile.status', {}).then(
        (s) => {
          if (s.state === 'unlocking') setUnlockingAtStart(s)
        },
        () => undefined,
      )
    }, SLOW_START_MS)
    return () => clearTimeout(timer)
  }, [boot.state, api])
  const workspaceApi = useMemo(() => lockAware(api, askLock), [api, askLock])
  const lockNow = useCallback(async () => showLock(await api.call('profile.lock', {})), [api, showLock])
  useActivityReport(api, boot.state === 'ready' && !lock ? idleLockMs : null)

  if (lock) return <LockScreen status={lock} onUnlocked={unlocked} />
  if (boot.state === 'ready') {
    return (
      <ApiContext value={workspaceApi}>
        <Workspace info={boot.info} policy={boot.policy} firstPage={boot.firstPage} locale={locale} onLocaleChange={applyLocale} onLock={canLock ? lockNow : undefined} />
      </ApiContext>
    )
  }
  return (
    <div className="boot">
      <h1>{t('app.name')}</h1>
      {boot.state === 'loading' || boot.state === 'locked' ? (
        <p role="status">{unlockingAtStart ? t(unlockingAtStart.encrypting ? 'lock.encrypting' : 'lock.unlocking') : t('app.loading')}</p>
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
