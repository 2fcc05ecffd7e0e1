// The evaluation page by keyboard alone, and the defects a demanding user hit on it, in real
// Chromium: a reopened draft is not "unsaved", the score stays under the top bar at the page's end,
// marking keeps the waveform on screen, the whole evaluation can be done without a mouse with the
// focus always visible, and questions come in the app's own dialog. Also: an empty file in the
// upload queue says it is empty, not "1 KB".
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { CHROMIUM_ARGS, requireChromium, screenshot, serve, signInPage } from '../helpers/browser';
import { loadConfig } from '../../src/config';
import { makeOperator, makeTeam, makeUser } from '../helpers/builders';
import { preparedCall } from '../helpers/recordings';
import { defaultRubricDefinition } from '../../src/features/rubrics/default-rubric';
import { flattenCriteria } from '../../src/features/rubrics/rubric.model';

const DURATION = 45;

/** Opens (or makes) the specialist's evaluation of the call from the call page, by keyboard. */
async function openByKeyboard(page: Page, callId: number): Promise<void> {
  await page.goto(`/calls/${callId}`);
  await page.getByRole('button', { name: 'Evaluate', exact: true }).focus();
  await Promise.all([page.waitForURL(/\/evaluations\/\d+$/), page.keyboard.press('Enter')]);
  await page.waitForSelector('[data-evaluation-player][data-waveform-ready="1"]');
  await page.waitForSelector('[data-evaluation][data-ready="1"]');
}

/** What has the focus, and whether it is drawn (an outline or a box shadow of the focus style). */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', name: '', visible: false };
    const s = getComputedStyle(el);
    const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    const name = (el.getAttribute('aria-label') || el.textContent || (el as HTMLInputElement).value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return { tag: el.tagName.toLowerCase(), type: (el as HTMLInputElement).type ?? '', name, visible, role: el.getAttribute('role') ?? '' };
  });
}

/** Presses Tab until `want` has the focus (at most `max` presses); every stop on the way shows its focus. */
async function tabTo(page: Page, want: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 200, shift = false): Promise<Awaited<ReturnType<typeof focused>>[]> {
  const stops: Awaited<ReturnType<typeof focused>>[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    stops.push(f);
    if (want(f)) return stops;
  }
  throw new Error(`not reached by Tab: ${JSON.stringify(stops.slice(0, 25).map((s) => `${s.tag}:${s.name}`))}`);
}

