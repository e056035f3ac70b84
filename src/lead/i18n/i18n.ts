import type { i18n } from 'i18next'
import type { Locale } from '../../shared/policy'
import { consoleResources, createConsoleI18n } from '../../ui/i18n/create-i18n'

/**
 * The lead console's strings: one file per part of the console in each language
 * (`en/<part>.json`, `id/<part>.json`), each under its file's name (`disputes.title`), so
 * the parts are written apart; the components it shares with the app bring theirs (src/ui).
 */

type Files = Record<string, Record<string, unknown>>

function byPart(files: Files): Record<string, unknown> {
  return Object.fromEntries(Object.entries(files).map(([file, strings]) => [file.replace(/^.*\/([^/]+)\.json$/, '$1'), strings]))
}

export const leadStrings = {
  en: byPart(import.meta.glob<Record<string, unknown>>('./en/*.json', { eager: true, import: 'default' })),
  id: byPart(import.meta.glob<Record<string, unknown>>('./id/*.json', { eager: true, import: 'default' })),
}

export const resources = consoleResources(leadStrings)

export function createLeadI18n(locale: Locale): i18n {
  return createConsoleI18n(locale, resources)
}

export const LOCALE_KEY = 'tinjau.lead.locale'
