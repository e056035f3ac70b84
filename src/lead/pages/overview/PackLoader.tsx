import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, PackLoadResult } from '../../../shared/lead-api'
import { formatBytes, formatNumber } from '../../../ui/i18n/format'
import type { LeadApiError } from '../../api/lead-client'
import { LeadProblem } from '../../components/LeadProblem'
import { asLeadError, useLead } from '../../lead-context'

/**
 * Load a field pack: its .zip sent as the body of POST /packs, checked by the service exactly
 * as the app checks it. Says what is going on while the file goes up, then what was loaded;
 * a refusal is the service's own words (what and where).
 */
export function PackLoader({ onLoaded }: { onLoaded(): void }) {
  const { t } = useTranslation()
  const { client, locale, sessionEnded } = useLead()
  const inputRef = useRef<HTMLInputElement>(null)
  const abortRef = useRef<AbortController | null>(null)
  const [uploading, setUploading] = useState<{ name: string; size: number } | null>(null)
  const [result, setResult] = useState<PackLoadResult | null>(null)
  const [error, setError] = useState<LeadApiError | null>(null)
  const [missing, setMissing] = useState(false)
  const [cancelled, setCancelled] = useState(false)
  const id = useId()
  const fileId = `${id}-file`
  const missingId = `${id}-missing`
  const hintId = `${id}-hint`

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (uploading) return
    const file = inputRef.current?.files?.[0]
    if (!file) {
      setMissing(true)
      inputRef.current?.focus()
      return
    }
    const ctl = new AbortController()
    abortRef.current = ctl
    setMissing(false)
    setError(null)
    setResult(null)
    setCancelled(false)
    setUploading({ name: file.name, size: file.size })
    try {
      // The service takes the zip as it is, typed as a zip whatever the browser guessed.
      const loaded = await client.call(PackLoadResult, 'POST', LEAD_ROUTES.packs, { body: new Blob([file], { type: 'application/zip' }), signal: ctl.signal })
      setResult(loaded)
      if (inputRef.current) inputRef.current.value = ''
      onLoaded()
    } catch (err) {
      if ((err as { name?: string })?.name === 'AbortError') setCancelled(true)
      else {
        const e2 = asLeadError(err)
        if (e2.code === 'unauthorized') sessionEnded()
        setError(e2)
      }
    } finally {
      abortRef.current = null
      setUploading(null)
    }
  }

  return (
    <section className="lead-section" aria-labelledby={`${id}-title`} data-testid="load-pack">
      <h2 id={`${id}-title`}>{t('overview.load.title')}</h2>
      <p className="muted" id={hintId}>
        {t('overview.load.hint')}
      </p>
      <form className="form-row" onSubmit={submit} noValidate>
        <label htmlFor={fileId}>
          <span>{t('overview.load.file')}</span>
          <input
            ref={inputRef}
            id={fileId}
            type="file"
            accept=".zip,application/zip"
            aria-describedby={missing ? `${missingId} ${hintId}` : hintId}
            aria-invalid={missing || undefined}
            onChange={() => setMissing(false)}
            disabled={uploading !== null}
            data-testid="pack-file"
          />
        </label>
        {/* Not disabled while busy: a disabled button would drop the keyboard focus. */}
        <button type="submit" className="primary" aria-disabled={uploading !== null || undefined} data-testid="pack-upload">
          {uploading ? t('overview.load.uploadingButton') : t('overview.load.submit')}
        </button>
        {uploading && (
          <button type="button" onClick={() => abortRef.current?.abort()} data-testid="upload-cancel">
            {t('overview.load.cancel')}
          </button>
        )}
      </form>
      {missing && (
        <p id={missingId} className="ov-error">
          {t('overview.load.missing')}
        </p>
      )}
      <p role="status" className="ov-progress" data-testid="upload-progress">
        {uploading
          ? t('overview.load.uploading', { name: uploading.name, size: formatBytes(uploading.size, locale) })
          : cancelled
            ? t('overview.load.cancelled')
            : ''}
      </p>
      {error && <LeadProblem error={error} onDismiss={() => setError(null)} />}
      <div role="status" className="ov-result" data-testid="pack-result">
        {result && (
          <p data-pack={result.pack_id} data-already-loaded={String(result.already_loaded)}>
            {t(result.already_loaded ? 'overview.load.resultAgain' : 'overview.load.result', {
              id: result.pack_id,
              clips: formatNumber(result.clips, locale),
              added: formatNumber(result.added, locale),
              updated: formatNumber(result.updated, locale),
            })}
          </p>
        )}
      </div>
    </section>
  )
}
