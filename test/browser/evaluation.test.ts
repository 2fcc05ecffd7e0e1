// The evaluation page in real Chromium: open an evaluation from the call page, play, seek, mark a
// segment by dragging on the waveform, write its note, answer the rubric, reload and find the draft
// and the mark restored, submit (confirming the low heard share) and see the result.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createTestApp, TestApp } from '../helpers/app';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, requireChromium, screenshot, serve, signInPage, type BrowserSession } from '../helpers/browser';
import { loadConfig } from '../../src/config';
import { makeCall, makeOperator, makeTeam, makeUser } from '../helpers/builders';
import { preparedCall } from '../helpers/recordings';
import { defaultRubricDefinition } from '../../src/features/rubrics/default-rubric';
import { flattenCriteria } from '../../src/features/rubrics/rubric.model';

const DURATION = 60;

/**
 * Like openBrowser() in test/helpers/browser.ts, which passes --user-data-dir as an argument:
 * playwright-core 1.65 refuses that in launch(). Here playwright makes its own profile directory.
 */
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

async function audioTime(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!.currentTime);
}

async function waveBox(page: Page) {
  const box = await page.locator('[data-role="wave"]').boundingBox();
  if (!box) throw new Error('no waveform on the page');
  return box;
}

/** Answers a criterion by the label of its option, inside the criterion's own group. */
async function answer(page: Page, code: string, label: string | RegExp): Promise<void> {
  await page.getByRole('group', { name: new RegExp(`^${code}\\b`) }).getByRole('radio', { name: label, exact: typeof label === 'string' }).check();
}

