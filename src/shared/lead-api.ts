import { z } from 'zod'
import { PackedMatchedFrom } from './matched-from'

/**
 * The lead console's HTTP API (docs/lead-api.md), under `/lead/api`, for the console in
 * src/lead and for the service (src/server/http/lead-*.ts). A lead is known by the session
 * cookie; every state-changing request must come from the console's own origin (CSRF).
 * Errors are the sync protocol's `{ "error": { code, message, details? } }`.
 */

export { LEAD_API_PATH, LEAD_BASE_PATH, LEAD_ROUTES } from './lead-routes'

export const LEAD_ROLE_VALUES = ['lead', 'admin'] as const
export const LeadRoleSchema = z.enum(LEAD_ROLE_VALUES)
export type LeadRoleValue = z.infer<typeof LeadRoleSchema>

const Id = z.string().min(1).max(128)
const Iso = z.string()

export const OUTCOME_KIND_VALUES = ['pending', 'single_review', 'consensus', 'disputed', 'adjudicated'] as const
export const OutcomeKindSchema = z.enum(OUTCOME_KIND_VALUES)

// ---- session ------------------------------------------------------------------------

export const SignInBody = z.strictObject({ id: z.string().min(1).max(128), password: z.string().min(1).max(1024) })
export type SignInBody = z.infer<typeof SignInBody>

export const SessionInfo = z.strictObject({
  lead: z.strictObject({ id: z.string(), name: z.string(), role: LeadRoleSchema }),
  expires_at: Iso,
})
export type SessionInfo = z.infer<typeof SessionInfo>

export const SignOutResult = z.strictObject({
  /** False when the cookie named no session in force (signed out already): the cookie is cleared all the same. */
  signed_out: z.boolean(),
})
export type SignOutResult = z.infer<typeof SignOutResult>

// ---- overview: packs and progress ----------------------------------------------------

export const OutcomeCounts = z.strictObject({
  undecided: z.number().int(),
  pending: z.number().int(),
  single_review: z.number().int(),
  consensus: z.number().int(),
  disputed: z.number().int(),
  adjudicated: z.number().int(),
})
export type OutcomeCounts = z.infer<typeof OutcomeCounts>

export const ReviewerProgress = z.strictObject({
  reviewer_id: z.string(),
  name: z.string(),
  /** Clips assigned to them now (review and QA). */
  assigned: z.number().int(),
  /** Decided on their devices, as the devices last said (null: no device has said). */
  decided_on_device: z.number().int().nullable(),
  /** Decided and on the service. */
  synced: z.number().int(),
  /** Assigned, not decided on the service, past due. */
  overdue: z.number().int(),
  /** Median seconds between their consecutive decisions (gaps over 15 minutes are breaks, left out); null under two decisions. */
  median_seconds_per_clip: z.number().nullable(),
})
export type ReviewerProgress = z.infer<typeof ReviewerProgress>

export const PackProgress = z.strictObject({
  pack_id: z.string(),
  created_at: z.string(),
  loaded_at: Iso,
  clips: z.number().int(),
  /** Clips with at least one reviewer assigned. */
  assigned: z.number().int(),
  overdue: z.number().int(),
  outcomes: OutcomeCounts,
  reviewers: z.array(ReviewerProgress),
  /** Decisions in force per action, for the chart. */
  actions: z.record(z.string(), z.number().int()),
  /** Decisions received per hour over the last 48 hours (oldest first, ISO hour start). */
  timeline: z.array(z.strictObject({ hour: Iso, decisions: z.number().int() })),
})
export type PackProgress = z.infer<typeof PackProgress>

export const DeviceSync = z.strictObject({
  device_id: z.string(),
  reviewer_id: z.string(),
  name: z.string().nullable(),
  enrolled_at: Iso,
  last_sync_at: Iso.nullable(),
  revoked_at: Iso.nullable(),
  unsent: z.number().int().nullable(),
})
export type DeviceSync = z.infer<typeof DeviceSync>

export const Overview = z.strictObject({
  packs: z.array(PackProgress),
  devices: z.array(DeviceSync),
  disputed: z.number().int(),
  reviewers: z.array(z.strictObject({ id: z.string(), name: z.string() })),
})
export type Overview = z.infer<typeof Overview>

