import { ProfileSession } from '../core/profile-session'
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

/** A lockable profile for the host, and its start-up unlock if there is one (TINJAU_PASSPHRASE). */
export interface ServedSession {
  session: ProfileSession
  /** Rejects if the start-up unlock failed: the host then stops with that error. */
  starting?: Promise<void> | undefined
}

export interface ServeOptions {
  /**
   * A lockable profile, made once the host is listening. `openAllowed` resolves when the
   * store may open without stalling the page (see OPEN_AFTER_ASSET_MS): the session's
   * opener waits for it. Either this or `tinjau`.
   */
  session?: (openAllowed: Promise<void>) => ServedSession
  /**
   * The profile, or how to open it: then the URL is printed as soon as the host listens
   * and the profile is opened after, so the browser loads the renderer while the store
   * (and the code behind it) loads; calls wait for it. If it fails to open, the host
   * closes and this rejects with that error.
   */
  tinjau?: Tinjau | (() => Promise<Tinjau>)
  rendererDir: string
  port: number
  print: (line: string) => void
  abort?: AbortSignal
  /**
   * Run once the URL is printed: load the code the profile will need. If it has loaded
   * before any request came, the profile opens right then (nobody is waiting on the
   * host); otherwise it opens as said above.
   */
  warm?: () => Promise<void>
}

/** Start, print the URL line, wait for a shutdown signal (or a profile that fails to open), close the host and the profile. */
/**
 * When the profile opens, with an opener: loading core and opening the store hold Node's
 * one thread for a few hundred ms, and the page cannot be served meanwhile (a response
 * streamed out of a file stalls mid-way). So it starts once the renderer's code has been
 * read out to the browser (it then parses it while the store opens), at the first call
 * that needs it, or after OPEN_FALLBACK_MS (no browser came), whichever is first. Opening
 * 30 ms after the code was merely asked for left the 400 kB script half sent: it arrived
 * ~650 ms after the page, once the store was open (bench/console.bench.ts).
 */
export const OPEN_AFTER_ASSET_MS = 5
export const OPEN_FALLBACK_MS = 1_500

/** Start, print the URL line, wait for a shutdown signal (or a profile that fails to open), close the host and the profile. */
export async function serveUntilShutdown(opts: ServeOptions): Promise<void> {
  const given = opts.tinjau
  if (!opts.session && !given) throw new Error('serveUntilShutdown needs a session or a profile')
  // The store opens on a schedule (startOpening), whether for an opener or a session's unlock.
  const scheduled = !opts.session ? typeof given === 'function' : true
  let allow: () => void = () => {}
  let refuse: (err: Error) => void = () => {}
  const openAllowed = scheduled ? new Promise<void>((resolve, reject) => ((allow = resolve), (refuse = reject))) : Promise.resolve()
  openAllowed.catch(() => undefined)
  let served: ServedSession
  if (opts.session) served = opts.session(openAllowed)
  else if (typeof given === 'function') {
    const opening = openAllowed.then(given)
    served = { session: ProfileSession.fixed(opening), starting: opening.then(() => undefined) }
  } else served = { session: ProfileSession.fixed(given!) }
  const { session } = served
  let announced = false
  let started = false
  let stopping = false
  const timers = new Set<NodeJS.Timeout>()
  const startOpening = () => {
    if (!scheduled || started || !announced) return
    started = true
    for (const t of timers) clearTimeout(t)
    allow()
  }
  const startOpeningIn = (ms: number) => {
    if (!scheduled || started) return
    timers.add(setTimeout(startOpening, ms))
  }
  let host: WebHost
  try {
    host = await startWebHost({
      session,
      rendererDir: opts.rendererDir,
      port: opts.port,
      // A call waits for the profile: open it now. The renderer's code has been read out to
      // the browser: open it a moment later, once the last bytes have left.
      onProfileWanted: (why) => (why === 'call' ? setImmediate(startOpening) : startOpeningIn(OPEN_AFTER_ASSET_MS)),
    })
  } catch (err) {
    // Nothing will serve it: close the profile if it was already open.
    stopping = true
    refuse(new Error('the web host did not start'))
    await session.close()
    throw err
  }
  const failed = new AbortController()
  let openError: unknown = null
  served.starting?.catch((err: unknown) => {
    if (stopping) return
    openError = err
    failed.abort()
  })
  try {
    // Listen for the signals before announcing: whoever reads the line may stop us at once.
    const stopped = untilShutdown(opts.abort ? AbortSignal.any([opts.abort, failed.signal]) : failed.signal)
    opts.print(urlLine(host))
    announced = true
    const warm = opts.warm
    if (warm) {
      setImmediate(() => {
        warm().then(
          () => {
            // A reviewer opens the URL seconds after it is printed: the store is open by then.
            // If a page is already loading, opening now would stall its code (see above).
            if (host.requestsSeen() === 0) startOpening()
          },
          () => undefined, // the opening will meet the same error and report it
        )
      })
    }
    startOpeningIn(OPEN_FALLBACK_MS)
    await stopped
  } finally {
    stopping = true
    for (const t of timers) clearTimeout(t)
    await host.close()
    // Never opened (stopped before anything asked for it): an opening waiting for its turn gives up.
    if (!started) refuse(new Error('the web host stopped before the profile was opened'))
    await session.close()
  }
  if (openError !== null) throw openError
}