describe('the evaluation page in Chromium', function () {
  this.timeout(120_000);
  let t: TestApp;
  let s: BrowserSession;
  let specialist: { id: number; username: string; password: string };
  let callId: number;

  before(async function () {
    requireChromium(this);
    t = await createTestApp();
    const supervisor = await makeUser(t.db, { role: 'supervisor' });
    const teamId = await makeTeam(t.db, { supervisorUserId: supervisor.id });
    const operatorId = await makeOperator(t.db, { teamId });
    specialist = await makeUser(t.db, { role: 'specialist', language: 'en', displayName: 'Dilnoza Rahimova' });
    callId = await preparedCall(t, operatorId, { seed: 4242, durationSec: DURATION, holds: 1 });
    s = await openSession(t);
  });
  after(async () => {
    await s?.close();
    await t?.close();
  });

  it('opens, plays, seeks, marks, answers, restores after a reload, and submits', async () => {
    const { page } = s;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInPage(page, specialist.username, specialist.password);

    // Every request for the recording, with who made it (the media element, or a script's fetch).
    const recordingRequests: string[] = [];
    page.on('request', (r) => {
      if (/\/calls\/\d+\/audio$/.test(new URL(r.url()).pathname)) recordingRequests.push(`${r.resourceType()} ${r.headers().range ?? 'whole'}`);
    });

    // Open the evaluation from the call page.
    await page.goto(`/calls/${callId}`);
    await Promise.all([page.waitForURL(/\/evaluations\/\d+$/), page.getByRole('button', { name: 'Evaluate', exact: true }).click()]);
    const evaluationId = Number(/\/evaluations\/(\d+)$/.exec(page.url())![1]);
    await page.waitForSelector('[data-evaluation-player][data-waveform-ready="1"]');
    await page.waitForSelector('[data-evaluation][data-marks-ready="1"]');
    expect(await page.getByText('Operator', { exact: true }).first().isVisible()).to.equal(true);

    // Play a little.
    await page.getByRole('button', { name: 'Play / pause' }).click();
    await page.waitForFunction(() => document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!.currentTime > 1.5, null, { timeout: 15_000 });
    await page.getByRole('button', { name: 'Play / pause' }).click();
    expect(await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!.paused)).to.equal(true);
    // One audio element: the player adopted the one in the page's HTML (buffering since the page was parsed).
    expect(await page.locator('[data-evaluation-player] audio').count()).to.equal(1);
    expect(await page.locator('[data-evaluation-player] audio[data-role="media"][preload="auto"]').count()).to.equal(1);
    // The recording was fetched once, by the media element: wavesurfer did not download it again to decode it.
    expect(recordingRequests.filter((r) => r.startsWith('fetch') || r.startsWith('xhr')), recordingRequests.join('; ')).to.deep.equal([]);
    expect(recordingRequests, recordingRequests.join('; ')).to.have.length(1);
    // The audio buffered from page load and then played (several Range requests) is one listening in the audit log.
    const listenings = await t.db('audit_log').where({ action: 'recording.play', entity_type: 'call', entity_id: String(callId), user_id: specialist.id });
    expect(listenings).to.have.length(1);

    // Seek by clicking three quarters into the waveform.
    const box = await waveBox(page);
    await page.mouse.click(box.x + box.width * 0.75, box.y + 30);
    await page.waitForFunction(() => Math.abs(document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!.currentTime - 45) < 2);
    expect(await audioTime(page)).to.be.closeTo(45, 2);

    // Mark a segment by dragging on the waveform, from 20 % to 35 % (12 s to 21 s).
    await page.mouse.move(box.x + box.width * 0.2, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.28, box.y + 40, { steps: 6 });
    await page.mouse.move(box.x + box.width * 0.35, box.y + 40, { steps: 6 });
    await page.mouse.up();
    await page.locator('.mark-item').first().waitFor();
    expect(await page.locator('.mark-item').count()).to.equal(1);
    await page.getByLabel('Note', { exact: true }).fill("Manzil so'ralmadi");
    await page.getByLabel('Criterion', { exact: true }).selectOption('INFO-2');
    await page.getByLabel('This is an error (goes to the supervisor)').check();
    expect(await page.locator('.mark-item').first().textContent()).to.contain("Manzil so'ralmadi");

    // Answer the rubric: the best answer everywhere, N/A where it does not apply, CARD-2 missed.
    for (const c of flattenCriteria(defaultRubricDefinition())) {
      if (['HELP-1', 'HELP-3', 'HELP-4', 'CLOSE-2'].includes(c.code)) await answer(page, c.code, 'N/A');
      else if (c.code === 'CARD-2') await answer(page, c.code, 'No');
      else await answer(page, c.code, c.answerType === 'scale' ? String(c.scaleMax) : 'Yes');
    }
    // 85 of 90 points: the live score, computed in the page.
    expect(await page.locator('[data-role="score"]').textContent()).to.equal('94.4');
    expect(await page.locator('[data-role="band"]').textContent()).to.equal('High');
    await page.getByRole('group', { name: /^CARD-2\b/ }).getByRole('textbox').fill('Karta matni tushunarsiz');

    // The draft saves itself; wait until the server has it, then reload.
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-role="save-state"]')?.dataset.kind === 'ok', null, { timeout: 15_000 });
    await page.reload();
    await page.waitForSelector('[data-evaluation][data-marks-ready="1"]');
    expect(await page.locator('.mark-item').first().textContent()).to.contain("Manzil so'ralmadi");
    expect(await page.getByRole('group', { name: /^CARD-2\b/ }).getByRole('radio', { name: 'No', exact: true }).isChecked()).to.equal(true);
    expect(await page.getByRole('group', { name: /^CARD-2\b/ }).getByRole('textbox').inputValue()).to.equal('Karta matni tushunarsiz');
    expect(await page.locator('[data-role="score"]').textContent()).to.equal('94.4');
    const mark = await t.db('evaluation_marks').where({ evaluation_id: evaluationId }).first();
    expect(mark).to.include({ note: "Manzil so'ralmadi", criterion_code: 'INFO-2' });
    expect(mark.start_sec).to.be.closeTo(12, 1.5);
    expect(mark.end_sec).to.be.closeTo(21, 1.5);

    // Clicking the mark in the list plays from its start.
    await page.locator('.mark-item .mark-time').first().click();
    await page.waitForFunction(() => {
      const a = document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio')!;
      return !a.paused && a.currentTime >= 11;
    }, null, { timeout: 15_000 });
    await page.getByRole('button', { name: 'Play / pause' }).click();
    await screenshot(page, 'evaluation-draft');

    // Submit: less than 90 % was heard, so the page asks first, in its own dialog (not the browser's).
    let browserDialog = false;
    page.once('dialog', (d) => {
      browserDialog = true;
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Submit evaluation' }).click();
    const dialog = page.getByRole('dialog', { name: 'Please confirm' });
    await dialog.waitFor();
    expect(await dialog.textContent()).to.match(/heard only \d+ %/);
    await Promise.all([page.waitForURL(new RegExp(`/evaluations/${evaluationId}$`)), dialog.getByRole('button', { name: 'Yes, continue' }).click()]);
    await page.waitForLoadState('load');
    expect(browserDialog).to.equal(false);
    expect(await page.locator('.flash-success').textContent()).to.contain('Evaluation submitted');
    expect(await page.locator('[data-role="status-badge"]').textContent()).to.equal('Submitted');
    expect(await page.locator('[data-role="band"]').textContent()).to.equal('High');
    expect(await page.getByRole('button', { name: 'Submit evaluation' }).count()).to.equal(0);
    await screenshot(page, 'evaluation-submitted');

    const e = await t.db('evaluations').where({ id: evaluationId }).first();
    expect(e).to.include({ status: 'submitted', score: 94.4, result: 'high' });
    expect(e.heard_share).to.be.greaterThan(0).and.lessThan(0.9);
    const errs = await t.db('errors').where({ evaluation_id: evaluationId }).orderBy('id');
    expect(errs.map((x) => [x.source, x.criterion_code])).to.deep.equal([['criterion', 'CARD-2'], ['mark', 'INFO-2']]);
    expect(errors, errors.join('\n')).to.deep.equal([]);
  });

  it('two tabs on one draft: the stale tab is told plainly, and nothing the other saved is overwritten', async () => {
    const { page, context } = s;
    const operatorId = await makeOperator(t.db);
    const plainCall = await makeCall(t.db, { operatorId });
    await page.goto(`/calls/${plainCall}`);
    await Promise.all([page.waitForURL(/\/evaluations\/\d+$/), page.getByRole('button', { name: 'Evaluate', exact: true }).click()]);
    const url = page.url();
    const other = await context.newPage();
    await other.goto(url);
    await other.waitForSelector('[data-evaluation][data-ready="1"]');

    await answer(other, 'OPEN-1', 'Yes');
    await other.waitForFunction(() => document.querySelector<HTMLElement>('[data-role="save-state"]')?.dataset.kind === 'ok', null, { timeout: 15_000 });
    await answer(page, 'OPEN-1', 'No');
    await page.waitForSelector('[data-evaluation][data-conflict="1"]', { timeout: 15_000 });
    expect(await page.locator('[data-role="conflict"]').isVisible()).to.equal(true);
    expect(await page.locator('[data-role="conflict-text"]').textContent()).to.contain('another tab');

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Reload' }).click()]);
    await page.waitForSelector('[data-evaluation][data-ready="1"]');
    expect(await page.getByRole('group', { name: /^OPEN-1\b/ }).getByRole('radio', { name: 'Yes', exact: true }).isChecked()).to.equal(true);
    await other.close();
  });
});
