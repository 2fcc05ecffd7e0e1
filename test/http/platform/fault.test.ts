// Crash faults, for real: the app runs as a child process and is killed with SIGKILL at random
// moments of an import, a media preparation, an evaluation submit and a digest send, then
// restarted after 2 s. In the end every piece of work is done once — no call imported twice, the
// recording prepared, one submitted evaluation with its errors once, one digest e-mail — no job is
// left running or failed, and SQLite's integrity check is ok. Bounded: 5 kills, about a minute.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { makeOperator, makeTeam, makeUser, makeCall, TEST_PASSWORD } from '../../helpers/builders';
import { CookieJar, createSharedDb, csrfIn, fetchWith, signInOver, sleep, startApp, waitUntil, type AppProcess, type SharedDb } from '../../helpers/processes';
import { JobQueue } from '../../../src/jobs/queue';
import { ensureRecordingPrepared } from '../../../src/features/calls/recordings.service';
import { insertRecording } from '../../../src/features/calls/recordings.repository';
import { storeRecording } from '../../../src/features/media/store';
import { synthesizeCallWav } from '../../../src/features/media/synth';
import { mulberry32 } from '../../../src/random';
import { addDays, tashkentDate } from '../../../src/time';
import { startSmtp, parseMail, type TestSmtp } from '../digests/smtp';
import { bestAnswers } from '../evaluations/eval-builders';

const KILLS = 5;
const IMPORT_ROWS = 20_000;

