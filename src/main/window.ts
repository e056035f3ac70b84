import path from 'node:path'
import { BrowserWindow, type BrowserWindowConstructorOptions, type WebContents } from 'electron'
import type { RendererTarget } from './renderer-target'

/**
 * The app window: hardened web preferences, and a registry of the windows we created so
 * the IPC layer can tell our pages from anything else.
 */

export function preloadPath(appRoot: string): string {
  // electron-vite writes CommonJS (package.json has no "type": "module"), which is what a
  // sandboxed preload requires.
  return path.join(appRoot, 'out', 'preload', 'index.js')
}

export function windowOptions(opts: { preload: string; devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Tinjau',
    backgroundColor: '#111418',
    show: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: opts.devTools,
    },
  }
}

/** The windows we created, by web contents id. */
export class AppWindows {
  private readonly windows = new Set<BrowserWindow>()

  add(win: BrowserWindow): void {
    this.windows.add(win)
    win.on('closed', () => this.windows.delete(win))
  }

  all(): BrowserWindow[] {
    return [...this.windows].filter((w) => !w.isDestroyed())
  }

  first(): BrowserWindow | undefined {
    return this.all()[0]
  }

  /** Does `contents` belong to one of our (live) windows? */
  owns(contents: WebContents): boolean {
    return this.all().some((w) => w.webContents.id === contents.id)
  }
}

export function createMainWindow(opts: { appRoot: string; target: RendererTarget; devTools: boolean; windows: AppWindows }): BrowserWindow {
  const win = new BrowserWindow(windowOptions({ preload: preloadPath(opts.appRoot), devTools: opts.devTools }))
  opts.windows.add(win)
  win.once('ready-to-show', () => win.show())
  const loading = opts.target.kind === 'dev' ? win.loadURL(opts.target.url) : win.loadFile(opts.target.file)
  loading.catch((err: unknown) => console.error('tinjau: could not load the renderer:', err))
  return win
}

/** A second launch: bring the first window forward instead of opening the profile twice. */
export function focusWindow(win: BrowserWindow | undefined): void {
  if (!win) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
