// Crash recovery inside one process: work a stopped instance left half-done resumes by itself
// (continuously, not only at start), an import whose process died says so instead of "running"
// for ever, and Retry takes back a stuck job. (Real processes killed with SIGKILL: fault.test.ts.)
import fs from 'node:fs';
import { expect } from 'chai';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeUser } from '../../helpers/builders';
import { JobLostError, JobQueue } from '../../../src/jobs/queue';
import { importsFeature } from '../../../src/features/imports';
import { IMPORT_JOB, interruptedImportsTick, runImportJob } from '../../../src/features/imports/imports.service';
import * as importsRepo from '../../../src/features/imports/imports.repository';
import { ensureRecordingPrepared, prepareDedupeKey } from '../../../src/features/calls/recordings.service';
import { insertRecording } from '../../../src/features/calls/recordings.repository';
import { storeRecording } from '../../../src/features/media/store';
import { stagingDir } from '../../../src/features/imports/imports.files';
import { tempDir, wavFile } from '../calls/calls-fixtures';

const ROWS = 20_000;

function manifest(rows: number): Buffer {
  const lines = ['external_id,started_at,operator_code,language,category'];
  for (let i = 1; i <= rows; i++) lines.push(`CR-${String(i).padStart(6, '0')},2026-11-20 ${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,OP-CR,uz,medical`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('crash recovery: work left by a stopped instance', function () {
  this.timeout(60_000);
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;

  before(async () => {
    t = await createTestApp();
    await makeOperator(t.db, { code: 'OP-CR' });
    const a = await makeUser(t.db, { role: 'admin', language: 'en' });
    admin = await signIn(t.app, a.username, a.password);
  });
  after(() => t.close());

  it('a web import killed at 25 % finishes on its own on another instance: every call stored once and counted as accepted', async () => {
    const page = await admin.agent.get('/admin/imports');
    const res = await admin.agent.post('/admin/imports').field('_csrf', csrfFrom(page.text)).field('source', 'telephony').attach('manifest', manifest(ROWS), 'calls.csv');
    expect(res.status).to.equal(303);
    const importId = Number(/\/admin\/imports\/(\d+)/.exec(res.headers.location)![1]);
    const job = await t.db('jobs').where({ type: IMPORT_JOB }).first();

    // The first instance takes the job and dies a quarter of the way in: its claim stays on the row.
    await t.db('jobs').where({ id: job.id }).update({ status: 'running', attempts: 1, locked_by: 'crashed:1:x#1', locked_at: new Date().toISOString() });
    let diedAt = -1;
    const dying = {
      holder: 'crashed:1:x#1',
      signal: new AbortController().signal,
      assertHeld: async () => undefined,
      progress: async (p: number) => {
        if (p >= 25) {
          diedAt = p;
          throw new JobLostError(job.id); // nothing more is written after this point, as with SIGKILL
        }
      },
    };
    await runImportJob(t, job.payload ? JSON.parse(job.payload) : {}, dying).catch((e) => {
      if (!(e instanceof JobLostError)) throw e;
    });
    expect(diedAt).to.be.within(25, 60);
    const half = await importsRepo.findImport(t.db, importId);
    expect(half?.status).to.equal('running');
    const storedBefore = Number((await t.db('calls').where({ import_id: importId }).count({ n: '*' }).first())!.n);
    expect(storedBefore).to.be.greaterThan(0).and.lessThan(ROWS);

    // Another instance is running all along (no restart): it takes the job back once the lease lapsed.
    const other = new JobQueue(t.db, { concurrency: 1, leaseMs: 500, pollMs: 50 });
    for (const [type, handler] of Object.entries(importsFeature.jobHandlers!(t))) other.register(type, handler);
    other.start();
    try {
      expect(await waitFor(async () => (await importsRepo.findImport(t.db, importId))?.status === 'done', 30_000), 'the import finished by itself').to.equal(true);
    } finally {
      await other.stop();
    }
    const done = (await importsRepo.findImport(t.db, importId))!;
    expect(done.acceptedCount).to.equal(ROWS);
    expect(done.alreadyCount).to.equal(0);
    expect(done.totalRows).to.equal(ROWS);
    const counts = await t.db('calls').where({ import_id: importId }).count({ n: '*' }).countDistinct({ ids: 'external_id' }).first();
    expect(Number(counts!.n)).to.equal(ROWS);
    expect(Number(counts!.ids)).to.equal(ROWS);
    const finished = await t.db('jobs').where({ id: job.id }).first();
    expect(finished.status).to.equal('done');
    expect(Number(finished.attempts)).to.equal(2);
    expect(fs.existsSync(stagingDir(t.config.recordingsDir, importId)), 'the staged upload is cleaned up').to.equal(false);
  });

  it('a command-line import whose process stopped is shown as interrupted, not as running for ever; a slow one still working is left alone', async () => {
    const clockAt = (ms: number) => () => new Date(ms);
    const now = Date.now();
    const dead = await importsRepo.insertImport(t.db, { fileName: 'dead.csv', origin: 'cli', createdBy: null, actor: 'cli:ops', defaultSource: 'telephony', recordingFiles: 0 }, clockAt(now - 10 * 60_000));
    await importsRepo.markImportRunning(t.db, dead, clockAt(now - 10 * 60_000));
    await importsRepo.updateImportProgress(t.db, dead, { totalRows: 400, acceptedCount: 400, alreadyCount: 0, rejectedCount: 0, recordingsStored: 0 }, 40, clockAt(now - 3 * 60_000));
    const slow = await importsRepo.insertImport(t.db, { fileName: 'slow.csv', origin: 'cli', createdBy: null, actor: 'cli:ops', defaultSource: 'telephony', recordingFiles: 0 }, clockAt(now - 10 * 60_000));
    await importsRepo.markImportRunning(t.db, slow, clockAt(now - 10 * 60_000));
    await importsRepo.touchImport(t.db, slow, clockAt(now - 20_000)); // its heartbeat, 20 s ago

    await interruptedImportsTick(t)(new Date(now));

    const d = (await importsRepo.findImport(t.db, dead))!;
    expect(d.status).to.equal('failed');
    expect(d.errorKey).to.equal('imports.error.interrupted');
    expect(d.acceptedCount, 'what it stored is still counted').to.equal(400);
    expect((await importsRepo.findImport(t.db, slow))!.status).to.equal('running');
    const page = await admin.agent.get(`/admin/imports/${dead}`);
    expect(page.text).to.contain('Interrupted: the process running this import stopped');
    expect(page.text).not.to.contain('data-import-status');
  });

  it('Retry on a call whose preparation is stuck (its instance died) puts the job back, and the recording gets prepared', async () => {
    const dir = tempDir();
    try {
      const operatorId = await makeOperator(t.db);
      const stored = await storeRecording(wavFile(dir, 'stuck.wav', 2, 11), t.config.recordingsDir);
      const recId = await insertRecording(t.db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'stuck.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 2, mimeType: 'audio/wav', hasVideo: false });
      const callId = await makeCall(t.db, { operatorId, recordingId: recId });
      await ensureRecordingPrepared(t, recId);
      const key = prepareDedupeKey(recId);
      // Taken by an instance that died five minutes ago, past the lease.
      await t.db('jobs').where({ dedupe_key: key }).update({ status: 'running', attempts: 1, locked_by: 'gone:9:y#4', locked_at: new Date(Date.now() - 5 * 60_000).toISOString() });
      const specialist = await makeUser(t.db, { role: 'specialist' });
      const { agent } = await signIn(t.app, specialist.username, specialist.password);
      const page = await agent.get(`/calls/${callId}`);
      const retry = await agent.post(`/calls/${callId}/prepare`).type('form').send({ _csrf: csrfFrom(page.text) });
      expect(retry.status).to.equal(302);
      const job = await t.db('jobs').where({ dedupe_key: key }).first();
      expect(job.status).to.equal('queued');
      expect(job.locked_by).to.equal(null);
      await t.jobs.drain();
      expect((await t.db('recordings').where({ id: recId }).first()).status).to.equal('ready');
      expect(await t.db('jobs').where({ dedupe_key: key })).to.have.length(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
