import type { ParsedInput } from '../src/shared/contract'

/**
 * The decision drafts the store benches record, so their decision writes are the same rows:
 * an allow (the smallest), an escalation, and a removal with a time range (the commonest).
 * Each bench says how often each comes.
 */

type Draft = ParsedInput<'decision.record'>

export const allowDraft = (clipId: string): Draft => ({ clipId, categories: ['ok.commerce'], action: 'allow', escalationTarget: null, ranges: [], rationale: '', revisesId: null, matchedFrom: null })

export const escalateDraft = (clipId: string): Draft => ({
  clipId,
  categories: ['violence.arson'],
  action: 'escalate',
  escalationTarget: 'senior_review',
  ranges: [],
  rationale: 'lokasi dan waktu disebut',
  revisesId: null,
  matchedFrom: null,
})

export const removeDraft = (clipId: string): Draft => ({
  clipId,
  categories: ['violence.arson', 'public_safety.provocation'],
  action: 'remove',
  escalationTarget: null,
  ranges: [{ startMs: 11_000, endMs: 14_000, label: 'ajakan membakar', note: '' }],
  rationale: 'Mengajak penonton membakar gedung.',
  revisesId: null,
  matchedFrom: null,
})
