import { earlyAnswers } from './api/early-answers'
import { firstRequests } from './first-requests'
import { pageModules } from './page-modules'
import { parseRoute } from './route'

/**
 * The page's first script, small and loaded on its own (main.ts), so it runs while the
 * console's code (React, i18next, zod, the pages) still downloads: it asks for the first
 * answers the console will need (early-answers.ts) and for the code of the page it opens
 * at, and pays the date formatters' one-time start (ICU's time zone and patterns: 60–200 ms
 * in a fresh renderer here), which the disputed list's rows would otherwise pay on their
 * way to the screen.
 */
const route = parseRoute(window.location.hash)
earlyAnswers.start(firstRequests(route))
if (route.page in pageModules) pageModules[route.page as keyof typeof pageModules]().catch(() => undefined)
new Intl.DateTimeFormat().resolvedOptions()
