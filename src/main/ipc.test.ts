import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { openTinjau, type Tinjau } from '../core/tinjau'
import { makePack, tempDir } from '../core/testing/make-pack'
import { API_METHODS, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../shared/api-methods'
import { PICK_PACK_CHANNEL } from '../shared/bridge'
import { registerIpc } from './ipc'
import { rendererTarget } from './renderer-target'
import { fake, FakeFrame, FakeWebContents, resetFakeElectron, type FakeBrowserWindow } from './testing/fake-electron'
import { AppWindows, createMainWindow } from './window'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)

const appRoot = tempDir('tinjau-approot-')
const target = rendererTarget({ appRoot, isPackaged: true })

let tinjau: Tinjau
let win: FakeBrowserWindow

beforeEach(() => {
  resetFakeElectron()
  vi.spyOn(console, 'warn').mockImplementation(() => {})
  tinjau = openTinjau({ dataDir: tempDir('tinjau-data-'), resourcesDir: path.resolve('resources'), host: 'electron', version: '9.9.9' })
  const windows = new AppWindows()
  registerIpc(tinjau, windows, target)
  createMainWindow({ appRoot, target, devTools: false, windows })
  win = fake.state.windows[0]!
})
afterEach(() => {
  tinjau.close()
  vi.restoreAllMocks()
})

/** Call a registered handler as Electron would for an invoke from `sender`/`senderFrame`. */
function invoke(method: string, input: unknown, sender: FakeWebContents = win.webContents, senderFrame: FakeFrame | null = sender.mainFrame) {
  const handler = fake.state.ipcHandlers.get(IPC_PREFIX + method)
  if (!handler) throw new Error(`no handler for ${method}`)
  return Promise.resolve(handler({ sender, senderFrame }, input))
}

describe('IPC handlers', () => {
  test('one handler per contract method, under the tinjau: prefix, and the pack dialog; nothing else', () => {
    expect([...fake.state.ipcHandlers.keys()].sort()).toEqual([...API_METHODS.map((m) => IPC_PREFIX + m), PICK_PACK_CHANNEL].sort())
  })

  test('the pack dialog: a folder or a zip for our window, the chosen path back; nothing for anyone else or any other kind', async () => {
    const pick = (kind: unknown, sender: FakeWebContents = win.webContents) =>
      Promise.resolve(fake.state.ipcHandlers.get(PICK_PACK_CHANNEL)!({ sender, senderFrame: sender.mainFrame }, kind))
    fake.state.openDialogAnswer = { canceled: false, filePaths: ['/media/usb/pk-01.zip'] }
    expect(await pick('zip')).toBe('/media/usb/pk-01.zip')
    expect(fake.state.openDialogs[0]).toMatchObject({ window: win, options: { properties: ['openFile'], filters: [{ extensions: ['zip'] }] } })
    fake.state.openDialogAnswer = { canceled: false, filePaths: ['/media/usb/pk-01'] }
    expect(await pick('folder')).toBe('/media/usb/pk-01')
    expect(fake.state.openDialogs[1]!.options.properties).toEqual(['openDirectory'])
    fake.state.openDialogAnswer = { canceled: true, filePaths: [] }
    expect(await pick('zip')).toBeNull()
    const foreign = new FakeWebContents()
    foreign.mainFrame.url = win.webContents.mainFrame.url
    expect(await pick('zip', foreign)).toBeNull()
    expect(await pick('../../etc')).toBeNull()
    expect(fake.state.openDialogs).toHaveLength(3)
  })

  test('our window main frame showing our page is answered', async () => {
    const res = await invoke('app.info', {})
    expect(res).toMatchObject({ ok: true, value: { host: 'electron', version: '9.9.9', clipCount: 0 } })
  })

  test('a web contents that is not one of our windows is refused', async () => {
    const foreign = new FakeWebContents()
    foreign.mainFrame.url = win.webContents.mainFrame.url // even showing our page
    expect(await invoke('app.info', {}, foreign)).toEqual({ ok: false, error: expect.objectContaining({ code: 'unauthorized' }) })
  })

  test('a sub-frame, a gone frame, or a frame that is not the main one is refused', async () => {
    const wc = win.webContents
    const sub = new FakeFrame(wc.mainFrame.url, wc.mainFrame as FakeFrame)
    const stray = new FakeFrame(wc.mainFrame.url, null, 99, 12345)
    for (const frame of [sub, null, stray]) {
      expect(await invoke('app.info', {}, wc, frame)).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
  })

  test('our window after navigating elsewhere is refused', async () => {
    win.webContents.mainFrame.url = 'https://evil.example/'
    expect(await invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  test('a closed window is no longer ours', async () => {
    const wc = win.webContents
    win.close()
    expect(await invoke('app.info', {}, wc)).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  test('an invalid payload gets a structured invalid_input error', async () => {
    const res = await invoke('settings.setLocale', { locale: 42 })
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_input', details: [expect.objectContaining({ path: 'locale' })] } })
    expect(await invoke('clip.get', { clipId: 'a', extra: '../../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await invoke('queue.list', 'not an object')).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  test('core errors come back as structured errors, not exceptions', async () => {
    expect(await invoke('clip.get', { clipId: 'no-such-clip' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  test('core events are forwarded to our windows on the event channel', async () => {
    const res = await invoke('pack.importDirectory', { path: makePack(2) })
    expect(res).toMatchObject({ ok: true })
    expect(win.webContents.sent).toContainEqual([IPC_EVENT_CHANNEL, 'queue.changed', { reason: 'import' }])
  })
})
