import { useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiError } from '../../shared/errors'
import type { Locale } from '../../shared/policy'
import type { SyncStatus } from '../../shared/sync-status'
import { formatDateTime, formatNumber } from '../../ui/i18n/format'
import { attentionCount, canRunNow, nextStepKey, syncLine } from '../state/sync-view'
import { Dialog } from '../../ui/Dialog'
import { ErrorAlert } from './ErrorAlert'
import type { SyncControls } from './use-sync'

/** The header's sync button: the status in a few words, and how many things need a look. */
export function SyncButton({ status, locale, onOpen }: { status: SyncStatus | null; locale: Locale; onOpen: () => void }) {
  const { t } = useTranslation()
  if (!status) return null
  const line = syncLine(status)
  const attention = attentionCount(status)
  return (
    <button type="button" onClick={onOpen} className={`sync-button sync-${line.tone}`} data-testid="open-sync" data-state={status.state} aria-live="polite">
      {t(`sync.${line.key}`, numbersFor(line.values, locale))}
      {attention > 0 && (
        <span className="sync-attention" data-testid="sync-attention">
          {' '}
          {t('sync.attention', { count: attention, n: formatNumber(attention, locale) })}
        </span>
      )}
    </button>
  )
}

/** Counts formatted by the locale; `count` stays a number for plural rules. */
function numbersFor(values: Record<string, string | number>, locale: Locale): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(values)) {
    out[k] = v
    if (typeof v === 'number') out[`${k}Text`] = formatNumber(v, locale)
  }
  return out
}

interface Props {
  sync: SyncControls
  locale: Locale
  onClose: () => void
}

/** Enrollment, the sync status in full, a run on demand, and what the server refused or wants adjudicated. */
export function SyncDialog({ sync, locale, onClose }: Props) {
  const { t } = useTranslation()
  const { status } = sync
  return (
    <Dialog title={t('sync.title')} onClose={onClose} testId="sync-dialog">
      {!status ? null : status.state === 'not_enrolled' ? <EnrollForm sync={sync} /> : <SyncDetails sync={sync} status={status} locale={locale} />}
    </Dialog>
  )
}

function EnrollForm({ sync }: { sync: SyncControls }) {
  const { t } = useTranslation()
  const ids = { url: useId(), code: useId() }
  const [url, setUrl] = useState('')
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  return (
    <form
      className="sync-enroll"
      onSubmit={(e) => {
        e.preventDefault()
        setBusy(true)
        setError(null)
        void sync.enroll(url.trim(), code.trim()).then((err) => {
          setBusy(false)
          setError(err)
        })
      }}
    >
      <p>{t('sync.enroll.intro')}</p>
      <label htmlFor={ids.url}>{t('sync.enroll.server')}</label>
      <input id={ids.url} type="url" required value={url} placeholder="https://" onChange={(e) => setUrl(e.target.value)} data-testid="sync-server-url" />
      <label htmlFor={ids.code}>{t('sync.enroll.code')}</label>
      <input id={ids.code} required autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} data-testid="sync-code" />
      {error && <ErrorAlert error={error} />}
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined} data-testid="sync-enroll">
          {busy ? t('sync.enroll.running') : t('sync.enroll.run')}
        </button>
      </div>
    </form>
  )
}

