import { pathToFileURL } from 'node:url'

/**
 * A small stand-in for the `electron` module (Electron cannot run on the build machines,
 * see ../README.md). It does nothing clever: it records what the code under test
 * registers (handlers, listeners, options) so a test can call those registrations the way
 * Electron would and look at the answer. Use with
 *   vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)
 * and call `resetFakeElectron()` in beforeEach.
 */

type Listener = (...args: any[]) => any

class Emitter {
  readonly listeners = new Map<string, Listener[]>()

  on(name: string, fn: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn])
    return this
  }

  once(name: string, fn: Listener): this {
    const wrapped: Listener = (...args) => {
      this.removeListener(name, wrapped)
      return fn(...args)
    }
    return this.on(name, wrapped)
  }

  removeListener(name: string, fn: Listener): this {
    this.listeners.set(
      name,
      (this.listeners.get(name) ?? []).filter((l) => l !== fn),
    )
    return this
  }

  emit(name: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(name) ?? []) l(...args)
  }

  count(name: string): number {
    return (this.listeners.get(name) ?? []).length
  }
}

/** An Electron-style event: records whether a listener vetoed it. */
export function fakeEvent<T extends object>(fields: T = {} as T): T & { defaultPrevented: boolean; preventDefault(): void } {
  const e = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true
    },
  }
  return e
}

let nextId = 1

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
    public processId = 1,
    public routingId = nextId++,
  ) {}
}

export class FakeWebContents extends Emitter {
  readonly id = nextId++
  readonly mainFrame = new FakeFrame('about:blank', null, 1)
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined
  readonly sent: unknown[][] = []

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args])
  }
}

export class FakeBrowserWindow extends Emitter {
  readonly webContents = new FakeWebContents()
  loaded: { file?: string; url?: string } | undefined
  destroyed = false
  minimized = false
  visible = false
  focused = false

  static fromWebContents(contents: unknown): FakeBrowserWindow | null {
    return state.windows.find((w) => w.webContents === contents) ?? null
  }

  constructor(readonly options: any) {
    super()
    state.windows.push(this)
    // As in Electron: every new web contents is announced on the app.
    app.emit('web-contents-created', fakeEvent(), this.webContents)
  }

  loadFile(file: string): Promise<void> {
    this.loaded = { file }
    this.webContents.mainFrame.url = pathToFileURL(file).href
    return Promise.resolve()
  }

  loadURL(url: string): Promise<void> {
    this.loaded = { url }
    this.webContents.mainFrame.url = url
    return Promise.resolve()
  }

  isDestroyed = () => this.destroyed
  isMinimized = () => this.minimized
  restore = () => {
    this.minimized = false
  }
  show = () => {
    this.visible = true
  }
  focus = () => {
    this.focused = true
  }
  close(): void {
    this.destroyed = true
    this.emit('closed')
  }
}

class FakeApp extends Emitter {
  appPath = '/nonexistent-app'
  version = '0.0.0-fake'
  isPackaged = false
  lockGranted = true
  lockRequested = false
  sandboxEnabled = false
  quitCalled = false
  exitCode: number | undefined
  paths: Record<string, string> = {}
  private resolveReady: () => void = () => {}
  private readyPromise = new Promise<void>((r) => (this.resolveReady = r))

  reset(): void {
    this.listeners.clear()
    Object.assign(this, { appPath: '/nonexistent-app', version: '0.0.0-fake', isPackaged: false, lockGranted: true })
    Object.assign(this, { lockRequested: false, sandboxEnabled: false, quitCalled: false, exitCode: undefined, paths: {} })
    this.readyPromise = new Promise<void>((r) => (this.resolveReady = r))
  }

  getAppPath = () => this.appPath
  getVersion = () => this.version
  setPath = (name: string, value: string) => {
    this.paths[name] = value
  }
  requestSingleInstanceLock = () => {
    this.lockRequested = true
    return this.lockGranted
  }
  enableSandbox = () => {
    this.sandboxEnabled = true
  }
  quit = () => {
    this.quitCalled = true
  }
  exit = (code = 0) => {
    this.exitCode = code
  }
  whenReady = () => this.readyPromise

  /** What Electron does when it is ready; returns after `whenReady` callbacks ran. */
  async becomeReady(): Promise<void> {
    this.resolveReady()
    this.emit('ready')
    await this.readyPromise
    await new Promise((r) => setTimeout(r, 0))
  }
}

