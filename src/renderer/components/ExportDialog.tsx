import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExportOutcome } from '../../shared/domain'
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/export-formats'
import type { ApiError } from '../../shared/errors'
import type { Locale } from '../../shared/policy'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import { formatNumber } from '../../ui/i18n/format'
import { defaultExportPath } from '../state/export-form'
import { Dialog } from '../../ui/Dialog'
import { ErrorAlert } from './ErrorAlert'

interface Props {
  dataDir: string
  locale: Locale
  onClose: () => void
}

/** Decisions out, for a lead: a signed decision pack, DSA statements of reasons, or CSV. */
export function ExportDialog({ dataDir, locale, onClose }: Props) {
  const { t } = useTranslation()
  const api = useApi()
  const ids = { format: useId(), from: useId(), to: useId(), pack: useId(), out: useId() }
  const [format, setFormat] = useState<ExportFormat>('pack')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [packId, setPackId] = useState('')
  const [out, setOut] = useState(() => defaultExportPath(dataDir, 'pack', new Date()))
  const [outEdited, setOutEdited] = useState(false)
  const [overwrite, setOverwrite] = useState(false)
  const [running, setRunning] = useState(false)
  const [outcome, setOutcome] = useState<ExportOutcome | null>(null)
  const [error, setError] = useState<ApiError | null>(null)

  const run = async () => {
    setRunning(true)
    setError(null)
    setOutcome(null)
    try {
      setOutcome(
        await api.call('export.decisions', {
          format,
          out: out.trim(),
          overwrite,
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(packId.trim() ? { packId: packId.trim() } : {}),
        }),
      )
    } catch (err) {
      setError(toApiError(err))
    } finally {
      setRunning(false)
    }
  }

  return (
    <Dialog title={t('exportDialog.title')} onClose={onClose} testId="export-dialog">
      <form
        className="export-form"
        onSubmit={(e) => {
          e.preventDefault()
          void run()
        }}
      >
        <label htmlFor={ids.format}>{t('exportDialog.format')}</label>
        <select
          id={ids.format}
          value={format}
          data-testid="export-format"
          onChange={(e) => {
            const next = e.target.value as ExportFormat
            setFormat(next)
            if (!outEdited) setOut(defaultExportPath(dataDir, next, new Date()))
          }}
        >
          {EXPORT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {t(`exportDialog.formats.${f}`)}
            </option>
          ))}
        </select>
        <p className="muted">{t(`exportDialog.help.${format}`)}</p>
        <div className="export-range">
          <label htmlFor={ids.from}>{t('exportDialog.from')}</label>
          <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="export-from" />
          <label htmlFor={ids.to}>{t('exportDialog.to')}</label>
          <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="export-to" />
        </div>
        <label htmlFor={ids.pack}>{t('exportDialog.pack')}</label>
        <input id={ids.pack} type="text" value={packId} onChange={(e) => setPackId(e.target.value)} spellCheck={false} data-testid="export-pack" />
        <label htmlFor={ids.out}>{format === 'dsa' ? t('exportDialog.outFolder') : t('exportDialog.outFile')}</label>
        <input
          id={ids.out}
          type="text"
          value={out}
          onChange={(e) => {
            setOut(e.target.value)
            setOutEdited(true)
          }}
          spellCheck={false}
          data-testid="export-out"
        />
        {format !== 'dsa' && (
          <label className="checkbox">
            <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} data-testid="export-overwrite" />
            {t('exportDialog.overwrite')}
          </label>
        )}
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={running || !out.trim()} data-testid="export-run">
            {running ? t('exportDialog.running') : t('exportDialog.run')}
          </button>
        </div>
      </form>
      {error && <ErrorAlert error={error} />}
      {outcome && (
        <div className="export-outcome" role="status" data-testid="export-outcome" data-count={outcome.count}>
          <p>{t(`exportDialog.done.${outcome.format}`, { count: outcome.count, n: formatNumber(outcome.count, locale) })}</p>
          <ul>
            {outcome.paths.map((p) => (
              <li key={p}>
                <code>{p}</code>
              </li>
            ))}
          </ul>
          {outcome.publicKey && (
            <p className="muted">
              {t('exportDialog.signedWith')} <code>{outcome.publicKey}</code>
            </p>
          )}
        </div>
      )}
    </Dialog>
  )
}
