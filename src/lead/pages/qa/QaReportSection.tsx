import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { AgreementReport, LEAD_ROUTES } from '../../../shared/lead-api'
import { formatNumber } from '../../../ui/i18n/format'
import { LeadProblem } from '../../components/LeadProblem'
import { useLead, useLeadLoad } from '../../lead-context'
import { AgreementReportView } from './AgreementReportView'
import { defaultWindow, windowQuery, type ReportQuery, type WindowInput, type WindowResult } from './qa-window'

interface Props {
  packs: readonly string[]
  names: ReadonlyMap<string, string>
}

/** Whether a report answers this query (the service gives the window back as it read it). */
export function reportMatches(report: AgreementReport, query: ReportQuery): boolean {
  return report.from === (query.from ?? null) && report.to === (query.to ?? null) && report.pack_id === (query.pack ?? null)
}

/** The agreement report over a window the lead picks: two days and, if they like, one pack. */
export function QaReportSection({ packs, names }: Props) {
  const { t } = useTranslation()
  const lead = useLead()
  const id = useId()
  const [input, setInput] = useState<WindowInput>(() => defaultWindow(new Date()))
  const [query, setQuery] = useState<ReportQuery>(() => {
    const first = windowQuery(input)
    return first.ok ? first.query : {}
  })
  const [invalid, setInvalid] = useState<Extract<WindowResult, { ok: false }> | null>(null)
  const key = JSON.stringify(query)
  const report = useLeadLoad((l, signal) => l.client.call(AgreementReport, 'GET', LEAD_ROUTES.qaReport, { query: { ...query }, signal }), [key])
  const fromId = `${id}-from`
  const toId = `${id}-to`
  const errorId = `${id}-error`
  const hintId = `${id}-hint`

  const run = (e: FormEvent) => {
    e.preventDefault()
    const r = windowQuery(input)
    if (!r.ok) {
      setInvalid(r)
      document.getElementById(r.field === 'from' ? fromId : toId)?.focus()
      return
    }
    setInvalid(null)
    if (JSON.stringify(r.query) === key) report.reload()
    else setQuery(r.query)
  }

  const shown = report.data && reportMatches(report.data, query) ? report.data : null
  const describedBy = (field: 'from' | 'to') => (invalid?.field === field ? `${errorId} ${hintId}` : hintId)

  return (
    <section className="lead-section" aria-labelledby={`${id}-title`} aria-busy={report.loading} data-testid="qa-report">
      <h2 id={`${id}-title`}>{t('qa.report.title')}</h2>
      <p className="muted">{t('qa.report.intro')}</p>
      <form onSubmit={run} noValidate aria-label={t('qa.report.formLabel')}>
        <div className="form-row">
          <label htmlFor={fromId}>
            <span>{t('qa.report.from')}</span>
            <input
              id={fromId}
              type="date"
              value={input.from}
              aria-invalid={invalid?.field === 'from' ? true : undefined}
              aria-describedby={describedBy('from')}
              onChange={(e) => (setInput({ ...input, from: e.target.value }), setInvalid(null))}
              data-testid="qa-from"
            />
          </label>
          <label htmlFor={toId}>
            <span>{t('qa.report.to')}</span>
            <input
              id={toId}
              type="date"
              value={input.to}
              aria-invalid={invalid?.field === 'to' ? true : undefined}
              aria-describedby={describedBy('to')}
              onChange={(e) => (setInput({ ...input, to: e.target.value }), setInvalid(null))}
              data-testid="qa-to"
            />
          </label>
          <label>
            <span>{t('qa.report.pack')}</span>
            <select value={input.pack} onChange={(e) => setInput({ ...input, pack: e.target.value })} data-testid="qa-pack">
              <option value="">{t('qa.report.allPacks')}</option>
              {packs.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" data-testid="qa-run-report">
            {t('qa.report.run')}
          </button>
        </div>
        {invalid && (
          <p id={errorId} className="qa-field-error">
            {t(`qa.report.invalid.${invalid.error}`)}
          </p>
        )}
        <p id={hintId} className="muted small">
          {t('qa.report.windowHint')}
        </p>
      </form>
      <div role="status" className="qa-status" data-testid="qa-report-status">
        {report.loading ? t('common.loading') : shown ? t('qa.report.ready', { count: shown.clips, n: formatNumber(shown.clips, lead.locale) }) : null}
      </div>
      {report.error && <LeadProblem error={report.error} onReload={report.reload} />}
      {shown && <AgreementReportView report={shown} names={names} policy={lead.policy} locale={lead.locale} />}
    </section>
  )
}
