/** Plain values (no zod), so the renderer can list them without the schemas. */
export const EXPORT_FORMATS = ['pack', 'dsa', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
