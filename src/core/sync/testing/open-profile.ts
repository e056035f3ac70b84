import path from 'node:path'
import type { ProfileKeys } from '../../profile-crypto/profile-keys'
import { openTinjau, type Tinjau } from '../../tinjau'
import { tempDir } from '../../testing/make-pack'

/**
 * A real profile as the CLI opens it: no background work, so no scheduled sync of the
 * profile's own client runs beside the runs a test starts (a reviewer's host starts one a
 * few seconds after opening).
 */
export function openQuietProfile(dataDir = tempDir('tinjau-data-'), keys: ProfileKeys | null = null): Tinjau & { dataDir: string } {
  const t = openTinjau({ dataDir, resourcesDir: path.resolve(__dirname, '../../../../resources'), host: 'cli', version: '0.0.0-test', keys })
  return Object.assign(t, { dataDir })
}
