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
  'audit.verify',
] as const
export type ApiMethod = (typeof API_METHODS)[number]

export const API_EVENTS = ['queue.changed'] as const
export type ApiEvent = (typeof API_EVENTS)[number]

/** Prefix of IPC channels, so main can refuse anything that is not ours. */
export const IPC_PREFIX = 'tinjau:'
export const IPC_EVENT_CHANNEL = 'tinjau:event'
