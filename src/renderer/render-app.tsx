import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import type { TinjauApi } from '../shared/contract'
import { ApiContext } from './api/api-context'
import { App } from './App'
import type { BootRequests } from './boot'
import { createI18n, guessLocale } from './i18n/i18n'

/** The React app, loaded by main.tsx once the start-up calls are on their way. */
export function renderApp(api: TinjauApi, boot: BootRequests): void {
  // The profile's language when app.info has answered already, else the browser's until it does.
  const locale = boot.info.value()?.locale ?? guessLocale(navigator.languages ?? [navigator.language])
  const i18n = createI18n(locale)
  const root = document.getElementById('root')
  if (!root) throw new Error('index.html has no #root')

  createRoot(root).render(
    <StrictMode>
      <ApiContext value={api}>
        <I18nextProvider i18n={i18n}>
          <App boot={boot} />
        </I18nextProvider>
      </ApiContext>
    </StrictMode>,
  )
}
