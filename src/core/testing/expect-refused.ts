import { expect } from 'vitest'
import { TinjauError } from '../../shared/errors'
import type { Store } from '../store/open-store'
import { snapshotFiles, snapshotRows } from './store-snapshot'

/**
 * Bad input must be refused with a TinjauError and change nothing: no row of any table,
 * no file under the data directory. These run `act` and check exactly that.
 */

interface Profile {
  store: Store
  dataDir: string
}

function snapshot(t: Profile): () => void {
  const rows = snapshotRows(t.store.sqlite)
  const files = snapshotFiles(t.dataDir)
  return () => {
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
  }
}

export function refusedWithoutChange(t: Profile, act: () => unknown): TinjauError {
  const unchanged = snapshot(t)
  let caught: unknown
  try {
    act()
  } catch (err) {
    caught = err
  }
  expect(caught).toBeInstanceOf(TinjauError)
  unchanged()
  return caught as TinjauError
}

export async function refusedWithoutChangeAsync(t: Profile, act: () => Promise<unknown>): Promise<TinjauError> {
  const unchanged = snapshot(t)
  const caught = await act().then(
    () => null,
    (err: unknown) => err,
  )
  expect(caught).toBeInstanceOf(TinjauError)
  unchanged()
  return caught as TinjauError
}
