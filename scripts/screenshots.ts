// Screenshots of every main page for each demo role, at 1366×768 and 1920×1080, for looking at the
// product as a user would. Usage: node --import tsx scripts/screenshots.ts <baseUrl> <outDir> [uz|uz-Cyrl|ru|en]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const PAGES: Record<string, string[]> = {
  admin: ['/', '/admin/users', '/admin/operators', '/rubrics', '/admin/imports', '/admin/api-tokens', '/admin/audit', '/calls'],
  specialist: ['/', '/plans/today', '/calls', '/evaluations', '/errors', '/plans', '/plans/sizing', '/plans/rules', '/digests', '/reports', '/evaluators/mine'],
  supervisor: ['/', '/errors', '/plans', '/plans/rules', '/digests', '/reports', '/evaluators', '/calibration', '/training'],
  leadership: ['/', '/reports'],
  operator: ['/', '/my/evaluations', '/my/trainings'],
};

async function main(): Promise<void> {
  const [baseUrl = 'http://localhost:3000', outDir = '/tmp/shots', lang] = process.argv.slice(2);
  const config = loadConfig();
  fs.mkdirSync(outDir, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-shots-'));
  const browser = await chromium.launch({ executablePath: config.chromiumPath, args: [...CHROMIUM_ARGS] });
  try {
    for (const [role, pages] of Object.entries(PAGES)) {
      for (const viewport of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
        const context = await browser.newContext({ viewport, baseURL: baseUrl });
        const page = await context.newPage();
        await page.goto('/login');
        await page.fill('#username', role);
        await page.fill('#password', 'sifat-demo-112');
        await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
        if (lang) {
          await Promise.all([page.waitForLoadState('load'), page.click(`.lang-switch button[value=${lang}]`)]);
        }
        for (const p of pages) {
          const res = await page.goto(p);
          await page.waitForTimeout(600);
          const name = `${role}${p.replace(/[^a-z0-9]+/gi, '_')}-${viewport.width}${lang ? `-${lang}` : ''}.png`;
          await page.screenshot({ path: path.join(outDir, name), fullPage: viewport.width === 1366 });
          process.stdout.write(`${res?.status()} ${name}\n`);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e}\n`);
  process.exit(1);
});