describe('the evaluation page by keyboard, and its defects fixed, in Chromium', function () {
  this.timeout(240_000);
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let closeServer: () => Promise<void>;
  let operatorId: number;
  let specialist: { id: number; username: string; password: string };
  const errors: string[] = [];

  before(async function () {
    requireChromium(this);
    t = await createTestApp();
    const supervisor = await makeUser(t.db, { role: 'supervisor' });
    operatorId = await makeOperator(t.db, { teamId: await makeTeam(t.db, { supervisorUserId: supervisor.id }) });
    specialist = await makeUser(t.db, { role: 'specialist', language: 'en' });
    const served = await serve(t);
    closeServer = () => new Promise<void>((r) => served.server.close(() => r()));
    browser = await chromium.launch({ executablePath: loadConfig().chromiumPath, args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'], headless: true });
    page = await (await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: served.baseUrl })).newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await signInPage(page, specialist.username, specialist.password);
  });
  after(async () => {
    await browser?.close();
    await closeServer?.();
    await t?.close();
  });

  it('does a whole evaluation without a mouse: skip link, play, a mark with its note, criterion and error flag, every answer, submit through the app\'s dialog; the focus always shows', async () => {
    const callId = await preparedCall(t, operatorId, { seed: 501, durationSec: DURATION });
    await openByKeyboard(page, callId);

    // The first tab stop skips the navigation.
    await page.keyboard.press('Tab');
    expect((await focused(page)).name).to.equal('Skip to the content');
    await page.keyboard.press('Enter');

    // Tab to Play and start with Enter; every stop on the way shows where the focus is.
    const stops = await tabTo(page, (f) => f.name.startsWith('Play'));
    expect(stops.filter((s) => !s.visible), JSON.stringify(stops)).to.deep.equal([]);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!.currentTime > 2, null, { timeout: 15_000 });

    // M starts a mark, M again ends it: the note field takes the focus.
    await page.keyboard.press('m');
    await page.waitForFunction(() => document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!.currentTime > 5, null, { timeout: 15_000 });
    await page.keyboard.press('m');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('mark-note');
    await page.keyboard.type('Address not repeated back');
    // The criterion and severity selects and the error box, by Tab, arrows and Space.
    await page.keyboard.press('Tab');
    expect((await focused(page)).tag).to.equal('select');
    await page.keyboard.press('ArrowDown'); // the first criterion: OPEN-1
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect((await focused(page)).type).to.equal('checkbox');
    await page.keyboard.press('Space');
    const mark = page.locator('[data-role="marks"] li').first();
    expect(await mark.innerText()).to.contain('Address not repeated back').and.contain('OPEN-1');
    expect(await mark.getAttribute('class')).to.contain('is-error');

    // Back to the Pause button (Shift+Tab), pause with Space, then answer every criterion: Tab into
    // each group, Space takes Yes, the right arrow No (INFO-2).
    await tabTo(page, (f) => f.name === 'Play / pause', 60, true);
    await page.keyboard.press('Space');
    const codes = flattenCriteria(defaultRubricDefinition()).map((c) => c.code);
    for (const code of codes) {
      await tabTo(page, (f) => f.type === 'radio', 60);
      expect(await page.evaluate(() => document.activeElement?.closest('fieldset')?.getAttribute('data-code'))).to.equal(code);
      await page.keyboard.press(code === 'INFO-2' ? 'ArrowRight' : 'Space');
    }
    expect(await page.locator('[data-role="answered"]').innerText()).to.equal(`${codes.length} of ${codes.length} answered`);

    // Submit by keyboard: the heard share is low, so the app's own dialog asks; Tab to "Yes, continue".
    await tabTo(page, (f) => f.name === 'Submit evaluation', 120);
    expect((await focused(page)).visible).to.equal(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Please confirm' });
    await dialog.waitFor();
    expect((await focused(page)).name).to.equal('Cancel');
    await page.keyboard.press('Tab');
    expect((await focused(page)).name).to.equal('Yes, continue');
    await Promise.all([page.waitForURL(/\/evaluations\/\d+$/), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    expect(await page.locator('[data-role="status-badge"]').textContent()).to.equal('Submitted');
    const e = await t.db('evaluations').where({ call_id: callId }).first();
    expect(e.status).to.equal('submitted');
    expect(errors).to.deep.equal([]);
  });

  it('reopening a draft that has been listened to does not claim unsaved changes', async () => {
    const callId = await preparedCall(t, operatorId, { seed: 502, durationSec: DURATION });
    await openByKeyboard(page, callId);
    const evaluationId = Number(/\/evaluations\/(\d+)$/.exec(page.url())![1]);
    await t.db('evaluations').where({ id: evaluationId }).update({ played_intervals: JSON.stringify([[0, 20]]) });
    await page.reload();
    await page.waitForSelector('[data-evaluation][data-ready="1"]');
    await page.waitForTimeout(4500); // past one autosave tick
    const state = page.locator('[data-role="save-state"]');
    expect(await state.getAttribute('data-kind')).to.not.equal('warn');
    expect(await state.innerText()).to.not.contain('Unsaved');
  });

  it('keeps the score under the top bar at the end of the page, and the waveform in view when a mark is made', async () => {
    const callId = await preparedCall(t, operatorId, { seed: 503, durationSec: DURATION });
    await openByKeyboard(page, callId);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(300);
    const [bar, score] = await Promise.all([page.locator('.topbar').boundingBox(), page.locator('[data-role="score-box"]').boundingBox()]);
    expect(score!.y).to.be.at.least(bar!.y + bar!.height);
    await screenshot(page, 'evaluation-page-end');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('m');
    await page.keyboard.press('m');
    await page.waitForSelector('[data-role="mark-editor"]:not([hidden])');
    await page.waitForTimeout(600); // the smooth scroll settles
    const wave = await page.locator('[data-role="wave"]').boundingBox();
    expect(wave!.y + wave!.height).to.be.above(bar!.y + bar!.height);
    expect(wave!.y).to.be.below(768);
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('mark-note');
  });

  it('asks before deleting a mark in the app\'s own dialog, and Cancel keeps it', async () => {
    await page.getByRole('button', { name: 'Delete mark' }).click();
    const dialog = page.getByRole('dialog', { name: 'Please confirm' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('[data-role="marks"] li').count()).to.equal(1);
    await page.getByRole('button', { name: 'Delete mark' }).click();
    await dialog.getByRole('button', { name: 'Yes, continue' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-role="marks"] li').length === 0);
  });

  it('shows an empty file in the upload queue as empty, not as "1 KB"', async () => {
    await page.goto('/calls/upload');
    await page.locator('#f-recording').setInputFiles([{ name: 'empty.wav', mimeType: 'audio/wav', buffer: Buffer.alloc(0) }, { name: 'small.wav', mimeType: 'audio/wav', buffer: Buffer.alloc(1500) }]);
    const items = page.locator('.upload-item');
    await items.first().waitFor();
    expect(await items.nth(0).innerText()).to.contain('0 byte').and.contain('The file is empty').and.not.contain('1 kB');
    expect(await items.nth(1).innerText()).to.contain('1 kB').and.not.contain('The file is empty');
  });
});
