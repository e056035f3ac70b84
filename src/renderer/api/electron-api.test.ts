import { describe, expect, it } from 'vitest'
import type { TinjauBridge } from '../../shared/bridge'
import { ApiCallError, toApiError, unwrapResult } from './api-error'
import { createElectronApi } from './electron-api'

function fakeBridge(answer: unknown): TinjauBridge & { calls: [string, unknown][]; emit: (p: unknown) => void } {
  const calls: [string, unknown][] = []
  let listener: ((p: unknown) => void) | null = null
  return {
    calls,
    invoke: async (method, input) => {
      calls.push([method, input])
      return answer as never
    },
    on: (_event, l) => {
      listener = l
      return () => {
        listener = null
      }
    },
    mediaUrl: (sha) => `tinjau-media://media/${sha}`,
    pickPack: async (kind) => `/picked/${kind}`,
    pathForFile: () => '',
    emit: (p) => listener?.(p),
  }
}

describe('electron transport', () => {
  it('unwraps ok results', async () => {
    const bridge = fakeBridge({ ok: true, value: { locale: 'en' } })
    const api = createElectronApi(bridge)
    await expect(api.call('settings.setLocale', { locale: 'en' })).resolves.toEqual({ locale: 'en' })
    expect(bridge.calls).toEqual([['settings.setLocale', { locale: 'en' }]])
  })

  it('throws the ApiError of an ok:false result', async () => {
    const error = { code: 'not_found', message: 'no clip with id "x"', details: [{ path: 'clipId', message: 'unknown clip' }] }
    const api = createElectronApi(fakeBridge({ ok: false, error }))
    const err = await api.call('clip.get', { clipId: 'x' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiCallError)
    expect(toApiError(err)).toEqual(error)
  })

  it('passes events and media URLs through', () => {
    const bridge = fakeBridge(null)
    const api = createElectronApi(bridge)
    const heard: unknown[] = []
    const off = api.on('queue.changed', (p) => heard.push(p))
    bridge.emit({ reason: 'import' })
    off()
    bridge.emit({ reason: 'decision' })
    expect(heard).toEqual([{ reason: 'import' }])
    expect(api.mediaUrl('ff')).toBe('tinjau-media://media/ff')
  })
})

describe('unwrapResult', () => {
  it('refuses malformed answers', () => {
    expect(() => unwrapResult(undefined, 'app.info')).toThrow(ApiCallError)
    expect(() => unwrapResult({ ok: false, error: { code: 'nope', message: 'x' } }, 'app.info')).toThrow(/malformed/)
  })

  it('shows anything thrown as an ApiError', () => {
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' })
  })
})
