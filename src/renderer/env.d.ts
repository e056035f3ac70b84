import type { TinjauBridge } from '../shared/bridge'

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the web host. */
    tinjau?: TinjauBridge
  }
}

export {}
