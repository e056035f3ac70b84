import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Locale } from '../../shared/policy'
import { formatBytes, formatNumber } from '../../ui/i18n/format'
import { fractionDone, isRunning, type PackImport } from '../state/pack-import'
import { Dialog } from '../../ui/Dialog'
import { ErrorAlert } from './ErrorAlert'
import { HashListSummaryView } from './HashListSummaryView'
import { ImportSummaryView } from './ImportSummaryView'
import type { PackImportControl } from './use-pack-import'

interface Props {
  control: PackImportControl
  locale: Locale
}

/** Import a field pack: choose or type where it is (or drop it on the window), follow it, stop it. */
export function ImportDialog({ control, locale }: Props) {
  const { t } = useTranslation()
  const [typed, setTyped] = useState('')
  const pathId = useId()
  const { state } = control
  const running = isRunning(state)
  return (
    <Dialog title={t('packImport.title')} onClose={control.hide} testId="import-dialog">
      <p>{t('packImport.what')}</p>
      <div className="import-sources">
        {control.pick && (
          <>
            <button type="button" onClick={() => void control.pick?.('folder')} disabled={running} data-testid="import-pick-folder">
              {t('packImport.pickFolder')}
            </button>
            <button type="button" onClick={() => void control.pick?.('zip')} disabled={running} data-testid="import-pick-zip">
              {t('packImport.pickZip')}
            </button>
          </>
        )}
        {!control.pick && control.canUpload && (
          <label className="file-pick">
            <span>{t('packImport.chooseZip')}</span>
            <input
              type="file"
              accept=".zip,application/zip"
              disabled={running}
              data-testid="import-file"
              onChange={(e) => {
                const file = e.target.files?.[0]
                e.target.value = ''
                if (file) void control.importFile(file)
              }}
            />
          </label>
        )}
      </div>
      <form
        className="import-path"
        onSubmit={(e) => {
          e.preventDefault()
          if (typed.trim()) void control.importPath(typed.trim())
        }}
      >
        <label htmlFor={pathId}>{t('packImport.pathLabel')}</label>
        <div className="import-path-row">
          <input
            id={pathId}
            type="text"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder={t('packImport.pathPlaceholder')}
            spellCheck={false}
            autoComplete="off"
            data-testid="import-path"
          />
          <button type="submit" className="primary" disabled={running || !typed.trim()} data-testid="import-path-submit">
            {t('packImport.start')}
          </button>
        </div>
      </form>
      <p className="muted">{control.canUpload ? t('packImport.dropHintBrowser') : t('packImport.dropHint')}</p>
      <ImportState state={state} locale={locale} onCancel={control.cancel} />
    </Dialog>
  )
}

function ImportState({ state, locale, onCancel }: { state: PackImport; locale: Locale; onCancel: () => void }) {
  const { t } = useTranslation()
  if (state.kind === 'idle') return null
  if (state.kind === 'done') return <ImportSummaryView summary={state.summary} locale={locale} title={t('packImport.done', { name: state.name })} />
  if (state.kind === 'listDone') return <HashListSummaryView result={state.result} locale={locale} title={t('packImport.done', { name: state.name })} />
  if (state.kind === 'failed') return <ErrorAlert error={state.error} />
  const fraction = fractionDone(state)
  const percent = fraction === null ? undefined : Math.round(fraction * 100)
  const n = (v: number) => formatNumber(v, locale)
  const of = (done: number, total: number | null, format: (v: number) => string) =>
    total === null ? format(done) : t('packImport.of', { done: format(done), total: format(total) })
  let line: string
  if (state.kind === 'uploading') {
    line = t('packImport.uploading', { amount: of(state.sent, state.total, (v) => formatBytes(v, locale)) })
  } else if (!state.progress) {
    line = t('packImport.starting')
  } else {
    const p = state.progress
    line = t(`packImport.phase.${p.phase}`, {
      clips: of(p.clips.done, p.clips.total, n),
      files: of(p.files.done, p.files.total, n),
      bytes: of(p.bytes.done, p.bytes.total, (v) => formatBytes(v, locale)),
    })
  }
  return (
    <div className="import-progress" data-testid="import-running" data-kind={state.kind}>
      <p>
        <strong>{state.name}</strong>
      </p>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={t('packImport.progressLabel', { name: state.name })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={line}
        data-testid="import-progress"
      >
        <div className={percent === undefined ? 'progress-fill busy' : 'progress-fill'} style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
      <p aria-live="polite" data-testid="import-progress-text">
        {line}
      </p>
      <button type="button" onClick={onCancel} disabled={state.cancelling} data-testid="import-cancel">
        {state.cancelling ? t('packImport.cancelling') : t('packImport.cancel')}
      </button>
    </div>
  )
}
