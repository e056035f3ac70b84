import { useTranslation } from 'react-i18next'
import { LEAD_ROUTES, Overview } from '../../shared/lead-api'
import { formatTimeOfDay } from '../../ui/i18n/format'
import { LeadProblem } from '../components/LeadProblem'
import { useLead, useLeadLoad } from '../lead-context'
import { DisputedSummary, OverviewView } from './overview/OverviewView'
import { PackLoader } from './overview/PackLoader'
import './overview/overview.css'

/**
 * Packs and progress: load a field pack, each pack's totals, reviewers' progress and
 * decisions, assigning its clips, and every device's last sync (GET /overview).
 */
export function OverviewPage() {
  const { t } = useTranslation()
  const { locale } = useLead()
  const loaded = useLeadLoad(async (lead, signal) => {
    const overview = await lead.client.call(Overview, 'GET', LEAD_ROUTES.overview, { signal })
    return { overview, at: Date.now() }
  }, [])
  const { data, error, loading, reload } = loaded

  return (
    <div className="overview" data-testid="overview-page">
      <div className="page-head">
        <h1>{t('overview.title')}</h1>
        <p className="muted" role="status" data-testid="overview-as-of">
          {loading && data ? t('overview.refreshing') : data ? t('overview.asOf', { time: formatTimeOfDay(new Date(data.at).toISOString(), locale) }) : ''}
        </p>
        <button type="button" onClick={reload} data-testid="overview-reload">
          {t('common.reload')}
        </button>
      </div>
      {error && <LeadProblem error={error} onReload={reload} />}
      {!data && loading && (
        <p className="loading" role="status">
          {t('common.loading')}
        </p>
      )}
      {data && <DisputedSummary disputed={data.overview.disputed} />}
      <PackLoader onLoaded={reload} />
      {data && <OverviewView overview={data.overview} nowMs={data.at} onChanged={reload} />}
    </div>
  )
}
