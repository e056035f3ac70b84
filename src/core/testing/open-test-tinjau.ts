import path from 'node:path'
import { openTinjau, type OpenTinjauOptions, type Tinjau } from '../tinjau'
import { tempDir } from './make-pack'

/** A real profile on a fresh temp data dir, with the real resources (policy, migrations, demo). */
export function openTestTinjau(
  dataDir = tempDir('tinjau-data-'),
  extra: Partial<Pick<OpenTinjauOptions, 'importThreads' | 'importChunkClips' | 'now' | 'keys'>> = {},
): Tinjau & { dataDir: string } {
  const t = openTinjau({ dataDir, resourcesDir: path.resolve(__dirname, '../../../resources'), host: 'web', version: '0.0.0-test', ...extra })
  return Object.assign(t, { dataDir })
}
