import { useEffect, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiError } from '../../shared/errors'
import { IDLE_LOCK_CHOICES, type ProfileStatus } from '../../shared/profile-lock'
import { Dialog } from '../../ui/Dialog'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import { passphraseProblem } from '../state/lock'

interface Props {
  onClose: () => void
  onError: (e: ApiError) => void
}

/**
 * The lock's settings, kept in the profile: after how long without input the host locks
 * it, and the passphrase that opens it (set one on an app-made profile, so the CLI and
 * another Tinjau can open it; change it with the current one).
 */
export function LockSettingsDialog({ onClose, onError }: Props) {
  const api = useApi()
  const { t } = useTranslation()
  const [minutes, setMinutes] = useState<number | null>(null)
  const [status, setStatus] = useState<ProfileStatus | null>(null)
  const [saving, setSaving] = useState(false)
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [touched, setTouched] = useState(false)
  const [passError, setPassError] = useState<string | null>(null)
  const [passSaved, setPassSaved] = useState(false)

  useEffect(() => {
    let cancelled = false
    Promise.all([api.call('settings.get', {}), api.call('profile.status', {})]).then(
      ([s, st]) => {
        if (cancelled) return
        setMinutes(s.idleLock.minutes)
        setStatus(st)
      },
      (err: unknown) => {
        if (!cancelled) onError(toApiError(err))
      },
    )
    return () => {
      cancelled = true
    }
    // onError is a state setter: stable.
  }, [api])

  const choices: number[] = minutes === null || (IDLE_LOCK_CHOICES as readonly number[]).includes(minutes) ? [...IDLE_LOCK_CHOICES] : [...IDLE_LOCK_CHOICES, minutes].sort((a, b) => a - b)

  const saveIdle = async (e: FormEvent) => {
    e.preventDefault()
    if (minutes === null || saving) return
    setSaving(true)
    try {
      await api.call('settings.setIdleLock', { minutes })
      onClose()
    } catch (err) {
      onError(toApiError(err))
    } finally {
      setSaving(false)
    }
  }

  const min = status?.minPassphraseLength ?? 8
  const problem = passphraseProblem(next, confirm, min)
  const savePassphrase = async (e: FormEvent) => {
    e.preventDefault()
    setTouched(true)
    setPassSaved(false)
    if (!status || problem || saving) return
    setSaving(true)
    setPassError(null)
    try {
      const after = await api.call('profile.setPassphrase', status.hasPassphrase ? { passphrase: next, current } : { passphrase: next })
      setStatus(after)
      setCurrent('')
      setNext('')
      setConfirm('')
      setTouched(false)
      setPassSaved(true)
    } catch (err) {
      const error = toApiError(err)
      setPassError(error.code === 'wrong_passphrase' ? t('lock.wrong') : error.message)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Dialog title={t('lockSettings.title')} onClose={onClose} testId="lock-settings">
      <form onSubmit={(e) => void saveIdle(e)}>
        <label className="field">
          <span>{t('lockSettings.idle')}</span>
          <select
            value={minutes ?? ''}
            disabled={minutes === null || status?.idleLockFixed}
            onChange={(e) => setMinutes(Number(e.target.value))}
            data-testid="idle-lock-minutes"
          >
            {choices.map((m) => (
              <option key={m} value={m}>
                {m === 0 ? t('lockSettings.never') : t('lockSettings.minutes', { count: m })}
              </option>
            ))}
          </select>
        </label>
        {status?.idleLockFixed && status.idleLockMs !== null && <p className="muted">{t('lockSettings.fixed', { seconds: Math.round(status.idleLockMs / 1000) })}</p>}
        <div className="save-row">
          <button type="submit" className="primary" disabled={minutes === null || saving || status?.idleLockFixed} data-testid="lock-settings-save">
            {t('lockSettings.save')}
          </button>
        </div>
      </form>
      {status?.canLock && (
        <form onSubmit={(e) => void savePassphrase(e)} noValidate>
          <fieldset>
            <legend>{t('lockSettings.passphraseTitle')}</legend>
            <p>{t(status.hasPassphrase ? 'lockSettings.passphraseSet' : 'lockSettings.passphraseNone')}</p>
            <p className="lock-warning">{t('lock.noRecovery')}</p>
            {status.hasPassphrase && (
              <label className="field">
                <span>{t('lockSettings.current')}</span>
                <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="current-passphrase" />
              </label>
            )}
            <label className="field">
              <span>{t('lock.newPassphrase', { min })}</span>
              <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} aria-invalid={(touched && problem === 'tooShort') || undefined} data-testid="new-passphrase" />
            </label>
            <label className="field">
              <span>{t('lock.confirm')}</span>
              <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={(touched && problem === 'mismatch') || undefined} data-testid="confirm-passphrase" />
            </label>
            {touched && problem && (
              <p className="danger" role="alert">
                {t(`lock.${problem}`, { min })}
              </p>
            )}
            {passError && (
              <p className="danger" role="alert" data-testid="passphrase-error">
                {passError}
              </p>
            )}
            {passSaved && (
              <p role="status" data-testid="passphrase-saved">
                {t('lockSettings.passphraseSaved')}
              </p>
            )}
            <div className="save-row">
              <button type="submit" disabled={saving} data-testid="set-passphrase">
                {t(status.hasPassphrase ? 'lockSettings.changePassphrase' : 'lockSettings.setPassphrase')}
              </button>
            </div>
          </fieldset>
        </form>
      )}
    </Dialog>
  )
}
