import { useTranslation } from 'react-i18next'
import { LEAD_ROLE_VALUES, LEAD_ROUTES, LeadAccount, type LeadRoleValue } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime } from '../../../ui/i18n/format'
import { LeadProblem } from '../../components/LeadProblem'
import { checkLead, LEAD_FIELDS, MAX_PASSWORD, MIN_PASSWORD, type LeadInput } from './admin-forms'
import { AccountFields, useAddForm } from './AddAccount'
import { TextField } from './TextField'

/** Lead and admin accounts. */
export function LeadsTable({ leads, locale, me, labelledBy }: { leads: readonly LeadAccount[]; locale: Locale; me: string; labelledBy?: string }) {
  const { t } = useTranslation()
  if (leads.length === 0) return <p>{t('admin.leads.none')}</p>
  return (
    <div className="admin-scroll">
      <table className="lead-table admin-table" aria-labelledby={labelledBy} data-testid="leads-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.leads.account')}</th>
            <th scope="col">{t('admin.fields.name')}</th>
            <th scope="col">{t('admin.fields.role')}</th>
            <th scope="col">{t('admin.leads.added')}</th>
            <th scope="col">{t('admin.leads.state')}</th>
          </tr>
        </thead>
        <tbody>
          {leads.map((l) => (
            <tr key={l.id} data-testid={`lead-row-${l.id}`} data-role={l.role}>
              <th scope="row">
                <span className="admin-mono">{l.id}</span>
                {l.id === me && <span className="muted"> {t('admin.leads.you')}</span>}
              </th>
              <td>{l.name}</td>
              <td>{t(`common.roles.${l.role}`)}</td>
              <td>{formatDateTime(l.created_at, locale)}</td>
              <td>{l.disabled_at ? t('admin.leads.disabled', { when: formatDateTime(l.disabled_at, locale) }) : t('admin.leads.active')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const EMPTY: LeadInput = { id: '', name: '', role: 'lead', password: '', password2: '' }

/** Add a lead or admin: the password typed twice, sent once, never shown back. */
export function AddLeadForm({ onAdded }: { onAdded(lead: LeadAccount): void }) {
  const { t } = useTranslation()
  const { id, fieldId, input, set, errors, busy, error, dismissError, added, submit } = useAddForm({
    empty: EMPTY,
    check: checkLead,
    fields: LEAD_FIELDS,
    add: (lead, body) => lead.client.call(LeadAccount, 'POST', LEAD_ROUTES.leads, { body }),
    onAdded,
    // The password is not kept for another try with a refusal in view: it is typed again.
    afterRefusal: (i) => ({ ...i, password: '', password2: '' }),
  })

  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`} data-testid="lead-add-form">
      <h3 id={`${id}-title`}>{t('admin.leads.addTitle')}</h3>
      <div className="form-row">
        <AccountFields fieldId={fieldId} input={input} errors={errors} set={set} idLabel={t('admin.fields.leadId')} testId="lead-add" />
        <div className="admin-field">
          <label htmlFor={fieldId('role')}>{t('admin.fields.role')}</label>
          <select id={fieldId('role')} value={input.role} aria-describedby={`${fieldId('role')}-hint`} onChange={(e) => set('role', e.target.value as LeadRoleValue)} data-testid="lead-add-role">
            {LEAD_ROLE_VALUES.map((r) => (
              <option key={r} value={r}>
                {t(`common.roles.${r}`)}
              </option>
            ))}
          </select>
          <p id={`${fieldId('role')}-hint`} className="muted small">
            {t('admin.fields.roleHint')}
          </p>
        </div>
      </div>
      <div className="form-row">
        <TextField
          id={fieldId('password')}
          type="password"
          label={t('admin.fields.password')}
          value={input.password}
          onChange={(v) => set('password', v)}
          error={errors.password && t(`admin.errors.password.${errors.password}`, { min: MIN_PASSWORD, max: MAX_PASSWORD })}
          hint={t('admin.fields.passwordHint', { min: MIN_PASSWORD })}
          autoComplete="new-password"
          required
          testId="lead-add-password"
        />
        <TextField
          id={fieldId('password2')}
          type="password"
          label={t('admin.fields.password2')}
          value={input.password2}
          onChange={(v) => set('password2', v)}
          error={errors.password2 && t(`admin.errors.password2.${errors.password2}`)}
          autoComplete="new-password"
          required
          testId="lead-add-password2"
        />
        <div className="admin-field admin-submit">
          <button type="submit" className="primary" aria-disabled={busy} data-testid="lead-add-submit">
            {busy ? t('admin.leads.adding') : t('admin.leads.add')}
          </button>
        </div>
      </div>
      {error && <LeadProblem error={error} onDismiss={dismissError} />}
      <p role="status" className="admin-status" data-testid="lead-add-status">
        {added && t('admin.leads.addedMsg', { id: added.id, name: added.name, role: t(`common.roles.${added.role}`) })}
      </p>
    </form>
  )
}
