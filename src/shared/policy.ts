import { z } from 'zod'
import { CATEGORY_KINDS } from './policy-rules'
import { MatchedFrom } from './matched-from'

/**
 * The policy model. Policies are data (resources/policy/*.json), versioned, and shown in
 * the reviewer's language; the code only knows the shape. Both the decision form (to say
 * what is missing) and core (to refuse what is invalid) judge a decision with
 * `checkDecisionAgainstPolicy`, so the two can never disagree.
 */

// The constants and the rules live in policy-rules.ts, which has no zod: the renderer
// uses them without loading the schemas.
export * from './policy-rules'

const localized = z.object({ en: z.string().min(1), id: z.string().min(1) })
export type Localized = z.infer<typeof localized>

export const CategoryKind = z.enum(CATEGORY_KINDS)
export type CategoryKind = z.infer<typeof CategoryKind>

export const PolicyCategory = z.object({
  id: z.string().regex(/^[a-z0-9_.]+$/),
  kind: CategoryKind,
  name: localized,
  help: localized,
  dsa: z
    .object({
      category: z.string().regex(/^STATEMENT_CATEGORY_[A-Z_]+$/),
      keywords: z.array(z.string().regex(/^KEYWORD_[A-Z_]+$/)),
    })
    .nullable(),
  blurByDefault: z.boolean(),
})
export type PolicyCategory = z.infer<typeof PolicyCategory>

export const ActionAllowedWith = z.enum(['violation', 'no_violation', 'either'])

export const PolicyAction = z.object({
  id: z.string().regex(/^[a-z_]+$/),
  name: localized,
  help: localized,
  allowedWith: ActionAllowedWith,
  rationaleRequired: z.boolean(),
  /** DSA restriction fields this action maps to; null means no statement of reasons. */
  dsa: z
    .object({
      decision_visibility: z.array(z.string()).optional(),
      decision_provision: z.string().optional(),
      decision_account: z.string().optional(),
    })
    .nullable(),
  /** One key in the decision form; shown beside the action. */
  key: z.string().length(1),
})
export type PolicyAction = z.infer<typeof PolicyAction>

export const EscalationTarget = z.object({ id: z.string().regex(/^[a-z_]+$/), name: localized })

/**
 * Words a reviewer should not miss (calls to burn, gather, attack, loot — in Indonesian, its
 * slang and English). Kept in the policy file, not in code, so leads can change them with
 * the policy. A term matches as a whole word (or words), whatever its case.
 */
export const WatchGroup = z.object({
  id: z.string().regex(/^[a-z0-9_.-]{1,64}$/),
  name: localized,
  terms: z.array(z.string().trim().min(2).max(64)).min(1).max(500),
})
export type WatchGroup = z.infer<typeof WatchGroup>

export const Policy = z.object({
  id: z.string().min(1),
  version: z.string().min(1),
  name: localized,
  categories: z.array(PolicyCategory).min(1),
  actions: z.array(PolicyAction).min(1),
  escalationTargets: z.array(EscalationTarget),
  watchList: z.array(WatchGroup).max(100).optional(),
})
export type Policy = z.infer<typeof Policy>


/** What a decision says, before it has an id, an author or a time. */
export const DecisionDraft = z.object({
  clipId: z.string().min(1).max(128),
  categories: z.array(z.string().min(1).max(128)).min(1).max(32),
  action: z.string().min(1).max(64),
  escalationTarget: z.string().min(1).max(64).nullable().default(null),
  ranges: z
    .array(
      z.object({
        startMs: z.number().int().min(0),
        endMs: z.number().int().min(0),
        label: z.string().max(200).default(''),
        note: z.string().max(2000).default(''),
      }),
    )
    .max(200)
    .default([]),
  rationale: z.string().max(5000).default(''),
  revisesId: z.string().uuid().nullable().default(null),
  /** Set when the reviewer started from a known-content match (issue 14); core checks the clip it names. */
  matchedFrom: MatchedFrom.nullable().default(null),
})
export type DecisionDraft = z.infer<typeof DecisionDraft>
export type DecisionDraftInput = z.input<typeof DecisionDraft>
