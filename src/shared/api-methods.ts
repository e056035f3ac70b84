/**
 * Names only, with no schema library behind them: the sandboxed Electron preload imports
 * this to expose exactly the contract, and must stay tiny. `contract.ts` checks at compile
 * time that these lists and the schemas agree.
 */
export const API_METHODS = [
  'app.info',
  'settings.setLocale',
  'settings.get',
  'settings.setWellness',
  'settings.setMatching',
  'policy.get',
  'queue.list',
  'clip.get',
  'clip.skip',
  'decision.record',
  'decision.recordMany',
  'decision.list',
  'pack.importDemo',
  'pack.importDirectory',
  'pack.import',
  'pack.cancelImport',
  'export.decisions',
  'audit.verify',
  'sync.status',
  'sync.enroll',
  'sync.unenroll',
  'sync.run',
  'sync.issues',
  'hashes.next',
  'hashes.record',
  'hashes.status',
  'clip.matches',
  'hashlist.import',
  'hashlist.list',
  'hashlist.remove',
  'file.kind',
  'settings.setIdleLock',
  'profile.status',
  'profile.unlock',
  'profile.lock',
  'profile.activity',
  'profile.setPassphrase',
] as const
export type ApiMethod = (typeof API_METHODS)[number]

/** `decision.recordMany`'s bound (copies of one video decided in one action), so one call cannot hold the store for long. */
export const MAX_DECISIONS_AT_ONCE = 200

/**
 * Methods a host runs at once even while an import holds the store (they do not touch
 * it, or a sync run waits for the store itself): every other call waits for the import
 * to finish.
 */
export const GATE_FREE_METHODS: readonly ApiMethod[] = [
  'pack.cancelImport',
  'sync.status',
  'sync.run',
  'profile.status',
  'profile.unlock',
  'profile.lock',
  'profile.activity',
  'profile.setPassphrase',
]

/**
 * The profile's lock (issue 15): served by the host (its profile session), not by an open
 * profile, and answered while the profile is locked; every other method then is refused
 * with `locked`. A host that cannot lock (the CLI) does not serve them.
 */
export const PROFILE_METHODS = ['profile.status', 'profile.unlock', 'profile.lock', 'profile.activity', 'profile.setPassphrase'] as const satisfies readonly ApiMethod[]
export type ProfileMethod = (typeof PROFILE_METHODS)[number]

export const API_EVENTS = ['queue.changed', 'pack.importProgress', 'sync.status', 'profile.status'] as const
export type ApiEvent = (typeof API_EVENTS)[number]

/** Prefix of IPC channels, so main can refuse anything that is not ours. */
export const IPC_PREFIX = 'tinjau:'
export const IPC_EVENT_CHANNEL = 'tinjau:event'
