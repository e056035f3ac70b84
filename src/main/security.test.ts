import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { acceptableDevUrl, isAppUrl, rendererTarget } from './renderer-target'
import { APP_CSP, cspFor, installAppSecurity, installSessionSecurity, isAllowedExternalUrl } from './security'
import { fake, fakeEvent, FakeWebContents, resetFakeElectron } from './testing/fake-electron'
import { AppWindows, createMainWindow, windowOptions } from './window'

vi.mock('electron', async () => (await import('./testing/fake-electron')).electronModule)


const appRoot = path.resolve('/opt/tinjau-app')
const target = rendererTarget({ appRoot, isPackaged: true })
const appUrl = pathToFileURL(path.join(appRoot, 'out/renderer/index.html')).href

beforeEach(() => resetFakeElectron())

function openHardenedWindow() {
  installAppSecurity(target)
  createMainWindow({ appRoot, target, devTools: false, windows: new AppWindows() })
  const win = fake.state.windows[0]!
  return win
}

describe('BrowserWindow options', () => {
  test('webPreferences follow the security baseline', () => {
    const { webPreferences } = windowOptions({ preload: '/x/preload.js', devTools: false })
    expect(webPreferences).toMatchObject({
      preload: '/x/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: false,
    })
    expect(webPreferences).not.toHaveProperty('enableBlinkFeatures')
  })

  test('the window built by createMainWindow uses them and loads the built renderer file', () => {
    const win = openHardenedWindow()
    expect(win.options.webPreferences.preload).toBe(path.join(appRoot, 'out/preload/index.js'))
    expect(win.options.webPreferences.sandbox).toBe(true)
    expect(win.options.webPreferences.contextIsolation).toBe(true)
    expect(win.loaded).toEqual({ file: path.join(appRoot, 'out/renderer/index.html') })
  })
})

describe('navigation and new windows', () => {
  test('will-navigate to another URL is prevented; our own page is allowed', () => {
    const wc = openHardenedWindow().webContents
    for (const url of ['https://evil.example/', 'file:///etc/passwd', `${appUrl.replace('index.html', 'other.html')}`, 'javascript:alert(1)']) {
      const e = fakeEvent({ url })
      wc.emit('will-navigate', e, url)
      expect(e.defaultPrevented, url).toBe(true)
    }
    const ours = fakeEvent({ url: `${appUrl}#/queue` })
    wc.emit('will-navigate', ours, ours.url)
    expect(ours.defaultPrevented).toBe(false)
  })

  test('redirects and sub-frame navigations away from the app are prevented', () => {
    const wc = openHardenedWindow().webContents
    const redirect = fakeEvent({ url: 'https://evil.example/' })
    wc.emit('will-redirect', redirect, redirect.url)
    const frame = fakeEvent({ url: 'https://evil.example/frame' })
    wc.emit('will-frame-navigate', frame)
    expect([redirect.defaultPrevented, frame.defaultPrevented]).toEqual([true, true])
  })

  test('window.open is denied and opens nothing externally', () => {
    const wc = openHardenedWindow().webContents
    for (const url of ['https://example.com/', 'http://example.com/', appUrl, 'file:///etc/passwd']) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' })
    }
    expect(fake.state.openedExternally).toEqual([])
  })

  test('every web contents is hardened, not only our window (e.g. devtools)', () => {
    installAppSecurity(target)
    const other = new FakeWebContents()
    fake.app.emit('web-contents-created', fakeEvent(), other)
    const e = fakeEvent({ url: 'https://evil.example/' })
    other.emit('will-navigate', e, e.url)
    expect(e.defaultPrevented).toBe(true)
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })

  test('<webview> attachment is prevented', () => {
    const wc = openHardenedWindow().webContents
    const e = fakeEvent()
    wc.emit('will-attach-webview', e, {}, { src: 'https://evil.example/' })
    expect(e.defaultPrevented).toBe(true)
  })

  test('openExternal allow-list: https only, exact origin, path prefix', () => {
    const allow = ['https://docs.example.org/tinjau/']
    expect(isAllowedExternalUrl('https://docs.example.org/tinjau/help', allow)).toBe(true)
    expect(isAllowedExternalUrl('http://docs.example.org/tinjau/help', allow)).toBe(false)
    expect(isAllowedExternalUrl('https://docs.example.org.evil.example/tinjau/', allow)).toBe(false)
    expect(isAllowedExternalUrl('https://user@docs.example.org/tinjau/', allow)).toBe(false)
    expect(isAllowedExternalUrl('https://docs.example.org/other', allow)).toBe(false)
    expect(isAllowedExternalUrl('https://docs.example.org/tinjau/help')).toBe(false) // the real list is empty
  })
})

describe('session', () => {
  test('permission requests and checks are denied', () => {
    installSessionSecurity(fake.session as never, target)
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn()
      fake.session.permissionRequestHandler!({}, permission, callback, {})
      expect(callback, permission).toHaveBeenCalledWith(false)
      expect(fake.session.permissionCheckHandler!({}, permission, appUrl, {})).toBe(false)
    }
    expect(fake.session.devicePermissionHandler!({ deviceType: 'usb' })).toBe(false)
  })

  test('documents get our CSP header (replacing any other); sub-resources are untouched', () => {
    installSessionSecurity(fake.session as never, target)
    const callback = vi.fn()
    fake.session.headersReceived!({ resourceType: 'mainFrame', url: appUrl, responseHeaders: { 'content-security-policy': ['default-src *'], 'X-A': ['1'] } }, callback)
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'X-A': ['1'], 'Content-Security-Policy': [APP_CSP] } })
    const sub = vi.fn()
    fake.session.headersReceived!({ resourceType: 'image', url: 'tinjau-media://media/x', responseHeaders: {} }, sub)
    expect(sub).toHaveBeenCalledWith({})
  })

  test('the CSP is the one the renderer declares', () => {
    expect(APP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: tinjau-media:; media-src 'self' tinjau-media: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
  })
})

describe('renderer target', () => {
  test('a dev server URL is honoured only unpackaged and on loopback', () => {
    expect(acceptableDevUrl('http://localhost:5173', false)?.origin).toBe('http://localhost:5173')
    expect(acceptableDevUrl('http://localhost:5173', true)).toBeNull()
    expect(acceptableDevUrl('https://evil.example', false)).toBeNull()
    expect(acceptableDevUrl('file:///etc/passwd', false)).toBeNull()
    expect(rendererTarget({ appRoot, devUrl: 'https://evil.example', isPackaged: false }).kind).toBe('file')
  })

  test('isAppUrl: our file with any fragment, or the dev origin; nothing else', () => {
    expect(isAppUrl(target, appUrl)).toBe(true)
    expect(isAppUrl(target, `${appUrl}?x=1#/clip/a`)).toBe(true)
    expect(isAppUrl(target, pathToFileURL(path.join(appRoot, 'out/renderer/evil.html')).href)).toBe(false)
    expect(isAppUrl(target, 'not a url')).toBe(false)
    const dev = rendererTarget({ appRoot, devUrl: 'http://localhost:5173/', isPackaged: false })
    expect(isAppUrl(dev, 'http://localhost:5173/#/queue')).toBe(true)
    expect(isAppUrl(dev, 'http://localhost:5174/')).toBe(false)
    expect(cspFor(dev)).toContain("connect-src 'self' ws://localhost:5173")
    expect(cspFor(target)).toBe(APP_CSP)
  })
})
