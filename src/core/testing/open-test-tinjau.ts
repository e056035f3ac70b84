import path from 'node:path'
import { openTinjau, type OpenTinjauOptions, type Tinjau } from '../tinjau'
import { tempDir } from './make-pack'
import { testProfileKeys } from './test-profile-key'

/**
 * A real profile on a fresh temp data dir, with the real resources (policy, migrations, demo).
 * A data dir with a key file (ensureTestProfileKey) opens encrypted, unlocked with
 * TEST_PASSPHRASE, as the CLI would open it, unless the test gives its keys; one without opens clear.
 */
export function openTestTinjau(
  dataDir = tempDir('tinjau-data-'),
  extra: Partial<Pick<OpenTinjauOptions, 'importThreads' | 'importChunkClips' | 'now' | 'keys'>> = {},
): Tinjau & { dataDir: string } {
  const t = openTinjau({
    dataDir,
    resourcesDir: path.resolve(__dirname, '../../../resources'),
    host: 'web',
    version: '0.0.0-test',
    ...extra,
    // Keys given by the test win; only then is the key file read (it may have another passphrase).
    keys: 'keys' in extra ? extra.keys : testProfileKeys(dataDir),
  })
  return Object.assign(t, { dataDir })
}
