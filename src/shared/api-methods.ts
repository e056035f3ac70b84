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
  'policy.get',
  'queue.list',
  'clip.get',
  'clip.skip',
  'decision.record',
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
  'file.kind',
] as const
export type ApiMethod = (typeof API_METHODS)[number]

/**
 * Methods a host runs at once even while an import holds the store (they do not touch
 * it, or a sync run waits for the store itself): every other call waits for the import
 * to finish.
 */
export const GATE_FREE_METHODS: readonly ApiMethod[] = ['pack.cancelImport', 'sync.status', 'sync.run']

export const API_EVENTS = ['queue.changed', 'pack.importProgress', 'sync.status'] as const
export type ApiEvent = (typeof API_EVENTS)[number]

/** Prefix of IPC channels, so main can refuse anything that is not ours. */
export const IPC_PREFIX = 'tinjau:'
export const IPC_EVENT_CHANNEL = 'tinjau:event'
