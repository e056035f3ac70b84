import { useTranslation } from 'react-i18next'
import type { HashListImportResult } from '../../shared/hash-lists'
import type { Locale } from '../../shared/policy'
import { formatDateTime, formatNumber } from '../../ui/i18n/format'

/** What importing a hash list did: which list, from whom, and its entries added or replaced. */
export function HashListSummaryView({ result, locale, title }: { result: HashListImportResult; locale: Locale; title: string }) {
  const { t } = useTranslation()
  const n = (v: number) => formatNumber(v, locale)
  const { list } = result
  const rows: [string, string][] = [
    [t('hashList.name'), list.name],
    [t('hashList.issuer'), list.issuerName],
    [t('hashList.key'), list.issuerPublicKey],
    [t('hashList.version'), formatDateTime(list.createdAt, locale)],
    [t('hashList.added'), n(result.entriesAdded)],
    [t('hashList.replaced'), n(result.entriesReplaced)],
    [t('hashList.removed'), n(result.entriesRemoved)],
    [t('hashList.entries'), n(list.entries)],
  ]
  return (
    <div className="import-summary" role="status" data-testid="hashlist-summary" data-list-id={list.id} data-outcome={result.outcome}>
      <h3>{title}</h3>
      <p>
        {result.outcome === 'unchanged'
          ? t('hashList.unchanged')
          : result.outcome === 'replaced' && result.previousCreatedAt
            ? t('hashList.replacedVersion', { version: formatDateTime(result.previousCreatedAt, locale) })
            : t('hashList.addedList')}
      </p>
      {!result.issuerPinned && <p className="small">{t('hashList.notPinned')}</p>}
      <dl className="meta">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd style={label === t('hashList.key') ? { wordBreak: 'break-all' } : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}
