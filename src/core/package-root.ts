import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The package root (for the version and the built renderer), found by walking up from
 * where the code runs: sources and bundles (out/main) sit at different depths. Kept apart
 * from host-env.ts so the web host can find its files without loading the store.
 */

export const PACKAGE_NAME = 'tinjau'
export function findPackageRoot(start: string): string {
  let dir = path.resolve(start)
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${start}`)
    dir = parent
  }
}

export function packageVersion(packageRoot: string): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown }
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0'
}
