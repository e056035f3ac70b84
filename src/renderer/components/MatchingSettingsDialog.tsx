import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { MATCHING_DEFAULTS, type MatchingSettings } from '../../shared/known-content'
import { Dialog } from '../../ui/Dialog'
import { toApiError } from '../api/api-error'
import { useApi } from '../api/api-context'
import type { ApiError } from '../../shared/errors'
import { DEFAULT_DRAFT, draftOf, invalidFields, MATCHING_FIELDS, MATCHING_MAX, needsRematch, settingsOf, type MatchingDraft, type MatchingField } from '../state/matching-form'

interface Props {
  onClose: () => void
  onError: (e: ApiError) => void
}

const LABEL_KEY: Record<MatchingField, string> = {
  distanceTolerance: 'matching.distance',
  qualityTolerance: 'matching.quality',
  queryMatchPercent: 'matching.queryPercent',
  comparedMatchPercent: 'matching.comparedPercent',
}

/**
 * The known-footage match rule (issue 14), kept in the profile: vPDQ's distance, quality
 * floor and the two match percentages. Read when it opens, so it shows what the host holds.
 */
export function MatchingSettingsDialog({ onClose, onError }: Props) {
  const api = useApi()
  const { t } = useTranslation()
  const [stored, setStored] = useState<MatchingSettings | null>(null)
  const [draft, setDraft] = useState<MatchingDraft | null>(null)
  const [saving, setSaving] = useState(false)

  useEffect(() => {
    let cancelled = false
    api.call('settings.get', {}).then(
      (s) => {
        if (cancelled) return
        setStored(s.matching)
        setDraft(draftOf(s.matching))
      },
      (err: unknown) => {
        if (!cancelled) onError(toApiError(err))
      },
    )
    return () => {
      cancelled = true
    }
    // onError is a state setter: stable.
  }, [api])

  const invalid = draft ? invalidFields(draft) : []
  const candidate = draft ? settingsOf(draft) : null
  const rematch = stored && candidate ? needsRematch(stored, candidate) : false

  const save = async () => {
    if (!candidate || saving) return
    setSaving(true)
    try {
      await api.call('settings.setMatching', candidate)
      onClose()
    } catch (err) {
      onError(toApiError(err))
      setSaving(false)
    }
  }

  return (
    <Dialog title={t('matching.title')} onClose={onClose} testId="matching-settings">
      <p className="small">{t('matching.intro')}</p>
      {draft && (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
        >
          {MATCHING_FIELDS.map((f) => (
            <label className="field" key={f}>
              <span>{t(LABEL_KEY[f], { max: MATCHING_MAX[f], default: MATCHING_DEFAULTS[f] })}</span>
              <input
                type="number"
                min={0}
                max={MATCHING_MAX[f]}
                step={1}
                value={draft[f]}
                onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
                aria-invalid={invalid.includes(f)}
                aria-describedby={invalid.length > 0 ? 'matching-invalid' : undefined}
                data-testid={`matching-${f}`}
              />
            </label>
          ))}
          {invalid.length > 0 && (
            <p className="danger" id="matching-invalid" role="alert">
              {t('matching.invalid')}
            </p>
          )}
          {rematch && (
            <p className="small" role="status" data-testid="matching-rescan">
              {t('matching.rescan')}
            </p>
          )}
          <div className="save-row">
            <button type="button" onClick={() => setDraft(DEFAULT_DRAFT)} data-testid="matching-reset">
              {t('matching.reset')}
            </button>
            <button type="submit" className="primary" disabled={!candidate || saving} data-testid="matching-settings-save">
              {t('matching.save')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
