import { useTranslation } from 'react-i18next'

/** Placeholder until the page lands. */
export function OverviewPage() {
  const { t } = useTranslation()
  return <h1>{t('common.nav.overview')}</h1>
}
