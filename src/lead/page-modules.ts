import type { Route } from './route'

/**
 * The pages loaded when first opened (App.tsx), each its own chunk. One loader per page,
 * so boot.ts can start loading the page the console opens at while the rest starts; the
 * module system loads each once, whoever asks first.
 */
export const pageModules = {
  overview: () => import('./pages/OverviewPage'),
  clip: () => import('./pages/ClipPage'),
  qa: () => import('./pages/QaPage'),
  exports: () => import('./pages/ExportsPage'),
  admin: () => import('./pages/AdminPage'),
} satisfies Partial<Record<Route['page'], () => Promise<unknown>>>
