import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { ApiContext } from './api/api-context'
import { createApi } from './api/create-api'
import { App } from './App'
import { createI18n, guessLocale } from './i18n/i18n'
import './styles.css'

const api = createApi(window)
const i18n = createI18n(guessLocale(navigator.languages ?? [navigator.language]))
const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')

createRoot(root).render(
  <StrictMode>
    <ApiContext value={api}>
      <I18nextProvider i18n={i18n}>
        <App />
      </I18nextProvider>
    </ApiContext>
  </StrictMode>,
)
