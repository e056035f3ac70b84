import { createRequire } from 'node:module'

let v7: (() => string) | null = null

/**
 * A new time-ordered id (UUID v7), for decisions, skips and devices. The uuid package is
 * required on first use rather than at open: it is ~30 ms of a start that mints no id.
 */
export function newId(): string {
  v7 ??= (createRequire(__filename)('uuid') as typeof import('uuid')).v7
  return v7()
}