export const PackLoadResult = z.strictObject({
  pack_id: z.string(),
  clips: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  already_loaded: z.boolean(),
})
export type PackLoadResult = z.infer<typeof PackLoadResult>

// ---- assignments ----------------------------------------------------------------------

export const AssignFilter = z.strictObject({
  /** Only clips no reviewer holds yet. */
  unassigned_only: z.boolean().optional(),
  /** Only clips flagged by an authority's request. */
  authority: z.boolean().optional(),
  min_priority: z.number().int().min(0).max(1000).optional(),
  due_before: z.iso.datetime({ offset: true }).optional(),
})
export type AssignFilter = z.infer<typeof AssignFilter>

export const AssignBody = z.strictObject({
  pack_id: Id,
  reviewer_ids: z.array(Id).min(1).max(100),
  /** `all` clips of the pack, those matching `filter`, or the first `count` (in urgency order) of those matching. */
  mode: z.enum(['all', 'filter', 'count']),
  filter: AssignFilter.optional(),
  count: z.number().int().min(1).max(1_000_000).optional(),
  /** Deal the clips out among the reviewers in turn (each clip to one of them) instead of giving every clip to all of them. */
  split: z.boolean().optional(),
})
export type AssignBody = z.infer<typeof AssignBody>

export const UnassignBody = z.strictObject({
  pack_id: Id,
  reviewer_id: Id,
  clip_ids: z.array(Id).max(100_000).optional(),
})
export type UnassignBody = z.infer<typeof UnassignBody>

export const AssignResult = z.strictObject({ changed: z.record(z.string(), z.number().int()), clips: z.number().int() })
export type AssignResult = z.infer<typeof AssignResult>

// ---- disputes and adjudication ------------------------------------------------------------

export const BasisDecision = z.strictObject({ id: z.string(), reviewer_id: z.string(), action: z.string(), categories: z.array(z.string()) })

export const DisputeItem = z.strictObject({
  clip_id: z.string(),
  pack_id: z.string(),
  title: z.string().nullable(),
  due_at: Iso.nullable(),
  overdue: z.boolean(),
  authority: z.boolean(),
  opened_at: Iso,
  decisions: z.array(BasisDecision),
})
export type DisputeItem = z.infer<typeof DisputeItem>

/** Most urgent first: overdue or authority-flagged, then by due time, then clip id. `next`: the cursor of the next page. */
export const DisputeList = z.strictObject({ items: z.array(DisputeItem), next: z.string().nullable(), total: z.number().int() })
export type DisputeList = z.infer<typeof DisputeList>

export const Range = z.strictObject({
  start_ms: z.number().int().min(0),
  end_ms: z.number().int().min(0),
  label: z.string().max(200),
  note: z.string().max(2000),
})

export const ReviewerDecision = z.strictObject({
  id: z.string(),
  reviewer_id: z.string(),
  reviewer_name: z.string(),
  action: z.string(),
  categories: z.array(z.string()),
  escalation_target: z.string().nullable(),
  ranges: z.array(Range),
  rationale: z.string(),
  decided_at: z.string(),
  /** The known-content match the reviewer applied it from (issue 14); null when decided from scratch. */
  matched_from: PackedMatchedFrom.nullable(),
  /** A blind QA review. */
  qa: z.boolean(),
})
export type ReviewerDecision = z.infer<typeof ReviewerDecision>

export const OutcomeView = z.strictObject({
  id: z.string(),
  kind: OutcomeKindSchema,
  action: z.string().nullable(),
  categories: z.array(z.string()).nullable(),
  escalation_target: z.string().nullable(),
  ranges: z.array(Range).nullable(),
  rationale: z.string().nullable(),
  basis: z.array(BasisDecision),
  source_decision_id: z.string().nullable(),
  lead_id: z.string().nullable(),
  previous_id: z.string().nullable(),
  created_at: Iso,
})
export type OutcomeView = z.infer<typeof OutcomeView>

export const ClipDetail = z.strictObject({
  /** The clip as the pack gives it (field-pack clip JSON). */
  clip: z.looseObject({ id: z.string() }),
  pack_id: z.string(),
  /** Where the console fetches the clip's media and poster (`/lead/api/media/<sha256>`). */
  media_url: z.string(),
  poster_url: z.string().nullable(),
  outcome: OutcomeView.nullable(),
  /** Every outcome of the clip, oldest first: the audit trail. */
  history: z.array(OutcomeView),
  decisions: z.array(ReviewerDecision),
  /** The neighbours in the disputed list, for next/previous. */
  prev_disputed: z.string().nullable(),
  next_disputed: z.string().nullable(),
})
export type ClipDetail = z.infer<typeof ClipDetail>

