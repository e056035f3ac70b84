import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { guessLocale, isLocale } from '../ui/i18n/create-i18n'
import { App } from './App'
import { createLeadI18n, LOCALE_KEY } from './i18n/i18n'

/**
 * The console itself, loaded by main.ts once the page's first requests are on their way:
 * the language, i18next, React, the signed-in console.
 */

function startLocale() {
  try {
    const stored = localStorage.getItem(LOCALE_KEY)
    if (isLocale(stored)) return stored
  } catch {
    // no storage: fall back to the browser's languages
  }
  return guessLocale(navigator.languages)
}

const locale = startLocale()
document.documentElement.lang = locale
const i18n = createLeadI18n(locale)
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
)
