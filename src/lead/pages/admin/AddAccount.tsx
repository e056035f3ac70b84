import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { LeadApiError } from '../../api/lead-client'
import { asLeadError, useLead, type Lead } from '../../lead-context'
import { firstError, type IdError, type NameError } from './admin-forms'
import { TextField } from './TextField'

/** What the two admin forms that add an account (a reviewer, a lead) do alike. */

/** What a check of the form gives: the body to send, or what is wrong with each field. */
export type FormCheck<E, B> = { ok: true; body: B } | { ok: false; errors: E }

export interface AddFormSpec<I, E, B, R> {
  /** The form as it starts, and again after an account is added. */
  empty: I
  check(input: I): FormCheck<E, B>
  /** The fields in the order they appear: the first with an error gets the focus. */
  fields: readonly (keyof E & string)[]
  /** Send the checked body to the service. */
  add(lead: Lead, body: B): Promise<R>
  onAdded(added: R): void
  /** What of the input stays for another try after a refusal (all of it when not given). */
  afterRefusal?(input: I): I
}

/**
 * An admin form that adds an account: checked as the service checks it (the first field
 * in error gets the focus), sent once at a time, emptied when added; a refusal is kept to
 * be shown, and an ended session sends the lead back to sign-in.
 */
export function useAddForm<I extends object, E extends object, B, R>(spec: AddFormSpec<I, E, B, R>) {
  const lead = useLead()
  const id = useId()
  const [input, setInput] = useState<I>(spec.empty)
  const [errors, setErrors] = useState<E>({} as E)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<LeadApiError | null>(null)
  const [added, setAdded] = useState<R | null>(null)
  const fieldId = (f: string) => `${id}-${f}`
  /** Change a field; its error goes until the form is checked again. */
  const set = <K extends keyof I>(k: K, v: I[K]) => {
    setInput({ ...input, [k]: v })
    if (k in errors) setErrors({ ...errors, [k]: undefined })
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    const check = spec.check(input)
    if (!check.ok) {
      setErrors(check.errors)
      const first = firstError(spec.fields, check.errors)
      if (first) document.getElementById(fieldId(first))?.focus()
      return
    }
    setErrors({} as E)
    setError(null)
    setAdded(null)
    setBusy(true)
    try {
      const r = await spec.add(lead, check.body)
      setInput(spec.empty)
      setAdded(r)
      spec.onAdded(r)
    } catch (err) {
      const le = asLeadError(err)
      if (le.code === 'unauthorized') lead.sessionEnded()
      if (spec.afterRefusal) setInput(spec.afterRefusal)
      setError(le)
    } finally {
      setBusy(false)
    }
  }

  return { id, fieldId, input, set, errors, busy, error, dismissError: () => setError(null), added, submit }
}

interface AccountFieldsProps {
  fieldId(field: 'id' | 'name'): string
  input: { id: string; name: string }
  errors: { id?: IdError | undefined; name?: NameError | undefined }
  set(field: 'id' | 'name', value: string): void
  /** What the id is called: a reviewer's, a lead's. */
  idLabel: string
  /** The fields' test ids are `${testId}-id` and `${testId}-name`. */
  testId: string
}

/** The id and the name of a new account, asked for alike by both add forms. */
export function AccountFields({ fieldId, input, errors, set, idLabel, testId }: AccountFieldsProps) {
  const { t } = useTranslation()
  return (
    <>
      <TextField
        id={fieldId('id')}
        label={idLabel}
        value={input.id}
        onChange={(v) => set('id', v)}
        error={errors.id && t(`admin.errors.id.${errors.id}`)}
        hint={t('admin.fields.idHint')}
        autoComplete="off"
        spellCheck={false}
        maxLength={128}
        required
        testId={`${testId}-id`}
      />
      <TextField
        id={fieldId('name')}
        label={t('admin.fields.name')}
        value={input.name}
        onChange={(v) => set('name', v)}
        error={errors.name && t(`admin.errors.name.${errors.name}`)}
        autoComplete="off"
        maxLength={200}
        required
        testId={`${testId}-name`}
      />
    </>
  )
}