export const AdjudicateBody = z.strictObject({
  /** The outcome in force the lead saw; another lead's settlement meanwhile is `conflict`. */
  expected_outcome_id: z.string().min(1).max(100),
  action: z.string().min(1).max(100),
  categories: z.array(z.string().min(1).max(100)).max(20),
  escalation_target: z.string().max(100).nullable(),
  ranges: z.array(Range).max(50),
  rationale: z.string().max(4000),
  /** The reviewer's decision the lead took as the outcome, if any. */
  adopted_decision_id: z.string().max(100).nullable(),
})
export type AdjudicateBody = z.infer<typeof AdjudicateBody>

// ---- QA ------------------------------------------------------------------------------------

export const QaRule = z.strictObject({
  pack_id: z.string(),
  percent: z.number().int().min(0).max(100),
  stratify_by_action: z.boolean(),
  updated_by: z.string(),
  updated_at: Iso,
})
export type QaRule = z.infer<typeof QaRule>

export const QaRuleBody = z.strictObject({ percent: z.number().int().min(0).max(100), stratify_by_action: z.boolean() })
export type QaRuleBody = z.infer<typeof QaRuleBody>

export const QaDrawResult = z.strictObject({
  pack_id: z.string(),
  /** Clips drawn now, per first reviewer. */
  sampled: z.record(z.string(), z.number().int()),
  /** Reviewers with decided clips and no one else to check them. */
  unmatched: z.array(z.string()),
})
export type QaDrawResult = z.infer<typeof QaDrawResult>

const KappaCell = z.strictObject({ kappa: z.number().nullable(), agreement: z.number().nullable(), n: z.number().int() })

export const AgreementReport = z.strictObject({
  from: Iso.nullable(),
  to: Iso.nullable(),
  pack_id: z.string().nullable(),
  /** Clips with two or more decisions in force in the window. */
  clips: z.number().int(),
  percent_agreement: z.number().nullable(),
  fleiss_kappa: z.number().nullable(),
  pairs: z.array(z.strictObject({ a: z.string(), b: z.string(), n: z.number().int(), agreement: z.number().nullable(), kappa: z.number().nullable() })),
  per_action: z.record(z.string(), KappaCell),
  per_category: z.record(z.string(), KappaCell),
  /** Rows: the earlier decision's action; columns: the later one's. */
  confusion: z.strictObject({ labels: z.array(z.string()), counts: z.array(z.array(z.number().int())) }),
})
export type AgreementReport = z.infer<typeof AgreementReport>

// ---- exports -----------------------------------------------------------------------------

export const ExportBody = z.strictObject({ since_last: z.boolean() })
export const ExportRun = z.strictObject({
  id: z.string(),
  created_at: Iso,
  created_by: z.string(),
  since_last: z.boolean(),
  statements: z.number().int(),
  files: z.number().int(),
  skipped: z.record(z.string(), z.number().int()),
})
export type ExportRun = z.infer<typeof ExportRun>

// ---- admin: reviewers, devices, leads ---------------------------------------------------------

export const ReviewerAccount = z.strictObject({
  id: z.string(),
  name: z.string(),
  devices: z.array(DeviceSync),
})
export type ReviewerAccount = z.infer<typeof ReviewerAccount>

export const NewReviewerBody = z.strictObject({ id: Id, name: z.string().min(1).max(200) })
export const EnrollmentCodeResult = z.strictObject({ reviewer_id: z.string(), code: z.string(), expires_at: Iso })
export type EnrollmentCodeResult = z.infer<typeof EnrollmentCodeResult>

export const LeadAccount = z.strictObject({ id: z.string(), name: z.string(), role: LeadRoleSchema, created_at: Iso, disabled_at: Iso.nullable() })
export type LeadAccount = z.infer<typeof LeadAccount>
export const NewLeadBody = z.strictObject({ id: Id, name: z.string().min(1).max(200), role: LeadRoleSchema, password: z.string().min(12).max(1024) })
