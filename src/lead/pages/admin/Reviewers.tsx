import { useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, ReviewerAccount, type DeviceSync, type EnrollmentCodeResult } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime, formatNumber } from '../../../ui/i18n/format'
import { LeadProblem } from '../../components/LeadProblem'
import { checkReviewer, deviceName, REVIEWER_FIELDS, sortDevices } from './admin-forms'
import { AccountFields, useAddForm } from './AddAccount'

/** A device and the reviewer it belongs to, for the revoke confirmation. */
export interface DeviceRef {
  device: DeviceSync
  reviewer: Pick<ReviewerAccount, 'id' | 'name'>
}

interface TableProps {
  reviewers: readonly ReviewerAccount[]
  locale: Locale
  /** The reviewer whose code is being made (its button says so). */
  codeFor?: string | null
  onCode(reviewer: ReviewerAccount): void
  onRevoke(ref: DeviceRef): void
  labelledBy?: string
}

/** Reviewers with their devices: make an enrollment code, revoke a device. */
export function ReviewersTable({ reviewers, locale, codeFor = null, onCode, onRevoke, labelledBy }: TableProps) {
  const { t } = useTranslation()
  if (reviewers.length === 0) return <p data-testid="reviewers-none">{t('admin.reviewers.none')}</p>
  return (
    <div className="admin-scroll">
      <table className="lead-table admin-table" aria-labelledby={labelledBy} data-testid="reviewers-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.reviewers.reviewer')}</th>
            <th scope="col">{t('admin.reviewers.devices')}</th>
            <th scope="col">{t('admin.reviewers.enroll')}</th>
          </tr>
        </thead>
        <tbody>
          {reviewers.map((r) => (
            <tr key={r.id} data-testid={`reviewer-row-${r.id}`}>
              <th scope="row">
                {r.name}
                <span className="admin-id muted">{r.id}</span>
              </th>
              <td>
                <DeviceList reviewer={r} locale={locale} onRevoke={onRevoke} />
              </td>
              <td>
                <button
                  type="button"
                  aria-disabled={codeFor !== null}
                  aria-label={codeFor === r.id ? undefined : t('admin.code.makeFor', { name: r.name })}
                  onClick={() => codeFor === null && onCode(r)}
                  data-testid={`reviewer-code-${r.id}`}
                >
                  {codeFor === r.id ? t('admin.code.making') : t('admin.code.make')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function DeviceList({ reviewer, locale, onRevoke }: { reviewer: ReviewerAccount; locale: Locale; onRevoke(ref: DeviceRef): void }) {
  const { t } = useTranslation()
  if (reviewer.devices.length === 0) return <span className="muted">{t('admin.devices.none')}</span>
  return (
    <ul className="admin-devices">
      {sortDevices(reviewer.devices).map((d) => (
        <li key={d.device_id} data-testid={`device-${d.device_id}`} data-revoked={d.revoked_at !== null}>
          <div className="admin-device-head">
            <strong>{deviceName(d)}</strong>
            {d.revoked_at ? (
              <span className="badge admin-revoked">{t('admin.devices.revoked', { when: formatDateTime(d.revoked_at, locale) })}</span>
            ) : (
              <span className="badge admin-active">{t('admin.devices.active')}</span>
            )}
          </div>
          <div className="muted small">
            {d.name && <span className="admin-id">{d.device_id}</span>}
            {t('admin.devices.enrolled', { when: formatDateTime(d.enrolled_at, locale) })} ·{' '}
            {d.last_sync_at ? t('admin.devices.lastSync', { when: formatDateTime(d.last_sync_at, locale) }) : t('admin.devices.neverSynced')}
            {d.unsent !== null && d.unsent > 0 && <> · {t('admin.devices.unsent', { count: d.unsent, n: formatNumber(d.unsent, locale) })}</>}
          </div>
          {!d.revoked_at && (
            <button
              type="button"
              className="danger"
              aria-label={t('admin.devices.revokeLabel', { device: deviceName(d), name: reviewer.name })}
              aria-haspopup="dialog"
              onClick={() => onRevoke({ device: d, reviewer })}
              data-testid={`device-revoke-${d.device_id}`}
            >
              {t('admin.devices.revoke')}
            </button>
          )}
        </li>
      ))}
    </ul>
  )
}

/**
 * A new enrollment code, shown once: the service keeps only its hash. Focus comes here so
 * the admin reads it first; copying uses the clipboard where the browser allows it (a
 * secure origin), and otherwise selects the code for the admin to copy.
 */
export function EnrollmentCodeBox({ code, reviewerName, locale, onDone }: { code: EnrollmentCodeResult; reviewerName: string; locale: Locale; onDone(): void }) {
  const { t } = useTranslation()
  const id = useId()
  const boxRef = useRef<HTMLElement>(null)
  const codeRef = useRef<HTMLElement>(null)
  const [copy, setCopy] = useState<'copied' | 'selected' | null>(null)
  useEffect(() => {
    boxRef.current?.focus()
  }, [code.code])

  const select = () => {
    const el = codeRef.current
    const sel = typeof window !== 'undefined' ? window.getSelection() : null
    if (el && sel) sel.selectAllChildren(el)
  }
  const copyCode = async () => {
    try {
      if (typeof navigator === 'undefined' || !navigator.clipboard) throw new Error('no clipboard')
      await navigator.clipboard.writeText(code.code)
      setCopy('copied')
    } catch {
      select()
      setCopy('selected')
    }
  }

  return (
    <section ref={boxRef} tabIndex={-1} className="admin-code-box" aria-labelledby={`${id}-title`} data-testid="enrollment-code-box">
      <h3 id={`${id}-title`} className="admin-code-title">
        {t('admin.code.title', { name: reviewerName, id: code.reviewer_id })}
      </h3>
      <p className="admin-code-once">
        <strong>{t('admin.code.once')}</strong>
      </p>
      <p>
        <code ref={codeRef} className="admin-code" data-testid="enrollment-code">
          {code.code}
        </code>
      </p>
      <p>{t('admin.code.expires', { when: formatDateTime(code.expires_at, locale) })}</p>
      <p className="muted">{t('admin.code.how')}</p>
      <div className="form-row">
        <button type="button" className="primary" onClick={() => void copyCode()} data-testid="enrollment-code-copy">
          {t('admin.code.copy')}
        </button>
        <button type="button" onClick={onDone} data-testid="enrollment-code-done">
          {t('admin.code.done')}
        </button>
        <span role="status" className="admin-copy-status">
          {copy && t(`admin.code.${copy}`)}
        </span>
      </div>
    </section>
  )
}

/** Add a reviewer: an id (as in the reviewer's app and the command line) and a name. */
export function AddReviewerForm({ onAdded }: { onAdded(reviewer: ReviewerAccount): void }) {
  const { t } = useTranslation()
  const { id, fieldId, input, set, errors, busy, error, dismissError, added, submit } = useAddForm({
    empty: { id: '', name: '' },
    check: checkReviewer,
    fields: REVIEWER_FIELDS,
    add: (lead, body) => lead.client.call(ReviewerAccount, 'POST', LEAD_ROUTES.reviewers, { body }),
    onAdded,
  })

  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`} data-testid="reviewer-add-form">
      <h3 id={`${id}-title`}>{t('admin.reviewers.addTitle')}</h3>
      <div className="form-row">
        <AccountFields fieldId={fieldId} input={input} errors={errors} set={set} idLabel={t('admin.fields.reviewerId')} testId="reviewer-add" />
        <div className="admin-field admin-submit">
          <button type="submit" className="primary" aria-disabled={busy} data-testid="reviewer-add-submit">
            {busy ? t('admin.reviewers.adding') : t('admin.reviewers.add')}
          </button>
        </div>
      </div>
      {error && <LeadProblem error={error} onDismiss={dismissError} />}
      <p role="status" className="admin-status" data-testid="reviewer-add-status">
        {added && t('admin.reviewers.added', { name: added.name, id: added.id })}
      </p>
    </form>
  )
}
