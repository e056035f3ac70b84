import { useTranslation } from 'react-i18next'

/** Placeholder until the page lands. */
export function QaPage() {
  const { t } = useTranslation()
  return <h1>{t('common.nav.qa')}</h1>
}
