import { createApi } from './api/create-api'
import { startBoot } from './boot'
import { warmFormatters } from './i18n/format'
import './styles.css'

// The page's first script is small on purpose: it sends the start-up calls, and only then
// loads React and the app (render-app.tsx, ~400 kB), so the host answers them while the
// browser is still evaluating that code, instead of after (bench/console.bench.ts).
const api = createApi(window)
const boot = startBoot(api)
// The first Intl formatter of a page loads the locale's ICU data (70–120 ms here). Built as
// soon as the profile's locale is known, that lands while the app's code is still being
// downloaded and compiled (off this thread), not in the app's first render.
boot.info.promise.then(
  (info) => warmFormatters(info.locale),
  () => undefined, // App reports it
)
void import('./render-app').then(({ renderApp }) => renderApp(api, boot))
