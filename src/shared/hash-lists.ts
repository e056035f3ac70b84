import { z } from 'zod'

/**
 * Hash lists in the profile (issue 14; docs/hash-list.md): what an import reports and what
 * `hashlist ls` shows. A list's `source` says where it came from: an imported, signed file
 * ('hashlist'), or the team's decided media as the sync service sends them ('team').
 */

export const HashListSource = z.enum(['hashlist', 'team'])
export type HashListSource = z.infer<typeof HashListSource>

export const HashListInfo = z.object({
  id: z.string(),
  source: HashListSource,
  name: z.string(),
  /** The version in force. */
  createdAt: z.string(),
  issuerName: z.string(),
  issuerPublicKey: z.string(),
  entries: z.number().int().nonnegative(),
  frames: z.number().int().nonnegative(),
  importedAt: z.string(),
})
export type HashListInfo = z.infer<typeof HashListInfo>

export const HashListImportResult = z.object({
  list: HashListInfo,
  /** added: a list new to the profile; replaced: a newer version of one; unchanged: the same file again. */
  outcome: z.enum(['added', 'replaced', 'unchanged']),
  /** Entries whose id the profile did not have for this list. */
  entriesAdded: z.number().int().nonnegative(),
  /** Entries that replaced the older version's entry of the same id. */
  entriesReplaced: z.number().int().nonnegative(),
  /** The older version's entries this version no longer holds. */
  entriesRemoved: z.number().int().nonnegative(),
  /** The version replaced, when one was. */
  previousCreatedAt: z.string().nullable(),
  /** Whether the issuer's key is one of the profile's trusted issuer keys (false: the profile trusts any issuer). */
  issuerPinned: z.boolean(),
})
export type HashListImportResult = z.infer<typeof HashListImportResult>
