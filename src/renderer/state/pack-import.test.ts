import { describe, expect, test } from 'vitest'
import type { ImportProgress } from '../../shared/domain'
import { fractionDone, IDLE, isRunning, newImportId, packName, withProgress, type PackImport } from './pack-import'

const progress = (over: Partial<ImportProgress> = {}): ImportProgress => ({
  importId: 'imp-a',
  phase: 'media',
  clips: { done: 10, total: 100 },
  files: { done: 1, total: 4 },
  bytes: { done: 250, total: 1000 },
  ...over,
})

const importing: PackImport = { kind: 'importing', importId: 'imp-a', name: 'pk.zip', progress: null, cancelling: false }

describe('a pack import in the UI', () => {
  test('takes progress events for its own import id only', () => {
    expect(withProgress(importing, progress())).toEqual({ ...importing, progress: progress() })
    expect(withProgress(importing, progress({ importId: 'imp-b' }))).toBe(importing)
    expect(withProgress(IDLE, progress())).toBe(IDLE)
  })

  test('how far along: bytes first, then clips, else unknown', () => {
    expect(fractionDone(withProgress(importing, progress()))).toBe(0.25)
    expect(fractionDone(withProgress(importing, progress({ bytes: { done: 0, total: null } })))).toBe(0.1)
    expect(fractionDone(withProgress(importing, progress({ bytes: { done: 5, total: null }, clips: { done: 0, total: null } })))).toBeNull()
    expect(fractionDone(importing)).toBeNull()
    expect(fractionDone({ kind: 'uploading', name: 'pk.zip', sent: 30, total: 120, cancelling: false })).toBe(0.25)
    expect(fractionDone({ kind: 'uploading', name: 'pk.zip', sent: 30, total: 0, cancelling: false })).toBeNull()
    // Never past the end, whatever the counts say.
    expect(fractionDone(withProgress(importing, progress({ bytes: { done: 1200, total: 1000 } })))).toBe(1)
  })

  test('running while sending or importing, not before or after', () => {
    expect(isRunning(importing)).toBe(true)
    expect(isRunning({ kind: 'uploading', name: 'x', sent: 0, total: 1, cancelling: false })).toBe(true)
    expect(isRunning(IDLE)).toBe(false)
    expect(isRunning({ kind: 'failed', name: 'x', error: { code: 'invalid_pack', message: 'm' } })).toBe(false)
  })

  test('import ids fit the contract and differ', () => {
    const a = newImportId()
    const b = newImportId()
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(a).not.toBe(b)
    expect(newImportId(() => 0, () => 0)).toBe('imp-0-00000000')
  })

  test('the pack is named by its last path segment, whatever the separators', () => {
    expect(packName('/media/usb/pk-01.zip')).toBe('pk-01.zip')
    expect(packName('C:\\\\Users\\\\rani\\\\pk-01\\\\')).toBe('pk-01')
    expect(packName('pk')).toBe('pk')
  })
})
