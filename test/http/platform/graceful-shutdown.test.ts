// SIGTERM (systemd stop, a deploy): a worker stops taking jobs, lets the running one finish within
// SHUTDOWN_GRACE_SECONDS or hands it back to the queue, and exits 0 — another worker then finishes
// the job once. A web instance finishes the request in flight and exits 0 promptly.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { makeOperator, makeUser } from '../../helpers/builders';
import { createSharedDb, startApp, waitUntil, type AppProcess, type SharedDb } from '../../helpers/processes';
import { startWebImport } from '../../../src/features/imports/imports.service';
import { JobQueue } from '../../../src/jobs/queue';

const ROWS = 30_000;

describe('graceful shutdown on SIGTERM', function () {
  this.timeout(180_000);
  let shared: SharedDb;
  let dir: string;
  const procs: AppProcess[] = [];
  before(async () => {
    shared = await createSharedDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-shutdown-'));
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await shared.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a worker lets its job finish or hands it back within the grace period, exits 0, and another worker completes the job once', async () => {
    const recordings = path.join(dir, 'recordings');
    await makeOperator(shared.db, { code: 'OP-SD' });
    const admin = await makeUser(shared.db, { role: 'admin' });
    const manifest = path.join(dir, 'upload.csv');
    const lines = ['external_id,started_at,operator_code'];
    for (let i = 0; i < ROWS; i++) lines.push(`SD-${i},2026-11-20 10:${String(i % 60).padStart(2, '0')}:00,OP-SD`);
    fs.writeFileSync(manifest, `${lines.join('\n')}\n`);
    const jobs = new JobQueue(shared.db, { concurrency: 1 }); // enqueues only
    const importId = await startWebImport(
      { db: shared.db, config: { recordingsDir: recordings, maxUploadBytes: 1 << 30, maxRecordingSeconds: 14400, ffmpegPath: null, ffprobePath: null }, clock: () => new Date(), jobs },
      { userId: admin.id, actor: 'Admin', manifest: { path: manifest, name: 'calls.csv' }, recordings: [], defaultSource: 'telephony' },
    );
    const jobId = Number((await shared.db('imports').where({ id: importId }).first('job_id')).job_id);
    const env = { DATABASE_URL: shared.url, RECORDINGS_DIR: recordings, SHUTDOWN_GRACE_SECONDS: '1', JOB_LEASE_SECONDS: '60' };
    const first = await startApp(env, { entry: 'src/worker.ts' });
    procs.push(first);
    await waitUntil(async () => (await shared.db('jobs').where({ id: jobId }).first('status')).status === 'running', 30_000, 'the worker to take the job');
    const stoppedAt = Date.now();
    first.kill('SIGTERM');
    const code = await first.exited;
    const took = Date.now() - stoppedAt;
    expect(code, first.output()).to.equal(0);
    expect(took, 'exits within the grace period and a little').to.be.lessThan(8000);
    const after = await shared.db('jobs').where({ id: jobId }).first();
    expect(after.status, 'never left "running" for a lease to lapse').to.be.oneOf(['done', 'queued']);
    if (after.status === 'queued') expect(Number(after.attempts), 'a handed-back attempt does not count').to.equal(0);

    const second = await startApp(env, { entry: 'src/worker.ts' });
    procs.push(second);
    await waitUntil(async () => (await shared.db('imports').where({ id: importId }).first('status')).status === 'done', 90_000, 'the import to finish');
    const counts = await shared.db('calls').where({ import_id: importId }).count({ n: '*' }).countDistinct({ ids: 'external_id' }).first();
    expect([Number(counts!.n), Number(counts!.ids)]).to.deep.equal([ROWS, ROWS]);
    expect(Number((await shared.db('imports').where({ id: importId }).first('accepted_count')).accepted_count)).to.equal(ROWS);
  });

  it('a web instance answers the request in flight, then exits 0 promptly', async () => {
    const web = await startApp({ DATABASE_URL: shared.url, RECORDINGS_DIR: path.join(dir, 'recordings'), JOBS_ENABLED: 'false' });
    procs.push(web);
    // An idle keep-alive connection must not hold the exit back.
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => http.get(`${web.baseUrl}/healthz`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
    const inFlight = fetch(`${web.baseUrl}/login`).then((r) => r.status);
    web.kill('SIGTERM');
    const t0 = Date.now();
    expect(await inFlight).to.equal(200);
    expect(await web.exited, web.output()).to.equal(0);
    expect(Date.now() - t0).to.be.lessThan(5000);
    agent.destroy();
  });
});
