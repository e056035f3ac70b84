import { useEffect, useId, useMemo, useReducer, useRef, type KeyboardEvent as ReactKeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { Locale, Policy } from '../../shared/policy'
import { INITIAL_PICKER, matchCategories, pickerKeyCommand, pickerReducer, pickerView, type PickerEvent, type PickerState } from '../state/category-picker'
import './category-picker.css'

interface Props {
  policy: Policy
  locale: Locale
  /** Ids of the categories the decision already has (marked in the list). */
  selected: readonly string[]
  /** The reviewer chose this category (Enter or a click); the form decides what that does. */
  onPick: (id: string) => void
  onClose: () => void
  /** What the text box starts with (say, the letter that opened the picker); empty by default. */
  initialQuery?: string
}

/**
 * The category quick picker: type to filter the policy's categories (both kinds), move
 * with ↑/↓ (Ctrl+Home / Ctrl+End for the ends), Enter picks the highlighted one, Escape
 * closes. The highlighted category's help is shown beside the list. It is an overlay panel
 * inside the decision form, not a modal: focus stays in its text box (an ARIA 1.2
 * combobox with `aria-activedescendant`). Matching and ranking: state/category-picker.ts.
 *
 * Enter and Escape stop here, so the form behind does not also save or close; Ctrl+Enter
 * (Cmd+Enter) is left to bubble, as the form saves on it from anywhere.
 */
export function CategoryPicker({ policy, locale, selected, onPick, onClose, initialQuery = '' }: Props) {
  const { t } = useTranslation()
  const id = useId()
  const inputId = `${id}-input`
  const listId = `${id}-list`
  const helpId = `${id}-help`
  const optionId = (categoryId: string) => `${id}-option-${categoryId}`

  const [state, dispatch] = useReducer(
    (s: PickerState, e: PickerEvent) => pickerReducer(s, e, matchCategories(policy, locale, s.query).length),
    initialQuery,
    (query): PickerState => ({ ...INITIAL_PICKER, query }),
  )
  const { matches, highlighted, current } = useMemo(() => pickerView(policy, locale, state), [policy, locale, state])
  const chosen = new Set(selected)
  const expanded = matches.length > 0

  // Keep the highlighted option in view as it moves through a list taller than its box.
  const listRef = useRef<HTMLUListElement>(null)
  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' })
  }, [highlighted, matches])

  // The panel opens over the form: bring all of it into view (the form may be scrolled).
  const rootRef = useRef<HTMLDivElement>(null)
  useEffect(() => {
    rootRef.current?.scrollIntoView?.({ block: 'nearest' })
  }, [])

  const pick = (categoryId: string) => {
    onPick(categoryId)
    onClose()
  }

  const onKeyDown = (e: ReactKeyboardEvent<HTMLInputElement>) => {
    const cmd = pickerKeyCommand(e)
    if (!cmd) return // typing, caret moves, and Ctrl+Enter (the form's Save) go on as usual
    e.preventDefault()
    switch (cmd.type) {
      case 'event':
        dispatch(cmd.event)
        break
      case 'pick':
        // Stopped here, or the form behind would save on this Enter too.
        e.stopPropagation()
        if (current) pick(current.id)
        break
      case 'close':
        e.stopPropagation()
        onClose()
        break
    }
  }

  return (
    <div className="category-picker" role="group" aria-labelledby={`${id}-title`} data-testid="category-picker" ref={rootRef}>
      <div className="category-picker-head">
        <label id={`${id}-title`} htmlFor={inputId} className="category-picker-title">
          {t('picker.title')}
        </label>
        <span className="category-picker-keys muted" aria-hidden="true">
          {t('picker.keys')}
        </span>
        <button type="button" className="category-picker-close" onClick={onClose} aria-keyshortcuts="Escape">
          {t('picker.close')}
        </button>
      </div>
      <input
        id={inputId}
        type="text"
        className="category-picker-input"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={current ? optionId(current.id) : undefined}
        aria-autocomplete="list"
        aria-describedby={`${id}-instructions`}
        autoComplete="off"
        spellCheck={false}
        autoFocus
        placeholder={t('picker.placeholder')}
        value={state.query}
        onChange={(e) => dispatch({ type: 'setQuery', query: e.target.value })}
        onKeyDown={onKeyDown}
        data-testid="category-picker-input"
      />
      <span id={`${id}-instructions`} className="visually-hidden">
        {t('picker.instructions')}
      </span>
      <p className="category-picker-count visually-hidden" role="status">
        {state.query.trim() === '' ? '' : t('picker.count', { count: matches.length })}
      </p>
      <div className="category-picker-body">
        <ul id={listId} ref={listRef} className="category-picker-list" role="listbox" aria-label={t('picker.listLabel')} hidden={!expanded}>
          {matches.map((c, i) => {
            const isChosen = chosen.has(c.id)
            const isHighlighted = i === highlighted
            return (
              <li
                key={c.id}
                id={optionId(c.id)}
                role="option"
                aria-selected={isHighlighted}
                className={`category-picker-option kind-${c.kind}${isHighlighted ? ' is-highlighted' : ''}${isChosen ? ' is-chosen' : ''}`}
                data-testid="category-picker-option"
                data-category-id={c.id}
                // Keep focus (and the caret) in the text box; the click picks.
                onMouseDown={(e) => e.preventDefault()}
                onMouseMove={() => {
                  if (!isHighlighted) dispatch({ type: 'highlight', index: i })
                }}
                onClick={() => pick(c.id)}
              >
                <span className="category-picker-mark" aria-hidden="true">
                  {isChosen ? '✓' : ''}
                </span>
                <span className="category-picker-name">{c.name[locale]}</span>
                {isChosen && <span className="visually-hidden"> ({t('picker.chosen')})</span>}{' '}
                <span className={`chip chip-${c.kind}`}>{t(`ui:kind.${c.kind}`)}</span>
              </li>
            )
          })}
        </ul>
        {!expanded && (
          <p className="category-picker-empty" data-testid="category-picker-empty">
            {t('picker.noMatch', { query: state.query.trim() })}
          </p>
        )}
        <div id={helpId} className="category-picker-help" aria-live="polite" aria-atomic="true" data-testid="category-picker-help">
          {current && (
            <>
              <p className="category-picker-help-head">
                <strong>{current.name[locale]}</strong> <span className={`chip chip-${current.kind}`}>{t(`ui:kind.${current.kind}`)}</span>
              </p>
              <p className="category-picker-help-text">{current.help[locale]}</p>
              <p className="category-picker-help-meta muted">
                <code>{current.id}</code>
                {chosen.has(current.id) && <span className="category-picker-chosen"> · {t('picker.chosen')}</span>}
              </p>
            </>
          )}
        </div>
      </div>
    </div>
  )
}
