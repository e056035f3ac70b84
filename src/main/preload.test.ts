import { beforeEach, describe, expect, test, vi } from 'vitest'
import { IPC_EVENT_CHANNEL } from '../shared/api-methods'
import type { TinjauBridge } from '../shared/bridge'
import { fake, fakeEvent } from './testing/fake-electron'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)

// The preload runs once, at import, as it does in a sandboxed renderer.
await import('../preload/index')
const bridge = fake.state.exposed.tinjau as TinjauBridge

beforeEach(() => {
  fake.state.rendererInvokes.length = 0
  fake.ipcRenderer.listeners.clear()
})

describe('preload bridge (window.tinjau)', () => {
  test('exposes exactly invoke, on, mediaUrl and the two pack helpers, frozen', () => {
    expect(Object.keys(fake.state.exposed)).toEqual(['tinjau'])
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'mediaUrl', 'on', 'pathForFile', 'pickPack'])
    expect(Object.isFrozen(bridge)).toBe(true)
  })

  test('pickPack asks main for a folder or a zip only, and passes back a path or null', async () => {
    fake.state.rendererInvokeAnswer = () => Promise.resolve('/media/usb/pk-01.zip')
    expect(await bridge.pickPack('zip')).toBe('/media/usb/pk-01.zip')
    expect(fake.state.rendererInvokes).toEqual([{ channel: 'tinjau-ui:pick-pack', args: ['zip'] }])
    expect(await bridge.pickPack('anything' as never)).toBeNull()
    expect(fake.state.rendererInvokes).toHaveLength(1)
    fake.state.rendererInvokeAnswer = () => Promise.resolve({ not: 'a path' })
    expect(await bridge.pickPack('folder')).toBeNull()
  })

  test('pathForFile gives the dropped file\'s path, or an empty string', () => {
    expect(bridge.pathForFile({ fakePath: '/media/usb/pk-01' } as never)).toBe('/media/usb/pk-01')
    expect(bridge.pathForFile({} as never)).toBe('')
  })

  test('invoke forwards contract methods on their tinjau: channel', async () => {
    fake.state.rendererInvokeAnswer = () => Promise.resolve({ ok: true, value: { version: '1' } })
    expect(await bridge.invoke('app.info', {})).toEqual({ ok: true, value: { version: '1' } })
    expect(fake.state.rendererInvokes).toEqual([{ channel: 'tinjau:app.info', args: [{}] }])
  })

  test('invoke refuses anything not in the contract without touching IPC', async () => {
    for (const method of ['shell.openExternal', 'event', '', '__proto__', 42, null]) {
      const res = await bridge.invoke(method as never, {})
      expect(res).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
    expect(fake.state.rendererInvokes).toEqual([])
  })

  test('a failed IPC call still resolves to a Result', async () => {
    fake.state.rendererInvokeAnswer = () => Promise.reject(new Error("No handler registered for 'tinjau:app.info'"))
    expect(await bridge.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'internal' } })
  })

  test('on delivers only the named event, payload only (never the IpcRendererEvent), and unsubscribes', () => {
    const got: unknown[][] = []
    const off = bridge.on('queue.changed', (...args) => got.push(args))
    const ipcEvent = fakeEvent({ sender: 'ipcRenderer internals' })
    fake.ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, 'queue.changed', { reason: 'import' })
    fake.ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, 'something.else', { reason: 'x' })
    expect(got).toEqual([[{ reason: 'import' }]])
    off()
    expect(fake.ipcRenderer.count(IPC_EVENT_CHANNEL)).toBe(0)
    fake.ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, 'queue.changed', { reason: 'decision' })
    expect(got).toHaveLength(1)
  })

  test('on ignores events outside the contract', () => {
    const off = bridge.on('ipc.anything' as never, () => {})
    expect(fake.ipcRenderer.count(IPC_EVENT_CHANNEL)).toBe(0)
    expect(typeof off).toBe('function')
  })

  test('mediaUrl builds tinjau-media URLs for sha256 only', () => {
    const sha = 'a1'.repeat(32)
    expect(bridge.mediaUrl(sha)).toBe(`tinjau-media://media/${sha}`)
    for (const bad of [sha.toUpperCase(), '../../etc/passwd', `${sha}/x`, sha.slice(2), '', 42 as never]) {
      expect(bridge.mediaUrl(bad)).toBe('')
    }
  })
})
