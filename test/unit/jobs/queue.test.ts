import { expect } from 'chai';
import { createTestDb, TestDb } from '../../helpers/app';
import { JobQueue, PermanentJobError, backoffMs } from '../../../src/jobs/queue';

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
});
