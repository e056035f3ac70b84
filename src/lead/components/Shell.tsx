import { useEffect, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { LOCALES } from '../../shared/policy-rules'
import type { Locale } from '../../shared/policy'
import type { SessionInfo } from '../../shared/lead-api'
import { PAGES, routeHref, type Route } from '../route'

interface Props {
  route: Route
  session: SessionInfo
  locale: Locale
  onLocale(locale: Locale): void
  onSignOut(): void
  children: ReactNode
}

/** The console's frame: a skip link, the sections, who is signed in, the language, sign-out. */
export function Shell({ route, session, locale, onLocale, onSignOut, children }: Props) {
  const { t } = useTranslation()
  const mainRef = useRef<HTMLElement>(null)
  const pages = PAGES.filter((p) => p !== 'admin' || session.lead.role === 'admin')
  const current = route.page === 'clip' ? 'disputes' : route.page
  // A new page: focus moves to it, so a keyboard or screen reader user starts there.
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    mainRef.current?.focus()
  }, [route.page])

  return (
    <div className="lead-app">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        {t('common.skipToMain')}
      </a>
      <header className="lead-header">
        <p className="brand">
          <strong>{t('common.appName')}</strong> <span className="muted">{t('common.consoleName')}</span>
        </p>
        <nav aria-label={t('common.nav.label')}>
          <ul className="lead-nav">
            {pages.map((p) => (
              <li key={p}>
                <a href={routeHref({ page: p } as Route)} aria-current={p === current ? 'page' : undefined} data-testid={`nav-${p}`}>
                  {t(`common.nav.${p}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="lead-header-tools">
          <span className="muted" data-testid="signed-in-as">
            {t('common.signedInAs', { name: session.lead.name, role: t(`common.roles.${session.lead.role}`) })}
          </span>
          <label>
            <span className="visually-hidden">{t('common.language')}</span>
            <select value={locale} onChange={(e) => onLocale(e.target.value as Locale)} data-testid="locale-select">
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {t(`common.languages.${l}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={onSignOut} data-testid="sign-out">
            {t('common.signOut')}
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="lead-main">
        {children}
      </main>
    </div>
  )
}
