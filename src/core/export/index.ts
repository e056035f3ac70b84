/**
 * Exports of decisions, for hosts to call with an open profile (`exportSource(tinjau)`):
 * the signed decision pack (and checking one), DSA statements of reasons, and CSV.
 * Each reads the store synchronously and writes its files afterwards; see
 * docs/decision-pack.md for the formats and the selection rules.
 */
export { exportSource, type ExportSource } from './source'
export type { ExportSelection, NormalizedSelection } from './selection'
export { writeDecisionPack, buildDecisionsJson, type DecisionPackOptions, type DecisionPackResult } from './decision-pack'
export {
  verifyDecisionPack,
  DEFAULT_MAX_JSON_BYTES,
  type VerifyOptions,
  type VerifyResult,
  type VerifyProblem,
  type VerifyProblemCode,
  type DecisionPackSummary,
} from './decision-pack-verify'
export { DECISIONS_FORMAT, DECISIONS_VERSION, DECISIONS_ENTRY, SIGNATURE_ENTRY, DecisionsDocument, type DecisionCounts } from '../../shared/decision-pack-format'
export { writeDsaStatements, buildDsaStatements, dsaStatementBatches, dsaFileName, DSA_FILE_PATTERN, type DsaExportResult } from './dsa'
export { writeDecisionsCsv, buildDecisionsCsv, CSV_COLUMNS, type CsvExportResult } from './csv'
