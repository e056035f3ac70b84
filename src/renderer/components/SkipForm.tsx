import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { SKIP_REASON_MAX } from '../../shared/wellness-limits'
import { SKIP_PRESETS, skipReason, type SkipPreset } from '../state/skip'

interface Props {
  onSkip: (reason: string) => Promise<boolean>
  onCancel: () => void
}

/**
 * Skip with a reason: a preset (in the reviewer's language) and an optional detail;
 * "other" needs the detail. Keys typed here stay here (Enter submits this form, it does
 * not save the decision; letters do not pick actions).
 */
export function SkipForm({ onSkip, onCancel }: Props) {
  const { t } = useTranslation()
  const [preset, setPreset] = useState<SkipPreset | ''>('')
  const [detail, setDetail] = useState('')
  const [busy, setBusy] = useState(false)
  const first = useRef<HTMLSelectElement>(null)
  useEffect(() => first.current?.focus(), [])
  const reason = preset ? skipReason(preset === 'other' ? '' : t(`skip.preset.${preset}`), detail) : ''
  const valid = reason.length > 0 && [...reason].length <= SKIP_REASON_MAX

  const submit = async () => {
    if (!valid || busy) return
    setBusy(true)
    try {
      await onSkip(reason)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="skip-form"
      aria-labelledby="skip-heading"
      data-testid="skip-form"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
      onKeyDown={(e) => {
        e.stopPropagation()
        if (e.key === 'Escape') {
          e.preventDefault()
          onCancel()
        } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault()
          void submit()
        }
      }}
    >
      <h4 id="skip-heading">{t('skip.title')}</h4>
      <label className="field">
        <span>{t('skip.reason')}</span>
        <select ref={first} value={preset} onChange={(e) => setPreset(e.target.value as SkipPreset | '')} data-testid="skip-preset" required>
          <option value="">{t('skip.choose')}</option>
          {SKIP_PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`skip.preset.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>
          {t('skip.detail')} <span className="muted">({preset === 'other' ? t('form.required') : t('form.optional')})</span>
        </span>
        <input type="text" maxLength={SKIP_REASON_MAX - 80} value={detail} onChange={(e) => setDetail(e.target.value)} data-testid="skip-reason" />
      </label>
      <div className="skip-form-actions">
        <button type="submit" className="primary" disabled={!valid || busy} data-testid="skip-confirm">
          {busy ? t('skip.skipping') : t('skip.confirm')}
        </button>
        <button type="button" onClick={onCancel} data-testid="skip-cancel">
          {t('skip.cancel')}
        </button>
        <span className="muted">{t('skip.hint')}</span>
      </div>
    </form>
  )
}
