// Every main page for every role, in real Chromium at 1366 × 768 on the demo data: axe-core finds
// no serious or critical accessibility violation, the page does not scroll sideways and no table
// sticks out of its card.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { CHROMIUM_ARGS, requireChromium, serve, signInPage } from '../helpers/browser';
import { loadConfig, ROOT_DIR } from '../../src/config';
import { seedDemoIfEmpty } from '../../src/seed/demo';
import { FEATURES } from '../../src/features';
import { navFor } from '../../src/http/nav';
import { DEMO_PASSWORD } from '../../src/features/users/users.seed';
import type { Role } from '../../src/auth/roles';

const AXE = fs.readFileSync(path.join(ROOT_DIR, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const navItems = FEATURES.flatMap((f) => f.nav ?? []);

interface Finding {
  page: string;
  problem: string;
}

/** axe's serious and critical violations on the page, and any table or page wider than its box. */
async function check(page: Page, url: string): Promise<Finding[]> {
  const res = await page.goto(url);
  expect(res?.status(), url).to.be.below(400);
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  await page.addScriptTag({ content: AXE });
  const problems = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const { violations } = await axe.run(document);
    const out = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px)`);
    document.querySelectorAll('table').forEach((t) => {
      const card = t.closest('.card, main') as HTMLElement;
      let clipped = false;
      for (let el = t.parentElement; el && el !== card; el = el.parentElement) if (getComputedStyle(el).overflowX !== 'visible') clipped = true;
      if (!clipped && t.getBoundingClientRect().right > card.getBoundingClientRect().right + 1) out.push(`a table sticks out of its card: ${t.querySelector('th')?.textContent?.trim() ?? ''}`);
    });
    return out;
  });
  return problems.map((problem) => ({ page: url, problem }));
}

describe('accessibility and layout of every main page, for every role (axe-core in Chromium, 1366 px)', function () {
  this.timeout(600_000);
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let closeServer: () => Promise<void>;
  /** Detail pages by role, found in the demo data. */
  const details: Record<Role, string[]> = { admin: [], specialist: [], supervisor: [], leadership: [], operator: [] };

  before(async function () {
    requireChromium(this);
    t = await createTestApp({ config: { demoMode: true } });
    await seedDemoIfEmpty(t);
    const db = t.db;
    const first = async (q: Promise<{ id: number } | undefined>) => (await q)?.id;
    const specialistId = (await db('users').where({ username: 'specialist' }).first('id')).id;
    const supervisorId = (await db('users').where({ username: 'supervisor' }).first('id')).id;
    const teamOps = db('operators').whereIn('team_id', db('teams').where({ supervisor_user_id: supervisorId }).select('id')).select('id');
    const draft = await first(db('evaluations').where({ specialist_user_id: specialistId, status: 'draft' }).first('id'));
    const submitted = await first(db('evaluations').where({ specialist_user_id: specialistId, status: 'submitted' }).first('id'));
    const video = await first(db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where('r.has_video', true).first('c.id as id'));
    const readyCall = await first(db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where('r.status', 'ready').where('r.has_video', false).first('c.id as id'));
    const teamError = await first(db('errors').whereIn('operator_id', teamOps).first('id'));
    const teamOperator = await first(db('operators').whereIn('id', teamOps).first('id'));
    const plan = await first(db('plans').where({ status: 'active' }).first('id'));
    const digest = await first(db('digests').first('id'));
    const calibration = await first(db('calibration_sessions').first('id'));
    const training = await first(db('trainings').first('id'));
    const imp = await first(db('imports').first('id'));
    const rubric = await first(db('rubrics').first('id'));
    const operatorUser = await db('users').where({ username: 'operator' }).first('operator_id');
    const own = await first(db('evaluations').where({ operator_id: operatorUser.operator_id, status: 'submitted' }).first('id'));
    details.specialist = [`/calls/${readyCall}`, `/calls/${video}`, `/evaluations/${draft}`, `/evaluations/${submitted}`, '/calls/upload'];
    details.supervisor = [`/errors/${teamError}`, `/operators/${teamOperator}`, `/plans/${plan}/verify`, '/plans/rules', '/plans/sizing', `/digests/${digest}`, `/calibration/${calibration}`, `/training/${training}`, '/training/shortcomings', '/reports?map=calls'];
    details.admin = [`/admin/imports/${imp}`, `/rubrics/${rubric}`, '/admin/users/new', '/admin/teams', '/admin/api-tokens'];
    details.operator = [`/my/evaluations/${own}`];
    const served = await serve(t);
    baseUrl = served.baseUrl;
    closeServer = () => new Promise<void>((r) => served.server.close(() => r()));
    browser = await chromium.launch({ executablePath: loadConfig().chromiumPath, args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await closeServer?.();
    await t?.close();
  });

  for (const role of ['specialist', 'supervisor', 'leadership', 'admin', 'operator'] as const) {
    it(`${role}: no serious or critical violation, nothing wider than its box, on the navigation's pages and the role's detail pages`, async () => {
      // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: baseUrl, bypassCSP: true });
      const page = await context.newPage();
      const scriptErrors: string[] = [];
      page.on('pageerror', (e) => scriptErrors.push(e.message));
      try {
        await signInPage(page, role, DEMO_PASSWORD);
        const pages = [...navFor(navItems, role).map((i) => i.href), ...details[role]];
        expect(pages.length).to.be.greaterThan(1);
        const findings: Finding[] = [];
        for (const url of pages) findings.push(...(await check(page, url)));
        expect(findings.map((f) => `${f.page}: ${f.problem}`)).to.deep.equal([]);
        expect(scriptErrors).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }

  it('the sign-in page too', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: baseUrl, bypassCSP: true });
    try {
      expect(await check(await context.newPage(), '/login')).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
