import type { ApiEvent, ApiMethod } from '../../shared/api-methods'
import type { TinjauBridge } from '../../shared/bridge'
import type { EventPayload, MethodInput, MethodOutput, TinjauApi } from '../../shared/contract'
import { unwrapResult } from './api-error'

/** `TinjauApi` over the Electron preload's `window.tinjau` (main validates every input). */
export function createElectronApi(bridge: TinjauBridge): TinjauApi {
  return {
    async call<M extends ApiMethod>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const result = await bridge.invoke(method, input ?? {})
      return unwrapResult<MethodOutput<M>>(result, method)
    },
    on<E extends ApiEvent>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as EventPayload<E>))
    },
    mediaUrl: (sha256) => bridge.mediaUrl(sha256),
    packs: {
      pick: (kind) => bridge.pickPack(kind),
      pathOf: (file) => bridge.pathForFile(file) || null,
    },
  }
}
