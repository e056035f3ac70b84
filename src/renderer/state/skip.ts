/** Skip reasons the form offers; the text recorded is the preset's name in the reviewer's language. */
export const SKIP_PRESETS = ['media', 'language', 'context', 'conflict', 'wellbeing', 'other'] as const
export type SkipPreset = (typeof SKIP_PRESETS)[number]

/** The reason recorded: "preset: detail", either part alone, trimmed; '' when both are empty. */
export function skipReason(presetText: string, detail: string): string {
  const a = presetText.trim()
  const b = detail.trim().replace(/\s+/g, ' ')
  if (a && b) return `${a}: ${b}`
  return a || b
}
