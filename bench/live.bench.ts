// The live floor under a national centre's peak: two app instances on PostgreSQL (one schema) and
// one on SQLite; 50 boards connected over SSE (split between the instances); call events posted at
// 5/s sustained with a burst of 50/s for 10 s. Measures, per setup: event accepted → shown on every
// board (p50/p95/p99, from the moment the POST was sent), events lost and duplicated on the boards,
// the most events per second accepted (batches of 500, two at a time), memory per connected board
// (the app instances' heap after a full collection, before and after the boards connect, divided:
// the boards and the platform run in a worker thread, live-boards.worker.ts, with a heap of its own.
// Not RSS: pages freed by the first setup are reused by the second, so its RSS barely moves).
//
//   npm run bench:live                      # PostgreSQL from TEST_DATABASE_URL, and SQLite
//   npm run bench:live -- --pg postgres://postgres@127.0.0.1:5432/sifat_test_e --seconds 10
//
// Goals: p95 ≤ 1 s, nothing lost or duplicated, ≥ 500 events/s accepted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../src/app';
import type { AppDeps } from '../src/app-context';
import { loadConfig } from '../src/config';
import { createDbFromUrl, knexConfig, migrate } from '../src/db';
import { JobQueue } from '../src/jobs/queue';
import { createApiToken } from '../src/features/calls/api-tokens.service';
import { insertOperator, insertUser } from '../src/features/users/users.repository';
import { hashPassword } from '../src/features/users/users.service';
import { signInCookie } from '../src/features/live/sse-client';
import type { BoardsWorkerData, MainMessage, WorkerMessage } from './live-boards.worker';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const BOARDS = Number(opt('boards') ?? 50);
const SUSTAINED_S = Number(opt('seconds') ?? 15);
const pgUrl = opt('pg') ?? (process.env.TEST_DATABASE_URL?.startsWith('postgres') ? process.env.TEST_DATABASE_URL : undefined);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BOARD_SETTLE_MS = 6000;
// A full garbage collection before each memory reading, without asking for node --expose-gc.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;
function memory(): { heap: number } {
  collect();
  collect();
  return { heap: process.memoryUsage().heapUsed };
}
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

interface Instance {
  url: string;
  close(): Promise<void>;
}

// One session secret for every instance, as a deployment shares SESSION_SECRET: a board signed in on
// one instance is signed in on the other.
const SESSION_SECRET = crypto.randomBytes(24).toString('hex');

async function startInstance(db: Knex): Promise<Instance> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const config = Object.freeze({ ...base, env: 'test' as const, jobsEnabled: false, demoMode: false, live: { ...base.live, demoReplay: false, pollMs: 500 }, events: { ...base.events, rateBurst: 100000, ratePerSecond: 100000 } });
  const logger = pino({ level: 'silent' });
  const deps: AppDeps = { config, db, logger, clock: () => new Date(), jobs: new JobQueue(db, { concurrency: 1, logger }) };
  const server = http.createServer(createApp(deps, { sessionSecret: SESSION_SECRET }));
  server.keepAliveTimeout = 60000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Result {
  name: string;
  p50: number;
  p95: number;
  p99: number;
  events: number;
  lost: number;
  duplicated: number;
  acceptedPerSec: number;
  /** the app instances' heap growth per connected board (the boards are read in a worker thread with a heap of its own) */
  memoryPerBoardKb: number;
}

