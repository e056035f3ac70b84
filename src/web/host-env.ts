import { existsSync } from 'node:fs'
import path from 'node:path'

/** The built renderer the web host serves; the profile itself is opened by core/host-env. */

export class NotBuiltError extends Error {}

/** `<package root>/out/renderer`, which `npm run build` writes. */
export function builtRendererDir(packageRoot: string): string {
  const dir = path.join(packageRoot, 'out', 'renderer')
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new NotBuiltError(`the renderer is not built (no ${path.join(dir, 'index.html')}): run npm run build first`)
  }
  return dir
}

/** Unlocks the profile at start (scripts, tests); without it the host starts locked. */
export const PASSPHRASE_ENV = 'TINJAU_PASSPHRASE'
/** Fixes the idle lock to this many seconds, in place of the profile's setting (tests, kiosks). */
export const IDLE_LOCK_ENV = 'TINJAU_IDLE_LOCK_SECONDS'

/** TINJAU_IDLE_LOCK_SECONDS in ms (0: never), or null when unset; anything else is refused. */
export function idleLockOverrideMs(env: Record<string, string | undefined>): number | null {
  const raw = env[IDLE_LOCK_ENV]
  if (raw === undefined || raw === '') return null
  if (!/^\d{1,6}$/.test(raw.trim())) throw new RangeError(`${IDLE_LOCK_ENV}: "${raw}" is not a whole number of seconds (0 = never lock)`)
  return Number(raw) * 1000
}
