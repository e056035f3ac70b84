import type { ApiEvent, ApiMethod } from './api-methods'
import type { Result } from './errors'

/**
 * What the Electron preload exposes as `window.tinjau`, and nothing more: one way to call
 * a contract method (main validates), one way to hear contract events, and the URL scheme
 * media is served under. The renderer wraps it (or HTTP, in the web host) as `TinjauApi`.
 */
export interface TinjauBridge {
  invoke(method: ApiMethod, input: unknown): Promise<Result<unknown>>
  on(event: ApiEvent, listener: (payload: unknown) => void): () => void
  mediaUrl(sha256: string): string
  /** The OS dialog for a pack folder or zip; null when the reviewer closed it. */
  pickPack(kind: PackKind): Promise<string | null>
  /** Where a file or folder dropped on the window lives (Electron's webUtils); '' if nowhere. */
  pathForFile(file: File): string
}

export type PackKind = 'folder' | 'zip'

/** The one channel outside the contract: it opens a dialog in main and returns a path. */
export const PICK_PACK_CHANNEL = 'tinjau-ui:pick-pack'

/** Custom protocol of the Electron host: `tinjau-media://media/<sha256>`. */
export const MEDIA_PROTOCOL = 'tinjau-media'

/**
 * The web host's wire format, shared by the host and the renderer's HTTP transport.
 * - `POST /api/<method>` with the input as JSON body and `Authorization: Bearer <secret>`;
 *   answers `{ ok: true, value }` or `{ ok: false, error }` with the status below.
 * - `GET /api/events?k=<secret>`: server-sent events, `event: <name>` / `data: <json>`.
 * - `GET /media/<sha256>?k=<secret>`: the media object, with Range support.
 * The page itself is opened as `/?k=<secret>`; the renderer keeps the secret in
 * sessionStorage and drops it from the address bar.
 */
export const WEB_SECRET_PARAM = 'k'
/** `POST` a pack zip as the body (Bearer secret, `X-File-Name`): answers `{ ok, value: { path, bytes } }`. */
export const WEB_UPLOAD_PATH = '/upload/pack'
export const WEB_SECRET_STORAGE_KEY = 'tinjau.secret'

export const HTTP_STATUS_FOR_ERROR = {
  invalid_input: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  invalid_pack: 422,
  policy_violation: 422,
  // The request was fine and the caller asked for the stop; 409 says "not done, by the state of things".
  cancelled: 409,
  // 423 Locked: the resource (the profile) is locked; the renderer shows its lock screen.
  locked: 423,
  wrong_passphrase: 403,
  too_many_attempts: 429,
  internal: 500,
} as const
