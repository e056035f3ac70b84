import { createApi } from './api/create-api'
import { startBoot } from './boot'
import './styles.css'

// The page's first script is small on purpose: it sends the start-up calls, and only then
// loads React and the app (render-app.tsx, ~400 kB), so the host answers them while the
// browser is still evaluating that code, instead of after (bench/console.bench.ts).
const api = createApi(window)
const boot = startBoot(api)
void import('./render-app').then(({ renderApp }) => renderApp(api, boot))
