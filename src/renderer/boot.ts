import type { TinjauApi } from '../shared/contract'
import type { AppInfo } from '../shared/domain'
import type { Policy } from '../shared/policy'
import { startFirstPage, type FirstPage } from './state/first-page'
import { DEFAULT_VIEW } from './state/queue-view'
import { track, type Tracked } from './state/tracked'

/**
 * What the app needs before it can show the queue, asked for all at once and as early as
 * possible: main.tsx starts this before React renders anything, so the round trips
 * overlap the first render instead of following it.
 */
export interface BootRequests {
  info: Tracked<AppInfo>
  policy: Tracked<Policy>
  firstPage: { key: string; page: FirstPage }
}

export function startBoot(api: TinjauApi): BootRequests {
  const boot = { info: track(api.call('app.info', {})), policy: track(api.call('policy.get', {})), firstPage: startFirstPage(api, DEFAULT_VIEW) }
  // Failures are reported when App awaits them; until then they must not be "unhandled".
  boot.info.promise.catch(() => undefined)
  boot.policy.promise.catch(() => undefined)
  return boot
}

/** Both start-up answers, if they have already arrived. */
export function bootAnswers(boot: BootRequests): { info: AppInfo; policy: Policy } | null {
  const info = boot.info.value()
  const policy = boot.policy.value()
  return info && policy ? { info, policy } : null
}
