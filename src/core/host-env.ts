import { currentPlatformEnv, findResourcesDir, resolveDataDir } from './paths'
import { findPackageRoot, packageVersion } from './package-root'
import type { ProfileKeys } from './profile-crypto/profile-keys'
import { openTinjau, type Tinjau } from './tinjau'

/**
 * What the plain-Node hosts (web host, CLI) need to open a profile: the package root
 * (for the version), the resources folder and the data folder. Sources and bundles
 * (out/main) sit at different depths, so both walk up.
 */

export { findPackageRoot, PACKAGE_NAME, packageVersion } from './package-root'

export interface OpenProfileOptions {
  host: 'web' | 'cli'
  /** `--data-dir` as given, if any (TINJAU_DATA_DIR and the OS default follow). */
  dataDir: string | undefined
  /** Where this code runs from (`__dirname`): the search for resources/ and package.json starts here. */
  from: string
  env?: Record<string, string | undefined>
  cwd?: string
  /** The profile's keys, once unlocked (profile-crypto/unlock-profile.ts); null opens a clear profile. */
  keys?: ProfileKeys | null
}

/** The data folder a host opens: `--data-dir`, then TINJAU_DATA_DIR, then the OS default. */
export function profileDataDir(opts: Pick<OpenProfileOptions, 'dataDir' | 'env' | 'cwd'>): string {
  return resolveDataDir(opts.dataDir, currentPlatformEnv(opts.env ?? process.env), opts.cwd ?? process.cwd())
}

export function openProfile(opts: OpenProfileOptions): Tinjau {
  const packageRoot = findPackageRoot(opts.from)
  return openTinjau({
    host: opts.host,
    version: packageVersion(packageRoot),
    resourcesDir: findResourcesDir(opts.from),
    dataDir: profileDataDir(opts),
    keys: opts.keys ?? null,
  })
}
