import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { writeFileAtomically } from './atomic-file'
import { tempDir } from './testing/make-pack'

describe('writeFileAtomically', () => {
  test('replaces the file whole, readable by its owner alone, and leaves no temporary file', () => {
    const dir = tempDir('tinjau-atomic-')
    const file = path.join(dir, 'token.json')
    writeFileSync(file, 'old\n')
    writeFileAtomically(file, '{"token":"new"}\n')
    expect(readFileSync(file, 'utf8')).toBe('{"token":"new"}\n')
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['token.json'])
  })

  test('when placing it fails, the error comes through, the file is untouched and the temporary file is gone', () => {
    const dir = tempDir('tinjau-atomic-')
    const file = path.join(dir, 'key.json')
    writeFileSync(file, 'kept\n')
    let written = ''
    expect(() =>
      writeFileAtomically(file, 'new\n', (tmp) => {
        written = readFileSync(tmp, 'utf8')
        throw new Error(`${file} already exists`)
      }),
    ).toThrow(`${file} already exists`)
    expect(written).toBe('new\n')
    expect(readFileSync(file, 'utf8')).toBe('kept\n')
    expect(readdirSync(dir)).toEqual(['key.json'])
  })
})
