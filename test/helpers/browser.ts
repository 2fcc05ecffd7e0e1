// Real headless Chromium (Debian's package) driven by playwright-core, against the app served on
// a free loopback port. Without Chromium the browser tests are skipped locally, but fail under CI=true.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig, ROOT_DIR } from '../../src/config';
import type { TestApp } from './app';

const config = loadConfig();
export const ARTIFACTS_DIR = path.join(ROOT_DIR, 'test-artifacts');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumAvailable(): boolean {
  return fs.existsSync(config.chromiumPath);
}

/** Call in a describe's before(): skips locally without Chromium, throws under CI. */
export function requireChromium(ctx: Mocha.Context): void {
  if (chromiumAvailable()) return;
  if (config.ci) throw new Error(`Chromium not found at ${config.chromiumPath}: browser tests cannot run (CI=true)`);
  ctx.skip();
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  baseUrl: string;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<{ browser: Browser; userDataDir: string }> {
  // playwright launches Chromium with a fresh temporary user-data-dir of its own each time.
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-chromium-'));
  const browser = await chromium.launch({ executablePath: config.chromiumPath, args: [...CHROMIUM_ARGS], headless: true });
  return { browser, userDataDir };
}

export async function serve(t: TestApp): Promise<{ server: Server; baseUrl: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function openBrowser(t: TestApp, viewport = { width: 1366, height: 768 }): Promise<BrowserSession> {
  const { server, baseUrl } = await serve(t);
  const { browser, userDataDir } = await launchBrowser();
  const context = await browser.newContext({ viewport, baseURL: baseUrl });
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    baseUrl,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function signInPage(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/user name|foydalanuvchi nomi|имя пользователя/i).fill(username);
  await page.getByLabel(/^(password|parol|пароль)$/i).fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.locator('form[action="/login"] button[type=submit]').click()]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
