import type { TinjauApi } from '../shared/contract'
import type { AppInfo } from '../shared/domain'
import type { Policy } from '../shared/policy'
import { startFirstPage, type FirstPage } from './state/first-page'
import { DEFAULT_VIEW } from './state/queue-view'

/**
 * What the app needs before it can show the queue, asked for all at once and as early as
 * possible: main.tsx starts this before React renders anything, so the round trips
 * overlap the first render instead of following it.
 */
export interface BootRequests {
  info: Promise<AppInfo>
  policy: Promise<Policy>
  firstPage: { key: string; page: FirstPage }
}

export function startBoot(api: TinjauApi): BootRequests {
  const boot = { info: api.call('app.info', {}), policy: api.call('policy.get', {}), firstPage: startFirstPage(api, DEFAULT_VIEW) }
  // Failures are reported when App awaits them; until then they must not be "unhandled".
  boot.info.catch(() => undefined)
  boot.policy.catch(() => undefined)
  return boot
}
