import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, QaDrawResult, QaRule, type Overview } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatDateTime, formatNumber, intlLocale } from '../../../ui/i18n/format'
import type { LeadApiError } from '../../api/lead-client'
import { LeadProblem } from '../../components/LeadProblem'
import { asLeadError, useLead } from '../../lead-context'
import { reviewerLabel } from './qa-format'
import { checkRule, ruleChanged, ruleInput, type RuleError, type RuleInput } from './qa-rule-form'

/** Who changed something, as the service records it (`lead:<id>`, `operator`): the lead's id, or the words for the operator. */
export function actorText(actor: string, operator: string): string {
  if (actor === 'operator') return operator
  return actor.startsWith('lead:') ? actor.slice('lead:'.length) : actor
}

/** Why a draw cannot be made now. */
export const DRAW_BLOCKED = ['noRule', 'unsaved'] as const
type DrawBlocked = (typeof DRAW_BLOCKED)[number]

export interface LastDraw {
  packId: string
  result: QaDrawResult
}

interface SectionProps {
  overview: Overview
  rules: readonly QaRule[]
  /** The last draw of this visit, shown under its pack. */
  lastDraw?: LastDraw | null
  /** A rule was saved or a draw made: the page reloads what it shows. */
  onChanged(): void
  onDrawn(draw: LastDraw): void
}

/** Every loaded pack with its QA rule: edit, save, draw now. */
export function QaRules({ overview, rules, lastDraw = null, onChanged, onDrawn }: SectionProps) {
  const { t } = useTranslation()
  const names = new Map(overview.reviewers.map((r) => [r.id, r.name]))
  const byPack = new Map(rules.map((r) => [r.pack_id, r]))
  if (overview.packs.length === 0) return <p data-testid="qa-no-packs">{t('qa.rules.noPacks')}</p>
  return (
    <div className="qa-rules">
      {overview.packs.map((p) => (
        <QaRuleForm
          key={p.pack_id}
          packId={p.pack_id}
          clips={p.clips}
          rule={byPack.get(p.pack_id)}
          names={names}
          drawResult={lastDraw?.packId === p.pack_id ? lastDraw.result : null}
          onChanged={onChanged}
          onDrawn={(result) => onDrawn({ packId: p.pack_id, result })}
        />
      ))}
    </div>
  )
}

interface FormProps {
  packId: string
  clips: number
  rule: QaRule | undefined
  names: ReadonlyMap<string, string>
  drawResult: QaDrawResult | null
  onChanged(): void
  onDrawn(result: QaDrawResult): void
}

