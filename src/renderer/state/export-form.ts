import type { ExportFormat } from '../../shared/export-formats'

const EXTENSION: Record<ExportFormat, string> = { pack: '.zip', dsa: '', csv: '.csv' }
const NAME: Record<ExportFormat, string> = { pack: 'decision-pack', dsa: 'dsa-statements', csv: 'decisions' }

/**
 * Where an export goes unless the reviewer says otherwise: the profile's `exports` folder,
 * named by what it is and when (to the minute, local time), so exports never overwrite
 * one another by default. Written with the data directory's own separator.
 */
export function defaultExportPath(dataDir: string, format: ExportFormat, now: Date): string {
  const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/'
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`
  return `${dataDir.replace(/[\\/]+$/, '')}${sep}exports${sep}${NAME[format]}-${stamp}${EXTENSION[format]}`
}