class FakeSession {
  permissionRequestHandler: Listener | undefined
  permissionCheckHandler: Listener | undefined
  devicePermissionHandler: Listener | undefined
  headersReceived: Listener | undefined
  setPermissionRequestHandler = (h: Listener) => void (this.permissionRequestHandler = h)
  setPermissionCheckHandler = (h: Listener) => void (this.permissionCheckHandler = h)
  setDevicePermissionHandler = (h: Listener) => void (this.devicePermissionHandler = h)
  readonly webRequest = { onHeadersReceived: (h: Listener) => void (this.headersReceived = h) }

  reset(): void {
    this.permissionRequestHandler = this.permissionCheckHandler = this.devicePermissionHandler = this.headersReceived = undefined
  }
}

class FakeIpcRenderer extends Emitter {
  invoke = (channel: string, ...args: unknown[]) => {
    state.rendererInvokes.push({ channel, args })
    return state.rendererInvokeAnswer(channel, ...args)
  }
}

const state = {
  windows: [] as FakeBrowserWindow[],
  ipcHandlers: new Map<string, Listener>(),
  privilegedSchemes: [] as unknown[],
  protocolHandlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  openedExternally: [] as string[],
  errorBoxes: [] as { title: string; content: string }[],
  openDialogs: [] as { window: FakeBrowserWindow | null; options: any }[],
  openDialogAnswer: { canceled: true, filePaths: [] as string[] },
  /** safeStorage: whether it works, which Linux backend it reports, and the key it "seals" with. */
  safeStorage: { available: true, backend: 'gnome_libsecret', key: 0x5a },
  exposed: {} as Record<string, any>,
  rendererInvokes: [] as { channel: string; args: unknown[] }[],
  rendererInvokeAnswer: (_channel: string, ..._args: unknown[]): Promise<unknown> => Promise.resolve({ ok: true, value: null }),
}

const app = new FakeApp()
const powerMonitor = new Emitter()
const defaultSession = new FakeSession()
const ipcRenderer = new FakeIpcRenderer()

/** The recorded state, for assertions. */
export const fake = { app, session: defaultSession, ipcRenderer, powerMonitor, state }

export function resetFakeElectron(): void {
  app.reset()
  powerMonitor.listeners.clear()
  defaultSession.reset()
  ipcRenderer.listeners.clear()
  state.windows.length = 0
  state.ipcHandlers.clear()
  state.privilegedSchemes.length = 0
  state.protocolHandlers.clear()
  state.openedExternally.length = 0
  state.errorBoxes.length = 0
  state.openDialogs.length = 0
  state.openDialogAnswer = { canceled: true, filePaths: [] }
  state.safeStorage = { available: true, backend: 'gnome_libsecret', key: 0x5a }
  state.exposed = {}
  state.rendererInvokes.length = 0
  state.rendererInvokeAnswer = () => Promise.resolve({ ok: true, value: null })
}

/** The module `vi.mock('electron')` returns. */
export const electronModule = {
  app,
  powerMonitor,
  BrowserWindow: FakeBrowserWindow,
  session: { defaultSession },
  ipcMain: {
    handle: (channel: string, fn: Listener) => {
      if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
      state.ipcHandlers.set(channel, fn)
    },
    removeHandler: (channel: string) => void state.ipcHandlers.delete(channel),
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => void state.privilegedSchemes.push(...schemes),
    handle: (scheme: string, fn: (request: Request) => Response | Promise<Response>) => void state.protocolHandlers.set(scheme, fn),
  },
  shell: {
    openExternal: (url: string) => {
      state.openedExternally.push(url)
      return Promise.resolve()
    },
  },
  dialog: {
    showErrorBox: (title: string, content: string) => void state.errorBoxes.push({ title, content }),
    showOpenDialog: (...args: any[]) => {
      const [window, options] = args.length === 2 ? args : [null, args[0]]
      state.openDialogs.push({ window, options })
      return Promise.resolve(state.openDialogAnswer)
    },
  },
  // A stand-in for the OS secret store: XOR with a key the "OS" holds, enough to tell sealed from plain.
  safeStorage: {
    isEncryptionAvailable: () => state.safeStorage.available,
    getSelectedStorageBackend: () => state.safeStorage.backend,
    encryptString: (text: string) => Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ state.safeStorage.key)),
    decryptString: (sealed: Buffer) => Buffer.from(sealed.map((b) => b ^ state.safeStorage.key)).toString('utf8'),
  },
  webUtils: {
    getPathForFile: (file: { fakePath?: string }) => file.fakePath ?? '',
  },
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => {
      state.exposed[key] = api
    },
  },
  ipcRenderer,
}
