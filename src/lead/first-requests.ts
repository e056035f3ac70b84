import { LEAD_ROUTES } from '../shared/lead-routes'
import { leadUrl, type LeadQuery } from './api/lead-url'
import type { Route } from './route'

/** The disputed list's first page, as DisputesPage asks for it. */
export const FIRST_DISPUTES_QUERY = { limit: 50 } satisfies LeadQuery

/**
 * What the console asks for first when opened at `route`: who is signed in, the policy,
 * and the list the page shows first. boot.ts asks for them all at once, before the
 * console's code has started (early-answers.ts).
 */
export function firstRequests(route: Route): string[] {
  const urls = [leadUrl(LEAD_ROUTES.session), leadUrl(LEAD_ROUTES.policy)]
  if (route.page === 'disputes') urls.push(leadUrl(LEAD_ROUTES.disputes, FIRST_DISPUTES_QUERY))
  if (route.page === 'overview') urls.push(leadUrl(LEAD_ROUTES.overview))
  return urls
}
