import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { LEAD_ROUTES, Overview, QaRule } from '../../shared/lead-api'
import { LeadProblem } from '../components/LeadProblem'
import { useLeadLoad } from '../lead-context'
import { QaReportSection } from './qa/QaReportSection'
import { QaRules, type LastDraw } from './qa/QaRules'
import './qa/qa.css'

const QaRuleList = z.array(QaRule)

/** QA sampling: each pack's rule (share, stratified), draws, and the agreement report. */
export function QaPage() {
  const { t } = useTranslation()
  const id = useId()
  const [lastDraw, setLastDraw] = useState<LastDraw | null>(null)
  const data = useLeadLoad(async (lead, signal) => {
    const [overview, rules] = await Promise.all([
      lead.client.call(Overview, 'GET', LEAD_ROUTES.overview, { signal }),
      lead.client.call(QaRuleList, 'GET', LEAD_ROUTES.qaRules, { signal }),
    ])
    return { overview, rules }
  }, [])
  const overview = data.data?.overview
  const names = new Map((overview?.reviewers ?? []).map((r) => [r.id, r.name]))

  return (
    <div className="qa-page" data-testid="qa-page">
      <div className="page-head">
        <h1>{t('qa.title')}</h1>
      </div>
      <p className="qa-lede">{t('qa.intro')}</p>
      <section className="lead-section" aria-labelledby={`${id}-rules`} aria-busy={data.loading} data-testid="qa-rules">
        <h2 id={`${id}-rules`}>{t('qa.rules.title')}</h2>
        {data.error && <LeadProblem error={data.error} onReload={data.reload} />}
        {data.data ? (
          <QaRules overview={data.data.overview} rules={data.data.rules} lastDraw={lastDraw} onChanged={data.reload} onDrawn={setLastDraw} />
        ) : (
          data.loading && (
            <p className="loading" role="status">
              {t('common.loading')}
            </p>
          )
        )}
      </section>
      <QaReportSection packs={overview?.packs.map((p) => p.pack_id) ?? []} names={names} />
    </div>
  )
}
