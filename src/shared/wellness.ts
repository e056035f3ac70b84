import { z } from 'zod'
import { BREAK_MINUTES_MAX, BREAK_MINUTES_MIN, SKIP_REASON_MAX } from './wellness-limits'

export { BREAK_MINUTES_MAX, BREAK_MINUTES_MIN, DEFAULT_WELLNESS, isValidBreakMinutes, SKIP_REASON_MAX } from './wellness-limits'

/**
 * The reviewer's own wellness defaults, kept in the profile (`settings.get` /
 * `settings.setWellness`). They apply to clips whose flags fall in a category the policy
 * marks `blurByDefault`; the reviewer can still lift each protection clip by clip.
 */


export const WellnessSettings = z
  .object({
    /** Blur sensitive clips when they open. */
    blur: z.boolean(),
    /** Show sensitive clips in grayscale when they open. */
    grayscale: z.boolean(),
    /** Mute sensitive clips when they open. */
    mute: z.boolean(),
    /** Minutes of exposure to sensitive clips before a break reminder. */
    breakAfterMinutes: z.number().int().min(BREAK_MINUTES_MIN).max(BREAK_MINUTES_MAX),
  })
  .strict()
export type WellnessSettings = z.infer<typeof WellnessSettings>



export const SkipInput = z
  .object({
    clipId: z.string().min(1).max(128),
    reason: z
      .string()
      .max(SKIP_REASON_MAX)
      .refine((s) => s.trim().length > 0, { message: 'a reason is required' }),
  })
  .strict()
export type SkipInput = z.infer<typeof SkipInput>

export const SkipRecord = z.object({
  clipId: z.string(),
  reason: z.string(),
  skippedAt: z.string(),
  /** The status the clip had before (pending or skipped). */
  previousStatus: z.string(),
})
export type SkipRecord = z.infer<typeof SkipRecord>
