import type { Tinjau } from '../../tinjau'
import { SyncClient, type SyncClientOptions } from '../sync-client'

/**
 * A sync client of its own on an open profile (the profile's parts, as tinjau.ts passes
 * them), with `extra` options for the test: fetch, retry waits, batch sizes.
 */
export function syncClientFor(t: Tinjau, extra: Partial<SyncClientOptions> = {}): SyncClient {
  return new SyncClient({
    store: t.store,
    media: t.media,
    manifests: t.manifests,
    gate: t.gate,
    identity: t.identity,
    deviceKey: () => t.deviceKey(),
    ...extra,
  })
}
