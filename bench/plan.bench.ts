// Daily plan benchmark: drawing AND assigning one day's plan end to end through the service —
// the population query in SQL, the seeded draw, carry-over and assignment, the plan and its
// assignments written in one transaction, and the media preparation of the drawn calls queued —
// over a SQLite file with N calls spread over 30 days, 400 operators and 30 specialists.
//
//   npm run bench:plan                          # 1,000,000 and 100,000 calls, 7 runs each
//   npm run bench:plan -- --calls 1000000 --runs 5
//   npm run bench:plan -- --keep                # keep the generated databases in /tmp
//   npm run bench:plan -- --reuse               # reuse a kept database instead of building it again
//
// Goal: under 2 s (median) at 1,000,000 calls on SQLite. The 100,000 run shows how the cost grows:
// a plan day reads one day of calls (1/30 of them), so it grows with calls per day, not in total.
// Wall times on a shared 2-core machine swing with its load; CPU time is printed beside them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import knexFactory from 'knex';
import { knexConfig, migrate, type Db } from '../src/db';
import { JobQueue } from '../src/jobs/queue';
import { addDays, tashkentToUtc } from '../src/time';
import { drawDay } from '../src/features/plans/plans.service';
import * as repo from '../src/features/plans/plans.repository';
import { drawPlan } from '../src/features/plans/draw';
import { composePlan } from '../src/features/plans/compose';
import { eligibilityDates, parsePlanRules, type PlanRulesInput } from '../src/features/plans/plan-rules';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const RUNS = arg('runs', 7);
const SIZES = process.argv.includes('--calls') ? [arg('calls', 1_000_000)] : [1_000_000, 100_000];
const REUSE = process.argv.includes('--reuse');
const KEEP = REUSE || process.argv.includes('--keep');
const OPERATORS = 400;
const SPECIALISTS = 30;
const DAYS = 30;
const FIRST_DAY = '2026-10-01';
/** The plan day: the day after the last day of calls, so it draws from that last day. */
const PLAN_DATE = addDays(FIRST_DAY, DAYS);
const RULES: PlanRulesInput = { quota: { mode: 'perDay', calls: 3 }, priority: { suicideRisk: 3, line1146: 2, dropped: 1.5, longCall: 1.5 } };
const STAMP = '2026-09-30T00:00:00.000Z';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** One file database filled with INSERT…SELECT over recursive CTEs: seconds, not minutes. */
async function build(calls: number): Promise<{ db: Db; file: string; buildMs: number }> {
  const file = path.join(os.tmpdir(), `sifat-plan-bench-${calls}.db`);
  if (REUSE && fs.existsSync(file)) {
    const db = knexFactory(knexConfig({ client: 'sqlite', filename: file }));
    await migrate(db);
    return { db, file, buildMs: 0 };
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const db = knexFactory(knexConfig({ client: 'sqlite', filename: file }));
  await migrate(db);
  const t0 = performance.now();
  await db.transaction(async (trx) => {
    await trx.raw(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${OPERATORS})
      INSERT INTO operators (id, employee_code, full_name, languages, is_active, created_at, updated_at)
      SELECT n, 'B-' || n, 'Operator ' || n, 'uz,ru', CASE WHEN n % 97 = 0 THEN 0 ELSE 1 END, '${STAMP}', '${STAMP}' FROM s`);
    await trx.raw(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${SPECIALISTS})
      INSERT INTO users (id, username, display_name, password_hash, role, language, is_active, created_at, updated_at)
      SELECT n, 'spec' || n, 'Specialist ' || n, 'x', 'specialist', 'uz', 1, '${STAMP}', '${STAMP}' FROM s`);
    // 30 × 40 = 1,200 calls a day of capacity for 400 × 3 = 1,200 picks; kaa with a few, sign with one.
    await trx.raw(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${SPECIALISTS})
      INSERT INTO specialist_duty (user_id, on_duty, daily_capacity, languages, updated_at)
      SELECT n, 1, 40, CASE WHEN n = 1 THEN 'uz,sign' WHEN n % 7 = 0 THEN 'uz,ru,kaa' WHEN n % 2 = 0 THEN 'uz,ru' ELSE 'uz' END, '${STAMP}' FROM s`);
    await trx('plan_rules').insert({ name: 'Bench', rules: JSON.stringify(parsePlanRules(RULES)), is_active: true, created_at: STAMP, updated_at: STAMP });
    await trx.raw(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${calls})
      INSERT INTO recordings (id, sha256, storage_key, size_bytes, status, created_at, updated_at)
      SELECT n, printf('%064d', n), 'bench/' || n || '.wav', 160000, 'stored', '${STAMP}', '${STAMP}' FROM s`);
    // Calls in time order (ids grow with time, as they arrive), spread evenly over the days and
    // pseudo-randomly over operators, languages, categories and durations.
    const perDay = Math.ceil(calls / DAYS);
    await trx.raw(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${calls}),
      c(n, d, sec) AS (SELECT n, (n - 1) / ${perDay}, ((n - 1) % ${perDay}) * 86400 / ${perDay} FROM s)
      INSERT INTO calls (id, source, external_id, started_at, call_date, duration_sec, operator_id, caller_number, language, channel, category, services, dropped, recording_id, created_at, updated_at)
      SELECT n, 'telephony', 'b-' || n,
        strftime('%Y-%m-%dT%H:%M:%fZ', '${FIRST_DAY}', '+' || d || ' days', '-5 hours', '+' || sec || ' seconds'),
        date('${FIRST_DAY}', '+' || d || ' days'),
        20 + (n * 37) % 900,
        1 + (n * 7919) % ${OPERATORS},
        '+99890' || (1000000 + n % 8999999),
        CASE WHEN n % 997 = 0 THEN 'sign' WHEN n % 20 < 13 THEN 'uz' WHEN n % 20 < 18 THEN 'ru' WHEN n % 20 = 18 THEN 'kaa' ELSE 'other' END,
        'voice',
        CASE n % 10 WHEN 0 THEN 'fire' WHEN 1 THEN 'crime' WHEN 2 THEN 'road_accident' WHEN 3 THEN 'information' WHEN 4 THEN 'domestic_violence' WHEN 5 THEN 'suicide_risk' ELSE 'medical' END,
        CASE n % 10 WHEN 0 THEN '101' WHEN 1 THEN '102' WHEN 2 THEN '102,103' WHEN 3 THEN NULL WHEN 4 THEN '102,1146' WHEN 5 THEN '103,102' ELSE '103' END,
        CASE WHEN n % 13 = 0 THEN 1 ELSE 0 END,
        n, '${STAMP}', '${STAMP}'
      FROM c`);
  });
  await db.raw('ANALYZE');
  await db.raw('PRAGMA wal_checkpoint(TRUNCATE)'); // start the runs without the build's WAL to fold in
  return { db, file, buildMs: performance.now() - t0 };
}

async function benchOne(calls: number): Promise<void> {
  const { db, file, buildMs } = await build(calls);
  const logger = pino({ level: 'silent' });
  const clock = () => tashkentToUtc(PLAN_DATE, '07:00');
  const jobs = new JobQueue(db, { concurrency: 1, logger, clock }); // never started: jobs are queued, not run
  const deps = { db, jobs, clock, logger };
  const size = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  console.log(`\n${calls.toLocaleString('en')} calls over ${DAYS} days, ${OPERATORS} operators, ${SPECIALISTS} specialists — built in ${(buildMs / 1000).toFixed(1)} s, ${(size / 1e6).toFixed(0)} MB`);

  const wall: number[] = [];
  const cpu: number[] = [];
  let last: Awaited<ReturnType<typeof drawDay>> | null = null;
  for (let r = 0; r < RUNS; r++) {
    // Each run queues every preparation afresh (the previous run's jobs would otherwise dedupe).
    await db('jobs').delete();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = await drawDay(deps, { planDate: PLAN_DATE, actorId: null, redraw: true, source: 'cli' });
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(`  drawDay() end to end (query, draw, assign, store, queue media preparation): median of ${RUNS} ${ms(median(wall))} wall, ${ms(median(cpu))} CPU (min ${ms(Math.min(...wall))}, max ${ms(Math.max(...wall))})`);
  console.log(`  population ${last!.populationCount.toLocaleString('en')}, picked ${last!.picked}, assigned ${last!.assigned}, unassigned ${last!.unassigned}, media.prepare jobs queued ${last!.preparationQueued}`);

  // Where the time goes: each step on its own (median of the runs).
  const rules = parsePlanRules(RULES);
  const { fromDate, toDate } = eligibilityDates(PLAN_DATE, rules.eligibility);
  const inactiveOperatorIds = await repo.operatorIds(db, { active: false });
  const steps: Record<string, number[]> = { query: [], draw: [], assign: [] };
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    const population = await repo.eligibleCalls(db, { fromDate, toDate, eligibility: rules.eligibility, evaluated: { mode: 'now' }, inactiveOperatorIds });
    steps.query.push(performance.now() - t0);
    t0 = performance.now();
    const drawn = drawPlan({ seed: `bench-${r}`, rules, calls: population });
    steps.draw.push(performance.now() - t0);
    t0 = performance.now();
    composePlan(drawn.picked.map((p) => ({ drawIndex: 0, ...p })), [], (await repo.listSpecialistDuty(db)).map((d) => ({ userId: d.userId, capacity: d.capacity, languages: d.languages })));
    steps.assign.push(performance.now() - t0);
  }
  console.log(`  of which: population query ${ms(median(steps.query))}, draw ${ms(median(steps.draw))}, assignment ${ms(median(steps.assign))}; the rest is reading rules and duty, writing the plan and its ${last!.picked} assignments and queuing ${last!.preparationQueued} preparations`);
  const plan = await db.raw(`EXPLAIN QUERY PLAN SELECT c.id FROM calls c WHERE c.call_date = ? AND c.operator_id IS NOT NULL AND c.deleted_at IS NULL AND c.evaluated_at IS NULL`, [toDate]);
  console.log(`  population query plan: ${(plan as { detail: string }[]).map((p) => p.detail).join('; ')}`);

  await db.destroy();
  if (!KEEP) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

async function main(): Promise<void> {
  console.log(`Plan draw benchmark — Node ${process.version}, ${os.cpus().length} cores, SQLite (better-sqlite3), plan day ${PLAN_DATE}`);
  for (const n of SIZES) await benchOne(n);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
