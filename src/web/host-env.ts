import { existsSync } from 'node:fs'
import path from 'node:path'

/** The built renderer the web host serves; the profile itself is opened by core/host-env. */

export class NotBuiltError extends Error {}

/** `<package root>/out/renderer`, which `npm run build` writes. */
export function builtRendererDir(packageRoot: string): string {
  const dir = path.join(packageRoot, 'out', 'renderer')
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new NotBuiltError(`the renderer is not built (no ${path.join(dir, 'index.html')}): run npm run build first`)
  }
  return dir
}
