import { createReadStream, lstatSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { MediaStore, StagedMedia } from '../media-store'
import type { ImportSettings } from '../settings'
import type { MediaDeclaration } from './manifest-rules'
import { packError } from './pack-errors'
import { declaredAt, stageChecked, type PackSource, type StageIo } from './pack-source'
import { readDirectoryPack, type PackFile, type ReadHooks } from './read-manifest'

/** A pack folder: pack.json and the media files below it, none reached through a link. */
export class DirectorySource implements PackSource {
  readonly manifestBytesHint: number
  readonly totalBytesHint = null
  private root: string | null = null

  constructor(
    private readonly dir: string,
    private readonly settings: ImportSettings,
    private readonly media: MediaStore,
  ) {
    this.manifestBytesHint = sizeOrZero(path.join(dir, 'pack.json'))
  }

  async readManifest(hooks: ReadHooks): Promise<PackFile> {
    const { root, ...file } = await readDirectoryPack(this.dir, this.settings, hooks)
    this.root = root
    return file
  }

  async stage(d: MediaDeclaration, io: StageIo): Promise<StagedMedia> {
    const root = this.root
    if (!root) throw new Error('DirectorySource.stage() before readManifest()')
    const where = declaredAt(d)
    const full = path.join(root, ...d.path.split('/'))
    if (!insideRoot(root, full)) throw packError(`${where}.path: "${d.path}" points outside the pack`)
    // Every component must be a real directory or file: a link anywhere could lead outside.
    let cursor = root
    for (const segment of d.path.split('/')) {
      cursor = path.join(cursor, segment)
      let st
      try {
        st = lstatSync(cursor)
      } catch {
        throw packError(`${where}.path: "${d.path}" does not exist in the pack`)
      }
      if (st.isSymbolicLink()) throw packError(`${where}.path: "${d.path}" goes through a symbolic link, which packs may not contain`)
      if (cursor === full && !st.isFile()) throw packError(`${where}.path: "${d.path}" is not a regular file`)
    }
    if (!insideRoot(root, realpathSync(full))) throw packError(`${where}.path: "${d.path}" resolves outside the pack`)
    const size = lstatSync(full).size
    if (size !== d.bytes) throw packError(`${where}.bytes: the file has ${size} bytes, the pack says ${d.bytes}`)
    if (size > this.settings.maxMediaBytes) {
      throw packError(`${where}.bytes: ${size} bytes is over the per-file limit of ${this.settings.maxMediaBytes} (setting import.max_media_bytes)`)
    }
    return stageChecked(
      this.media,
      async () => createReadStream(full),
      d,
      io,
      (err) => packError(`${where}.path: "${d.path}" could not be read: ${err.message}`),
    )
  }

  async close(): Promise<void> {}
}

function insideRoot(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

function sizeOrZero(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}
