import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiError } from '../../shared/errors'
import type { HashListInfo } from '../../shared/hash-lists'
import type { Locale } from '../../shared/policy'
import { formatDateTime, formatNumber } from '../../ui/i18n/format'
import { Dialog } from '../../ui/Dialog'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import { ErrorAlert } from './ErrorAlert'

interface Props {
  locale: Locale
  onClose: () => void
}

/**
 * The hash lists the profile holds (issue 14, docs/hash-list.md), and removing one. The
 * team's list (source `team`, from sync) is shown but not removable: the next sync would
 * only send it again, so the core refuses and the dialog says why instead of offering it.
 */
export function HashListsDialog({ locale, onClose }: Props) {
  const api = useApi()
  const { t } = useTranslation()
  const [lists, setLists] = useState<HashListInfo[] | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [removed, setRemoved] = useState<string | null>(null)
  // The Remove button gives way to the question: focus moves to its answer, not to the page.
  const confirmRef = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (confirming) confirmRef.current?.focus()
  }, [confirming])

  const load = useCallback(async () => {
    try {
      setLists((await api.call('hashlist.list', {})).lists)
    } catch (err) {
      setError(toApiError(err))
    }
  }, [api])

  useEffect(() => {
    void load()
  }, [load])

  const remove = async (list: HashListInfo) => {
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      await api.call('hashlist.remove', { id: list.id })
      setRemoved(list.name)
      setConfirming(null)
      await load()
    } catch (err) {
      setError(toApiError(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog title={t('hashLists.title')} onClose={onClose} testId="hash-lists">
      <p className="small">{t('hashLists.intro')}</p>
      {removed && (
        <p role="status" data-testid="hash-lists-removed">
          {t('hashLists.removed', { name: removed })}
        </p>
      )}
      {error && <ErrorAlert error={error} />}
      {lists && lists.length === 0 && <p data-testid="hash-lists-empty">{t('hashLists.empty')}</p>}
      {lists && lists.length > 0 && (
        <table className="hash-lists">
          <caption className="visually-hidden">{t('hashLists.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('hashLists.name')}</th>
              <th scope="col">{t('hashLists.source')}</th>
              <th scope="col">{t('hashLists.issuer')}</th>
              <th scope="col">{t('hashLists.version')}</th>
              <th scope="col">{t('hashLists.entries')}</th>
              <th scope="col">{t('hashLists.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {lists.map((l) => (
              <tr key={l.id} data-testid="hash-list-row" data-list-id={l.id} data-source={l.source}>
                <th scope="row">
                  {l.name}
                  <br />
                  <code className="small">{l.id}</code>
                </th>
                <td>{l.source === 'team' ? t('hashLists.sourceTeam') : t('hashLists.sourceFile')}</td>
                <td>{l.issuerName}</td>
                <td>{formatDateTime(l.createdAt, locale)}</td>
                <td>{formatNumber(l.entries, locale)}</td>
                <td>
                  {l.source === 'team' ? (
                    <span className="small" data-testid="hash-list-team-note">
                      {t('hashLists.teamNote')}
                    </span>
                  ) : confirming === l.id ? (
                    <span role="group" aria-label={t('hashLists.confirmLabel', { name: l.name })}>
                      <span>{t('hashLists.confirm', { name: l.name, count: l.entries })}</span>{' '}
                      <button type="button" ref={confirmRef} disabled={busy} onClick={() => void remove(l)} data-testid="hash-list-remove-confirm">
                        {t('hashLists.yes')}
                      </button>{' '}
                      <button type="button" onClick={() => setConfirming(null)} data-testid="hash-list-remove-cancel">
                        {t('hashLists.no')}
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      onClick={() => {
                        setRemoved(null)
                        setConfirming(l.id)
                      }}
                      aria-label={t('hashLists.removeLabel', { name: l.name })}
                      data-testid="hash-list-remove"
                    >
                      {t('hashLists.remove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-testid="hash-lists-close">
          {t('hashLists.close')}
        </button>
      </div>
    </Dialog>
  )
}
