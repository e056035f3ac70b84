/**
 * How far an import has got, for the host to show. Counts change often (every chunk, every
 * piece of a media copy), so the listener hears of them at most every ~100 ms, and at once
 * whenever a phase starts.
 */

export type ImportPhase = 'reading' | 'clips' | 'media' | 'saving'

export interface ProgressCount {
  done: number
  /** Null until known. */
  total: number | null
}

export interface ImportProgressUpdate {
  phase: ImportPhase
  /** Clips written. */
  clips: ProgressCount
  /** Media files staged (copied and checked). */
  files: ProgressCount
  /** Bytes read: pack.json and media. */
  bytes: ProgressCount
}

export type ImportProgressListener = (p: ImportProgressUpdate) => void

export const PROGRESS_EVERY_MS = 100

export class ProgressReporter {
  private phase: ImportPhase = 'reading'
  readonly clips: ProgressCount = { done: 0, total: null }
  readonly files: ProgressCount = { done: 0, total: null }
  readonly bytes: ProgressCount = { done: 0, total: null }
  private last = Number.NEGATIVE_INFINITY

  constructor(
    private readonly listener: ImportProgressListener | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  enter(phase: ImportPhase): void {
    this.phase = phase
    this.emit()
  }

  addBytes(n: number): void {
    this.bytes.done += n
    this.changed()
  }

  addFile(): void {
    this.files.done++
    this.changed()
  }

  addClips(n: number): void {
    this.clips.done += n
    this.changed()
  }

  /** After a count or total changed: passed on if the listener last heard long enough ago. */
  changed(): void {
    if (this.listener && this.clock() - this.last >= PROGRESS_EVERY_MS) this.emit()
  }

  private emit(): void {
    if (!this.listener) return
    this.last = this.clock()
    const update: ImportProgressUpdate = { phase: this.phase, clips: { ...this.clips }, files: { ...this.files }, bytes: { ...this.bytes } }
    try {
      this.listener(update)
    } catch {
      // Progress is for show: a listener's failure must not fail (or half-fail) the import.
    }
  }
}
