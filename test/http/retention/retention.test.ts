// Retention and legal hold end to end: policies set by an administrator, the dry run, the daily
// purge deleting only files (shared recordings and held calls kept), the append-only log, and the
// call page saying what happened.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeUser } from '../../helpers/builders';
import { makeEvaluation, makeRubricVersion } from '../errors/builders';
import { makeErrorRecord } from '../reports/report-builders';
import { storeRecording, resolveStored, peaksKey, renditionKey, writeFileAtomic, synthesizeCallWav } from '../../../src/features/media';
import { insertRecording } from '../../../src/features/calls/recordings.repository';
import { planPurge, runPurge, purgeScheduleTick, PURGE_JOB } from '../../../src/features/retention/retention.service';
import { tempDir } from '../calls/calls-fixtures';
import { createApiToken } from '../../../src/features/calls/api-tokens.service';

const NOW = new Date('2026-12-07T10:00:00Z'); // 15:00 in Tashkent
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

describe('retention and legal hold', function () {
  this.timeout(60_000);
  let t: TestApp;
  let dir: string;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let operatorId: number;
  let seed = 100;
  let oldBytes: Buffer;

  before(async () => {
    t = await createTestApp({ clock: () => NOW });
    dir = tempDir('sifat-retention-');
    const a = await makeUser(t.db, { role: 'admin' });
    admin = await signIn(t.app, a.username, a.password);
    operatorId = await makeOperator(t.db);
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  /** A stored recording with its rendition and peaks files, as preparation leaves it. */
  async function recording() {
    const file = path.join(dir, `r${++seed}.wav`);
    const bytes = synthesizeCallWav({ seed, durationSec: 1 });
    fs.writeFileSync(file, bytes);
    const stored = await storeRecording(file, t.config.recordingsDir);
    const id = await insertRecording(t.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'r.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 1, mimeType: 'audio/wav', hasVideo: false });
    const rKey = renditionKey(stored.storageKey, 'mp3');
    const pKey = peaksKey(stored.storageKey);
    await writeFileAtomic(resolveStored(t.config.recordingsDir, rKey), Buffer.from('mp3'));
    await writeFileAtomic(resolveStored(t.config.recordingsDir, pKey), Buffer.from('peaks'));
    await t.db('recordings').where({ id }).update({ rendition_key: rKey, peaks_key: pKey, status: 'ready' });
    const files = [stored.storageKey, rKey, pKey].map((k) => resolveStored(t.config.recordingsDir, k));
    return { id, sha256: stored.sha256, files, bytes };
  }
  async function evaluate(callId: number, o: { withError?: boolean } = {}) {
    const spec = await makeUser(t.db, { role: 'specialist' });
    const { evaluationId } = await makeEvaluation(t.db, { callId, operatorId, specialistId: spec.id, rubricVersionId: await makeRubricVersion(t.db), submittedAt: daysAgo(99) });
    if (o.withError) await makeErrorRecord(t.db, { evaluationId, callId, operatorId, date: '2026-08-30', category: 'info' });
    return evaluationId;
  }
  const exists = (files: string[]) => files.map((f) => fs.existsSync(f));

  it('shows the administrator the policies with empty states for holds and the deletion log; others are refused', async () => {
    const page = await admin.agent.get('/admin/retention');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Retention periods').and.contain('No legal holds').and.contain('Nothing deleted yet');
    expect(page.text).to.contain('value="90"').and.contain('value="365"');
    for (const role of ['specialist', 'supervisor', 'leadership'] as const) {
      const u = await makeUser(t.db, { role });
      const { agent } = await signIn(t.app, u.username, u.password);
      expect((await agent.get('/admin/retention')).status, role).to.equal(403);
    }
    expect((await admin.agent.get('/admin/retention/preview')).text).to.contain('Nothing to delete');
  });

  it('saves policies (audited) and refuses a bad one with a field message, changing nothing', async () => {
    const bad = await admin.agent.post('/admin/retention/policies').type('form').send({ _csrf: await admin.csrf(), not_evaluated: 'soon', evaluated: '365', flagged: '1825', training: '' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Enter whole days from 1 to 36');
    expect((await t.db('retention_policies').where({ call_class: 'not_evaluated' }).first()).days).to.equal(90);
    const ok = await admin.agent.post('/admin/retention/policies').type('form').send({ _csrf: await admin.csrf(), not_evaluated: '60', evaluated: '365', flagged: '1825', training: '' });
    expect(ok.status).to.equal(303);
    const rows = await t.db('retention_policies').orderBy('call_class');
    expect(Object.fromEntries(rows.map((r) => [r.call_class, r.days]))).to.deep.equal({ evaluated: 365, flagged: 1825, not_evaluated: 60, training: null });
    const log = await t.db('audit_log').where({ action: 'retention.policyUpdate' }).first();
    expect(JSON.parse(log.details)).to.deep.equal({ not_evaluated: { from: 90, to: 60 }, training: { from: 3650, to: null } });
  });

  it('purges only what is past its period and not held: files go, calls and evaluations stay, each deletion logged', async () => {
    // 60 days for unevaluated calls (set above), 365 for evaluated ones, 1825 for calls with errors.
    const old = await recording();
    oldBytes = old.bytes;
    const oldCall = await makeCall(t.db, { operatorId, recordingId: old.id, startedAt: daysAgo(100), externalId: 'RET-OLD' });
    const evaluatedRec = await recording();
    const evaluatedCall = await makeCall(t.db, { operatorId, recordingId: evaluatedRec.id, startedAt: daysAgo(100), externalId: 'RET-EVAL' });
    const evaluationId = await evaluate(evaluatedCall);
    const flaggedRec = await recording();
    const flaggedCall = await makeCall(t.db, { operatorId, recordingId: flaggedRec.id, startedAt: daysAgo(400), externalId: 'RET-FLAG' });
    await evaluate(flaggedCall, { withError: true });
    const shared = await recording();
    await makeCall(t.db, { operatorId, recordingId: shared.id, startedAt: daysAgo(100), externalId: 'RET-SHARED-OLD' });
    await makeCall(t.db, { operatorId, recordingId: shared.id, startedAt: daysAgo(5), externalId: 'RET-SHARED-NEW' });
    const heldRec = await recording();
    const heldCall = await makeCall(t.db, { operatorId, recordingId: heldRec.id, startedAt: daysAgo(100), externalId: 'RET-HELD' });

    const place = await admin.agent.post('/admin/retention/holds').type('form').send({ _csrf: await admin.csrf(), call: 'RET-HELD', reason: 'Prokuratura so‘rovi № 12/4-871' });
    expect(place.status).to.equal(303);

    // The dry run lists exactly what will go, and what a hold keeps; it deletes nothing.
    const plan = await planPurge(t, NOW);
    expect(plan.due.map((i) => i.recordingId)).to.deep.equal([old.id]);
    expect(plan.held.map((i) => i.recordingId)).to.deep.equal([heldRec.id]);
    const preview = await admin.agent.get('/admin/retention/preview');
    expect(preview.text).to.contain('RET-OLD').and.contain('RET-HELD').and.not.contain('RET-EVAL');
    expect(exists(old.files)).to.deep.equal([true, true, true]);

    const out = await runPurge(t, NOW);
    expect(out).to.deep.equal({ deleted: 1, bytes: Number((await t.db('recordings').where({ id: old.id }).first()).size_bytes), held: 1 });
    expect(exists(old.files)).to.deep.equal([false, false, false]);
    for (const r of [evaluatedRec, flaggedRec, shared, heldRec]) expect(exists(r.files)).to.deep.equal([true, true, true]);
    expect(await t.db('calls').where({ id: oldCall }).first()).to.include({ recording_id: old.id });
    expect(await t.db('evaluations').where({ id: evaluationId }).first()).to.not.equal(undefined);

    const log = await t.db('retention_deletions');
    expect(log).to.have.length(1);
    expect(log[0]).to.include({ recording_id: old.id, sha256: old.sha256, call_class: 'not_evaluated', policy_days: 60, deleted_by: null });
    expect(JSON.parse(log[0].files)).to.deep.equal(['original', 'rendition', 'peaks']);
    expect(JSON.parse(log[0].call_ids)).to.deep.equal([oldCall]);

    // Running again deletes nothing more (and says so).
    expect(await runPurge(t, NOW)).to.deep.equal({ deleted: 0, bytes: 0, held: 1 });
  });

  it('the call page says when and under which policy the recording was deleted, and the audio answers 410', async () => {
    const call = await t.db('calls').where({ external_id: 'RET-OLD' }).first('id');
    const page = await admin.agent.get(`/calls/${call.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('The recording was deleted on 07.12.2026 under the retention policy “Not evaluated” (60 days)');
    expect(page.text).not.to.contain('id="call-player"');
    const audio = await admin.agent.get(`/calls/${call.id}/audio`);
    expect(audio.status).to.equal(410);
    expect((await admin.agent.get(`/calls/${call.id}/peaks.dat`)).status).to.equal(410);
    const held = await t.db('calls').where({ external_id: 'RET-HELD' }).first('id');
    expect((await admin.agent.get(`/calls/${held.id}`)).text).to.contain('Legal hold since').and.contain('Prokuratura so‘rovi № 12/4-871');
  });

  it('a hold is released only with a reason; then the next purge deletes the recording', async () => {
    const hold = await t.db('legal_holds').first('id', 'call_id');
    const noReason = await admin.agent.post(`/admin/retention/holds/${hold.id}/release`).type('form').send({ _csrf: await admin.csrf(), reason: '  ' });
    expect(noReason.status).to.equal(400);
    expect(noReason.text).to.contain('Give the reason.');
    expect((await t.db('legal_holds').where({ id: hold.id }).first()).released_at).to.equal(null);
    const ok = await admin.agent.post(`/admin/retention/holds/${hold.id}/release`).type('form').send({ _csrf: await admin.csrf(), reason: 'Tergov yopildi' });
    expect(ok.status).to.equal(303);
    expect(await t.db('audit_log').where({ action: 'retention.holdReleased' })).to.have.length(1);
    const again = await admin.agent.post(`/admin/retention/holds/${hold.id}/release`).type('form').send({ _csrf: await admin.csrf(), reason: 'twice' });
    expect(again.status).to.equal(409);
    expect(await runPurge(t, NOW)).to.include({ deleted: 1, held: 0 });
  });

  it('refuses a hold on an unknown call or without a reason, with field messages', async () => {
    const res = await admin.agent.post('/admin/retention/holds').type('form').send({ _csrf: await admin.csrf(), call: 'NO-SUCH-CALL', reason: 'x' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('No call “NO-SUCH-CALL” was found.');
    const none = await admin.agent.post('/admin/retention/holds').type('form').send({ _csrf: await admin.csrf(), call: 'RET-EVAL', reason: '' });
    expect(none.text).to.contain('Give the reason.');
  });

  it('the deletion log is append-only: the database refuses to change or remove an entry', async () => {
    const row = await t.db('retention_deletions').first('id');
    let updateError: unknown = null;
    let deleteError: unknown = null;
    await t.db('retention_deletions').where({ id: row.id }).update({ sha256: 'f'.repeat(64) }).catch((e) => (updateError = e));
    await t.db('retention_deletions').where({ id: row.id }).delete().catch((e) => (deleteError = e));
    expect(String(updateError)).to.contain('append-only');
    expect(String(deleteError)).to.contain('append-only');
    expect((await admin.agent.get('/admin/retention/deletions')).text).to.contain(row ? 'daily purge' : '');
  });

  it('schedules one purge a day at RETENTION_PURGE_TIME, Tashkent time', async () => {
    const tick = purgeScheduleTick(t);
    await tick(new Date('2026-12-07T21:30:00Z')); // 02:30 on the 8th in Tashkent: not yet
    expect(await t.db('jobs').where({ type: PURGE_JOB })).to.have.length(0);
    await tick(new Date('2026-12-07T22:05:00Z')); // 03:05 on the 8th
    await tick(new Date('2026-12-07T22:06:00Z'));
    const jobs = await t.db('jobs').where({ type: PURGE_JOB });
    expect(jobs.map((j) => j.dedupe_key)).to.deep.equal(['retention:purge:2026-12-08']);
  });

  it('the same bytes arriving again bring a purged recording back for the new call (and the old one)', async () => {
    const a = await makeUser(t.db, { role: 'admin' });
    const token = (await createApiToken(t, { name: 'tel' }, { userId: a.id })).token;
    const operatorCode = (await t.db('operators').where({ id: operatorId }).first('employee_code')).employee_code;
    const res = await request(t.app).post('/api/v1/calls').set('Authorization', `Bearer ${token}`)
      .field('metadata', JSON.stringify({ externalId: 'RET-AGAIN', startedAt: '2026-12-06T09:00:00+05:00', operatorCode, language: 'uz' }))
      .attach('recording', oldBytes, 'again.wav');
    expect(res.status).to.equal(201);
    expect(res.body.recordingId).to.equal((await t.db('calls').where({ external_id: 'RET-OLD' }).first('recording_id')).recording_id);
    const rec = await t.db('recordings').where({ id: res.body.recordingId }).first();
    expect(rec.purged_at).to.equal(null);
    expect((await admin.agent.get(`/calls/${res.body.callId}/audio`)).status).to.equal(200);
    expect(await t.db('retention_deletions').where({ recording_id: rec.id })).to.have.length(1); // the history stays
  });

  it('an anonymous visitor is sent to sign in', async () => {
    const res = await request(t.app).get('/admin/retention');
    expect(res.status).to.equal(302);
  });
});
