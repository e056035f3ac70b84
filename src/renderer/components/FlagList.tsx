import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import type { ClipFlag } from '../../shared/domain'
import { findCategory } from '../../shared/policy-rules'
import type { Locale, Policy } from '../../shared/policy'
import { formatClipTime, formatDateTime, formatNumber, formatScore } from '../../ui/i18n/format'

interface Props {
  flags: readonly ClipFlag[]
  policy: Policy
  locale: Locale
  onSeek: (ms: number) => void
}

/** Why the clip is in the queue; a flag with a time jumps the video there. */
export const FlagList = memo(function FlagList({ flags, policy, locale, onSeek }: Props) {
  const { t } = useTranslation()
  return (
    <table className="flags">
      <thead>
        <tr>
          <th scope="col">{t('clip.flag.source')}</th>
          <th scope="col">{t('clip.flag.label')}</th>
          <th scope="col">{t('clip.flag.score')}</th>
          <th scope="col">{t('clip.flag.count')}</th>
          <th scope="col">{t('clip.flag.reference')}</th>
          <th scope="col">{t('clip.flag.at')}</th>
        </tr>
      </thead>
      <tbody>
        {flags.map((f, i) => {
          const category = findCategory(policy, f.label)
          return (
            <tr key={i} className={`flag source-${f.source}`}>
              <td>{t(`source.${f.source}`)}</td>
              <td>
                {category ? (
                  <span title={f.label}>{category.name[locale]}</span>
                ) : (
                  <span className="chip chip-unknown" title={t('queue.unknownLabel')}>
                    {f.label}
                  </span>
                )}
              </td>
              <td className="num">{f.score !== null ? formatScore(f.score, locale) : ''}</td>
              <td className="num">{f.count !== null ? formatNumber(f.count, locale) : ''}</td>
              <td>
                {f.reference ?? ''}
                {f.dueAt && (
                  <span className="muted">
                    {' '}
                    ({t('clip.flag.due')} {formatDateTime(f.dueAt, locale)})
                  </span>
                )}
              </td>
              <td>
                {f.atMs !== null && (
                  <button
                    type="button"
                    className="link seek"
                    onClick={() => onSeek(f.atMs ?? 0)}
                    aria-label={t('clip.seek', { time: formatClipTime(f.atMs, locale) })}
                  >
                    {formatClipTime(f.atMs, locale)}
                  </button>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
})
