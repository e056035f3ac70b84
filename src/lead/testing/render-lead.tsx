import type { ReactNode } from 'react'
import { renderToStaticMarkup } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import policyJson from '../../../resources/policy/live-safety.json'
import type { LeadRoleValue, SessionInfo } from '../../shared/lead-api'
import { Policy, type Locale } from '../../shared/policy'
import { LeadClient } from '../api/lead-client'
import { createLeadI18n } from '../i18n/i18n'
import { LeadContext, type Lead } from '../lead-context'

/**
 * The lead console's parts rendered to markup for its tests: in a language, inside the
 * signed-in console (a fake client, session and the live-safety policy). Markup runs no
 * effects, so the fake client is never called; it answers every call with `body` all the same.
 */

/** The policy the console is shown with in the tests. */
export const livePolicy = Policy.parse(policyJson)

/** A client whose every call is answered 200 with this body. */
export const fakeClient = (body = '[]') => new LeadClient(async () => new Response(body, { status: 200 }))

/** Lina, signed in with this role. */
export const fakeSession = (role: LeadRoleValue = 'lead'): SessionInfo => ({ lead: { id: 'lina', name: 'Lina', role }, expires_at: '2026-12-04T02:00:00Z' })

const client = fakeClient()

/** The signed-in console as a page sees it; `overrides` replace any part. */
export function fakeLead(locale: Locale, overrides: Partial<Lead> = {}): Lead {
  return { client, session: fakeSession(), policy: livePolicy, locale, sessionEnded: () => undefined, ...overrides }
}

/** `node` rendered to markup with the console's strings in `locale` (no console around it). */
export function renderInLocale(locale: Locale, node: ReactNode): string {
  return renderToStaticMarkup(<I18nextProvider i18n={createLeadI18n(locale)}>{node}</I18nextProvider>)
}

/** `node` rendered to markup in `locale` inside the signed-in console (`fakeLead(locale, overrides)`). */
export function renderLead(locale: Locale, node: ReactNode, overrides: Partial<Lead> = {}): string {
  return renderInLocale(locale, <LeadContext.Provider value={fakeLead(locale, overrides)}>{node}</LeadContext.Provider>)
}
