import { createApi } from './api/create-api'
import { startBoot } from './boot'
import { warmFormatters } from '../ui/i18n/format'
import '../ui/base.css'
import './styles.css'

/**
 * How long the first render waits for the start-up answers once the app's code is in. They
 * are usually on their way; rendering before them draws a loading screen and then the
 * workspace, a whole render, layout and paint more (~100–200 ms here). Past this, the
 * loading screen shows while they come.
 */
const ANSWERS_WAIT_MS = 400

// The page's first script is small on purpose: it sends the start-up calls, and only then
// loads React and the app (render-app.tsx), so the host answers them while the browser is
// still evaluating that code, instead of after (bench/console.bench.ts).
const api = createApi(window)
const boot = startBoot(api)
// The first Intl formatter of a page loads the locale's ICU data (70–120 ms here). Built as
// soon as the profile's locale is known, that lands while the app's code is still being
// downloaded and compiled (off this thread), not in the app's first render.
boot.info.promise.then(
  (info) => warmFormatters(info.locale),
  () => undefined, // App reports it
)
const answered = Promise.all([boot.info.promise, boot.policy.promise, boot.firstPage.page.promise]).catch(() => undefined)
const waited = Promise.race([answered, new Promise((resolve) => setTimeout(resolve, ANSWERS_WAIT_MS))])
void Promise.all([import('./render-app'), waited]).then(([{ renderApp }]) => renderApp(api, boot))
