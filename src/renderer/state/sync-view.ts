import type { SyncFailureCode, SyncStatus } from '../../shared/sync-status'

/**
 * How the header and the sync dialog put the client's status into words: which message
 * (an i18n key under `sync.`) and with what numbers. Pure, so every state is tested
 * without a host; the components only translate.
 */

export interface SyncLine {
  /** i18n key under `sync.` */
  key: string
  values: Record<string, string | number>
  /** For the header's colour: fine, busy, waiting for the network, or needs the reviewer. */
  tone: 'ok' | 'busy' | 'waiting' | 'problem'
}

export function syncLine(s: SyncStatus): SyncLine {
  const pending = s.counts.pending
  switch (s.state) {
    case 'not_enrolled':
      return { key: 'line.notEnrolled', values: {}, tone: 'waiting' }
    case 'idle':
      return { key: pending > 0 ? 'line.idlePending' : 'line.idle', values: { count: pending }, tone: 'waiting' }
    case 'up_to_date':
      return pending > 0 ? { key: 'line.idlePending', values: { count: pending }, tone: 'waiting' } : { key: 'line.upToDate', values: {}, tone: 'ok' }
    case 'syncing':
      return s.total === null
        ? { key: `line.syncing.${s.phase}`, values: { done: s.done }, tone: 'busy' }
        : { key: `line.syncingOf.${s.phase}`, values: { done: s.done, total: s.total }, tone: 'busy' }
    case 'offline':
      return { key: 'line.offline', values: { count: pending }, tone: 'waiting' }
    case 'error':
      return { key: `line.error.${s.code}`, values: { count: pending }, tone: 'problem' }
  }
}

/** What happens next after a failure, as an i18n key under `sync.`: the reviewer's part, or the client's. */
export function nextStepKey(code: SyncFailureCode): string {
  switch (code) {
    case 'unauthorized':
    case 'token_unreadable':
      return 'next.enrollAgain'
    case 'forbidden':
    case 'refused':
    case 'protocol_mismatch':
      return 'next.askLead'
    case 'server_error':
    case 'invalid_response':
      return 'next.retryLater'
    case 'local':
      return 'next.checkDevice'
    case 'device_revoked':
      return 'next.profileWiped'
  }
}

/** A run can be asked for when enrolled and none is running. */
export function canRunNow(s: SyncStatus): boolean {
  return s.state !== 'not_enrolled' && s.state !== 'syncing'
}

/** Items the reviewer should look at: refused decisions and open adjudications. */
export function attentionCount(s: SyncStatus): number {
  return s.counts.rejected + s.counts.notices
}
