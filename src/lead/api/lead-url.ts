import { LEAD_API_PATH } from '../../shared/lead-routes'

/** Query parameters; undefined values are left out. */
export type LeadQuery = Record<string, string | number | boolean | undefined>

/** The URL of a lead API route with its query, as the client asks for it. */
export function leadUrl(route: string, query?: LeadQuery): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v))
  const q = qs.toString()
  return `${LEAD_API_PATH}${route}${q ? `?${q}` : ''}`
}