export function QaRuleForm({ packId, clips, rule, names, drawResult, onChanged, onDrawn }: FormProps) {
  const { t } = useTranslation()
  const lead = useLead()
  const { locale } = lead
  const id = useId()
  const [input, setInput] = useState<RuleInput>(() => ruleInput(rule))
  const [invalid, setInvalid] = useState<RuleError | null>(null)
  const [busy, setBusy] = useState<'save' | 'draw' | null>(null)
  const [error, setError] = useState<LeadApiError | null>(null)
  const [saved, setSaved] = useState<QaRule | null>(null)
  // The rule just saved stands until the page's reload brings it (or a newer one) back.
  const [lastSaved, setLastSaved] = useState<QaRule | null>(null)
  const inForce = lastSaved && (!rule || lastSaved.updated_at > rule.updated_at) ? lastSaved : rule
  const dirty = ruleChanged(input, inForce)
  const headingId = `${id}-h`
  const percentId = `${id}-percent`
  const percentHint = `${id}-percent-hint`
  const percentError = `${id}-percent-error`
  const stratifyHint = `${id}-stratify-hint`
  const drawHint = `${id}-draw-hint`

  const fail = (err: unknown) => {
    const e = asLeadError(err)
    if (e.code === 'unauthorized') lead.sessionEnded()
    setError(e)
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    const check = checkRule(input)
    if (!check.ok) {
      setInvalid(check.error)
      document.getElementById(percentId)?.focus()
      return
    }
    setInvalid(null)
    setError(null)
    setSaved(null)
    setBusy('save')
    try {
      const r = await lead.client.call(QaRule, 'PUT', LEAD_ROUTES.qaRule.replace(':pack', encodeURIComponent(packId)), { body: check.body })
      setInput(ruleInput(r))
      setSaved(r)
      setLastSaved(r)
      onChanged()
    } catch (err) {
      fail(err)
    } finally {
      setBusy(null)
    }
  }

  const draw = async () => {
    if (busy) return
    setError(null)
    setSaved(null)
    setBusy('draw')
    try {
      const r = await lead.client.call(QaDrawResult, 'POST', LEAD_ROUTES.qaDraw.replace(':pack', encodeURIComponent(packId)))
      onDrawn(r)
      onChanged()
    } catch (err) {
      fail(err)
    } finally {
      setBusy(null)
    }
  }

  const drawBlocked: DrawBlocked | null = !inForce ? 'noRule' : dirty ? 'unsaved' : null

  return (
    <form className="qa-rule" aria-labelledby={headingId} onSubmit={save} noValidate data-testid={`qa-rule-${packId}`}>
      <h3 id={headingId} className="qa-pack-title">
        {t('qa.rules.pack', { pack: packId })} <span className="muted">{t('qa.rules.clips', { count: clips, n: formatNumber(clips, locale) })}</span>
      </h3>
      <p className="muted" data-testid={`qa-rule-state-${packId}`}>
        {inForce ? <RuleInForce rule={inForce} locale={locale} /> : t('qa.rules.none')}
      </p>
      <div className="form-row">
        <label htmlFor={percentId}>
          <span>{t('qa.rules.percent')}</span>
          <input
            id={percentId}
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            required
            className="qa-percent-input"
            value={input.percent}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? `${percentError} ${percentHint}` : percentHint}
            onChange={(e) => (setInput({ ...input, percent: e.target.value }), setInvalid(null))}
            data-testid={`qa-percent-${packId}`}
          />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={input.stratify}
            aria-describedby={stratifyHint}
            onChange={(e) => setInput({ ...input, stratify: e.target.checked })}
            data-testid={`qa-stratify-${packId}`}
          />
          <span>{t('qa.rules.stratify')}</span>
        </label>
        <button type="submit" className="primary" aria-disabled={busy !== null} data-testid={`qa-save-${packId}`}>
          {busy === 'save' ? t('qa.rules.saving') : t('qa.rules.save')}
        </button>
        <button type="button" disabled={drawBlocked !== null} aria-disabled={busy !== null} aria-describedby={drawHint} onClick={draw} data-testid={`qa-draw-${packId}`}>
          {busy === 'draw' ? t('qa.rules.drawing') : t('qa.rules.draw')}
        </button>
      </div>
      {invalid && (
        <p id={percentError} className="qa-field-error">
          {t(`qa.rules.invalid.${invalid}`)}
        </p>
      )}
      <p id={percentHint} className="muted small">
        {t('qa.rules.percentHint')}
      </p>
      <p id={stratifyHint} className="muted small">
        {t('qa.rules.stratifyHint')}
      </p>
      <p id={drawHint} className="muted small">
        {drawBlocked ? t(`qa.rules.drawBlocked.${drawBlocked}`) : t('qa.rules.drawHint')}
      </p>
      {error && <LeadProblem error={error} onDismiss={() => setError(null)} />}
      <div role="status" className="qa-status">
        {saved && <p data-testid={`qa-saved-${packId}`}>{t(saved.stratify_by_action ? 'qa.rules.savedStratified' : 'qa.rules.saved', { percent: formatNumber(saved.percent, locale) })}</p>}
        {drawResult && <DrawResult result={drawResult} names={names} locale={locale} />}
      </div>
    </form>
  )
}

function RuleInForce({ rule, locale }: { rule: QaRule; locale: Locale }) {
  const { t } = useTranslation()
  const share = t(rule.stratify_by_action ? 'qa.rules.inForceStratified' : 'qa.rules.inForce', { percent: formatNumber(rule.percent, locale) })
  return <>{t('qa.rules.changed', { rule: share, by: actorText(rule.updated_by, t('qa.rules.byOperator')), when: formatDateTime(rule.updated_at, locale) })}</>
}

/** "a, b and c" in the lead's language. */
export function listText(items: readonly string[], locale: Locale): string {
  return new Intl.ListFormat(intlLocale(locale), { type: 'conjunction' }).format(items)
}

/** What a draw did: clips per first reviewer, and who has no one to check them. */
export function DrawResult({ result, names, locale }: { result: QaDrawResult; names: ReadonlyMap<string, string>; locale: Locale }) {
  const { t } = useTranslation()
  const sampled = Object.entries(result.sampled)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
  const total = sampled.reduce((a, [, n]) => a + n, 0)
  return (
    <div className="qa-draw-result" data-testid="qa-draw-result" data-total={total}>
      <p>
        <strong>{total > 0 ? t('qa.draw.drawn', { count: total, n: formatNumber(total, locale), pack: result.pack_id }) : t('qa.draw.nothing', { pack: result.pack_id })}</strong>
      </p>
      {sampled.length > 0 && (
        <ul aria-label={t('qa.draw.perReviewer')}>
          {sampled.map(([reviewer, n]) => (
            <li key={reviewer}>{t('qa.draw.reviewerClips', { reviewer: reviewerLabel(reviewer, names), count: n, n: formatNumber(n, locale) })}</li>
          ))}
        </ul>
      )}
      {result.unmatched.length > 0 && (
        <p data-testid="qa-draw-unmatched">
          {t('qa.draw.unmatched', { reviewers: listText(result.unmatched.map((r) => reviewerLabel(r, names)), locale) })}
        </p>
      )}
    </div>
  )
}
