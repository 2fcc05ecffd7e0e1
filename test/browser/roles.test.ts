// Each role in real Chromium: sign in, see the navigation of that role, be refused another role's
// page with the 403 page, switch the interface language in the top bar, sign out. A screenshot of
// each role's home page goes to test-artifacts/.
import { expect } from 'chai';
import { chromium } from 'playwright-core';
import { createTestApp, TestApp } from '../helpers/app';
import { CHROMIUM_ARGS, requireChromium, screenshot, serve, signInPage, type BrowserSession } from '../helpers/browser';
import { makeCall, makeOperator, makeTeam, makeUser } from '../helpers/builders';
import { loadConfig } from '../../src/config';
import { FEATURES } from '../../src/features';
import { navFor } from '../../src/http/nav';
import { translator } from '../../src/i18n';
import type { Role } from '../../src/auth/roles';

/** Like openBrowser() in test/helpers/browser.ts, which passes --user-data-dir in the launch
 *  arguments (playwright-core 1.65 refuses that); playwright makes its own profile here. */
async function openSession(t: TestApp, viewport = { width: 1366, height: 768 }): Promise<BrowserSession> {
  const { server, baseUrl } = await serve(t);
  const browser = await chromium.launch({ executablePath: loadConfig().chromiumPath, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport, baseURL: baseUrl });
  const page = await context.newPage();
  return {
    browser, context, page, baseUrl,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const en = translator('en');
const ru = translator('ru');
const navItems = FEATURES.flatMap((f) => f.nav ?? []);

/** The page of another role each role is refused, and how to ask for it. */
const REFUSED: Record<Exclude<Role, 'operator'>, { path: string; post?: boolean }> = {
  specialist: { path: '/admin/users' },
  supervisor: { path: '/admin/users' },
  leadership: { path: '/evaluations' },
  // An administrator may look at everything, but evaluating a call is the specialists' work.
  admin: { path: '/calls/:call/evaluate', post: true },
};

describe('each role in Chromium', function () {
  this.timeout(120_000);
  let t: TestApp;
  let s: BrowserSession;
  let callId: number;

  before(async function () {
    requireChromium(this);
    t = await createTestApp();
    const supervisor = await makeUser(t.db, { role: 'supervisor', username: 'supervisor-b', displayName: 'Bobur Aliyev' });
    const teamId = await makeTeam(t.db, { supervisorUserId: supervisor.id });
    callId = await makeCall(t.db, { operatorId: await makeOperator(t.db, { teamId }) });
    s = await openSession(t);
  });
  after(async () => {
    await s?.close();
    await t?.close();
  });

  for (const role of ['admin', 'specialist', 'supervisor', 'leadership'] as const) {
    it(`${role}: signs in, sees their navigation, is refused another role's page, switches language and signs out`, async () => {
      const { page } = s;
      const u = await makeUser(t.db, { role, language: 'en', displayName: `Demo ${role}` });
      await signInPage(page, u.username, u.password);
      expect(new URL(page.url()).pathname).to.equal('/');

      // The navigation is exactly the role's items, in order.
      const nav = page.getByRole('navigation', { name: en('common.navigation') });
      const links = (await nav.getByRole('link').allTextContents()).map((x) => x.trim());
      expect(links).to.deep.equal(navFor(navItems, role).map((i) => en(i.key)));
      if (role === 'admin') expect(links).to.include(en('nav.users'));
      else expect(links).not.to.include(en('nav.users'));
      if (role === 'leadership') expect(links).not.to.include(en('evaluations.nav'));
      else expect(links).to.include(en('evaluations.nav'));
      await screenshot(page, `home-${role}`);

      // Another role's page: the 403 page with its real status.
      const refused = REFUSED[role];
      const target = refused.path.replace(':call', String(callId));
      let status: number | undefined;
      if (refused.post) {
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith(target)),
          page.evaluate((action) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            const token = document.createElement('input');
            token.type = 'hidden';
            token.name = '_csrf';
            token.value = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
            form.appendChild(token);
            document.body.appendChild(form);
            form.submit();
          }, target),
        ]);
        status = response.status();
        await page.waitForLoadState('load');
      } else {
        status = (await page.goto(target))?.status();
      }
      expect(status).to.equal(403);
      expect(await page.locator('.error-code').textContent()).to.equal('403');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal(en('http.forbidden.title'));

      // Switch the interface to Russian with the top-bar buttons: the page changes language.
      await page.goto('/');
      await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Русский' }).click()]);
      await page.waitForLoadState('load');
      expect(await page.locator('html').getAttribute('lang')).to.equal('ru');
      const ruLinks = (await page.getByRole('navigation', { name: ru('common.navigation') }).getByRole('link').allTextContents()).map((x) => x.trim());
      expect(ruLinks).to.deep.equal(navFor(navItems, role).map((i) => ru(i.key)));
      expect(ruLinks).to.not.deep.equal(links);
      expect(await page.locator('.flash-success').textContent()).to.equal(ru('common.languageChanged'));

      // Sign out (now in Russian): back at the sign-in page, and the home page is closed again.
      await Promise.all([page.waitForURL(/\/login/), page.getByRole('button', { name: ru('auth.signOut') }).click()]);
      await page.goto('/');
      expect(new URL(page.url()).pathname).to.equal('/login');
    });
  }
});
