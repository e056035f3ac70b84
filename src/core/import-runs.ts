import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { ImportProgress, ImportSummary } from '../shared/domain'
import { TinjauError } from '../shared/errors'

/** What an import reports as it goes (the event adds the caller's import id). */
export type ImportCounts = Omit<ImportProgress, 'importId'>

export interface ImportHooks {
  onProgress: (p: ImportCounts) => void
  signal: AbortSignal
}

const NOTHING_YET: Omit<ImportCounts, 'phase'> = {
  clips: { done: 0, total: null },
  files: { done: 0, total: null },
  bytes: { done: 0, total: null },
}

/**
 * The imports a host has started, by the id their caller chose: so the caller can follow
 * one (progress events tagged with its id, then one last event saying how it ended) and
 * stop it. A pack the web host received as an upload (a file under `uploadsDir`, which
 * only the app writes) is the app's own copy, removed once its import has ended either way.
 */
export class ImportRuns {
  private readonly running = new Map<string, AbortController>()

  constructor(
    private readonly run: (source: string, hooks: ImportHooks) => Promise<ImportSummary>,
    private readonly emit: (progress: ImportProgress) => void,
    readonly uploadsDir: string,
    /** The most a pack may hold by the profile's import settings: no upload may be bigger. */
    readonly maxUploadBytes: () => number,
  ) {}

  async start(importId: string, source: string): Promise<ImportSummary> {
    if (this.running.has(importId)) throw new TinjauError('conflict', `an import with id "${importId}" is already running`)
    const controller = new AbortController()
    this.running.set(importId, controller)
    let last: ImportCounts = { phase: 'reading', ...NOTHING_YET }
    const report = (p: ImportCounts) => {
      last = p
      this.emit({ importId, ...p })
    }
    try {
      report(last)
      const summary = await this.run(source, { onProgress: report, signal: controller.signal })
      this.emit({ ...last, importId, phase: 'done', clips: { done: summary.clips, total: summary.clips } })
      return summary
    } catch (err) {
      const cancelled = err instanceof TinjauError && err.code === 'cancelled'
      this.emit({ ...last, importId, phase: cancelled ? 'cancelled' : 'failed' })
      throw err
    } finally {
      this.running.delete(importId)
      if (this.isUpload(source)) await rm(source, { force: true, recursive: true })
    }
  }

  /** False when no import has that id (it may have ended already). */
  cancel(importId: string): boolean {
    const controller = this.running.get(importId)
    controller?.abort()
    return controller !== undefined
  }

  /** Stop every running import (the profile is being locked): each rolls back. */
  cancelAll(): number {
    for (const c of this.running.values()) c.abort()
    return this.running.size
  }

  get active(): number {
    return this.running.size
  }

  /** Where the web host puts an upload: a fresh name under `uploadsDir`. */
  uploadPath(id: string, fileName: string): string {
    mkdirSync(this.uploadsDir, { recursive: true })
    const ext = fileName.toLowerCase().endsWith('.zip') ? '.zip' : ''
    return path.join(this.uploadsDir, `${id}${ext}`)
  }

  /** Uploads left by a host that stopped mid-import: nobody will import them now. */
  clearStaleUploads(): void {
    let names: string[]
    try {
      names = readdirSync(this.uploadsDir)
    } catch {
      return
    }
    for (const name of names) rmSync(path.join(this.uploadsDir, name), { force: true, recursive: true })
  }

  /** Removes `source` if it is an upload (the web host's copy of a file given to another import, e.g. a hash list). */
  async discardUpload(source: string): Promise<void> {
    if (this.isUpload(source)) await rm(source, { force: true, recursive: true })
  }

  private isUpload(source: string): boolean {
    const rel = path.relative(this.uploadsDir, path.resolve(source))
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
  }
}
