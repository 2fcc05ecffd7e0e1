// Recordings that pass the probe but can never be prepared are refused where they come in (browser
// upload, telephony API, import) with a translated reason and nothing stored; and when preparation
// fails for any other reason, no raw ffmpeg text reaches a user.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall } from '../../helpers/builders';
import { countRows, makeOrganisation, storedFiles, tempDir, wavFile } from '../calls/calls-fixtures';
import { floatWavWithInfinities, manyChannelWav, mp3InsideWav, oneHertzWav } from '../../unit/media/unpreparable-fixtures';
import { transcode } from '../../unit/media/media-fixtures';
import { createApiToken } from '../../../src/features/calls/api-tokens.service';
import { ImportRun } from '../../../src/features/imports/imports.service';
import { folderLocator } from '../../../src/features/imports/imports.files';
import { storeRecording } from '../../../src/features/media/store';
import { insertRecording } from '../../../src/features/calls/recordings.repository';

describe('recordings that can never be prepared are refused at the door', function () {
  this.timeout(60_000);
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  let dir: string;
  let cases: { name: string; bytes: Buffer; key: string; text: string }[];
  before(async () => {
    t = await createTestApp();
    org = await makeOrganisation(t.db);
    dir = tempDir();
    cases = [
      { name: 'float-infinities.wav', bytes: floatWavWithInfinities(), key: 'media.rejected.notFinite', text: 'invalid samples' },
      { name: 'one-hertz.wav', bytes: oneHertzWav(), key: 'media.rejected.sampleRate', text: 'sample rate (1 Hz)' },
      { name: 'forty-eight-channels.wav', bytes: manyChannelWav(48), key: 'media.rejected.tooManyChannels', text: 'has 48 channels' },
      { name: 'mp3-inside.wav', bytes: mp3InsideWav(dir), key: 'media.rejected.disguised', text: 'holds another format (mp3)' },
    ];
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const counts = async () => ({ calls: await countRows(t.db, 'calls'), recordings: await countRows(t.db, 'recordings'), files: storedFiles(t.config.recordingsDir).length });

  it('the browser upload answers 422 with the translated reason for each, and stores nothing', async () => {
    const { agent, csrf } = await signIn(t.app, org.specialist.username, org.specialist.password);
    for (const c of cases) {
      const before = await counts();
      const res = await agent
        .post('/calls/upload')
        .field('_csrf', await csrf())
        .field('operatorCode', org.operatorCode)
        .field('startedAt', '2026-11-20T09:30')
        .field('language', 'uz')
        .attach('recording', c.bytes, c.name);
      expect(res.status, c.name).to.equal(422);
      expect(res.text, c.name).to.contain(c.text);
      expect(res.text).not.to.match(/ffmpeg|ffprobe|Error while/i);
      expect(await counts(), c.name).to.deep.equal(before);
    }
  });

  it('the telephony API answers 422 with the reason key', async () => {
    const token = (await createApiToken(t, { name: 'api' }, { userId: org.admin.id })).token;
    for (const c of cases) {
      const before = await counts();
      const res = await request(t.app)
        .post('/api/v1/calls')
        .set('Authorization', `Bearer ${token}`)
        .field('metadata', JSON.stringify({ externalId: `UNPREP-${c.name}`, startedAt: '2026-11-24T09:15:00+05:00', operatorCode: org.operatorCode, language: 'uz' }))
        .attach('recording', c.bytes, c.name);
      expect(res.status, c.name).to.equal(422);
      expect(res.body.error.key).to.equal(c.key);
      expect(await counts()).to.deep.equal(before);
    }
  });

  it('an import rejects the row with a translated reason naming the file', async () => {
    const folder = path.join(dir, 'import');
    fs.mkdirSync(folder);
    const rows = cases.map((c, i) => `IMP-${i};2026-11-20 09:0${i}:00;${org.operatorCode};uz;${c.name}`);
    for (const c of cases) fs.writeFileSync(path.join(folder, c.name), c.bytes);
    const manifest = path.join(folder, 'manifest.csv');
    fs.writeFileSync(manifest, ['external_id;started_at;operator_code;language;recording_file', ...rows].join('\n'));
    const outcome = await new ImportRun(t, { importId: null, manifestPath: manifest, recordings: await folderLocator(folder) }).run();
    expect(outcome.counts.acceptedCount).to.equal(0);
    expect(outcome.rejectedRows.map((r) => r.key)).to.have.members(['imports.reject.recording.notFinite', 'imports.reject.recording.sampleRate', 'imports.reject.recording.tooManyChannels', 'imports.reject.recording.disguised']);
    expect(await countRows(t.db, 'recordings')).to.equal(0);
  });

  it('a recording stored before these rules fails preparation with the translated reason, not ffmpeg\'s words', async () => {
    const file = path.join(dir, 'old.wav');
    fs.writeFileSync(file, manyChannelWav(48));
    const stored = await storeRecording(file, t.config.recordingsDir);
    const recId = await insertRecording(t.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'old.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_s16le', sampleRate: 8000, channels: 48, durationSec: 1, mimeType: 'audio/wav', hasVideo: false });
    const id = await makeCall(t.db, { operatorId: org.operatorId, recordingId: recId });
    const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
    await agent.get(`/calls/${id}`);
    await t.jobs.drain();
    const page = await agent.get(`/calls/${id}`);
    expect(page.text).to.contain('has 48 channels');
    expect(page.text).not.to.match(/ffmpeg|Error while processing/i);
  });
});

describe('a preparation that fails inside ffmpeg shows a translated sentence, never ffmpeg\'s text', function () {
  this.timeout(60_000);
  let t: TestApp;
  let dir: string;
  before(async () => {
    dir = tempDir();
    // An "ffmpeg" that fails the way a real one can, with its own words on stderr.
    const fake = path.join(dir, 'ffmpeg');
    fs.writeFileSync(fake, '#!/bin/sh\necho "SECRET-FFMPEG-TEXT: Error while decoding stream #0:0 at /var/lib/sifat" >&2\nexit 1\n', { mode: 0o755 });
    t = await createTestApp({ config: { ffmpegPath: fake } });
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('on the call page and in the preparation JSON', async () => {
    const org = await makeOrganisation(t.db);
    // An MP3 (made with the real ffmpeg): telephony WAVs are decoded in-process, so only a format
    // that needs ffmpeg reaches the failing one.
    const mp3 = await transcode(wavFile(dir, 'ok.wav', 1), dir, 'ok.mp3', ['-c:a', 'libmp3lame', '-b:a', '32k']);
    const stored = await storeRecording(mp3, t.config.recordingsDir);
    const recId = await insertRecording(t.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'ok.mp3', sizeBytes: stored.sizeBytes, format: 'mp3', codec: 'mp3', sampleRate: 8000, channels: 2, durationSec: 1, mimeType: 'audio/mpeg', hasVideo: false });
    const id = await makeCall(t.db, { operatorId: org.operatorId, recordingId: recId });
    const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
    await agent.get(`/calls/${id}`);
    // Every attempt, to the last (the queue backs off between them: run them now).
    for (let i = 0; i < 5; i++) {
      await t.db('jobs').update({ run_after: new Date(0).toISOString() });
      await t.jobs.drain();
    }
    const page = await agent.get(`/calls/${id}`);
    const json = await agent.get(`/calls/${id}/preparation`).set('accept', 'application/json');
    expect(page.text).to.contain('The recording could not be prepared');
    for (const text of [page.text, JSON.stringify(json.body)]) expect(text).not.to.contain('SECRET-FFMPEG-TEXT');
  });
});
