import { useTranslation } from 'react-i18next'
import type { Overview } from '../../../shared/lead-api'
import { formatNumber } from '../../../ui/i18n/format'
import { useLead } from '../../lead-context'
import { routeHref } from '../../route'
import { DevicesTable } from './DevicesTable'
import { PackSection } from './PackSection'

interface Props {
  overview: Overview
  /** When the figures were read (ms): the hourly chart and quiet devices are reckoned from it. */
  nowMs: number
  onChanged(): void
}

/** How many clips wait for a lead, across packs, with the way to them. */
export function DisputedSummary({ disputed }: { disputed: number }) {
  const { t } = useTranslation()
  const { locale } = useLead()
  return (
    <p data-testid="overview-disputed" data-count={disputed}>
      {disputed > 0 ? (
        <>
          {t('overview.disputed', { n: formatNumber(disputed, locale) })} <a href={routeHref({ page: 'disputes' })}>{t('overview.openDisputes')}</a>
        </>
      ) : (
        <span className="muted">{t('overview.noDisputed')}</span>
      )}
    </p>
  )
}

/** What the overview shows once it has its figures: every pack, every device. */
export function OverviewView({ overview, nowMs, onChanged }: Props) {
  const { t } = useTranslation()
  const { policy, locale } = useLead()
  return (
    <>
      {overview.packs.length === 0 ? (
        <section className="lead-section" aria-labelledby="ov-no-packs-title" data-testid="no-packs">
          <h2 id="ov-no-packs-title">{t('overview.pack.noneTitle')}</h2>
          <p className="muted">{t('overview.pack.none')}</p>
        </section>
      ) : (
        overview.packs.map((pack) => (
          <PackSection key={pack.pack_id} pack={pack} reviewers={overview.reviewers} policy={policy} locale={locale} nowMs={nowMs} onChanged={onChanged} />
        ))
      )}
      <DevicesTable overview={overview} locale={locale} nowMs={nowMs} />
    </>
  )
}
