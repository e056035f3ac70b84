import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, SessionInfo } from '../../shared/lead-api'
import { asLeadError } from '../lead-context'
import type { LeadApiError, LeadClient } from '../api/lead-client'
import { LeadProblem } from './LeadProblem'

interface Props {
  client: LeadClient
  /** Why the lead sees this: the session ended, or they signed out. */
  reason: 'ended' | 'signedOut' | null
  onSignedIn(session: SessionInfo): void
}

export function SignIn({ client, reason, onSignedIn }: Props) {
  const { t } = useTranslation()
  const [id, setId] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<LeadApiError | null>(null)
  const idRef = useRef<HTMLInputElement>(null)
  useEffect(() => idRef.current?.focus(), [])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      const session = await client.call(SessionInfo, 'POST', LEAD_ROUTES.session, { body: { id: id.trim(), password } })
      setPassword('')
      onSignedIn(session)
    } catch (err) {
      setError(asLeadError(err))
      setBusy(false)
    }
  }

  return (
    <main className="sign-in" id="main">
      <form className="sign-in-form" onSubmit={submit} aria-labelledby="sign-in-title" data-testid="sign-in-form">
        <h1 id="sign-in-title">
          {t('common.appName')} — {t('common.signIn.title')}
        </h1>
        <p className="muted">{t('common.signIn.intro')}</p>
        {reason && (
          <p role="status" data-testid="sign-in-reason">
            {t(`common.signIn.${reason}`)}
          </p>
        )}
        <label>
          <span>{t('common.signIn.id')}</span>
          <input ref={idRef} name="id" autoComplete="username" required value={id} onChange={(e) => setId(e.target.value)} data-testid="sign-in-id" />
        </label>
        <label>
          <span>{t('common.signIn.password')}</span>
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="sign-in-password" />
        </label>
        {error && <LeadProblem error={error} />}
        <button type="submit" className="primary" disabled={busy} data-testid="sign-in-submit">
          {busy ? t('common.signIn.signingIn') : t('common.signIn.submit')}
        </button>
      </form>
    </main>
  )
}
