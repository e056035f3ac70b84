/**
 * Where the lead is, in the URL's hash (`#/disputes`, `#/clips/<id>`): the service serves
 * one page, the browser's back and forward work, and a link to a clip can be shared with
 * another lead.
 */

export type Route =
  | { page: 'overview' }
  | { page: 'disputes' }
  | { page: 'clip'; clipId: string }
  | { page: 'qa' }
  | { page: 'exports' }
  | { page: 'admin' }

export const PAGES = ['overview', 'disputes', 'qa', 'exports', 'admin'] as const

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean)
  const [head, arg] = parts
  if (head === 'clips' && arg) {
    try {
      return { page: 'clip', clipId: decodeURIComponent(arg) }
    } catch {
      return { page: 'disputes' }
    }
  }
  if (head && (PAGES as readonly string[]).includes(head)) return { page: head as Exclude<Route['page'], 'clip'> } as Route
  return { page: 'overview' }
}

export function routeHref(route: Route): string {
  return route.page === 'clip' ? `#/clips/${encodeURIComponent(route.clipId)}` : `#/${route.page}`
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route)
}
