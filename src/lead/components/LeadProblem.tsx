import { useTranslation } from 'react-i18next'
import { ProblemAlert } from '../../ui/ProblemAlert'
import type { LeadApiError } from '../api/lead-client'

/** A refusal or failure from the service, in the lead's language, with what to do next. */
export function LeadProblem({ error, onDismiss, onReload }: { error: LeadApiError; onDismiss?: () => void; onReload?: () => void }) {
  const { t } = useTranslation()
  const hint = t(`common.errors.hint.${error.code}`, { defaultValue: '' })
  return (
    <ProblemAlert
      code={error.code}
      title={t(`common.errors.title.${error.code}`)}
      message={error.message}
      details={error.details}
      hint={hint || undefined}
      onDismiss={onDismiss}
      actions={
        onReload ? (
          <button type="button" onClick={onReload}>
            {t('common.reload')}
          </button>
        ) : null
      }
    />
  )
}
