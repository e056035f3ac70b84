import { readdirSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { MediaStore } from '../core/media-store'

/**
 * The service's media: content-addressed, `<mediaDir>/<first two hex>/<sha256>`, the same
 * store (and the same staging, hashing and rename into place) the app uses for imports.
 * Staging sits inside the media folder so the final rename never crosses file systems.
 */

/** A staged file this old was left by a load that crashed; younger ones may belong to a load running elsewhere (a shared media folder). */
const STALE_STAGING_MS = 24 * 3600 * 1000

export function openMediaStore(mediaDir: string): MediaStore {
  const store = new MediaStore(mediaDir, path.join(mediaDir, '.staging'))
  const now = Date.now()
  for (const name of readdirSync(store.tmpDir)) {
    if (!name.startsWith('stage-')) continue
    const file = path.join(store.tmpDir, name)
    const st = statSync(file, { throwIfNoEntry: false })
    if (st && now - st.mtimeMs > STALE_STAGING_MS) rmSync(file, { force: true })
  }
  return store
}

export type { MediaStore }