async function run(name: string, dbs: Knex[]): Promise<Result> {
  const db = dbs[0]!;
  const hash = await hashPassword('bench-live-password', 4);
  await insertUser(db, { username: 'bench-admin', displayName: 'Bench', passwordHash: hash, role: 'admin', language: 'en', operatorId: null, email: null });
  const admin = await db('users').where({ username: 'bench-admin' }).first('id');
  for (let i = 0; i < 40; i++) await insertOperator(db, { employeeCode: `BL-${i}`, fullName: `Bench Operator ${i}`, teamId: null, category: 'A1', languages: ['uz'], isActive: true });
  const { token } = await createApiToken({ db, clock: () => new Date() }, { name: 'bench' }, { userId: Number(admin.id) });
  const instances = await Promise.all(dbs.map((d) => startInstance(d)));
  const cookie = await signInCookie(instances[0]!.url, 'bench-admin', 'bench-live-password');

  // The boards and the platform live in a worker thread (live-boards.worker.ts); this thread runs
  // only the app instances. A worker does not inherit tsx's loader hooks: it registers tsx itself.
  const plan = [...Array<number>(SUSTAINED_S).fill(5), ...Array<number>(10).fill(50), ...Array<number>(5).fill(5)];
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'live-boards.worker.ts'))});`, {
    eval: true,
    workerData: { name, instances: instances.map((i) => i.url), boards: BOARDS, cookie, token, plan, throughputMs: 5000 } satisfies BoardsWorkerData,
  });
  const messages: WorkerMessage[] = [];
  let wake = () => undefined as void;
  worker.on('message', (m: WorkerMessage) => (messages.push(m), wake()));
  worker.on('error', (e) => (messages.push({ type: 'failed', reason: String(e.stack ?? e) }), wake()));
  const next = async (type: 'ready' | 'result', withinMs: number, what: string): Promise<WorkerMessage> => {
    const by = Date.now() + withinMs;
    for (;;) {
      const m = messages.shift();
      if (m?.type === 'failed') throw new Error(m.reason);
      if (m?.type === type) return m;
      if (Date.now() > by) throw new Error(`${what} within ${withinMs / 1000} s`);
      await new Promise<void>((r) => ((wake = r), setTimeout(r, 200)));
    }
  };
  await new Promise<void>((r) => worker.once('online', () => r()));
  await sleep(1000); // the worker loads its modules

  // Memory per board: this thread's heap (the instances), before and after.
  const before = memory();
  worker.postMessage('connect' satisfies MainMessage);
  await next('ready', 30000, `the ${BOARDS} boards did not all connect`);
  await sleep(BOARD_SETTLE_MS); // the first board refreshes go out
  const after = memory();
  const memoryPerBoardKb = Math.max(0, (after.heap - before.heap) / BOARDS / 1024);

  worker.postMessage('load' satisfies MainMessage);
  const { result } = (await next('result', (plan.length + 60) * 1000, 'the load did not finish')) as Extract<WorkerMessage, { type: 'result' }>;
  const { latencies, lost, duplicated, acceptedPerSec, events } = result;
  for (const i of instances) await i.close();
  return { name, p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), events, lost, duplicated, acceptedPerSec, memoryPerBoardKb };
}

async function main(): Promise<void> {
  const results: Result[] = [];
  if (pgUrl) {
    const schema = `bench_live_${crypto.randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`create schema ${schema}`);
    const cfg = { ...knexConfig({ client: 'pg', connectionString: pgUrl }, 10), searchPath: [schema] } as Knex.Config;
    const a = knexFactory(cfg);
    const b = knexFactory(cfg);
    try {
      await migrate(a);
      results.push(await run('postgres-2-instances', [a, b]));
    } finally {
      await a.destroy();
      await b.destroy();
      await admin.raw(`drop schema ${schema} cascade`);
      await admin.destroy();
    }
  } else process.stdout.write('PostgreSQL: skipped (no TEST_DATABASE_URL or --pg)\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-bench-live-'));
  const sqlite = createDbFromUrl(`sqlite:${path.join(dir, 'live.db')}`);
  try {
    await migrate(sqlite);
    results.push(await run('sqlite-1-instance', [sqlite]));
  } finally {
    await sqlite.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const r of results) {
    process.stdout.write(
      `${r.name}: ${r.events} events × ${BOARDS} boards; accepted → shown p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; lost ${r.lost}, duplicated ${r.duplicated}; ${r.acceptedPerSec.toFixed(0)} events/s accepted; ${r.memoryPerBoardKb.toFixed(0)} KB heap per board\n`,
    );
  }
  const p95 = Math.max(...results.map((r) => r.p95));
  const lost = results.reduce((s, r) => s + r.lost, 0);
  const dup = results.reduce((s, r) => s + r.duplicated, 0);
  const acc = Math.min(...results.map((r) => r.acceptedPerSec));
  process.stdout.write(`live: p95 ${p95.toFixed(0)} ms, lost ${lost}, duplicated ${dup}, accepted ${acc.toFixed(0)}/s\n`);
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`bench:live failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
