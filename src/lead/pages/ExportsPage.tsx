import { useTranslation } from 'react-i18next'

/** Placeholder until the page lands. */
export function ExportsPage() {
  const { t } = useTranslation()
  return <h1>{t('common.nav.exports')}</h1>
}
