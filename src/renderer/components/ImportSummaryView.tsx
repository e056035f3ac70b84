import { useTranslation } from 'react-i18next'
import type { ImportSummary } from '../../shared/domain'
import type { Locale } from '../../shared/policy'
import { formatBytes, formatNumber } from '../../ui/i18n/format'

/** What an import did, as counts. */
export function ImportSummaryView({ summary, locale, title }: { summary: ImportSummary; locale: Locale; title: string }) {
  const { t } = useTranslation()
  const n = (v: number) => formatNumber(v, locale)
  const rows: [string, string][] = [
    [t('welcome.summary.pack'), summary.packId],
    [t('welcome.summary.clips'), n(summary.clips)],
    [t('welcome.summary.added'), n(summary.added)],
    [t('welcome.summary.updated'), n(summary.updated)],
    [t('welcome.summary.unchanged'), n(summary.unchanged)],
    [t('welcome.summary.media'), n(summary.mediaAdded)],
    [t('welcome.summary.bytes'), formatBytes(summary.mediaBytesAdded, locale)],
  ]
  return (
    <div className="import-summary" role="status" data-testid="import-summary" data-pack-id={summary.packId} data-added={summary.added}>
      <h3>{title}</h3>
      {summary.alreadyImported && <p>{t('welcome.alreadyImported')}</p>}
      <dl className="meta">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}
