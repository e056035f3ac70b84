import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { BREAK_MINUTES_MAX, BREAK_MINUTES_MIN, isValidBreakMinutes } from '../../shared/wellness-limits'
import type { WellnessSettings } from '../../shared/wellness'
import { Dialog } from '../../ui/Dialog'

interface Props {
  settings: WellnessSettings
  onSave: (next: WellnessSettings) => Promise<boolean>
  onClose: () => void
}

/** The reviewer's own wellness defaults, kept in the profile. */
export function WellnessSettingsDialog({ settings, onSave, onClose }: Props) {
  const { t } = useTranslation()
  const [draft, setDraft] = useState(settings)
  const [minutes, setMinutes] = useState(String(settings.breakAfterMinutes))
  const [saving, setSaving] = useState(false)
  const candidate = { ...draft, breakAfterMinutes: Number(minutes) }
  // The three switches are booleans by construction; only the minutes can be out of range.
  const valid = isValidBreakMinutes(candidate.breakAfterMinutes)

  const save = async () => {
    if (!valid || saving) return
    setSaving(true)
    const ok = await onSave(candidate)
    setSaving(false)
    if (ok) onClose()
  }

  const box = (key: 'blur' | 'grayscale' | 'mute') => (
    <label className="option">
      <input type="checkbox" checked={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.checked })} data-testid={`wellness-default-${key}`} />
      <span>{t(`wellness.settings.${key}`)}</span>
    </label>
  )

  return (
    <Dialog title={t('wellness.settings.title')} onClose={onClose} testId="wellness-settings">
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <fieldset className="wellness-settings">
          <legend>{t('wellness.settings.defaults')}</legend>
          {box('blur')}
          {box('grayscale')}
          {box('mute')}
        </fieldset>
        <label className="field">
          <span>{t('wellness.settings.breakAfter', { min: BREAK_MINUTES_MIN, max: BREAK_MINUTES_MAX })}</span>
          <input
            type="number"
            min={BREAK_MINUTES_MIN}
            max={BREAK_MINUTES_MAX}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            aria-invalid={!valid}
            data-testid="wellness-break-minutes"
          />
        </label>
        {!valid && <p className="danger">{t('wellness.settings.invalid', { min: BREAK_MINUTES_MIN, max: BREAK_MINUTES_MAX })}</p>}
        <div className="save-row">
          <button type="submit" className="primary" disabled={!valid || saving} data-testid="wellness-settings-save">
            {t('wellness.settings.save')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
