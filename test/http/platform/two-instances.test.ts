// A national deployment in small: two app PROCESSES on one PostgreSQL database, both running jobs
// and schedules. Sessions are shared (and end on both at sign-out), 200 queued jobs run exactly
// once each with both instances taking work, the schedules fire once per key, and when one
// instance is killed in the middle of a job the other finishes it within about a lease.
// PostgreSQL runs only (the national set-up); on a SQLite-only run it is skipped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { isPgRun } from '../../helpers/app';
import { makeOperator, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { CookieJar, createSharedDb, csrfIn, fetchWith, signInOver, sleep, startApp, waitUntil, type AppProcess, type SharedDb } from '../../helpers/processes';
import { makeCallsOn, makePeople, makeRules, putOnDuty } from '../plans/plan-fixtures';
import { saveSchedule } from '../../../src/features/digests/digests.repository';
import { JobQueue } from '../../../src/jobs/queue';
import { SUM_DAYS_JOB } from '../../../src/features/reports/day-sums-job';
import { addDays, tashkentDate } from '../../../src/time';

const LEASE_SECONDS = 3;
const pidOf = (lockedBy: string | null) => Number(String(lockedBy ?? '').split(':')[1]);

describe('two app processes on one PostgreSQL database', function () {
  this.timeout(180_000);
  let shared: SharedDb;
  let a: AppProcess;
  let b: AppProcess;
  let recordings: string;
  let people: Awaited<ReturnType<typeof makePeople>>;
  const today = tashkentDate(new Date());

  before(async function () {
    if (!isPgRun()) {
      // eslint-disable-next-line no-console
      console.log('      (skipped: the two-instance deployment runs on PostgreSQL — TEST_DATABASE_URL=postgres://…)');
      this.skip();
    }
    shared = await createSharedDb();
    recordings = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-two-'));
    // A service with something to draw and a supervisor with a daily digest due now.
    people = await makePeople(shared.db);
    await putOnDuty(shared.db, people.specialistA.id);
    await putOnDuty(shared.db, people.specialistB.id);
    await makeRules(shared.db, { quota: { mode: 'perDay', calls: 2 } });
    for (let i = 0; i < 3; i++) await makeCallsOn(shared.db, await makeOperator(shared.db, { teamId: people.team }), addDays(today, -1), 4);
    await saveSchedule(shared.db, { userId: people.supervisor.id, frequency: 'daily', weekday: null, sendTime: '00:00', isActive: true }, new Date().toISOString());
    const env = { DATABASE_URL: shared.url, RECORDINGS_DIR: recordings, JOB_LEASE_SECONDS: String(LEASE_SECONDS), PLAN_DRAW_TIME: '00:00', JOB_CONCURRENCY: '2', DB_POOL_MAX: '5' };
    [a, b] = await Promise.all([startApp(env), startApp(env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await shared?.destroy();
    if (recordings) fs.rmSync(recordings, { recursive: true, force: true });
  });

  it('a session made on one instance is valid on the other (its CSRF token too), and signing out on one ends it on both', async () => {
    const u = await makeUser(shared.db, { role: 'specialist', language: 'en', displayName: 'Dilnoza Rahimova' });
    const jar = await signInOver(a.baseUrl, u.username, u.password);
    const onB = await fetchWith(jar, `${b.baseUrl}/`);
    expect(onB.status).to.equal(200);
    const html = await onB.text();
    expect(html).to.contain('Dilnoza Rahimova');
    const tokenFromA = csrfIn(await (await fetchWith(jar, `${a.baseUrl}/`)).text());
    const switched = await fetchWith(jar, `${b.baseUrl}/language`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ language: 'ru', back: '/', _csrf: tokenFromA }).toString() });
    expect(switched.status, "B accepts A's CSRF token").to.equal(302);
    const out = await fetchWith(jar, `${b.baseUrl}/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: tokenFromA }).toString() });
    expect(out.status).to.equal(302);
    for (const p of [a, b]) {
      const res = await fetchWith(jar, `${p.baseUrl}/`);
      expect(res.status, `signed out on ${p.baseUrl}`).to.equal(302);
      expect(res.headers.get('location')).to.match(/^\/login/);
    }
  });

  it('the daily draw, the digest schedule, the hourly sums and the session purge fire once per key with both schedulers running', async () => {
    const keys = [`plan:draw:${today}`, `digest:${people.supervisor.id}:${addDays(today, -1)}`, `reports:sum-days:${Math.floor(Date.now() / 3600_000)}`, `sessions:purge:${Math.floor(Date.now() / 3600_000)}`];
    await waitUntil(async () => (await shared.db('jobs').whereIn('dedupe_key', keys).whereIn('status', ['done', 'failed'])).length === keys.length, 60_000, 'the scheduled jobs to run');
    const jobs = await shared.db('jobs').whereIn('dedupe_key', keys);
    for (const j of jobs) {
      expect([j.dedupe_key, j.status, Number(j.attempts)]).to.deep.equal([j.dedupe_key, 'done', 1]);
    }
    expect(await shared.db('plans').where({ plan_date: today, status: 'active' })).to.have.length(1);
    expect(await shared.db('assignments')).to.have.length(6);
    expect(await shared.db('digests').where({ schedule_key: keys[1] })).to.have.length(1);
  });

  it('200 jobs queued across both run exactly once each, and both instances take work', async () => {
    const queue = new JobQueue(shared.db, { concurrency: 1 }); // only enqueues: never started
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) ids.push(await queue.enqueue(SUM_DAYS_JOB, {}, { dedupeKey: `test:two-instances:${i}` }));
    await waitUntil(async () => Number((await shared.db('jobs').whereIn('id', ids).andWhere('status', 'done').count({ n: '*' }).first())!.n) === 200, 120_000, '200 jobs to be done');
    const rows = await shared.db('jobs').whereIn('id', ids).select('attempts', 'locked_by', 'status');
    expect(rows.every((r) => Number(r.attempts) === 1 && r.status === 'done'), 'attempts = 1 for every job').to.equal(true);
    const byPid = new Map<number, number>();
    for (const r of rows) byPid.set(pidOf(r.locked_by), (byPid.get(pidOf(r.locked_by)) ?? 0) + 1);
    expect([...byPid.keys()].sort()).to.deep.equal([a.child.pid!, b.child.pid!].sort());
    expect(byPid.get(a.child.pid!)! + byPid.get(b.child.pid!)!).to.equal(200);
    // eslint-disable-next-line no-console
    console.log(`      work split: ${byPid.get(a.child.pid!)} / ${byPid.get(b.child.pid!)}`);
  });

  // LIVE-BOARD CHECK — added by the lead at merge (live engineer's work): an event accepted by one
  // instance (POST /api/v1/… on `a`) reaches a live board opened on the other (the SSE stream on `b`).
  // Put it here, before the kill below, while both instances are up.

  it('when the instance running a job is killed, the other takes the job back within about a lease and finishes it once', async () => {
    const admin = await makeUser(shared.db, { role: 'admin', language: 'en' });
    await makeOperator(shared.db, { code: 'OP-TWO' });
    const rows = 30_000;
    const lines = ['external_id,started_at,operator_code'];
    for (let i = 0; i < rows; i++) lines.push(`TWO-${i},2026-11-20 10:${String(i % 60).padStart(2, '0')}:00,OP-TWO`);
    const jar = new CookieJar();
    await signInOver(a.baseUrl, admin.username, TEST_PASSWORD, jar);
    const token = csrfIn(await (await fetchWith(jar, `${a.baseUrl}/admin/imports`)).text());
    const form = new FormData();
    form.set('_csrf', token);
    form.set('source', 'telephony');
    form.set('manifest', new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), 'calls.csv');
    const res = await fetchWith(jar, `${a.baseUrl}/admin/imports`, { method: 'POST', body: form });
    expect(res.status).to.equal(303);
    const importId = Number(/\/admin\/imports\/(\d+)/.exec(res.headers.get('location')!)![1]);
    const job = await shared.db('imports').where({ id: importId }).first('job_id');

    let holder = '';
    await waitUntil(async () => {
      const r = await shared.db('jobs').where({ id: job.job_id }).first('status', 'locked_by');
      holder = r.status === 'running' ? String(r.locked_by) : '';
      return !!holder;
    }, 30_000, 'the import job to start');
    const victim = pidOf(holder) === a.child.pid ? a : b;
    const survivor = victim === a ? b : a;
    victim.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;

    let takenBackAfter = -1;
    await waitUntil(async () => {
      const r = await shared.db('jobs').where({ id: job.job_id }).first('status', 'locked_by');
      if (takenBackAfter < 0 && r.locked_by && pidOf(r.locked_by) === survivor.child.pid) takenBackAfter = Date.now() - killedAt;
      return r.status === 'done';
    }, 90_000, 'the other instance to finish the import');
    expect(takenBackAfter, 'taken back within about a lease').to.be.within(0, LEASE_SECONDS * 1000 * 2 + 2000);
    const finished = await shared.db('jobs').where({ id: job.job_id }).first();
    expect(Number(finished.attempts)).to.equal(2);
    const imp = await shared.db('imports').where({ id: importId }).first();
    expect(imp.status).to.equal('done');
    expect(Number(imp.accepted_count)).to.equal(rows);
    const counts = await shared.db('calls').where({ import_id: importId }).count({ n: '*' }).countDistinct({ ids: 'external_id' }).first();
    expect([Number(counts!.n), Number(counts!.ids)]).to.deep.equal([rows, rows]);
    expect(survivor.alive()).to.equal(true);
    await sleep(10);
  });
});
