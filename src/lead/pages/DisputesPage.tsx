import { useTranslation } from 'react-i18next'

/** Placeholder until the page lands. */
export function DisputesPage() {
  const { t } = useTranslation()
  return <h1>{t('common.nav.disputes')}</h1>
}