describe('killed at random moments (SIGKILL, restarted after 2 s), the app loses and repeats nothing', function () {
  this.timeout(240_000);
  let shared: SharedDb;
  let smtp: TestSmtp;
  let dir: string;
  let app: AppProcess | null = null;

  before(async () => {
    shared = await createSharedDb();
    smtp = await startSmtp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-fault-'));
  });
  after(async () => {
    await app?.stop();
    await smtp.close();
    await shared.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an import, a media preparation, an evaluation submit and a digest send each finish once', async () => {
    const started = Date.now();
    const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100000);
    const rand = mulberry32(seed);
    const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
    const recordings = path.join(dir, 'recordings');
    const env = { DATABASE_URL: shared.url, RECORDINGS_DIR: recordings, JOB_LEASE_SECONDS: '2', JOB_CONCURRENCY: '2', SMTP_URL: smtp.url, APP_BASE_URL: 'https://sifat.example.uz' };

    // The people and the work.
    const admin = await makeUser(shared.db, { role: 'admin', language: 'en' });
    const specialist = await makeUser(shared.db, { role: 'specialist', language: 'en' });
    const supervisor = await makeUser(shared.db, { role: 'supervisor', language: 'en', email: 'nodira@example.uz' });
    const team = await makeTeam(shared.db, { supervisorUserId: supervisor.id });
    const operatorId = await makeOperator(shared.db, { teamId: team, code: 'OP-FAULT' });
    fs.mkdirSync(recordings, { recursive: true });
    // A real stored recording: every arriving recording is analysed (media.analyse), so a row
    // without its file would leave a failed job behind.
    const evalWav = path.join(dir, 'eval.wav');
    fs.writeFileSync(evalWav, synthesizeCallWav({ seed: 6, durationSec: 95 }));
    const evalStored = await storeRecording(evalWav, recordings);
    const evalRecId = await insertRecording(shared.db, { sha256: evalStored.sha256, storageKey: evalStored.storageKey, originalName: 'eval.wav', sizeBytes: evalStored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 95, mimeType: 'audio/wav', hasVideo: false });
    const evalCall = await makeCall(shared.db, { operatorId, recordingId: evalRecId });
    const wav = path.join(dir, 'long.wav');
    fs.writeFileSync(wav, synthesizeCallWav({ seed: 5, durationSec: 90 }));
    const stored = await storeRecording(wav, recordings);
    const recId = await insertRecording(shared.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'long.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 90, mimeType: 'audio/wav', hasVideo: false });
    await makeCall(shared.db, { operatorId, recordingId: recId });
    const lines = ['external_id,started_at,operator_code,language'];
    for (let i = 0; i < IMPORT_ROWS; i++) lines.push(`F-${i},2026-11-20 ${String(8 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,OP-FAULT,uz`);
    const manifest = `${lines.join('\n')}\n`;

    const restart = async () => {
      app = await startApp(env);
    };
    const kill = async (what: string, afterMs: number) => {
      await sleep(afterMs);
      app!.kill('SIGKILL');
      await app!.exited;
      kills.push(`${what} +${afterMs} ms`);
      await sleep(2000);
    };
    const kills: string[] = [];
    const adminJar = new CookieJar();
    const specialistJar = new CookieJar();
    const supervisorJar = new CookieJar();

    // 1. An import, uploaded on the page; killed while it runs.
    await restart();
    await signInOver(app!.baseUrl, admin.username, TEST_PASSWORD, adminJar);
    const form = new FormData();
    form.set('_csrf', csrfIn(await (await fetchWith(adminJar, `${app!.baseUrl}/admin/imports`)).text()));
    form.set('source', 'telephony');
    form.set('manifest', new Blob([manifest], { type: 'text/csv' }), 'calls.csv');
    const upload = await fetchWith(adminJar, `${app!.baseUrl}/admin/imports`, { method: 'POST', body: form });
    expect(upload.status).to.equal(303);
    const importId = Number(/(\d+)$/.exec(upload.headers.get('location')!)![1]);
    await kill('import', between(300, 1200));

    // 2. A media preparation (the import resumes beside it).
    await restart();
    await ensureRecordingPrepared({ db: shared.db, jobs: new JobQueue(shared.db, { concurrency: 1 }) }, recId);
    await kill('media preparation', between(100, 900));

    // 3. An evaluation submit: the request goes out and the process dies around its answer.
    await restart();
    await signInOver(app!.baseUrl, specialist.username, TEST_PASSWORD, specialistJar);
    const token = csrfIn(await (await fetchWith(specialistJar, `${app!.baseUrl}/`)).text());
    const opened = await fetchWith(specialistJar, `${app!.baseUrl}/calls/${evalCall}/evaluate`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token }).toString() });
    expect(opened.status).to.equal(303);
    const evaluationId = Number(/(\d+)$/.exec(opened.headers.get('location')!)![1]);
    const body = JSON.stringify({ revision: 0, answers: { ...bestAnswers(), 'ROUTE-1': { value: 0, na: false } }, played: [[0, 95]], confirmLowHeard: true });
    const submit = () => fetchWith(specialistJar, `${app!.baseUrl}/evaluations/${evaluationId}/submit`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token }, body });
    const firstSubmit = submit().then((r) => r.status, () => 'lost' as const);
    await kill('evaluation submit', between(0, 40));
    const firstAnswer = await firstSubmit;

    // 4. A digest with its e-mail.
    await restart();
    await signInOver(app!.baseUrl, supervisor.username, TEST_PASSWORD, supervisorJar);
    const today = tashkentDate(new Date());
    const digestRes = await fetchWith(supervisorJar, `${app!.baseUrl}/digests`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfIn(await (await fetchWith(supervisorJar, `${app!.baseUrl}/`)).text()), scope: `supervisor:${supervisor.id}`, from: addDays(today, -7), to: addDays(today, -1), send: '1' }).toString(),
    });
    expect(digestRes.status).to.equal(302);
    const digestId = Number(/(\d+)$/.exec(digestRes.headers.get('location')!)![1]);
    await kill('digest send', between(0, 300));

    // 5. Whatever runs at that moment.
    await restart();
    await kill('anything', between(200, 1500));
    expect(kills).to.have.length(KILLS);

    // The last start: everything finishes by itself.
    await restart();
    const undone = () => shared.db('jobs').whereNot('status', 'done');
    await waitUntil(async () => (await undone()).length === 0 && (await shared.db('imports').where({ id: importId }).first()).status === 'done', 60_000, 'every job to finish').catch(async (e) => {
      throw new Error(`${(e as Error).message}\njobs not done: ${JSON.stringify(await undone())}\nimport: ${JSON.stringify(await shared.db('imports').where({ id: importId }).first('status', 'progress', 'error_key', 'error_params'))}\n${app?.output() ?? ''}`);
    });
    let resubmit: number | null = null;
    if ((await shared.db('evaluations').where({ id: evaluationId }).first()).status !== 'submitted' || firstAnswer === 'lost') resubmit = (await submit()).status;
    await sleep(300);
    await app!.stop();
    app = null;
    const elapsed = Date.now() - started;
    // eslint-disable-next-line no-console
    console.log(`      seed ${seed}; kills: ${kills.join(', ')}; first submit answer: ${firstAnswer}${resubmit === null ? '' : `, resubmitted: ${resubmit}`}; ${Math.round(elapsed / 1000)} s`);

    // Every job done, none failed, none left running; each run at most once per kill and once more.
    const jobs = await shared.db('jobs').select('type', 'status', 'attempts', 'dedupe_key');
    expect(jobs.filter((j) => j.status !== 'done'), JSON.stringify(jobs)).to.have.length(0);
    expect(jobs.every((j) => Number(j.attempts) >= 1 && Number(j.attempts) <= KILLS + 1)).to.equal(true);
    // The import: every call once, all counted as accepted.
    const imp = await shared.db('imports').where({ id: importId }).first();
    expect([imp.status, Number(imp.accepted_count), Number(imp.already_count)]).to.deep.equal(['done', IMPORT_ROWS, 0]);
    const calls = await shared.db('calls').where({ import_id: importId }).count({ n: '*' }).countDistinct({ ids: 'external_id' }).first();
    expect([Number(calls!.n), Number(calls!.ids)]).to.deep.equal([IMPORT_ROWS, IMPORT_ROWS]);
    // The recording: prepared, its peaks on disk, one job.
    const rec = await shared.db('recordings').where({ id: recId }).first();
    expect(rec.status).to.equal('ready');
    expect(fs.existsSync(path.join(recordings, rec.peaks_key))).to.equal(true);
    // Prepared once at most: a WAV the browser plays as it is may already be ready from its arrival
    // analysis (media.analyse), and then no preparation job is needed.
    expect(await shared.db('jobs').where({ type: 'media.prepare', dedupe_key: `prepare:recording:${recId}` })).to.have.length.at.most(1);
    expect(await shared.db('jobs').where({ type: 'media.analyse', dedupe_key: `analyse:recording:${recId}` })).to.have.length(1);
    // The evaluation: submitted once, its one failed criterion an error once, audited once.
    const evaluations = await shared.db('evaluations').where({ call_id: evalCall });
    expect(evaluations.map((e) => e.status)).to.deep.equal(['submitted']);
    expect(await shared.db('errors').where({ evaluation_id: evaluationId })).to.have.length(1);
    expect(await shared.db('audit_log').where({ action: 'evaluation.submit', entity_id: String(evaluationId) })).to.have.length(1);
    expect(resubmit === null || [200, 409].includes(resubmit), `a resubmit answers the stored result or "already submitted", not an error: ${resubmit}`).to.equal(true);
    // The digest: stored once, e-mailed once.
    expect(await shared.db('digests')).to.have.length(1);
    expect((await shared.db('digests').where({ id: digestId }).first()).delivery_status).to.equal('sent');
    const ids = smtp.received.map((m) => parseMail(m.raw).headers['message-id']);
    expect(new Set(ids).size, 'one digest e-mail').to.equal(1);
    expect(ids.length, `copies of it received: ${ids.length}`).to.equal(1);
    // The database survived every kill.
    if (shared.dialect === 'sqlite') {
      const check = await shared.db.raw('pragma integrity_check');
      expect(check).to.deep.equal([{ integrity_check: 'ok' }]);
    }
  });
});
