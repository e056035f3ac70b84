import type { Tinjau } from '../core/tinjau'
import { startWebHost, type WebHost } from './web-host'

/**
 * Running the web host as a process (out/main/web.js, `tinjau serve`): parse the port,
 * start, announce the URL on one line, and close cleanly on SIGINT/SIGTERM.
 */

export const PORT_ENV = 'TINJAU_PORT'

/** `--port`, else TINJAU_PORT, else 0 (any free port). */
export function resolvePort(flag: string | undefined, env: Record<string, string | undefined>): number {
  const raw = flag ?? env[PORT_ENV]
  if (raw === undefined || raw === '') return 0
  const source = flag !== undefined ? '--port' : PORT_ENV
  if (!/^\d{1,5}$/.test(raw.trim()) || Number(raw) > 65535) {
    throw new RangeError(`${source}: "${raw}" is not a port number (0-65535; 0 picks a free one)`)
  }
  return Number(raw)
}

export function urlLine(host: WebHost): string {
  return `Tinjau web host: ${host.launchUrl}`
}

/** Resolves with the signal's name on SIGINT or SIGTERM (or when `abort` fires). */
export function untilShutdown(abort?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      abort?.removeEventListener('abort', onAbort)
      resolve(why)
    }
    const onInt = () => done('SIGINT')
    const onTerm = () => done('SIGTERM')
    const onAbort = () => done('abort')
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    if (abort?.aborted) done('abort')
    else abort?.addEventListener('abort', onAbort)
  })
}

export interface ServeOptions {
  /**
   * The profile, or how to open it: then the URL is printed as soon as the host listens
   * and the profile is opened after, so the browser loads the renderer while the store
   * (and the code behind it) loads; calls wait for it. If it fails to open, the host
   * closes and this rejects with that error.
   */
  tinjau: Tinjau | (() => Promise<Tinjau>)
  rendererDir: string
  port: number
  print: (line: string) => void
  abort?: AbortSignal
}

/** Start, print the URL line, wait for a shutdown signal (or a profile that fails to open), close the host and the profile. */
export async function serveUntilShutdown(opts: ServeOptions): Promise<void> {
  const given = opts.tinjau
  const opener = typeof given === 'function' ? given : null
  const profileGiven = typeof given === 'function' ? null : given
  const deferred: { resolve: (t: Tinjau) => void; reject: (err: unknown) => void } = { resolve: () => {}, reject: () => {} }
  const opening =
    opener
      ? new Promise<Tinjau>((resolve, reject) => Object.assign(deferred, { resolve, reject }))
      : Promise.resolve(profileGiven as Tinjau)
  let host: WebHost
  try {
    host = await startWebHost({ tinjau: opening, rendererDir: opts.rendererDir, port: opts.port })
  } catch (err) {
    // Nothing will serve it: close the profile if it was already open.
    profileGiven?.close()
    throw err
  }
  const failed = new AbortController()
  let openError: unknown = null
  opening.catch((err: unknown) => {
    openError = err
    failed.abort()
  })
  try {
    // Listen for the signals before announcing: whoever reads the line may stop us at once.
    const stopped = untilShutdown(opts.abort ? AbortSignal.any([opts.abort, failed.signal]) : failed.signal)
    opts.print(urlLine(host))
    if (opener) void Promise.resolve().then(opener).then(deferred.resolve, deferred.reject)
    await stopped
  } finally {
    await host.close()
    const profile = await opening.catch(() => null)
    profile?.close()
  }
  if (openError !== null) throw openError
}
