import { defineConfig } from '@playwright/test'

/**
 * One set of specs, two hosts. "web" runs the web host in Debian's Chromium (the browser
 * Playwright would download cannot be fetched on our build machines); "electron" runs the
 * same specs against the desktop app where an Electron binary exists, and skips with the
 * reason where it does not (see e2e/fixtures.ts).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure', actionTimeout: 10_000 },
  projects: [
    {
      name: 'web',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.TINJAU_CHROMIUM ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-quic',
            '--no-first-run',
            '--autoplay-policy=no-user-gesture-required',
          ],
        },
      },
    },
    { name: 'electron' },
  ],
})
