import { useTranslation } from 'react-i18next'
import type { ImportSummary } from '../../shared/domain'
import type { Locale } from '../../shared/policy'
import { ImportSummaryView } from './ImportSummaryView'

interface Props {
  locale: Locale
  /** No clips at all (first start), as opposed to none selected. */
  empty: boolean
  demoAvailable: boolean
  importing: boolean
  summary: ImportSummary | null
  allDone: boolean
  onLoadDemo: () => void
  onOpenNext: () => void
}

/** What the right side shows with no clip open: first-start welcome, import summary, or a nudge. */
export function WelcomePanel({ locale, empty, demoAvailable, importing, summary, allDone, onLoadDemo, onOpenNext }: Props) {
  const { t } = useTranslation()
  return (
    <section className="welcome" aria-labelledby="welcome-heading">
      <h2 id="welcome-heading">{t('welcome.title')}</h2>
      {empty && !summary && (
        <>
          <p>{t('welcome.empty')}</p>
          {demoAvailable ? (
            <>
              <p>{t('welcome.demoOffer')}</p>
              <button type="button" className="primary" onClick={onLoadDemo} disabled={importing} data-testid="load-demo">
                {importing ? t('welcome.loadingDemo') : t('welcome.loadDemo')}
              </button>
            </>
          ) : (
            <p className="muted">{t('welcome.noDemo')}</p>
          )}
        </>
      )}
      {summary && <ImportSummaryView summary={summary} locale={locale} title={t('welcome.imported')} />}
      {!empty && (
        <>
          {!summary && <p>{t('welcome.pick')}</p>}
          {allDone ? (
            <p role="status">{t('welcome.allDone')}</p>
          ) : (
            <button type="button" className="primary" onClick={onOpenNext} data-testid="open-next">
              {summary ? t('welcome.start') : t('welcome.openNext')}
            </button>
          )}
        </>
      )}
      <section className="key-help" aria-labelledby="keys-heading">
        <h3 id="keys-heading">{t('keys.title')}</h3>
        <ul>
          <li>{t('keys.actions')}</li>
          <li>{t('keys.categories')}</li>
          <li>{t('keys.save')}</li>
          <li>{t('keys.move')}</li>
        </ul>
      </section>
    </section>
  )
}
