import '../ui/base.css'
import './lead.css'
import './boot'

// The rest of the console in its own chunk, which the page already preloads beside this
// one (vite.lead.config.mts): this small entry runs first, so boot.ts starts the first
// requests while React, i18next, zod and the pages are still downloading and compiling.
import('./start').catch((err: unknown) => console.error('the lead console could not load its code', err))
