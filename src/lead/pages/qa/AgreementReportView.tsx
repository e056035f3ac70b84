import { useTranslation } from 'react-i18next'
import type { AgreementReport } from '../../../shared/lead-api'
import type { Locale, Policy } from '../../../shared/policy'
import { formatDateTime, formatNumber } from '../../../ui/i18n/format'
import { actionName, categoryName } from '../../../ui/i18n/policy-text'
import { confusionView, formatKappa, formatShare, kappaStrength, labelRows, reviewerLabel, type LabelRow } from './qa-format'

interface Props {
  report: AgreementReport
  /** Reviewer names by id (from the overview). */
  names: ReadonlyMap<string, string>
  policy: Policy
  locale: Locale
}

/** The agreement report: the window, the team's figures, reviewer pairs, per action and category, the confusion matrix. */
export function AgreementReportView({ report, names, policy, locale }: Props) {
  const { t } = useTranslation()
  const share = formatShare(report.percent_agreement, locale)
  const fleiss = formatKappa(report.fleiss_kappa, locale)
  const action = (id: string) => actionName(policy, id, locale)
  const category = (id: string) => categoryName(policy, id, locale)
  const actions = labelRows(
    report.per_action,
    action,
    policy.actions.map((a) => a.id),
    locale,
  )
  const categories = labelRows(
    report.per_category,
    category,
    policy.categories.map((c) => c.id),
    locale,
  )
  return (
    <div className="qa-report-body" data-testid="qa-report-body" data-clips={report.clips}>
      <p className="muted" data-testid="qa-report-window">
        {t('qa.report.window', {
          from: report.from ? formatDateTime(report.from, locale) : t('qa.report.fromStart'),
          to: report.to ? formatDateTime(report.to, locale) : t('qa.report.toNow'),
          pack: report.pack_id ?? t('qa.report.allPacks'),
        })}
      </p>
      <dl className="qa-figures">
        <div>
          <dt>{t('qa.report.clips')}</dt>
          <dd data-testid="qa-clips" data-value={report.clips}>
            {formatNumber(report.clips, locale)}
          </dd>
        </div>
        <div>
          <dt>{t('qa.report.percentAgreement')}</dt>
          <dd data-testid="qa-percent-agreement" data-value={report.percent_agreement ?? ''}>
            {share ?? <NotEnough />}
          </dd>
        </div>
        <div>
          <dt>{t('qa.report.fleiss')}</dt>
          <dd data-testid="qa-fleiss" data-value={report.fleiss_kappa ?? ''}>
            {fleiss ? <Kappa value={report.fleiss_kappa} text={fleiss} /> : <NotEnough />}
          </dd>
        </div>
      </dl>
      {report.clips === 0 ? (
        <p data-testid="qa-report-empty">{t('qa.report.empty')}</p>
      ) : (
        <>
          <h3>{t('qa.report.pairsTitle')}</h3>
          <table className="lead-table qa-table" data-testid="qa-pairs">
            <caption>{t('qa.report.pairsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('qa.report.reviewers')}</th>
                <th scope="col" className="num">
                  {t('qa.report.pairN')}
                </th>
                <th scope="col" className="num">
                  {t('qa.report.agreement')}
                </th>
                <th scope="col" className="num">
                  {t('qa.report.cohen')}
                </th>
              </tr>
            </thead>
            <tbody>
              {report.pairs.map((p) => (
                <tr key={`${p.a}\u0000${p.b}`} data-testid={`qa-pair-${p.a}-${p.b}`}>
                  <th scope="row">{t('qa.report.pair', { a: reviewerLabel(p.a, names), b: reviewerLabel(p.b, names) })}</th>
                  <td className="num">{formatNumber(p.n, locale)}</td>
                  <td className="num">{formatShare(p.agreement, locale) ?? <NotEnough />}</td>
                  <td className="num">
                    <KappaOrNot value={p.kappa} locale={locale} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3>{t('qa.report.perActionTitle')}</h3>
          <LabelTable rows={actions} caption={t('qa.report.perActionCaption')} head={t('qa.report.action')} locale={locale} testId="qa-per-action" />

          <h3>{t('qa.report.perCategoryTitle')}</h3>
          {categories.length > 0 ? (
            <LabelTable rows={categories} caption={t('qa.report.perCategoryCaption')} head={t('qa.report.category')} locale={locale} testId="qa-per-category" />
          ) : (
            <p>{t('qa.report.noCategories')}</p>
          )}

          <h3>{t('qa.report.confusionTitle')}</h3>
          <ConfusionTable confusion={report.confusion} name={action} order={policy.actions.map((a) => a.id)} locale={locale} />
        </>
      )}
    </div>
  )
}

function NotEnough() {
  const { t } = useTranslation()
  return <span className="muted">{t('qa.report.notEnough')}</span>
}

/** A kappa with the words for its strength, so its meaning does not rest on a number alone. */
function Kappa({ value, text }: { value: number | null; text: string }) {
  const { t } = useTranslation()
  const strength = kappaStrength(value)
  return (
    <>
      {text}
      {strength && <span className="muted small"> · {t(`qa.report.strength.${strength}`)}</span>}
    </>
  )
}

function KappaOrNot({ value, locale }: { value: number | null; locale: Locale }) {
  const text = formatKappa(value, locale)
  return text ? <Kappa value={value} text={text} /> : <NotEnough />
}

function LabelTable({ rows, caption, head, locale, testId }: { rows: LabelRow[]; caption: string; head: string; locale: Locale; testId: string }) {
  const { t } = useTranslation()
  return (
    <table className="lead-table qa-table" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="num">
            {t('qa.report.kappa')}
          </th>
          <th scope="col" className="num">
            {t('qa.report.agreement')}
          </th>
          <th scope="col" className="num">
            {t('qa.report.labelN')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-testid={`${testId}-${r.id}`}>
            <th scope="row">{r.name}</th>
            <td className="num">
              <KappaOrNot value={r.cell.kappa} locale={locale} />
            </td>
            <td className="num">{formatShare(r.cell.agreement, locale) ?? <NotEnough />}</td>
            <td className="num">{formatNumber(r.cell.n, locale)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Rows: the earlier decision's action; columns: the later one's; the diagonal is agreement. */
function ConfusionTable({ confusion, name, order, locale }: { confusion: AgreementReport['confusion']; name: (id: string) => string; order: readonly string[]; locale: Locale }) {
  const { t } = useTranslation()
  const v = confusionView(confusion, order)
  if (v.labels.length === 0) return <p>{t('qa.report.noPairs')}</p>
  return (
    <div className="qa-scroll">
      <table className="lead-table qa-table qa-confusion" data-testid="qa-confusion">
        <caption>{t('qa.report.confusionCaption', { agreed: formatNumber(v.agreed, locale), total: formatNumber(v.total, locale) })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('qa.report.confusionCorner')}</th>
            {v.labels.map((l) => (
              <th key={l} scope="col" className="num">
                {name(l)}
              </th>
            ))}
            <th scope="col" className="num">
              {t('qa.report.total')}
            </th>
          </tr>
        </thead>
        <tbody>
          {v.labels.map((row, i) => (
            <tr key={row}>
              <th scope="row">{name(row)}</th>
              {v.labels.map((col, j) => {
                const n = v.counts[i]?.[j] ?? 0
                return i === j ? (
                  <td key={col} className="num qa-diagonal" data-testid={`qa-confusion-${row}-${col}`}>
                    <strong>{formatNumber(n, locale)}</strong>
                  </td>
                ) : (
                  <td key={col} className={n === 0 ? 'num muted' : 'num'} data-testid={`qa-confusion-${row}-${col}`}>
                    {formatNumber(n, locale)}
                  </td>
                )
              })}
              <td className="num">{formatNumber(v.rowTotals[i] ?? 0, locale)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('qa.report.total')}</th>
            {v.columnTotals.map((n, j) => (
              <td key={v.labels[j]} className="num">
                {formatNumber(n, locale)}
              </td>
            ))}
            <td className="num">{formatNumber(v.total, locale)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  )
}
