import { TinjauError } from '../shared/errors'

/**
 * While a pack import writes, it holds the profile's one SQLite connection inside an open
 * transaction across many event-loop turns (rows are written as worker threads deliver
 * them). Nothing else may use the connection then: another write would join the import's
 * transaction, and a read would see rows that may yet be rolled back. Hosts wait for
 * `idle()` before each call; a direct call while the gate is held is refused, never
 * silently mixed in.
 */
export class WriteGate {
  private held: Promise<void> | null = null

  get busy(): boolean {
    return this.held !== null
  }

  /** Resolves once nothing holds the gate. */
  async idle(): Promise<void> {
    while (this.held) await this.held
  }

  /** Wait for the gate, then hold it until the returned function is called. */
  async acquire(): Promise<() => void> {
    // Check and take in one synchronous step after each wake-up, so two waiters never both take it.
    while (this.held) await this.held
    let release!: () => void
    this.held = new Promise<void>((resolve) => (release = resolve))
    return () => {
      this.held = null
      release()
    }
  }

  assertFree(): void {
    if (this.held) throw new TinjauError('conflict', 'a pack import is being written; try again when it has finished')
  }
}
