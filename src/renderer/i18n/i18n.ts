import i18next, { type i18n } from 'i18next'
import { initReactI18next } from 'react-i18next'
import { LOCALES } from '../../shared/policy-rules'
import type { Locale } from '../../shared/policy'
import en from './en.json'
import id from './id.json'

/** One i18next instance for the app; resources are bundled, so init is synchronous. */

export const resources = { en: { translation: en }, id: { translation: id } } as const

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** A first guess before `app.info` answers: the browser's language when we speak it. */
export function guessLocale(languages: readonly string[]): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0]
    if (isLocale(base)) return base
  }
  return 'en'
}

export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance()
  void instance.use(initReactI18next).init({
    resources,
    lng: locale,
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    react: { useSuspense: false },
  })
  return instance
}
