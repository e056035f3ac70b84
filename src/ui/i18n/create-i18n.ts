import i18next, { type i18n, type Resource } from 'i18next'
import { initReactI18next } from 'react-i18next'
import { LOCALES } from '../../shared/policy-rules'
import type { Locale } from '../../shared/policy'
import uiEn from './en.json'
import uiId from './id.json'

/**
 * One i18next instance per console (the reviewer's app, the lead console). Each console's
 * own strings are the default namespace; the components both share (src/ui) read theirs
 * from the `ui` namespace, kept here once for both. Resources are bundled, so init is
 * synchronous.
 */

export const UI_NAMESPACE = 'ui'

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** A first guess before the user's setting is known: the browser's language when we speak it. */
export function guessLocale(languages: readonly string[]): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0]
    if (isLocale(base)) return base
  }
  return 'en'
}

export function consoleResources(app: Record<Locale, object>): Resource {
  return {
    en: { translation: app.en as Resource[string][string], [UI_NAMESPACE]: uiEn },
    id: { translation: app.id as Resource[string][string], [UI_NAMESPACE]: uiId },
  }
}

export function createConsoleI18n(locale: Locale, resources: Resource): i18n {
  const instance = i18next.createInstance()
  void instance.use(initReactI18next).init({
    resources,
    lng: locale,
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    ns: ['translation', UI_NAMESPACE],
    defaultNS: 'translation',
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    react: { useSuspense: false },
  })
  return instance
}
