import fs from 'node:fs';
import { decodePeaksDat } from '../../../src/features/media/peaks-format';
import path from 'node:path';
import request from 'supertest';
import { expect } from 'chai';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../../helpers/app';
import { ingestCall } from '../../../src/features/calls/calls.service';
import { parseCallMetadata } from '../../../src/features/calls/calls.schema';
import { ensureRecordingPrepared, prepareDedupeKey } from '../../../src/features/calls/recordings.service';
import { storeRecording } from '../../../src/features/media/store';
import { insertRecording } from '../../../src/features/calls/recordings.repository';
import { makeCall } from '../../helpers/builders';
import { countRows, makeOrganisation, tempDir, threeChannelWav, wavFile } from './calls-fixtures';

const CARD_WITHOUT_ADDRESS = `<?xml version="1.0" encoding="UTF-8"?>
<CallCard><CardNumber>112-SA-1</CardNumber><Caller><Phone>+998901234567</Phone></Caller><Incident><Type>fire</Type></Incident>
<Location><Coordinates lat="39.65" lon="66.96"/></Location><Dispatch><Service code="101"/></Dispatch><OperatorNotes>Bino evakuatsiya qilindi &amp; brigada yetib keldi</OperatorNotes></CallCard>`;

describe('a call page (/calls/:id), its audio, peaks and preparation', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  let dir: string;
  let callId: number;
  let recordingId: number;
  let otherCallId: number;
  let seq = 0;
  /** Moves the app's clock forward (the listening window). */
  let clockOffsetMs = 0;

  async function addCall(file: string, o: { operatorCode?: string; card?: string; dropped?: boolean } = {}) {
    seq++;
    const parsed = parseCallMetadata({ externalId: `PAGE-${seq}`, startedAt: new Date(Date.now() - 3600_000).toISOString(), operatorCode: o.operatorCode ?? org.operatorCode, language: 'uz', category: 'fire', services: ['101'], callerNumber: '+998901234567', regionCode: 'SA', dropped: o.dropped ?? false });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
    return ingestCall(t, { metadata: parsed.value, recording: { path: file, originalName: path.basename(file) }, card: o.card ?? null, actor: { userId: null, via: 'seed' } });
  }

  async function as(u: { username: string; password: string }) {
    return signIn(t.app, u.username, u.password);
  }

  before(async () => {
    t = await createTestApp({ clock: () => new Date(Date.now() + clockOffsetMs) });
    org = await makeOrganisation(t.db);
    dir = tempDir();
    const r = await addCall(wavFile(dir, 'call.wav', 6, 42), { card: CARD_WITHOUT_ADDRESS, dropped: true });
    callId = r.callId;
    recordingId = r.recordingId!;
    otherCallId = (await addCall(wavFile(dir, 'other.wav', 2, 43), { operatorCode: org.otherOperatorCode })).callId;
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('shows the call, its card with completeness and missing fields, and queues preparation once', async () => {
    const { agent } = await as(org.specialist);
    const res = await agent.get(`/calls/${callId}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('PAGE-1').and.contain('Fire').and.contain('101/1050 Fire and rescue').and.contain('Samarkand Region');
    expect(res.text).to.contain('Completeness').and.contain('88%').and.contain('Mandatory fields missing: Address');
    expect(res.text).to.contain('Bino evakuatsiya qilindi &amp; brigada'); // the predefined entity decoded, then escaped for HTML
    expect(res.text).to.contain('Preparing: waiting in the queue');
    expect(res.text).to.contain('No callback recorded');
    const jobs = await t.db('jobs').where({ dedupe_key: prepareDedupeKey(recordingId) });
    expect(jobs).to.have.length(1);
    expect(jobs[0].type).to.equal('media.prepare');
    await agent.get(`/calls/${callId}`);
    expect(await t.db('jobs').where({ dedupe_key: prepareDedupeKey(recordingId) })).to.have.length(1);
  });

  it('tells the page\'s script where preparation stands, to the same people who see the call', async () => {
    const { agent } = await as(org.supervisor);
    const res = await agent.get(`/calls/${callId}/preparation`).set('Accept', 'application/json');
    expect(res.status).to.equal(200);
    expect(res.body.preparation.status).to.be.oneOf(['queued', 'running', 'ready']);
    for (const u of [org.leadership, org.otherSupervisor]) {
      const other = await as(u);
      expect((await other.agent.get(`/calls/${callId}/preparation`).set('Accept', 'application/json')).status, u.username).to.equal(403);
    }
  });

  it('offers the Evaluate button to specialists only', async () => {
    const spec = (await (await as(org.specialist)).agent.get(`/calls/${callId}`)).text;
    expect(spec).to.contain(`action="/calls/${callId}/evaluate"`);
    const admin = (await (await as(org.admin)).agent.get(`/calls/${callId}`)).text;
    expect(admin).not.to.contain(`action="/calls/${callId}/evaluate"`);
  });

  it('answers 409 for peaks until the recording is prepared', async () => {
    const { agent } = await as(org.specialist);
    const res = await agent.get(`/calls/${callId}/peaks`);
    expect(res.status).to.equal(409);
    expect(res.body.error.key).to.equal('calls.peaks.notReady');
  });

  it('prepares the recording in the media.prepare job: stored → ready, with facts and peaks', async () => {
    expect((await t.db('recordings').where({ id: recordingId }).first()).status).to.equal('stored');
    await t.jobs.drain();
    const rec = await t.db('recordings').where({ id: recordingId }).first();
    expect(rec.status).to.equal('ready');
    expect(rec.peaks_key).to.equal(`${rec.storage_key}.peaks.dat`);
    expect(rec.rendition_key).to.equal(null); // mu-law WAV plays in Chrome as it is
    const facts = JSON.parse(rec.facts);
    expect(facts.channels).to.equal(2);
    expect(facts.talkSec).to.have.length(2);
    expect(facts.durationSec).to.be.closeTo(6, 0.05);
    expect(fs.existsSync(path.join(t.config.recordingsDir, ...String(rec.peaks_key).split('/')))).to.equal(true);
    const { agent } = await as(org.specialist);
    const page = await agent.get(`/calls/${callId}`);
    expect(page.text).to.contain('Call facts').and.contain('Talk: operator / caller').and.contain('Greeting').and.contain('id="waveform"');
    expect(page.text).to.contain(`<audio controls preload="none" src="/calls/${callId}/audio"`);
  });

  it('serves peaks for wavesurfer: per channel, values in -1..1, with the duration', async () => {
    const { agent } = await as(org.supervisor);
    const res = await agent.get(`/calls/${callId}/peaks`);
    expect(res.status).to.equal(200);
    expect(res.body.channels).to.equal(2);
    expect(res.body.duration).to.be.closeTo(6, 0.05);
    expect(res.body.peaks).to.have.length(2);
    expect(res.body.peaks[0].length).to.be.closeTo(res.body.duration * res.body.peaksPerSecond, 4);
    const flat: number[] = res.body.peaks.flat();
    expect(flat.every((v) => v >= -1 && v <= 1)).to.equal(true);
    expect(Math.max(...flat)).to.be.above(0.05);
  });

  it('serves the stored binary peaks at /peaks.dat, the same waveform the JSON describes', async () => {
    const { agent } = await as(org.specialist);
    const res = await agent.get(`/calls/${callId}/peaks.dat`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.contain('application/octet-stream');
    const peaks = decodePeaksDat(res.body as Buffer);
    expect(peaks.channels).to.equal(2);
    expect((peaks.length * peaks.samplesPerPixel) / peaks.sampleRate).to.be.closeTo(6, 0.1);
    for (const u of [org.leadership, org.otherSupervisor]) {
      expect((await (await as(u)).agent.get(`/calls/${callId}/peaks.dat`)).status, u.username).to.equal(403);
    }
  });

  it('serves a coarse overview of the peaks at /peaks-overview.dat: a short call gets its whole detail, marked as not reduced', async () => {
    const { agent } = await as(org.specialist);
    const binary = (r: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    };
    const overview = await agent.get(`/calls/${callId}/peaks-overview.dat`).buffer(true).parse(binary);
    const detail = await agent.get(`/calls/${callId}/peaks.dat`).buffer(true).parse(binary);
    expect(overview.status).to.equal(200);
    expect(overview.headers['x-peaks-reduced']).to.equal('0');
    expect(Buffer.compare(overview.body as Buffer, detail.body as Buffer)).to.equal(0);
    for (const u of [org.leadership, org.otherSupervisor]) {
      expect((await (await as(u)).agent.get(`/calls/${callId}/peaks-overview.dat`)).status, u.username).to.equal(403);
    }
  });

  describe('audio', () => {

    it('answers a Range request with 206, Content-Range and Content-Length', async () => {
      const { agent } = await as(org.specialist);
      const size = Number((await t.db('recordings').where({ id: recordingId }).first()).size_bytes);
      const whole = await agent.get(`/calls/${callId}/audio`).buffer(true);
      expect(whole.status).to.equal(200);
      expect(whole.headers['content-type']).to.equal('audio/wav');
      expect(whole.headers['accept-ranges']).to.equal('bytes');
      expect(Number(whole.headers['content-length'])).to.equal(size);

      const fromZero = await agent.get(`/calls/${callId}/audio`).set('Range', 'bytes=0-').buffer(true);
      expect(fromZero.status).to.equal(206);
      expect(fromZero.headers['content-range']).to.equal(`bytes 0-${size - 1}/${size}`);

      const seek = await agent.get(`/calls/${callId}/audio`).set('Range', 'bytes=1000-1999').buffer(true);
      expect(seek.status).to.equal(206);
      expect(seek.headers['content-range']).to.equal(`bytes 1000-1999/${size}`);
      expect(Number(seek.headers['content-length'])).to.equal(1000);
    });

    it('records one listening per user and call: the first request of any range, again after 30 minutes, never HEAD', async () => {
      const { agent } = await as(org.supervisor);
      const mine = () => t.db('audit_log').where({ action: 'recording.play', entity_id: String(callId), user_id: org.supervisor.id }).orderBy('id');
      expect(await mine()).to.have.length(0);
      expect((await agent.head(`/calls/${callId}/audio`)).status).to.equal(200);
      expect(await mine(), 'HEAD is no listening').to.have.length(0);

      // A client that never asks for byte 0 is recorded all the same.
      expect((await agent.get(`/calls/${callId}/audio`).set('Range', 'bytes=20000-')).status).to.equal(206);
      expect(await mine()).to.have.length(1);
      for (const range of ['bytes=0-', 'bytes=1000-1999', 'bytes=0-1']) {
        expect((await agent.get(`/calls/${callId}/audio`).set('Range', range)).status).to.equal(206);
      }
      expect((await agent.get(`/calls/${callId}/audio`)).status).to.equal(200);
      expect(await mine(), 'the same listening').to.have.length(1);
      const row = (await mine())[0];
      expect(JSON.parse(row.details)).to.include({ recordingId, range: 'bytes=20000-' });

      clockOffsetMs = 31 * 60_000;
      try {
        expect((await agent.get(`/calls/${callId}/audio`).set('Range', 'bytes=0-')).status).to.equal(206);
        expect(await mine(), 'a new listening after the window').to.have.length(2);
      } finally {
        clockOffsetMs = 0;
      }
    });

    it('is refused to leadership, to another team\'s supervisor and to strangers', async () => {
      for (const u of [org.leadership, org.otherSupervisor]) {
        const { agent } = await as(u);
        expect((await agent.get(`/calls/${callId}/audio`)).status, u.username).to.equal(403);
        expect((await agent.get(`/calls/${callId}/peaks`)).status, u.username).to.equal(403);
        expect((await agent.get(`/calls/${callId}`)).status, u.username).to.equal(403);
      }
      const anon = await request(t.app).get(`/calls/${callId}/audio`);
      expect(anon.status).to.equal(302);
      expect(await t.db('audit_log').where({ action: 'recording.play' }).whereIn('user_id', [org.leadership.id, org.otherSupervisor.id])).to.have.length(0);
    });

    it('an operator account hears its own calls only, and sees the caller number masked', async () => {
      const { agent } = await as(org.operatorUser);
      const page = await agent.get(`/calls/${callId}`);
      expect(page.status).to.equal(200);
      expect(page.text).not.to.contain('+998901234567');
      expect(page.text).to.contain('+998•••••••67');
      expect(page.text).not.to.contain('/evaluate"');
      expect((await agent.get(`/calls/${callId}/audio`).set('Range', 'bytes=0-99')).status).to.equal(206);
      expect((await agent.get(`/calls/${otherCallId}/audio`)).status).to.equal(403);
      expect((await agent.get(`/calls/${otherCallId}`)).status).to.equal(403);
    });
  });

  it('makes a browser rendition when the original cannot play in Chrome, and serves it', async () => {
    const r = await addCall(threeChannelWav(dir, 'three.wav'));
    await ensureRecordingPrepared(t, r.recordingId!);
    await t.jobs.drain();
    const rec = await t.db('recordings').where({ id: r.recordingId }).first();
    expect(rec.status).to.equal('ready');
    expect(rec.rendition_key).to.equal(`${rec.storage_key}.mp3`);
    const { agent } = await as(org.admin);
    const res = await agent.get(`/calls/${r.callId}/audio`).set('Range', 'bytes=0-99').buffer(true);
    expect(res.status).to.equal(206);
    expect(res.headers['content-type']).to.equal('audio/mpeg');
  });

  it('shows a failed preparation with the reason and a Retry button that queues it again', async () => {
    // A file that got into the store without passing the probe (say, an old import): preparation refuses it.
    const junk = path.join(dir, 'junk.bin');
    fs.writeFileSync(junk, 'definitely not audio '.repeat(100));
    const stored = await storeRecording(junk, t.config.recordingsDir);
    const recId = await insertRecording(t.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'junk.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 1, durationSec: 1, mimeType: 'audio/wav', hasVideo: false });
    const id = await makeCall(t.db, { operatorId: org.operatorId, recordingId: recId, startedAt: new Date(Date.now() - 7200_000).toISOString() });
    const { agent } = await as(org.specialist);
    await agent.get(`/calls/${id}`);
    await t.jobs.drain();
    expect((await t.db('recordings').where({ id: recId }).first()).status).to.equal('failed');
    const page = await agent.get(`/calls/${id}`);
    expect(page.text).to.contain('Preparation failed').and.contain('This is not an audio or video recording').and.contain(`action="/calls/${id}/prepare"`);
    const job = await t.db('jobs').where({ dedupe_key: prepareDedupeKey(recId) }).first();
    expect(job.status).to.equal('failed');
    expect(job.attempts).to.equal(1); // a refused recording is not retried automatically

    const retry = await agent.post(`/calls/${id}/prepare`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(retry.status).to.equal(302);
    expect((await t.db('jobs').where({ id: job.id }).first()).status).to.equal('queued');
    expect(await t.db('audit_log').where({ action: 'recording.prepareRetry', entity_id: String(id) })).to.have.length(1);
    const again = await agent.get(`/calls/${id}`);
    expect(again.text).to.contain('Preparing: waiting in the queue');
  });

  it('the Retry button needs the CSRF token and a role that works with calls', async () => {
    const { agent } = await as(org.specialist);
    expect((await agent.post(`/calls/${callId}/prepare`).type('form').send({})).status).to.equal(403);
    const lead = await as(org.leadership);
    const page = await lead.agent.get('/');
    expect((await lead.agent.post(`/calls/${callId}/prepare`).type('form').send({ _csrf: csrfFrom(page.text) })).status).to.equal(403);
  });

  it('ensureRecordingPrepared queues one job per recording and none for a ready one', async () => {
    const before = await countRows(t.db, 'jobs');
    const state = await ensureRecordingPrepared(t, recordingId);
    expect(state?.status).to.equal('ready');
    expect(await countRows(t.db, 'jobs')).to.equal(before);
    expect(await ensureRecordingPrepared(t, 999999)).to.equal(null);
  });

  it('answers 404 for a call that does not exist, and for a call without a recording\'s audio', async () => {
    const { agent } = await as(org.specialist);
    expect((await agent.get('/calls/999999')).status).to.equal(404);
    expect((await agent.get('/calls/abc')).status).to.equal(404);
    const bare = await makeCall(t.db, { operatorId: org.operatorId });
    const res = await agent.get(`/calls/${bare}/audio`).set('Accept', 'application/json');
    expect(res.status).to.equal(404);
    expect(res.body.error.key).to.equal('calls.audio.none');
    expect((await agent.get(`/calls/${bare}`)).text).to.contain('No recording came with this call');
  });
});
