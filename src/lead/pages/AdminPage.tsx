import { useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { EnrollmentCodeResult, LEAD_ROUTES, LeadAccount, ReviewerAccount } from '../../shared/lead-api'
import { Dialog } from '../../ui/Dialog'
import { formatNumber } from '../../ui/i18n/format'
import type { LeadApiError } from '../api/lead-client'
import { LeadProblem } from '../components/LeadProblem'
import { asLeadError, useLead, useLeadLoad } from '../lead-context'
import { deviceName } from './admin/admin-forms'
import { AddLeadForm, LeadsTable } from './admin/Leads'
import { AddReviewerForm, EnrollmentCodeBox, ReviewersTable, type DeviceRef } from './admin/Reviewers'
import './admin/admin.css'

const ReviewerList = z.array(ReviewerAccount)
const LeadList = z.array(LeadAccount)
const RevokeResult = z.looseObject({ device_id: z.string(), revoked: z.boolean() })

/** Admins only (the shell hides it from leads; the service refuses them): reviewers and their devices, lead accounts. */
export function AdminPage() {
  const { t } = useTranslation()
  const lead = useLead()
  const id = useId()
  const reviewers = useLeadLoad((l, signal) => l.client.call(ReviewerList, 'GET', LEAD_ROUTES.reviewers, { signal }), [])
  const leads = useLeadLoad((l, signal) => l.client.call(LeadList, 'GET', LEAD_ROUTES.leads, { signal }), [])
  const [code, setCode] = useState<{ result: EnrollmentCodeResult; name: string } | null>(null)
  const [codeFor, setCodeFor] = useState<string | null>(null)
  const [revoking, setRevoking] = useState<DeviceRef | null>(null)
  const [revokeBusy, setRevokeBusy] = useState(false)
  const [revoked, setRevoked] = useState<DeviceRef | null>(null)
  const [error, setError] = useState<LeadApiError | null>(null)
  const statusRef = useRef<HTMLParagraphElement>(null)
  const openerRef = useRef<HTMLElement | null>(null)

  const openRevoke = (ref: DeviceRef) => {
    openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
    setRevoking(ref)
  }
  // The dialog is modal: the button behind it takes focus only once it is gone.
  const cancelRevoke = () => {
    setRevoking(null)
    requestAnimationFrame(() => openerRef.current?.focus())
  }

  const fail = (err: unknown) => {
    const e = asLeadError(err)
    if (e.code === 'unauthorized') lead.sessionEnded()
    setError(e)
  }

  const makeCode = async (r: ReviewerAccount) => {
    if (codeFor) return
    // A new code replaces the one shown: never leave another reviewer's code in view meanwhile.
    setCode(null)
    setCodeFor(r.id)
    setError(null)
    setRevoked(null)
    try {
      const result = await lead.client.call(EnrollmentCodeResult, 'POST', LEAD_ROUTES.reviewerCode.replace(':id', encodeURIComponent(r.id)))
      setCode({ result, name: r.name })
    } catch (err) {
      fail(err)
    } finally {
      setCodeFor(null)
    }
  }

  const revoke = async () => {
    if (!revoking || revokeBusy) return
    const target = revoking
    setRevokeBusy(true)
    setError(null)
    try {
      await lead.client.call(RevokeResult, 'POST', LEAD_ROUTES.revokeDevice.replace(':id', encodeURIComponent(target.device.device_id)))
      setRevoked(target)
      reviewers.reload()
      // The button that opened the dialog goes away: focus goes to what happened.
      requestAnimationFrame(() => statusRef.current?.focus())
    } catch (err) {
      fail(err)
      requestAnimationFrame(() => openerRef.current?.focus())
    } finally {
      setRevokeBusy(false)
      setRevoking(null)
    }
  }

  return (
    <div className="admin-page" data-testid="admin-page">
      <div className="page-head">
        <h1>{t('admin.title')}</h1>
      </div>
      <p className="admin-lede">{t('admin.intro')}</p>

      <section className="lead-section" aria-labelledby={`${id}-reviewers`} aria-busy={reviewers.loading}>
        <h2 id={`${id}-reviewers`}>{t('admin.reviewers.title')}</h2>
        {code && <EnrollmentCodeBox code={code.result} reviewerName={code.name} locale={lead.locale} onDone={() => setCode(null)} />}
        {error && <LeadProblem error={error} onDismiss={() => setError(null)} />}
        <p role="status" className="admin-status" ref={statusRef} tabIndex={-1} data-testid="admin-status">
          {revoked && t('admin.devices.revokedMsg', { device: deviceName(revoked.device), name: revoked.reviewer.name })}
        </p>
        {reviewers.error && <LeadProblem error={reviewers.error} onReload={reviewers.reload} />}
        {reviewers.data ? (
          <ReviewersTable reviewers={reviewers.data} locale={lead.locale} codeFor={codeFor} onCode={(r) => void makeCode(r)} onRevoke={openRevoke} labelledBy={`${id}-reviewers`} />
        ) : (
          reviewers.loading && (
            <p className="loading" role="status">
              {t('common.loading')}
            </p>
          )
        )}
        <AddReviewerForm onAdded={() => (setRevoked(null), reviewers.reload())} />
      </section>

      <section className="lead-section" aria-labelledby={`${id}-leads`} aria-busy={leads.loading}>
        <h2 id={`${id}-leads`}>{t('admin.leads.title')}</h2>
        {leads.error && <LeadProblem error={leads.error} onReload={leads.reload} />}
        {leads.data ? (
          <LeadsTable leads={leads.data} locale={lead.locale} me={lead.session.lead.id} labelledBy={`${id}-leads`} />
        ) : (
          leads.loading && (
            <p className="loading" role="status">
              {t('common.loading')}
            </p>
          )
        )}
        <AddLeadForm onAdded={leads.reload} />
      </section>

      {revoking && (
        <Dialog title={t('admin.revoke.title', { device: deviceName(revoking.device), name: revoking.reviewer.name })} onClose={cancelRevoke} testId="revoke-dialog">
          <p>{t('admin.revoke.body')}</p>
          {revoking.device.unsent !== null && revoking.device.unsent > 0 && <p>{t('admin.revoke.unsent', { count: revoking.device.unsent, n: formatNumber(revoking.device.unsent, lead.locale) })}</p>}
          <p className="muted small">{t('admin.revoke.device', { id: revoking.device.device_id })}</p>
          <div className="form-row">
            <button type="button" className="primary admin-danger" aria-disabled={revokeBusy} onClick={() => void revoke()} data-testid="revoke-confirm">
              {revokeBusy ? t('admin.revoke.revoking') : t('admin.revoke.yes')}
            </button>
            <button type="button" onClick={cancelRevoke} data-testid="revoke-cancel">
              {t('admin.revoke.no')}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  )
}
