import type { PackedMatchedFromClip, PackedMatchedFromHashList } from '../../shared/matched-from'

/** Decisions' matched_from (issue 14) as a push carries them, for the service's tests. */

/** Applied from another clip's decision (or from the clip alone, decisionId null). */
export const clipMatch = (clipId: string, decisionId: string | null): PackedMatchedFromClip => ({
  source: 'clip',
  clip_id: clipId,
  decision_id: decisionId,
  query_match_percent: 92.5,
  compared_match_percent: 87.33,
  same_file: false,
})

/** Applied from an entry of the team's hash list. */
export const teamListMatch: PackedMatchedFromHashList = {
  source: 'hashlist',
  list_id: 'team-hashes',
  list_source: 'team',
  list_version: '2026-11-30T08:00:00.000+07:00',
  entry_id: 'entry-0042',
  label: 'Re-live of the Monas clash',
  query_match_percent: 96.4,
  compared_match_percent: 100,
  same_file: false,
}
