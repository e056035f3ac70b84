import { useContext, useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { ClipDetail } from '../../shared/domain'
import { CATEGORY_KINDS, ESCALATE_ACTION, findAction, findCategory } from '../../shared/policy-rules'
import type { DecisionDraftInput, Locale, Policy } from '../../shared/policy'
import { formatClipTime, formatDateTime } from '../../ui/i18n/format'
import { problemMessage } from '../../ui/i18n/problems'
import {
  categoriesOfKind,
  chosenKind,
  decisionInForce,
  formProblems,
  initialForm,
  offeredActions,
  toDraft,
  type FormEvent,
  type FormState,
  type RangeDraft,
} from '../state/decision-form'
import { actionKeyMap, categoryKeyHint, interpretKey, isCategoryPickerKey, isSkipKey, keyPressOf } from '../state/keys'
import { escalationTargetName } from '../../ui/i18n/policy-text'
import { ReviewActionsContext } from './review-actions'
import { CategoryPicker } from './CategoryPicker'
import { SkipForm } from './SkipForm'

interface Props {
  clip: ClipDetail
  /** The form's state and its events: held by the clip view, which shares ranges with the timeline (use-decision-form.ts). */
  state: FormState
  dispatch: (event: FormEvent) => void
  policy: Policy
  locale: Locale
  /** Where the player is, for the "add range" label. */
  playheadMs: number
  /** Reads the player's position at the moment of the click. */
  getPlayheadMs: () => number
  /** Records the decision; resolves true when it was saved. */
  onSave: (draft: DecisionDraftInput) => Promise<boolean>
}

const KINDS = CATEGORY_KINDS

/** A save still unanswered after this long shows "Saving…" on its button. */
const SAVING_LABEL_AFTER_MS = 250

/**
 * The decision form. All rules live in state/decision-form.ts; this renders them, says
 * what is missing, and binds the keyboard scheme (state/keys.ts) while it is shown.
 */
export function DecisionForm({ clip, state, dispatch, policy, locale, playheadMs, getPlayheadMs, onSave }: Props) {
  const { t } = useTranslation()
  const [saving, setSaving] = useState(false)
  const savingRef = useRef(false)
  const problems = useMemo(() => formProblems(policy, state, clip.media.durationMs), [policy, state, clip.media.durationMs])
  const kind = chosenKind(policy, state)
  const actions = offeredActions(policy, state)
  const actionKeys = useMemo(() => actionKeyMap(policy.actions), [policy])
  const inForce = decisionInForce(clip.decisions)
  const action = state.action ? findAction(policy, state.action) : undefined
  const unknownSelected = state.categories.filter((id) => !findCategory(policy, id))
  const canSave = problems.length === 0 && !saving
  // Skip: only a clip without a decision in force (pending, or skipped before).
  const reviewActions = useContext(ReviewActionsContext)
  const canSkip = reviewActions !== null && (clip.status === 'pending' || clip.status === 'skipped') && inForce === null
  const [skipping, setSkipping] = useState(false)
  const [picking, setPicking] = useState(false)
  const escalating = state.action === ESCALATE_ACTION

  const save = async () => {
    if (problems.length > 0 || savingRef.current) return
    savingRef.current = true
    // A save is usually answered in tens of ms: the "Saving…" label shows only for a slow
    // one. Shown at once, it flashed and repainted the form while the call was out, and the
    // answer waited behind that paint. savingRef keeps a second save out meanwhile.
    const slow = setTimeout(() => setSaving(true), SAVING_LABEL_AFTER_MS)
    try {
      await onSave(toDraft(state, clip.id))
    } finally {
      clearTimeout(slow)
      savingRef.current = false
      setSaving(false)
    }
  }

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented) return
    const press = keyPressOf(e)
    if (isCategoryPickerKey(press)) {
      // Prevented, or the C would be typed into the picker's box as it takes focus.
      e.preventDefault()
      setPicking(true)
      return
    }
    if (canSkip && isSkipKey(press)) {
      e.preventDefault()
      setSkipping(true)
      return
    }
    const cmd = interpretKey(press, actionKeys)
    if (!cmd) return
    switch (cmd.type) {
      case 'save':
        e.preventDefault()
        void save()
        break
      case 'action':
        e.preventDefault()
        dispatch({ type: 'setAction', id: cmd.id })
        break
      case 'category':
        e.preventDefault()
        dispatch({ type: 'toggleCategoryAt', index: cmd.index })
        break
      case 'switchKind':
        e.preventDefault()
        dispatch({ type: 'switchActiveKind' })
        break
      default:
        break // navigation belongs to the workspace
    }
  })
  // A layout effect: bound in the same commit that shows the form, so a key pressed
  // right after a clip appears is not lost.
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  // A range just made (I / O, or the add button) takes focus in its label box, so the
  // reviewer names it at once; Esc there hands the keys back to the clip.
  const firstNextKey = useRef(state.nextKey)
  const labelRefs = useRef(new Map<number, HTMLInputElement>())
  const newest = state.ranges[state.ranges.length - 1]
  useEffect(() => {
    if (newest && newest.key >= firstNextKey.current) {
      firstNextKey.current = newest.key + 1
      labelRefs.current.get(newest.key)?.focus()
    }
  }, [newest])
  /** Focus back on the clip's heading, where single keys (an action, Enter to save) work again. */
  const focusClip = () => document.getElementById('clip-title')?.focus()
  const backToClip = (e: ReactKeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Escape') return
    e.preventDefault()
    e.stopPropagation()
    focusClip()
  }

  const updateRange = (key: number, patch: Partial<Omit<RangeDraft, 'key'>>) => dispatch({ type: 'updateRange', key, patch })
  const msValue = (n: number) => (Number.isFinite(n) ? n : '')
  const parseMs = (v: string) => (v.trim() === '' ? Number.NaN : Math.round(Number(v)))
  const invalid = (field: string) => problems.some((p) => p.field === field && p.code !== 'categories_missing' && p.code !== 'action_missing')

  return (
    <section className="decision-form" role="form" aria-labelledby="decision-heading">
      <h3 id="decision-heading">{state.revisesId ? t('form.titleRevision') : t('form.title')}</h3>
      {state.revisesId && inForce && <p className="hint">{t('form.revisionNote', { date: formatDateTime(inForce.decidedAt, locale) })}</p>}
      {state.matchedFrom && (
        <p
          className="hint"
          data-testid="form-matched-from"
          data-match-clip-id={state.matchedFrom.source === 'clip' ? state.matchedFrom.clipId : undefined}
          data-match-entry-id={state.matchedFrom.source === 'hashlist' ? state.matchedFrom.entryId : undefined}
        >
          {state.matchedFrom.source === 'clip'
            ? t('form.fromMatch', { clip: state.matchedFrom.clipId })
            : t('form.fromListMatch', { label: state.matchedFrom.label, list: state.matchedFrom.listId })}{' '}
          <button type="button" className="link" onClick={() => dispatch({ type: 'reset', state: initialForm(policy, clip.decisions) })} data-testid="decide-from-scratch">
            {t('form.fromScratch')}
          </button>
        </p>
      )}

      <fieldset className="categories" aria-invalid={invalid('categories')}>
        <legend>{t('form.categories')}</legend>
        <p className="hint">{t('form.categoriesHint')}</p>
        <button type="button" className="picker-open" onClick={() => setPicking(true)} aria-keyshortcuts="C" data-testid="category-picker-open">
          {t('picker.title')} <kbd aria-hidden="true">C</kbd>
        </button>
        {picking && (
          <CategoryPicker
            policy={policy}
            locale={locale}
            selected={state.categories}
            onPick={(id) => dispatch({ type: 'toggleCategory', id })}
            onClose={() => {
              setPicking(false)
              focusClip()
            }}
          />
        )}
        {KINDS.map((k) => {
          const active = state.activeKind === k
          return (
            <fieldset
              key={k}
              className={`category-group kind-${k}${active ? ' is-active' : ''}`}
              onFocus={() => {
                if (!active) dispatch({ type: 'setActiveKind', kind: k })
              }}
            >
              <legend>
                {t(`ui:kind.${k}`)}
                <span className={active ? 'group-keys' : 'group-keys is-hidden'} aria-hidden={!active}>
                  {t('form.activeGroup')}
                </span>
              </legend>
              {categoriesOfKind(policy, k).map((c, i) => {
                // Hints are always laid out and only hidden in the inactive group: focusing a
                // group must not move the rows, or the click that focused it misses its box.
                const hint = categoryKeyHint(i)
                return (
                  <label key={c.id} className="option" title={c.help[locale]}>
                    <input
                      type="checkbox"
                      checked={state.categories.includes(c.id)}
                      onChange={() => dispatch({ type: 'toggleCategory', id: c.id })}
                      data-testid={`category-${c.id}`}
                      value={c.id}
                    />
                    <span className="option-name">{c.name[locale]}</span>
                    {hint && (
                      <kbd aria-hidden="true" className={active ? undefined : 'is-hidden'}>
                        {hint}
                      </kbd>
                    )}
                  </label>
                )
              })}
            </fieldset>
          )
        })}
        {unknownSelected.length > 0 && (
          <ul className="chips">
            {unknownSelected.map((id) => (
              <li key={id} className="chip chip-unknown">
                {t('form.unknownCategory', { id })}{' '}
                <button type="button" className="link" onClick={() => dispatch({ type: 'toggleCategory', id })} aria-label={t('form.removeCategory', { id })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </fieldset>

      <fieldset className="actions" aria-invalid={invalid('action')}>
        <legend>{t('form.actions')}</legend>
        <p className="hint">{kind ? t('form.actionsFor', { kind: t(`ui:kind.${kind}`) }) : t('form.actionsAll')}</p>
        {actions.map((a) => (
          <label key={a.id} className="option" title={a.help[locale]}>
            <input
              type="radio"
              name={`action-${clip.id}`}
              value={a.id}
              checked={state.action === a.id}
              onChange={() => dispatch({ type: 'setAction', id: a.id })}
              data-testid={`action-${a.id}`}
              aria-keyshortcuts={actionKeys.get(a.key.toLowerCase()) === a.id ? a.key : undefined}
            />
            <span className="option-name">{a.name[locale]}</span>
            {actionKeys.get(a.key.toLowerCase()) === a.id && <kbd aria-hidden="true">{a.key}</kbd>}
          </label>
        ))}
      </fieldset>

      {state.action === ESCALATE_ACTION && (
        <label className="field">
          <span>{t('form.escalationTarget')}</span>
          <select
            value={state.escalationTarget ?? ''}
            onChange={(e) => dispatch({ type: 'setEscalationTarget', id: e.target.value || null })}
            data-testid="escalation-target"
            aria-invalid={invalid('escalationTarget')}
          >
            <option value="">{t('form.chooseTarget')}</option>
            {policy.escalationTargets.map((target) => (
              <option key={target.id} value={target.id}>
                {target.name[locale]}
              </option>
            ))}
          </select>
        </label>
      )}

      <fieldset className="ranges" aria-invalid={invalid('ranges')}>
        <legend>{t('form.ranges')}</legend>
        {state.ranges.length === 0 && <p className="muted">{t('form.noRanges')}</p>}
        {state.ranges.map((r, i) => {
          const n = i + 1
          return (
            <div key={r.key} className={state.selectedRange === r.key ? 'range is-selected' : 'range'} role="group" aria-label={t('form.range', { n })} data-testid="range">
              <div className="range-head">
                <strong>{t('form.range', { n })}</strong>
                <span className="muted">
                  {formatClipTime(r.startMs, locale)}–{formatClipTime(r.endMs, locale)}
                </span>
                <button
                  type="button"
                  className="link"
                  aria-pressed={state.selectedRange === r.key}
                  onClick={() => dispatch({ type: 'selectRange', key: state.selectedRange === r.key ? null : r.key })}
                  data-testid="range-select"
                >
                  {state.selectedRange === r.key ? t('ranges.selected') : t('ranges.select')}
                </button>
                <button type="button" className="link danger" onClick={() => dispatch({ type: 'removeRange', key: r.key })} aria-label={t('form.removeRange', { n })}>
                  {t('form.remove')}
                </button>
              </div>
              <div className="range-times">
                <label className="field">
                  <span>{t('form.start')}</span>
                  <input type="number" min={0} step={100} value={msValue(r.startMs)} onChange={(e) => updateRange(r.key, { startMs: parseMs(e.target.value) })} data-testid="range-start" />
                </label>
                <button type="button" onClick={() => updateRange(r.key, { startMs: getPlayheadMs() })} aria-label={t('form.setStart', { n })}>
                  {t('form.fromPlayer')}
                </button>
                <label className="field">
                  <span>{t('form.end')}</span>
                  <input type="number" min={0} step={100} value={msValue(r.endMs)} onChange={(e) => updateRange(r.key, { endMs: parseMs(e.target.value) })} data-testid="range-end" />
                </label>
                <button type="button" onClick={() => updateRange(r.key, { endMs: getPlayheadMs() })} aria-label={t('form.setEnd', { n })}>
                  {t('form.fromPlayer')}
                </button>
              </div>
              <label className="field">
                <span>{t('form.label')}</span>
                <input
                  type="text"
                  maxLength={200}
                  value={r.label}
                  ref={(el) => {
                    if (el) labelRefs.current.set(r.key, el)
                    else labelRefs.current.delete(r.key)
                  }}
                  onChange={(e) => updateRange(r.key, { label: e.target.value })}
                  onKeyDown={backToClip}
                  data-testid="range-label"
                />
              </label>
              <label className="field">
                <span>{t('form.note')}</span>
                <input type="text" maxLength={2000} value={r.note} onChange={(e) => updateRange(r.key, { note: e.target.value })} onKeyDown={backToClip} data-testid="range-note" />
              </label>
            </div>
          )
        })}
        <button type="button" onClick={() => dispatch({ type: 'addRange', atMs: getPlayheadMs() })} data-testid="add-range">
          {t('form.addRange', { time: formatClipTime(playheadMs, locale) })}
        </button>
      </fieldset>

      <label className="field rationale">
        <span>
          {escalating
            ? t('escalation.note', { target: state.escalationTarget ? escalationTargetName(policy, state.escalationTarget, locale) : t('escalation.team') })
            : t('form.rationale')}{' '}
          <span className="muted">({action?.rationaleRequired ? t('form.required') : t('form.optional')})</span>
        </span>
        <textarea
          rows={4}
          maxLength={5000}
          value={state.rationale}
          onChange={(e) => dispatch({ type: 'setRationale', text: e.target.value })}
          placeholder={escalating ? t('escalation.notePlaceholder') : t('form.rationalePlaceholder')}
          aria-required={action?.rationaleRequired ?? false}
          aria-invalid={invalid('rationale')}
          data-testid="rationale"
        />
      </label>

      <div className="problems" id="form-problems" data-testid="form-problems">
        {problems.length > 0 ? (
          <>
            <p>{t('form.problemsTitle')}</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i} data-code={p.code}>
                  {problemMessage(t, policy, locale, p)}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="ok">{t('form.ready')}</p>
        )}
      </div>

      <div className="save-row">
        <button
          type="button"
          className="primary"
          disabled={!canSave}
          onClick={() => void save()}
          aria-describedby="form-problems"
          aria-keyshortcuts="Control+Enter"
          data-testid="save-decision"
        >
          {saving ? t('form.saving') : state.revisesId ? t('form.saveRevision') : t('form.save')}
        </button>
        <kbd aria-hidden="true">Ctrl+Enter</kbd>
        {canSkip && !skipping && (
          <button type="button" className="skip-open" onClick={() => setSkipping(true)} aria-keyshortcuts="S" data-testid="skip-open">
            {t('skip.open')} <kbd aria-hidden="true">S</kbd>
          </button>
        )}
      </div>
      {canSkip && skipping && reviewActions && (
        <SkipForm onSkip={(reason) => reviewActions.skip(clip.id, reason)} onCancel={() => setSkipping(false)} />
      )}
    </section>
  )
}
