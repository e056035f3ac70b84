import { useTranslation } from 'react-i18next'
import type { ApiError } from '../../shared/errors'
import { ProblemAlert } from '../../ui/ProblemAlert'

interface Props {
  error: ApiError
  onDismiss?: (() => void) | undefined
  onReloadClip?: (() => void) | undefined
}

/** A host error as core wrote it: a translated title, the message, and every detail. */
export function ErrorAlert({ error, onDismiss, onReloadClip }: Props) {
  const { t } = useTranslation()
  const hint = error.code === 'conflict' ? t('error.conflictHint') : error.code === 'unauthorized' ? t('error.unauthorizedHint') : undefined
  return (
    <ProblemAlert
      code={error.code}
      title={t(`error.title.${error.code}`)}
      message={error.message}
      details={error.details}
      hint={hint}
      onDismiss={onDismiss}
      actions={
        error.code === 'conflict' && onReloadClip ? (
          <button type="button" onClick={onReloadClip}>
            {t('error.reloadClip')}
          </button>
        ) : null
      }
    />
  )
}
