import type { ProfileSession } from '../core/profile-session'
import type { Tinjau } from '../core/tinjau'

/**
 * The session's open profile, looked up on every use: for what is registered once and
 * lives across locks (the media protocol). While the profile is locked every use throws
 * `locked`, so nothing of it is served.
 */
export function liveProfile(session: ProfileSession): Tinjau {
  return new Proxy({} as Tinjau, {
    get(_target, prop) {
      const tinjau = session.current()
      const value: unknown = Reflect.get(tinjau, prop)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(tinjau) : value
    },
  })
}
