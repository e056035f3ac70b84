import type { ExportOutcome, ExportRequest } from '../shared/domain'
import type { DeviceKey } from './device-key'
import type { Tinjau } from './tinjau'

/**
 * `export.decisions`: one of the three exports of src/core/export for the hosts and the
 * UI, answered in one shape. The exporters are loaded on the first export, not at open.
 */
export async function runExport(tinjau: Pick<Tinjau, 'store' | 'manifests' | 'policy' | 'identity'>, deviceKey: () => DeviceKey, req: ExportRequest): Promise<ExportOutcome> {
  const { exportSource, writeDecisionPack, writeDecisionsCsv, writeDsaStatements } = await import('./export')
  const source = exportSource(tinjau)
  const selection = { from: req.from, to: req.to, packId: req.packId }
  if (req.format === 'pack') {
    const r = await writeDecisionPack(source, deviceKey(), req.out, { ...selection, overwrite: req.overwrite })
    return { format: 'pack', paths: [r.file], count: r.counts.decisions, publicKey: r.publicKey }
  }
  if (req.format === 'dsa') {
    const r = await writeDsaStatements(source, req.out, selection)
    return { format: 'dsa', paths: r.files, count: r.statements, publicKey: null }
  }
  const r = await writeDecisionsCsv(source, req.out, { ...selection, overwrite: req.overwrite })
  return { format: 'csv', paths: [r.file], count: r.rows, publicKey: null }
}
