import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { currentPlatformEnv, findResourcesDir, resolveDataDir } from './paths'
import { openTinjau, type Tinjau } from './tinjau'

/**
 * What the plain-Node hosts (web host, CLI) need to open a profile: the package root
 * (for the version), the resources folder and the data folder. Sources and bundles
 * (out/main) sit at different depths, so both walk up.
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

export interface OpenProfileOptions {
  host: 'web' | 'cli'
  /** `--data-dir` as given, if any (TINJAU_DATA_DIR and the OS default follow). */
  dataDir: string | undefined
  /** Where this code runs from (`__dirname`): the search for resources/ and package.json starts here. */
  from: string
  env?: Record<string, string | undefined>
  cwd?: string
}

export function openProfile(opts: OpenProfileOptions): Tinjau {
  const packageRoot = findPackageRoot(opts.from)
  return openTinjau({
    host: opts.host,
    version: packageVersion(packageRoot),
    resourcesDir: findResourcesDir(opts.from),
    dataDir: resolveDataDir(opts.dataDir, currentPlatformEnv(opts.env ?? process.env), opts.cwd ?? process.cwd()),
  })
}
