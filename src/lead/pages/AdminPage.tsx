import { useTranslation } from 'react-i18next'

/** Placeholder until the page lands. */
export function AdminPage() {
  const { t } = useTranslation()
  return <h1>{t('common.nav.admin')}</h1>
}
