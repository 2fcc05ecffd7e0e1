// Sign-language calls arrive as video, with or without sound. In real Chromium: the evaluation page
// plays them in a <video> beside the rubric, with the timeline, marks (by keyboard), speeds, and
// the waveform where there is sound; a video Chrome cannot play is served as its H.264 rendition.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { CHROMIUM_ARGS, requireChromium, screenshot, serve, signInPage } from '../helpers/browser';
import { loadConfig } from '../../src/config';
import { makeCall, makeOperator, makeTeam, makeUser } from '../helpers/builders';
import { probeRecording, storeRecording, synthesizeCallWav } from '../../src/features/media';
import { synthesizeVideoCall, type SyntheticVideoKind } from '../../src/features/media/synth-video';
import { insertRecording } from '../../src/features/calls/recordings.repository';
import { mediaTools, prepareRecording } from '../../src/features/calls/recordings.service';

const SECONDS = 12;

/** A prepared synthetic video call of the operator. */
async function videoCall(t: TestApp, operatorId: number, kind: SyntheticVideoKind): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-video-browser-'));
  try {
    const sound = path.join(dir, 'sound.wav');
    fs.writeFileSync(sound, synthesizeCallWav({ seed: 77, durationSec: SECONDS }));
    const file = path.join(dir, kind === 'webm-silent' ? 'call.webm' : 'call.mp4');
    const tools = mediaTools(t.config);
    await synthesizeVideoCall(tools, file, { kind, durationSec: SECONDS, audioFile: sound });
    const probe = await probeRecording(file, { maxBytes: 1e9, maxSeconds: 3600 }, tools);
    const stored = await storeRecording(file, t.config.recordingsDir);
    const recordingId = await insertRecording(t.db, {
      sha256: stored.sha256, storageKey: stored.storageKey, originalName: path.basename(file), sizeBytes: stored.sizeBytes, format: probe.container, codec: probe.codec,
      sampleRate: probe.sampleRate, channels: probe.channels, durationSec: probe.durationSec, mimeType: probe.mimeType, hasVideo: true,
    });
    await prepareRecording(t, recordingId);
    return makeCall(t.db, { operatorId, recordingId, durationSec: SECONDS, category: 'medical', language: 'sign', channel: 'video' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function openEvaluation(page: Page, callId: number): Promise<void> {
  await page.goto(`/calls/${callId}`);
  await Promise.all([page.waitForURL(/\/evaluations\/\d+$/), page.getByRole('button', { name: 'Evaluate', exact: true }).click()]);
  await page.waitForSelector('[data-evaluation-player][data-waveform-ready="1"]');
  await page.waitForSelector('[data-evaluation][data-ready="1"]');
}

const videoTime = (page: Page) => page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-evaluation-player] video')!.currentTime);

/** Plays a moment, marks from there with M, plays on, M again: a mark made by keyboard, its note focused to write. */
async function markByKeyboard(page: Page, note: string): Promise<void> {
  await page.keyboard.press('k');
  await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('[data-evaluation-player] video')!.currentTime > 1, null, { timeout: 15_000 });
  await page.keyboard.press('m');
  await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('[data-evaluation-player] video')!.currentTime > 3, null, { timeout: 15_000 });
  await page.keyboard.press('m');
  expect(await page.evaluate(() => document.activeElement?.id)).to.equal('mark-note');
  await page.keyboard.type(note);
  await page.getByRole('button', { name: 'Play / pause' }).click();
}

describe('video calls (sign language) in Chromium', function () {
  this.timeout(180_000);
  let t: TestApp;
  let close: () => Promise<void>;
  let page: Page;
  let withSound: number;
  let silent: number;
  const errors: string[] = [];

  before(async function () {
    requireChromium(this);
    t = await createTestApp();
    const supervisor = await makeUser(t.db, { role: 'supervisor' });
    const operatorId = await makeOperator(t.db, { teamId: await makeTeam(t.db, { supervisorUserId: supervisor.id }) });
    const specialist = await makeUser(t.db, { role: 'specialist', language: 'en' });
    withSound = await videoCall(t, operatorId, 'mp4-mpeg4');
    silent = await videoCall(t, operatorId, 'mp4-h264-silent');
    const { server, baseUrl } = await serve(t);
    const browser = await chromium.launch({ executablePath: loadConfig().chromiumPath, args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'], headless: true });
    page = await (await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: baseUrl })).newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    close = async () => {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    };
    await signInPage(page, specialist.username, specialist.password);
  });
  after(async () => {
    await close?.();
    await t?.close();
  });

  it('plays a video with sound from its H.264 rendition beside the rubric, with the waveform; marks by keyboard and changes speed', async () => {
    const rec = await t.db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where('c.id', withSound).first('r.rendition_key');
    expect(rec.rendition_key).to.match(/\.mp4$/);
    await openEvaluation(page, withSound);
    const video = page.getByLabel('Video of the call');
    expect(await video.isVisible()).to.equal(true);
    expect(await page.locator('[data-evaluation-player] audio').count()).to.equal(0);
    // Beside the rubric: the video's column and the rubric's side by side.
    const [v, rubric] = [await video.boundingBox(), await page.locator('form.rubric').boundingBox()];
    expect(v!.x + v!.width).to.be.at.most(rubric!.x);
    // The waveform has the sound's two lanes.
    expect(await page.getByText('Operator', { exact: true }).first().isVisible()).to.equal(true);

    await markByKeyboard(page, 'Operator signed the address twice');
    expect(await page.locator('[data-role="marks"] li').count()).to.equal(1);
    expect(await page.locator('[data-role="marks"] li').innerText()).to.contain('Operator signed the address twice');
    await page.getByLabel('Speed').selectOption('1.5');
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-evaluation-player] video')!.playbackRate)).to.equal(1.5);
    expect(await videoTime(page)).to.be.above(3);
    await screenshot(page, 'video-call-with-sound');
    expect(errors).to.deep.equal([]);
  });

  it('plays a video without sound: no waveform but the timeline, marks by keyboard and skipping work', async () => {
    await openEvaluation(page, silent);
    expect(await page.getByText('This video has no sound', { exact: false }).isVisible()).to.equal(true);
    expect(await page.locator('[data-evaluation-player]').getAttribute('class')).to.contain('is-silent');
    await markByKeyboard(page, 'Caller shows the injury');
    expect(await page.locator('[data-role="marks"] li').innerText()).to.contain('Caller shows the injury');
    const before = await videoTime(page);
    await page.locator('[data-evaluation-player] [data-action="forward"]').focus();
    await page.keyboard.press('l');
    await page.waitForFunction((t0) => document.querySelector<HTMLVideoElement>('[data-evaluation-player] video')!.currentTime >= t0 + 4, before);
    await screenshot(page, 'video-call-silent');
    expect(errors).to.deep.equal([]);
  });

  it('shows the video on the call page', async () => {
    await page.goto(`/calls/${silent}`);
    expect(await page.locator('video.video-preview').count()).to.equal(1);
    expect(await page.locator('#waveform').isHidden()).to.equal(true);
  });
});
