import type { ImportProgress } from '../shared/domain'
import { formatBytes } from './format'

/**
 * An import's progress on stderr: on a terminal, one line redrawn in place (at most every
 * 100 ms, as the events come); in a log or a pipe, nothing for an import done within a
 * couple of seconds, then a line when the phase changes and at most one every few seconds
 * in between, so a long import neither floods nor goes silent. How it ended is said by
 * the summary or the error that follows, not here.
 */

const LOG_EVERY_MS = 5_000
const LOG_AFTER_MS = 2_000
const ENDED = new Set(['done', 'failed', 'cancelled'])

export function describeProgress(p: Omit<ImportProgress, 'importId'>): string {
  const count = (c: { done: number; total: number | null }, fmt: (n: number) => string = (n) => n.toLocaleString('en-US')) =>
    c.total === null ? fmt(c.done) : `${fmt(c.done)}/${fmt(c.total)}`
  const parts = [`clips ${count(p.clips)}`, `media files ${count(p.files)}`, count(p.bytes, formatBytes)]
  const total = p.bytes.total
  const percent = total ? ` (${Math.min(100, Math.floor((100 * p.bytes.done) / total))}%)` : ''
  return `${p.phase}: ${parts.join(' · ')}${percent}`
}

export class ProgressLine {
  private lastPhase: string | null = null
  private lastAt = 0
  private drawn = 0
  private readonly startedAt: number

  constructor(
    private readonly write: (text: string) => void,
    private readonly terminal: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now()
  }

  update(p: Omit<ImportProgress, 'importId'>): void {
    const line = `importing ${describeProgress(p)}`
    if (this.terminal) {
      this.write(`\r${line.padEnd(this.drawn)}`)
      this.drawn = line.length
      // The last event comes before the summary or the error: those start on their own line.
      if (ENDED.has(p.phase)) this.finish()
      return
    }
    const t = this.now()
    if (ENDED.has(p.phase) || t - this.startedAt < LOG_AFTER_MS) return
    if (p.phase === this.lastPhase && t - this.lastAt < LOG_EVERY_MS) return
    this.lastPhase = p.phase
    this.lastAt = t
    this.write(`${line}\n`)
  }

  /** Ends the redrawn line, so what follows starts on its own. */
  finish(): void {
    if (this.terminal && this.drawn > 0) this.write('\n')
    this.drawn = 0
  }
}
