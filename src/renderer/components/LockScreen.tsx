import { useEffect, useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiError } from '../../shared/errors'
import type { ProfileStatus } from '../../shared/profile-lock'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import { passphraseProblem, retryInMs } from '../state/lock'
import { ErrorAlert } from './ErrorAlert'

interface Props {
  status: ProfileStatus
  /** The profile is open: start the app again. */
  onUnlocked: () => void
}

/**
 * What shows while the profile is locked (issue 15): type the passphrase (or ask the OS key
 * store again), or, for a new profile or an old clear one, choose the passphrase that will
 * encrypt it. Nothing of the profile is on screen meanwhile; the workspace is not mounted.
 */
export function LockScreen({ status, onUnlocked }: Props) {
  const { t } = useTranslation()
  const api = useApi()
  const choosing = status.state === 'new' || status.state === 'clear'
  const [passphrase, setPassphrase] = useState('')
  const [confirm, setConfirm] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [waitUntil, setWaitUntil] = useState(() => (status.retryInMs > 0 ? Date.now() + status.retryInMs : 0))
  const [now, setNow] = useState(() => Date.now())
  const titleId = useId()
  const introId = useId()
  const problemId = useId()

  // A countdown while the host makes the next try wait.
  const waitMs = Math.max(0, waitUntil - now)
  useEffect(() => {
    if (waitUntil <= Date.now()) return
    const timer = setInterval(() => setNow(Date.now()), 250)
    return () => clearInterval(timer)
  }, [waitUntil])

  const problem = choosing ? passphraseProblem(passphrase, confirm, status.minPassphraseLength) : null
  const working = busy || status.state === 'unlocking'
  const encrypting = status.encrypting || (busy && status.state === 'clear')

  const unlock = async (how: { passphrase: string } | { osStore: true }) => {
    setBusy(true)
    setError(null)
    try {
      const after = await api.call('profile.unlock', how)
      if (after.state === 'unlocked') onUnlocked()
    } catch (err) {
      const e = toApiError(err)
      setError(e)
      const wait = retryInMs(e)
      if (wait > 0) {
        setWaitUntil(Date.now() + wait)
        setNow(Date.now())
      }
      setPassphrase('')
      setConfirm('')
    } finally {
      setBusy(false)
    }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setTouched(true)
    if (working || waitMs > 0 || passphrase === '' || problem) return
    void unlock({ passphrase })
  }

  const wrong = error?.code === 'wrong_passphrase'
  const lockedWhy = status.state === 'locked' && status.lockedBy && status.lockedBy !== 'start' ? t(`lock.lockedBy.${status.lockedBy}`) : null

  return (
    <main className="boot lock-screen" aria-labelledby={titleId} data-testid={choosing ? 'choose-passphrase' : 'lock-screen'} data-state={status.state}>
      <h1>{t('app.name')}</h1>
      <h2 id={titleId}>{t(status.state === 'new' ? 'lock.newTitle' : status.state === 'clear' ? 'lock.clearTitle' : status.state === 'wiped' ? 'lock.wipedTitle' : 'lock.title')}</h2>
      {status.state === 'wiped' && (
        <p className="danger" role="alert">
          {t('lock.wipedIntro')}
        </p>
      )}
      {choosing ? (
        <div id={introId}>
          <p>{t(status.state === 'new' ? 'lock.newIntro' : 'lock.clearIntro')}</p>
          <p className="lock-warning">
            <strong>{t('lock.noRecovery')}</strong>
          </p>
        </div>
      ) : (
        lockedWhy && <p id={introId}>{lockedWhy}</p>
      )}
      {status.problem && <p className="danger">{t('lock.osProblem', { message: status.problem })}</p>}

      {status.state !== 'wiped' && (choosing || status.hasPassphrase) && (
        <form onSubmit={submit} className="lock-form" aria-describedby={choosing || lockedWhy ? introId : undefined} noValidate>
          <label className="field">
            <span>{choosing ? t('lock.newPassphrase', { min: status.minPassphraseLength }) : t('lock.passphrase')}</span>
            <input
              type="password"
              autoComplete={choosing ? 'new-password' : 'current-password'}
              // The first thing to do here is type it.
              autoFocus
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              disabled={working}
              aria-invalid={(touched && problem === 'tooShort') || wrong || undefined}
              aria-describedby={(touched && problem) || error ? problemId : undefined}
              data-testid="passphrase"
            />
          </label>
          {choosing && (
            <label className="field">
              <span>{t('lock.confirm')}</span>
              <input
                type="password"
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
                disabled={working}
                aria-invalid={(touched && problem === 'mismatch') || undefined}
                aria-describedby={touched && problem ? problemId : undefined}
                data-testid="passphrase-confirm"
              />
            </label>
          )}
          <div id={problemId}>
            {touched && problem && (
              <p className="danger" role="alert" data-testid="passphrase-problem" data-problem={problem}>
                {t(`lock.${problem}`, { min: status.minPassphraseLength })}
              </p>
            )}
            {wrong && (
              <p className="danger" role="alert" data-testid="unlock-error" data-code="wrong_passphrase">
                {t('lock.wrong')}
              </p>
            )}
            {waitMs > 0 && (
              <p role="status" data-testid="unlock-wait">
                {t('lock.wait', { seconds: Math.ceil(waitMs / 1000) })}
              </p>
            )}
          </div>
          <div className="save-row">
            <button type="submit" className="primary" disabled={working || waitMs > 0} data-testid="unlock">
              {t(choosing ? 'lock.create' : 'lock.unlock')}
            </button>
          </div>
        </form>
      )}
      {!choosing && status.state !== 'wiped' && status.osStore && (
        <div className="save-row">
          <button type="button" className={status.hasPassphrase ? undefined : 'primary'} onClick={() => void unlock({ osStore: true })} disabled={working} data-testid="unlock-os">
            {t('lock.unlockOs')}
          </button>
        </div>
      )}
      {working && (
        <p role="status" aria-live="polite" className="lock-progress" data-testid="unlocking">
          <span className="spinner" aria-hidden="true" /> {t(encrypting ? 'lock.encrypting' : 'lock.unlocking')}
        </p>
      )}
      {working && status.encryptProgress && status.encryptProgress.total > 0 && (
        <label className="field" data-testid="encrypt-progress">
          <span>{t(`lock.phase.${status.encryptProgress.phase}`)}</span>
          <progress max={status.encryptProgress.total} value={Math.min(status.encryptProgress.done, status.encryptProgress.total)} />
        </label>
      )}
      {error && !wrong && error.code !== 'too_many_attempts' && (error.code !== 'invalid_input' || !choosing) && <ErrorAlert error={error} />}
      {error?.code === 'invalid_input' && choosing && (
        <p className="danger" role="alert" data-testid="unlock-error" data-code="invalid_input">
          {error.message}
        </p>
      )}
    </main>
  )
}
