import { expect } from 'chai';
import { createTestDb, TestDb } from '../../helpers/app';
import { ABANDONED_LIMIT, JobQueue, JobLostError, PermanentJobError, backoffMs, type JobContext } from '../../../src/jobs/queue';

describe('the job queue', () => {
  let tdb: TestDb;
  let now: Date;
  const clock = () => now;
  beforeEach(async () => {
    tdb = await createTestDb();
    now = new Date('2026-11-25T08:00:00Z');
  });
  afterEach(() => tdb.destroy());

  it('runs a queued job once and records its result', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock });
    let runs = 0;
    q.register('demo', async (p) => ({ doubled: Number(p.n) * 2, run: ++runs }));
    const id = await q.enqueue('demo', { n: 21 });
    expect(await q.drain()).to.equal(1);
    const job = await q.get(id);
    expect(job?.status).to.equal('done');
    expect(job?.result).to.deep.equal({ doubled: 42, run: 1 });
    expect(await q.drain()).to.equal(0);
  });

  it('a second enqueue with the same dedupe key returns the same job', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock });
    const a = await q.enqueue('demo', {}, { dedupeKey: 'k1' });
    const b = await q.enqueue('demo', {}, { dedupeKey: 'k1' });
    expect(a).to.equal(b);
    expect((await tdb.db('jobs').count({ n: '*' }).first())!.n).to.satisfy((n: unknown) => Number(n) === 1);
  });

  it('retries a failing job with growing backoff, then marks it failed with the error', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock });
    q.register('flaky', async () => {
      throw new Error('disk on fire');
    });
    const id = await q.enqueue('flaky', {}, { maxAttempts: 3 });
    await q.runOnce();
    let job = await q.get(id);
    expect(job?.status).to.equal('queued');
    expect(job?.attempts).to.equal(1);
    expect(Date.parse(job!.runAfter) - now.getTime()).to.equal(backoffMs(1));
    expect(await q.runOnce()).to.equal(false); // not due yet
    now = new Date(now.getTime() + 60_000);
    await q.runOnce();
    now = new Date(now.getTime() + 60_000);
    await q.runOnce();
    job = await q.get(id);
    expect(job?.status).to.equal('failed');
    expect(job?.attempts).to.equal(3);
    expect(job?.lastError).to.equal('disk on fire');
  });

  it('a permanent error fails at once', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock });
    q.register('bad', async () => {
      throw new PermanentJobError('corrupt');
    });
    const id = await q.enqueue('bad', {});
    await q.runOnce();
    expect((await q.get(id))?.status).to.equal('failed');
  });

  it('a job left running by a crashed instance is picked up again after its lease expires', async () => {
    const crashed = new JobQueue(tdb.db, { concurrency: 1, clock });
    const id = await crashed.enqueue('demo', {});
    await tdb.db('jobs').where({ id }).update({ status: 'running', locked_by: 'dead-host', locked_at: now.toISOString() });
    const restarted = new JobQueue(tdb.db, { concurrency: 1, clock });
    let ran = 0;
    restarted.register('demo', async () => void ran++);
    expect(await restarted.recoverAbandoned()).to.equal(0); // lease still fresh
    now = new Date(now.getTime() + 3 * 60_000);
    expect(await restarted.recoverAbandoned()).to.equal(1);
    await restarted.drain();
    expect(ran).to.equal(1);
    expect((await restarted.get(id))?.status).to.equal('done');
  });

  it('a stalled holder whose job was taken over cannot finish it, report progress on it or fail it', async () => {
    const a = new JobQueue(tdb.db, { concurrency: 1, clock, leaseMs: 60_000 });
    const b = new JobQueue(tdb.db, { concurrency: 1, clock, leaseMs: 60_000 });
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    let aCtx!: JobContext;
    const results: string[] = [];
    a.register('mail', async (_p, ctx) => {
      aCtx = ctx;
      await stalled; // frozen longer than its lease (a long GC pause, a suspended VM)
      results.push('a');
      return { by: 'a' };
    });
    b.register('mail', async () => {
      results.push('b');
      return { by: 'b' };
    });
    const id = await a.enqueue('mail', {});
    const aRun = a.runOnce();
    while (!aCtx) await new Promise((r) => setTimeout(r, 5));
    now = new Date(now.getTime() + 61_000);
    expect(await b.recoverAbandoned()).to.equal(1);
    expect(await b.runOnce()).to.equal(true);
    let job = await b.get(id);
    expect(job?.status).to.equal('done');
    expect(job?.result).to.deep.equal({ by: 'b' });
    // The first holder wakes up: its progress and its completion are refused.
    let progressError: unknown;
    await aCtx.progress(50).catch((e) => (progressError = e));
    expect(progressError).to.be.instanceOf(JobLostError);
    expect(aCtx.signal.aborted).to.equal(true);
    release();
    await aRun;
    job = await b.get(id);
    expect(job?.result, 'the result of the run that held the job stands').to.deep.equal({ by: 'b' });
    expect(job?.attempts).to.equal(2);
    expect(results).to.deep.equal(['b', 'a']);
  });

  it('a job left running by a crashed instance resumes by itself within about a lease, without a restart', async function () {
    this.timeout(10_000);
    const id = await new JobQueue(tdb.db, { concurrency: 1 }).enqueue('demo', {});
    await tdb.db('jobs').where({ id }).update({ status: 'running', attempts: 1, locked_by: 'crashed-host:1:x#1', locked_at: new Date().toISOString() });
    const live = new JobQueue(tdb.db, { concurrency: 1, leaseMs: 400, pollMs: 50 });
    let ran = 0;
    live.register('demo', async () => void ran++);
    const started = Date.now();
    live.start();
    try {
      while ((await live.get(id))?.status !== 'done' && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 25));
    } finally {
      await live.stop();
    }
    const job = await live.get(id);
    expect(job?.status).to.equal('done');
    expect(ran).to.equal(1);
    expect(Date.now() - started, 'resumed within about a lease').to.be.lessThan(400 * 3);
  });

  it('a running job renews its lease, so another instance does not take it while it works', async function () {
    this.timeout(10_000);
    const worker = new JobQueue(tdb.db, { concurrency: 1, leaseMs: 200 });
    const other = new JobQueue(tdb.db, { concurrency: 1, leaseMs: 200 });
    worker.register('slow', async () => {
      await new Promise((r) => setTimeout(r, 700));
      return 'ok';
    });
    const id = await worker.enqueue('slow', {});
    const run = worker.runOnce();
    let recovered = 0;
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 50));
      recovered += await other.recoverAbandoned();
    }
    await run;
    expect(recovered).to.equal(0);
    expect((await worker.get(id))?.attempts).to.equal(1);
    expect((await worker.get(id))?.status).to.equal('done');
  });

  it('Retry puts a stuck job (running, lease lapsed) back in the queue, but leaves a live one alone', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock, leaseMs: 60_000 });
    const stuck = await q.enqueue('demo', {});
    const live = await q.enqueue('demo', {});
    await tdb.db('jobs').where({ id: stuck }).update({ status: 'running', attempts: 1, locked_by: 'gone#1', locked_at: new Date(now.getTime() - 5 * 60_000).toISOString() });
    await tdb.db('jobs').where({ id: live }).update({ status: 'running', attempts: 1, locked_by: 'busy#1', locked_at: now.toISOString() });
    expect(await q.retry(stuck)).to.equal(true);
    expect(await q.retry(live)).to.equal(false);
    expect((await q.get(stuck))?.status).to.equal('queued');
    expect((await q.get(stuck))?.attempts).to.equal(0);
    expect((await q.get(live))?.status).to.equal('running');
    expect((await q.get(live))?.lockedBy).to.equal('busy#1');
  });

  it('a job whose process stopped under it a few times comes back; one that took it down ten times fails instead of coming back for ever', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock, leaseMs: 60_000 });
    const unlucky = await q.enqueue('import', {}, { maxAttempts: 3 });
    const poison = await q.enqueue('poison', {}, { maxAttempts: 3 });
    await tdb.db('jobs').where({ id: unlucky }).update({ status: 'running', attempts: 4, locked_by: 'gone#4', locked_at: now.toISOString() });
    await tdb.db('jobs').where({ id: poison }).update({ status: 'running', attempts: ABANDONED_LIMIT, locked_by: 'gone#10', locked_at: now.toISOString() });
    now = new Date(now.getTime() + 61_000);
    expect(await q.recoverAbandoned()).to.equal(2);
    expect((await q.get(unlucky))?.status).to.equal('queued');
    const job = await q.get(poison);
    expect(job?.status).to.equal('failed');
    expect(job?.lastError).to.match(/abandoned/);
  });

  it('stopping with a grace period hands a job still running back to the queue, its attempt not counted, for another instance to take at once', async () => {
    const leaving = new JobQueue(tdb.db, { concurrency: 1, leaseMs: 60_000 });
    let aborted = false;
    leaving.register('long', (_p, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => ((aborted = true), resolve('cut')))));
    const id = await leaving.enqueue('long', {});
    leaving.start();
    while ((await leaving.get(id))?.status !== 'running') await new Promise((r) => setTimeout(r, 10));
    expect(await leaving.stop({ graceMs: 50 })).to.equal(1);
    expect(aborted).to.equal(true);
    let job = await leaving.get(id);
    expect(job?.status).to.equal('queued');
    expect(job?.attempts).to.equal(0);
    const staying = new JobQueue(tdb.db, { concurrency: 1, leaseMs: 60_000 });
    staying.register('long', async () => 'finished');
    expect(await staying.runOnce()).to.equal(true);
    job = await staying.get(id);
    expect(job?.status).to.equal('done');
    expect(job?.result).to.equal('finished');
    expect(job?.attempts).to.equal(1);
  });

  it('stopping waits for a job that finishes within the grace period and hands nothing back', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1 });
    q.register('short', async () => {
      await new Promise((r) => setTimeout(r, 100));
      return 'ok';
    });
    const id = await q.enqueue('short', {});
    q.start();
    while ((await q.get(id))?.status !== 'running') await new Promise((r) => setTimeout(r, 10));
    expect(await q.stop({ graceMs: 5000 })).to.equal(0);
    expect((await q.get(id))?.status).to.equal('done');
  });

  it('counts jobs by type and status, and tells how long the oldest due job has waited', async () => {
    const q = new JobQueue(tdb.db, { concurrency: 1, clock });
    await q.enqueue('media.prepare', {});
    now = new Date(now.getTime() + 90_000);
    await q.enqueue('media.prepare', {});
    await q.enqueue('calls.import', {}, { runAfter: new Date(now.getTime() + 3600_000) });
    const failed = await q.enqueue('digests.send', {});
    await tdb.db('jobs').where({ id: failed }).update({ status: 'failed' });
    const counts = await q.countsByType();
    const n = (type: string, status: string) => counts.find((c) => c.type === type && c.status === status)?.n ?? 0;
    expect(n('media.prepare', 'queued')).to.equal(2);
    expect(n('calls.import', 'queued')).to.equal(1);
    expect(n('digests.send', 'failed')).to.equal(1);
    expect(await q.oldestQueuedAgeSeconds()).to.equal(90);
  });
});
