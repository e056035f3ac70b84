import { useEffect, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Locale, Policy } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'
import { keyHelpSections, SPACE } from '../state/key-help'
import { keyPressOf } from '../state/keys'
import { MAX_SPEED, MIN_SPEED, SHUTTLE_STEPS } from '../state/playback'
import { interpretPlaybackKey } from '../state/playback-keys'
import './playback.css'

/** Any mounted KeyHelp opens when a KeyHelpButton is pressed. */
const openers = new Set<() => void>()

/** A button that opens the `?` overlay (for the mouse, and to show it exists). */
export function KeyHelpButton() {
  const { t } = useTranslation()
  return (
    <button type="button" className="keyhelp-open" aria-label={t('keyHelp.openLabel')} aria-keyshortcuts="?" onClick={() => openers.forEach((open) => open())}>
      {t('keyHelp.open')} <kbd aria-hidden="true">?</kbd>
    </button>
  )
}

interface Props {
  policy: Policy
  locale: Locale
}

/**
 * The `?` overlay: a modal dialog listing every key of the console, built from the
 * key-scheme data the handlers use (state/key-help.ts). Escape closes it; while open,
 * focus stays inside (a modal `<dialog>` makes the page behind inert) and keys do not
 * reach the console; on close, focus returns to where it was.
 */
export function KeyHelp({ policy, locale }: Props) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  const dialogRef = useRef<HTMLDialogElement>(null)
  const returnTo = useRef<HTMLElement | null>(null)

  const show = () => {
    if (dialogRef.current?.open) return
    returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
    setOpen(true)
  }

  useEffect(() => {
    openers.add(show)
    return () => {
      openers.delete(show)
    }
  })

  useEffect(() => {
    const dialog = dialogRef.current
    if (!dialog) return
    if (open && !dialog.open) {
      dialog.showModal()
      dialog.querySelector<HTMLElement>('.keyhelp-close')?.focus()
    } else if (!open && dialog.open) dialog.close()
  }, [open])

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || open) return
    const cmd = interpretPlaybackKey(keyPressOf(e))
    if (cmd?.type !== 'help') return
    e.preventDefault()
    show()
  })
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  const onClose = () => {
    setOpen(false)
    const back = returnTo.current
    returnTo.current = null
    if (back?.isConnected) back.focus()
  }

  return (
    <dialog
      ref={dialogRef}
      className="keyhelp"
      aria-labelledby="keyhelp-title"
      data-testid="key-help"
      onClose={onClose}
      // Keys pressed in the dialog stay in it: the console behind does not react.
      onKeyDown={(e) => e.stopPropagation()}
    >
      <div className="keyhelp-head">
        <h2 id="keyhelp-title">{t('keyHelp.title')}</h2>
        <button type="button" className="keyhelp-close" onClick={() => dialogRef.current?.close()}>
          {t('keyHelp.close')}
        </button>
      </div>
      {open && <KeyHelpList policy={policy} locale={locale} />}
    </dialog>
  )
}

/** The overlay's content: every key, section by section, from the key-scheme data. */
export function KeyHelpList({ policy, locale }: Props) {
  const { t } = useTranslation()
  const sections = useMemo(() => keyHelpSections(policy.actions), [policy])
  const num = (n: number) => formatNumber(n, locale)
  const params: Record<string, string> = {
    steps: SHUTTLE_STEPS.map((s) => `×${num(s)}`).join(', '),
    min: t('playback.rate', { rate: num(MIN_SPEED) }),
    max: t('playback.rate', { rate: num(MAX_SPEED) }),
  }
  const keyText = (k: string) => (k === SPACE ? t('keyHelp.keyName.space') : k)
  return (
    <>
      <p className="muted">{t('keyHelp.intro')}</p>
      <div className="keyhelp-sections">
        {sections.map((s) => (
          <section key={s.id} aria-labelledby={`keyhelp-${s.id}`}>
            <h3 id={`keyhelp-${s.id}`}>{t(`keyHelp.section.${s.id}`)}</h3>
            <table className="keyhelp-table">
              <tbody>
                {s.rows.map((r, i) => (
                  <tr key={`${r.id}-${i}`} data-key-row={r.id}>
                    <th scope="row">
                      {r.keys.map((k, j) => (
                        <span key={k}>
                          {j > 0 && <span className="muted"> {t('keyHelp.or')} </span>}
                          <kbd>{keyText(k)}</kbd>
                        </span>
                      ))}
                    </th>
                    <td>
                      {r.id === 'action'
                        ? t('keyHelp.row.action', { action: policy.actions.find((a) => a.id === r.actionId)?.name[locale] ?? r.actionId })
                        : t(`keyHelp.row.${r.id}`, params)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <p className="muted small">{t('keyHelp.precedence')}</p>
    </>
  )
}
