import { useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { ExportRun, LEAD_ROUTES } from '../../shared/lead-api'
import { Dialog } from '../../ui/Dialog'
import type { LeadApiError } from '../api/lead-client'
import { LeadProblem } from '../components/LeadProblem'
import { asLeadError, useLead, useLeadLoad } from '../lead-context'
import { ExportResult, ExportRunsTable } from './exports/ExportRuns'
import './exports/exports.css'

const ExportRunList = z.array(ExportRun)

/** DSA statements of reasons: run an export (new outcomes only, or all in force), and every run's files. */
export function ExportsPage() {
  const { t } = useTranslation()
  const lead = useLead()
  const id = useId()
  const runs = useLeadLoad((l, signal) => l.client.call(ExportRunList, 'GET', LEAD_ROUTES.exports, { signal }), [])
  const [busy, setBusy] = useState<'new' | 'all' | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [done, setDone] = useState<ExportRun | null>(null)
  const [error, setError] = useState<LeadApiError | null>(null)
  const allRef = useRef<HTMLButtonElement>(null)
  const resultRef = useRef<HTMLDivElement>(null)
  // After a full export the confirm dialog is gone: focus goes to what the export did, not to the page's top.
  useEffect(() => {
    if (done && !done.since_last) resultRef.current?.focus()
  }, [done])

  // The dialog is modal: what is behind it takes focus only once it is gone.
  const closeConfirm = () => {
    setConfirming(false)
    requestAnimationFrame(() => allRef.current?.focus())
  }

  const run = async (sinceLast: boolean) => {
    if (busy) return
    setConfirming(false)
    setBusy(sinceLast ? 'new' : 'all')
    setError(null)
    setDone(null)
    try {
      const r = await lead.client.call(ExportRun, 'POST', LEAD_ROUTES.exports, { body: { since_last: sinceLast } })
      setDone(r)
      runs.reload()
    } catch (err) {
      const e = asLeadError(err)
      if (e.code === 'unauthorized') lead.sessionEnded()
      setError(e)
    } finally {
      setBusy(null)
    }
  }

  return (
    <div className="exports-page" data-testid="exports-page">
      <div className="page-head">
        <h1>{t('exports.title')}</h1>
      </div>
      <p className="exports-lede">{t('exports.intro')}</p>

      <section className="lead-section" aria-labelledby={`${id}-run`}>
        <h2 id={`${id}-run`}>{t('exports.run.title')}</h2>
        <div className="form-row">
          <button type="button" className="primary" aria-disabled={busy !== null} aria-describedby={`${id}-new-hint`} onClick={() => void run(true)} data-testid="export-new">
            {busy === 'new' ? t('exports.run.exporting') : t('exports.run.new')}
          </button>
          <button ref={allRef} type="button" aria-disabled={busy !== null} aria-describedby={`${id}-all-hint`} aria-haspopup="dialog" onClick={() => busy === null && setConfirming(true)} data-testid="export-all">
            {busy === 'all' ? t('exports.run.exporting') : t('exports.run.all')}
          </button>
        </div>
        <p id={`${id}-new-hint`} className="muted small">
          {t('exports.run.newHint')}
        </p>
        <p id={`${id}-all-hint`} className="muted small">
          {t('exports.run.allHint')}
        </p>
        {error && <LeadProblem error={error} onDismiss={() => setError(null)} />}
        <div role="status" className="exports-status" ref={resultRef} tabIndex={-1}>
          {busy && <p>{t('exports.run.exporting')}</p>}
          {done && <ExportResult run={done} locale={lead.locale} />}
        </div>
      </section>

      <section className="lead-section" aria-labelledby={`${id}-runs`} aria-busy={runs.loading}>
        <h2 id={`${id}-runs`}>{t('exports.runs.title')}</h2>
        {runs.error && <LeadProblem error={runs.error} onReload={runs.reload} />}
        {runs.data ? (
          <>
            <ExportRunsTable runs={runs.data} locale={lead.locale} captionId={`${id}-runs`} />
            {runs.data.length >= 100 && <p className="muted small">{t('exports.runs.latestOnly', { n: 100 })}</p>}
          </>
        ) : (
          runs.loading && (
            <p className="loading" role="status">
              {t('common.loading')}
            </p>
          )
        )}
      </section>

      {confirming && (
        <Dialog title={t('exports.confirm.title')} onClose={closeConfirm} testId="export-confirm-dialog">
          <p>{t('exports.confirm.body')}</p>
          <p>{t('exports.confirm.instead')}</p>
          <div className="form-row">
            <button type="button" className="primary" onClick={() => void run(false)} data-testid="export-confirm">
              {t('exports.confirm.yes')}
            </button>
            <button type="button" onClick={closeConfirm} data-testid="export-cancel">
              {t('exports.confirm.no')}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  )
}
