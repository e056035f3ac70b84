/**
 * Where the lead API lives (docs/lead-api.md). Apart from its schemas (lead-api.ts) so the
 * console's first script can ask for its first answers before zod and the schemas load.
 */

export const LEAD_BASE_PATH = '/lead'
export const LEAD_API_PATH = '/lead/api'

/**
 * Every route, relative to LEAD_API_PATH. Roles: `lead` may use all but the admin ones;
 * `admin` may use all.
 */
export const LEAD_ROUTES = {
  session: '/session', // POST SignInBody → SessionInfo; GET → SessionInfo; DELETE
  overview: '/overview', // GET → Overview
  packs: '/packs', // POST (zip body, application/zip) → PackLoadResult
  assign: '/assignments', // POST AssignBody → AssignResult
  unassign: '/assignments/remove', // POST UnassignBody → AssignResult
  disputes: '/disputes', // GET ?cursor=&limit=&pack= → DisputeList
  clip: '/clips/:id', // GET → ClipDetail
  outcome: '/clips/:id/outcome', // POST AdjudicateBody → OutcomeView
  media: '/media/:sha256', // GET (Range) → bytes
  policy: '/policy', // GET → the policy (shared/policy.ts)
  qaRules: '/qa/rules', // GET → QaRule[]
  qaRule: '/qa/rules/:pack', // PUT QaRuleBody → QaRule
  qaDraw: '/qa/draw/:pack', // POST → QaDrawResult
  qaReport: '/qa/report', // GET ?from=&to=&pack= → AgreementReport
  exports: '/exports', // GET → ExportRun[]; POST ExportBody → ExportRun
  exportFile: '/exports/:id/files/:idx', // GET → the file as filed
  reviewers: '/admin/reviewers', // GET → ReviewerAccount[]; POST NewReviewerBody (admin)
  reviewerCode: '/admin/reviewers/:id/codes', // POST → EnrollmentCodeResult (admin)
  revokeDevice: '/admin/devices/:id/revoke', // POST (admin)
  leads: '/admin/leads', // GET → LeadAccount[]; POST NewLeadBody (admin)
} as const
