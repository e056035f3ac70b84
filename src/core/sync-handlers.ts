import type { MethodOutput, ParsedInput } from '../shared/contract'
import type { SyncClient } from './sync'

type Sync<M extends 'sync.status' | 'sync.run' | 'sync.issues'> = (input: ParsedInput<M>) => MethodOutput<M>
type AsyncSync<M extends 'sync.enroll' | 'sync.unenroll'> = (input: ParsedInput<M>) => Promise<MethodOutput<M>>

interface SyncHandlers {
  'sync.status': Sync<'sync.status'>
  'sync.enroll': AsyncSync<'sync.enroll'>
  'sync.unenroll': AsyncSync<'sync.unenroll'>
  'sync.run': Sync<'sync.run'>
  'sync.issues': Sync<'sync.issues'>
}

/**
 * The contract's sync methods bound to a profile's sync client. `sync.run` answers at
 * once: a run can take minutes (media), and its progress and outcome reach the renderer
 * as `sync.status` events, so the caller never waits on it and a failed run is shown,
 * not thrown.
 */
export function syncHandlers(sync: SyncClient): SyncHandlers {
  return {
    'sync.status': () => sync.status(),
    'sync.enroll': async ({ serverUrl, code }) => {
      await sync.enroll(serverUrl, code)
      return sync.status()
    },
    'sync.unenroll': async () => {
      await sync.unenroll()
      return sync.status()
    },
    'sync.run': () => {
      sync.syncNow().catch(() => undefined)
      return sync.status()
    },
    'sync.issues': () => ({ rejected: sync.rejectedDecisions(), adjudications: sync.notices() }),
  }
}
