import type { i18n } from 'i18next'
import type { Locale } from '../../shared/policy'
import { consoleResources, createConsoleI18n } from '../../ui/i18n/create-i18n'
import en from './en.json'
import id from './id.json'

export { guessLocale, isLocale } from '../../ui/i18n/create-i18n'

/** The app's i18next instance: its own strings, and the shared components' (src/ui/i18n). */

export const resources = consoleResources({ en, id })

export function createI18n(locale: Locale): i18n {
  return createConsoleI18n(locale, resources)
}
