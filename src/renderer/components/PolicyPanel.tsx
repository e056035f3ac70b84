import { useTranslation } from 'react-i18next'
import { CATEGORY_KINDS } from '../../shared/policy-rules'
import type { Locale, Policy } from '../../shared/policy'
import { isPolicyPanelKey, keyPressOf } from '../state/keys'
import { Dialog } from '../../ui/Dialog'

interface Props {
  policy: Policy
  locale: Locale
  onClose: () => void
}

const closeKey = (e: KeyboardEvent) => isPolicyPanelKey(keyPressOf(e))

/** The whole policy in the reviewer's language: categories by kind, actions, escalation targets. */
export function PolicyPanel({ policy, locale, onClose }: Props) {
  const { t } = useTranslation()
  return (
    <Dialog title={t('policyPanel.title', { name: policy.name[locale], version: policy.version })} onClose={onClose} testId="policy-panel" closeKey={closeKey}>
      <p className="muted">{t('policyPanel.intro')}</p>
      {CATEGORY_KINDS.map((kind) => (
        <section key={kind} aria-labelledby={`policy-kind-${kind}`}>
          <h3 id={`policy-kind-${kind}`}>{t(`ui:kind.${kind}`)}</h3>
          <ul className="policy-list">
            {policy.categories
              .filter((c) => c.kind === kind)
              .map((c) => (
                <li key={c.id} data-testid={`policy-category-${c.id}`}>
                  <strong>{c.name[locale]}</strong> <code className="muted">{c.id}</code>
                  {c.blurByDefault && <span className="badge"> {t('policyPanel.blurred')}</span>}
                  <p>{c.help[locale]}</p>
                </li>
              ))}
          </ul>
        </section>
      ))}
      <section aria-labelledby="policy-actions">
        <h3 id="policy-actions">{t('policyPanel.actions')}</h3>
        <ul className="policy-list">
          {policy.actions.map((a) => (
            <li key={a.id} data-testid={`policy-action-${a.id}`}>
              <kbd>{a.key}</kbd> <strong>{a.name[locale]}</strong>{' '}
              <span className="muted">
                {t(`policyPanel.allowedWith.${a.allowedWith}`)} · {a.rationaleRequired ? t('policyPanel.rationaleRequired') : t('policyPanel.rationaleOptional')}
              </span>
              <p>{a.help[locale]}</p>
            </li>
          ))}
        </ul>
      </section>
      {policy.escalationTargets.length > 0 && (
        <section aria-labelledby="policy-targets">
          <h3 id="policy-targets">{t('policyPanel.targets')}</h3>
          <ul className="policy-list">
            {policy.escalationTargets.map((target) => (
              <li key={target.id}>{target.name[locale]}</li>
            ))}
          </ul>
        </section>
      )}
    </Dialog>
  )
}