function SyncDetails({ sync, status, locale }: { sync: SyncControls; status: SyncStatus; locale: Locale }) {
  const { t } = useTranslation()
  const [error, setError] = useState<ApiError | null>(null)
  const [confirming, setConfirming] = useState(false)
  const line = syncLine(status)
  const { rejected, notices } = status.counts
  const { loadIssues } = sync
  // The lists follow the counts: a run that refuses a decision or opens an adjudication changes them.
  useEffect(() => {
    void loadIssues()
  }, [loadIssues, rejected, notices])
  const when = (iso: string | null) => (iso ? formatDateTime(iso, locale) : t('sync.never'))
  return (
    <div className="sync-details">
      <p className={`sync-line sync-${line.tone}`} data-testid="sync-line" data-state={status.state}>
        {t(`sync.${line.key}`, numbersFor(line.values, locale))}
      </p>
      {status.state === 'error' && (
        <div role="alert" className="sync-error" data-testid="sync-error">
          <p>{status.message}</p>
          <p>{t(`sync.${nextStepKey(status.code)}`)}</p>
          {status.nextRetryAt && <p>{t('sync.next.retryAt', { at: formatDateTime(status.nextRetryAt, locale) })}</p>}
        </div>
      )}
      {status.state === 'offline' && (
        <p className="muted" data-testid="sync-offline">
          {status.nextRetryAt ? t('sync.next.retryAt', { at: formatDateTime(status.nextRetryAt, locale) }) : t('sync.next.retryOnRun')}
        </p>
      )}
      <dl className="sync-facts">
        <dt>{t('sync.server')}</dt>
        <dd data-testid="sync-server">{status.server?.url}</dd>
        <dt>{t('sync.reviewer')}</dt>
        <dd>{status.server ? `${status.server.reviewerName} (${status.server.reviewerId})` : ''}</dd>
        <dt>{t('sync.lastSuccess')}</dt>
        <dd data-testid="sync-last-success" data-at={status.lastSuccessAt ?? ''}>
          {when(status.lastSuccessAt)}
        </dd>
        <dt>{t('sync.nextRun')}</dt>
        <dd>{status.nextRunAt ? formatDateTime(status.nextRunAt, locale) : t('sync.onDemand')}</dd>
        <dt>{t('sync.pending')}</dt>
        <dd data-testid="sync-pending">{formatNumber(status.counts.pending, locale)}</dd>
      </dl>
      {error && <ErrorAlert error={error} />}
      <div className="dialog-actions">
        <button
          type="button"
          className="primary"
          disabled={!canRunNow(status)}
          data-testid="sync-run"
          onClick={() => void sync.runNow().then(setError)}
        >
          {t('sync.runNow')}
        </button>
        {confirming ? (
          <>
            <span>{t('sync.unenroll.confirm', { count: status.counts.pending })}</span>
            <button type="button" data-testid="sync-unenroll-confirm" onClick={() => void sync.unenroll().then(setError)}>
              {t('sync.unenroll.yes')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('sync.unenroll.no')}
            </button>
          </>
        ) : (
          <button type="button" data-testid="sync-unenroll" onClick={() => setConfirming(true)}>
            {t('sync.unenroll.run')}
          </button>
        )}
      </div>
      <SyncIssuesView sync={sync} locale={locale} />
    </div>
  )
}

function SyncIssuesView({ sync, locale }: { sync: SyncControls; locale: Locale }) {
  const { t } = useTranslation()
  const issues = sync.issues
  if (!issues || (issues.rejected.length === 0 && issues.adjudications.length === 0)) return null
  return (
    <section className="sync-issues" aria-label={t('sync.issues.title')}>
      {issues.rejected.length > 0 && (
        <>
          <h3>{t('sync.issues.rejected', { count: issues.rejected.length })}</h3>
          <ul data-testid="sync-rejected">
            {issues.rejected.map((r) => (
              <li key={r.decisionId}>
                <strong>{r.clipId}</strong> · {formatDateTime(r.decidedAt, locale)} · {t(`sync.rejection.${r.rejection}`, { defaultValue: r.message ?? r.rejection })}
              </li>
            ))}
          </ul>
        </>
      )}
      {issues.adjudications.length > 0 && (
        <>
          <h3>{t('sync.issues.adjudications', { count: issues.adjudications.length })}</h3>
          <p className="muted">{t('sync.issues.adjudicationsHelp')}</p>
          <ul data-testid="sync-adjudications">
            {issues.adjudications.map((a) => (
              <li key={a.clip_id}>
                <strong>{a.clip_id}</strong>:{' '}
                {a.decisions.map((d) => t('sync.issues.decidedAs', { reviewer: d.reviewer_id, action: d.action, categories: d.categories.join(', ') })).join('; ')}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
