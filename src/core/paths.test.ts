import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { dataPaths, defaultDataDir, findResourcesDir, resolveDataDir } from './paths'

describe('data directory per OS', () => {
  test('Windows uses %APPDATA%\\Tinjau with backslashes', () => {
    const dir = defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\Sri\\AppData\\Roaming' }, homedir: 'C:\\Users\\Sri' })
    expect(dir).toBe('C:\\Users\\Sri\\AppData\\Roaming\\Tinjau')
  })

  test('Windows without APPDATA falls back under the home folder', () => {
    expect(defaultDataDir({ platform: 'win32', env: {}, homedir: 'D:\\Home\\sri' })).toBe('D:\\Home\\sri\\AppData\\Roaming\\Tinjau')
  })

  test('macOS uses Application Support', () => {
    expect(defaultDataDir({ platform: 'darwin', env: {}, homedir: '/Users/sri' })).toBe('/Users/sri/Library/Application Support/Tinjau')
  })

  test('Linux follows XDG_DATA_HOME and ignores a relative one', () => {
    expect(defaultDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/data/x' }, homedir: '/home/sri' })).toBe('/data/x/tinjau')
    expect(defaultDataDir({ platform: 'linux', env: { XDG_DATA_HOME: 'rel/dir' }, homedir: '/home/sri' })).toBe('/home/sri/.local/share/tinjau')
    expect(defaultDataDir({ platform: 'linux', env: {}, homedir: '/home/sri' })).toBe('/home/sri/.local/share/tinjau')
  })

  test('--data-dir beats TINJAU_DATA_DIR beats the default; relative ones resolve against cwd', () => {
    const pe = { platform: 'linux' as const, env: { TINJAU_DATA_DIR: '/env/dir' }, homedir: '/home/sri' }
    expect(resolveDataDir('/flag/dir', pe, '/cwd')).toBe('/flag/dir')
    expect(resolveDataDir(undefined, pe, '/cwd')).toBe('/env/dir')
    expect(resolveDataDir('rel', pe, '/cwd')).toBe('/cwd/rel')
    expect(resolveDataDir(undefined, { ...pe, env: {} }, '/cwd')).toBe('/home/sri/.local/share/tinjau')
  })

  test('Windows-style overrides: drive-relative and UNC paths stay Windows paths', () => {
    const pe = { platform: 'win32' as const, env: {}, homedir: 'C:\\Users\\Sri' }
    expect(resolveDataDir('profiles\\field', pe, 'C:\\Work')).toBe('C:\\Work\\profiles\\field')
    expect(resolveDataDir('E:\\Tinjau Data', pe, 'C:\\Work')).toBe('E:\\Tinjau Data')
    expect(resolveDataDir('\\\\server\\share\\tinjau', pe, 'C:\\Work')).toBe('\\\\server\\share\\tinjau')
    expect(resolveDataDir('C:/mixed/slashes', pe, 'C:\\Work')).toBe('C:\\mixed\\slashes')
  })

  test('files of a profile are joined with path APIs', () => {
    const p = dataPaths('/data/tinjau')
    expect(p.database).toBe(path.join('/data/tinjau', 'tinjau.sqlite'))
    expect(p.media).toBe(path.join('/data/tinjau', 'media'))
  })

  test('resources are found from any depth below the package', () => {
    const fromSource = findResourcesDir(path.resolve('src/core'))
    expect(fromSource).toBe(path.resolve('resources'))
    expect(() => findResourcesDir('/')).toThrow(/no resources/)
  })
})
