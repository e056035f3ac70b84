import path from 'node:path'
import { existsSync } from 'node:fs'
import os from 'node:os'

/**
 * Where a profile lives on each OS. Written against `path.win32` / `path.posix` chosen by
 * platform (not the running OS) so Windows and macOS layouts are tested on Linux too.
 */

export const APP_DIR_NAME = 'Tinjau'

export interface PlatformEnv {
  platform: NodeJS.Platform
  env: Record<string, string | undefined>
  homedir: string
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix
}

/** The OS's per-user data directory for Tinjau (what Electron's `userData` would be). */
export function defaultDataDir({ platform, env, homedir }: PlatformEnv): string {
  const p = pathFor(platform)
  if (platform === 'win32') {
    const base = env.APPDATA && p.isAbsolute(env.APPDATA) ? env.APPDATA : p.join(homedir, 'AppData', 'Roaming')
    return p.join(base, APP_DIR_NAME)
  }
  if (platform === 'darwin') return p.join(homedir, 'Library', 'Application Support', APP_DIR_NAME)
  // XDG: a relative XDG_DATA_HOME is invalid by the spec and must be ignored.
  const xdg = env.XDG_DATA_HOME
  const base = xdg && p.isAbsolute(xdg) ? xdg : p.join(homedir, '.local', 'share')
  return p.join(base, APP_DIR_NAME.toLowerCase())
}

/**
 * The data directory in force: `--data-dir`, then TINJAU_DATA_DIR, then the OS default.
 * Relative overrides are resolved against `cwd` so every later join is absolute.
 */
export function resolveDataDir(flag: string | undefined, pe: PlatformEnv, cwd: string): string {
  const p = pathFor(pe.platform)
  const chosen = flag || pe.env.TINJAU_DATA_DIR
  if (chosen) return p.resolve(cwd, chosen)
  return defaultDataDir(pe)
}

export function currentPlatformEnv(env: Record<string, string | undefined> = process.env): PlatformEnv {
  return { platform: process.platform, env, homedir: os.homedir() }
}

/**
 * The folder holding policy/, migrations/ and demo/. Built entry points and sources sit
 * at different depths, so walk up from `start` to the first folder that has them.
 */
export function findResourcesDir(start: string): string {
  let dir = path.resolve(start)
  for (;;) {
    const candidate = path.join(dir, 'resources')
    if (existsSync(path.join(candidate, 'policy')) && existsSync(path.join(candidate, 'migrations'))) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no resources/ folder (with policy/ and migrations/) above ${start}`)
    dir = parent
  }
}

export interface DataPaths {
  root: string
  database: string
  media: string
  /** Imported pack.json files, by sha256: clips are read from them by byte range. */
  packs: string
  tmp: string
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    database: path.join(root, 'tinjau.sqlite'),
    media: path.join(root, 'media'),
    packs: path.join(root, 'packs'),
    tmp: path.join(root, 'tmp'),
  }
}
