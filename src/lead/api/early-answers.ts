import type { Fetcher } from './lead-client'

/**
 * The console's first GETs, asked for by boot.ts as soon as the page is parsed, while the
 * console's code still downloads and starts: otherwise they would wait for React's first
 * render and then for each other (who am I, then the policy, then the page's list), each
 * on the critical path of a lead opening the console. The client takes an answer (once)
 * for the same GET; whatever no one took by the time the signed-in console has rendered
 * its first page is dropped (`drop`), so a later visit to that page asks afresh.
 */
export class EarlyAnswers {
  private readonly started = new Map<string, Promise<Response>>()

  constructor(private readonly fetcher: Fetcher = (input, init) => fetch(input, init)) {}

  /** Ask for each of `urls` now (GET, same-origin, with the session cookie). */
  start(urls: readonly string[]): void {
    for (const url of urls) {
      if (this.started.has(url)) continue
      const answer = this.fetcher(url, { method: 'GET', headers: { accept: 'application/json' }, credentials: 'same-origin' })
      // Not taken, a failure is no one's to report: the one who asks again will see its own.
      answer.catch(() => undefined)
      this.started.set(url, answer)
    }
  }

  /** The answer started for `url`, handed out once; undefined when none was started or it was taken. */
  take(url: string): Promise<Response> | undefined {
    const answer = this.started.get(url)
    this.started.delete(url)
    return answer
  }

  /** Forget every answer not taken (their bodies are let go). */
  drop(): void {
    for (const answer of this.started.values()) answer.then((res) => res.body?.cancel(), () => undefined)
    this.started.clear()
  }

  get pending(): number {
    return this.started.size
  }
}

/** The one the page's boot script fills and the console's client takes from. */
export const earlyAnswers = new EarlyAnswers()
