import { useTranslation } from 'react-i18next'
import type { ExportRun } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime, formatNumber } from '../../../ui/i18n/format'
import { isKnownReason, newestFirst, runAuthor, runFileUrls, skippedEntries } from './export-runs'

/** Who ran an export, in the lead's language. */
function Author({ createdBy }: { createdBy: string }) {
  const { t } = useTranslation()
  const who = runAuthor(createdBy)
  return <>{who ?? t('exports.byOperator')}</>
}

/** What a run skipped, by reason: "3 disputed · 5 not restricting", or "none". */
export function SkippedText({ skipped, locale }: { skipped: Record<string, number>; locale: Locale }) {
  const { t } = useTranslation()
  const entries = skippedEntries(skipped)
  if (entries.length === 0) return <span className="muted">{t('exports.skippedNone')}</span>
  return (
    <ul className="exports-skipped">
      {entries.map(([reason, n]) => (
        <li key={reason} data-reason={reason}>
          {isKnownReason(reason) ? t(`exports.skip.${reason}`, { count: n, n: formatNumber(n, locale) }) : t('exports.skip.other', { reason, n: formatNumber(n, locale) })}
        </li>
      ))}
    </ul>
  )
}

/** A run's files as download links (each as it was filed). */
export function FileLinks({ run, locale, testIdPrefix = 'export-file' }: { run: ExportRun; locale: Locale; testIdPrefix?: string }) {
  const { t } = useTranslation()
  const urls = runFileUrls(run)
  if (urls.length === 0) return <span className="muted">{t('exports.noFiles')}</span>
  const when = formatDateTime(run.created_at, locale)
  return (
    <ul className="exports-files">
      {urls.map((href, idx) => (
        <li key={href}>
          <a
            href={href}
            download
            aria-label={t('exports.fileLabel', { n: formatNumber(idx + 1, locale), total: formatNumber(urls.length, locale), when })}
            data-testid={`${testIdPrefix}-${run.id}-${idx}`}
          >
            {t('exports.file', { n: formatNumber(idx + 1, locale) })}
          </a>
        </li>
      ))}
    </ul>
  )
}

/** The runs, newest first: when, by whom, which kind, statements, files, what was skipped. */
export function ExportRunsTable({ runs, locale, captionId }: { runs: readonly ExportRun[]; locale: Locale; captionId?: string }) {
  const { t } = useTranslation()
  if (runs.length === 0) return <p data-testid="exports-none">{t('exports.runs.none')}</p>
  return (
    <div className="exports-scroll">
      <table className="lead-table exports-table" aria-labelledby={captionId} data-testid="exports-runs">
        <thead>
          <tr>
            <th scope="col">{t('exports.runs.when')}</th>
            <th scope="col">{t('exports.runs.by')}</th>
            <th scope="col">{t('exports.runs.kind')}</th>
            <th scope="col" className="num">
              {t('exports.runs.statements')}
            </th>
            <th scope="col">{t('exports.runs.files')}</th>
            <th scope="col">{t('exports.runs.skipped')}</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst(runs).map((run) => (
            <tr key={run.id} data-testid={`export-run-${run.id}`} data-statements={run.statements}>
              <th scope="row">
                {formatDateTime(run.created_at, locale)}
                <span className="exports-run-id muted small">{t('exports.runs.id', { id: run.id })}</span>
              </th>
              <td>
                <Author createdBy={run.created_by} />
              </td>
              <td>{run.since_last ? t('exports.kind.new') : t('exports.kind.all')}</td>
              <td className="num">{formatNumber(run.statements, locale)}</td>
              <td>
                <FileLinks run={run} locale={locale} />
              </td>
              <td>
                <SkippedText skipped={run.skipped} locale={locale} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** What the export just done filed, for the status region. */
export function ExportResult({ run, locale }: { run: ExportRun; locale: Locale }) {
  const { t } = useTranslation()
  return (
    <div className="exports-result" data-testid="export-result" data-run={run.id} data-statements={run.statements}>
      <p>
        <strong>
          {t(run.since_last ? 'exports.result.new' : 'exports.result.all', {
            count: run.statements,
            n: formatNumber(run.statements, locale),
          })}
        </strong>
      </p>
      {run.statements === 0 && run.since_last && <p>{t('exports.result.nothingNew')}</p>}
      <div className="exports-result-line">
        <span>{t('exports.result.skipped')}</span> <SkippedText skipped={run.skipped} locale={locale} />
      </div>
      {run.files > 0 && (
        <div className="exports-result-line">
          <span>{t('exports.result.download')}</span> <FileLinks run={run} locale={locale} testIdPrefix="export-result-file" />
        </div>
      )}
    </div>
  )
}
