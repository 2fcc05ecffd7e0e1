// The live floor under a national centre's peak: two app instances on PostgreSQL (one schema) and
// one on SQLite; 50 boards connected over SSE (split between the instances); call events posted at
// 5/s sustained with a burst of 50/s for 10 s. Measures, per setup: event accepted → shown on every
// board (p50/p95/p99, from the moment the POST was sent), events lost and duplicated on the boards,
// the most events per second accepted (batches of 500, two at a time), memory per connected board.
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
import { openStream, signInCookie } from '../src/features/live/sse-client';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const BOARDS = Number(opt('boards') ?? 50);
const SUSTAINED_S = Number(opt('seconds') ?? 15);
const pgUrl = opt('pg') ?? (process.env.TEST_DATABASE_URL?.startsWith('postgres') ? process.env.TEST_DATABASE_URL : undefined);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

interface Instance {
  url: string;
  close(): Promise<void>;
}

async function startInstance(db: Knex): Promise<Instance> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const config = Object.freeze({ ...base, env: 'test' as const, jobsEnabled: false, demoMode: false, live: { ...base.live, demoReplay: false, pollMs: 500 }, events: { ...base.events, rateBurst: 100000, ratePerSecond: 100000 } });
  const logger = pino({ level: 'silent' });
  const deps: AppDeps = { config, db, logger, clock: () => new Date(), jobs: new JobQueue(db, { concurrency: 1, logger }) };
  const server = http.createServer(createApp(deps, { sessionSecret: crypto.randomBytes(24).toString('hex') }));
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

async function post(url: string, token: string, events: unknown[]): Promise<number> {
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  await res.arrayBuffer();
  return res.status;
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

  // Boards, split between the instances.
  const received = new Map<string, number[]>(); // eventId → receive times (one per board reception)
  const perBoard: Map<string, number>[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memBefore = process.memoryUsage().heapUsed;
  const conns = [];
  let boardsReady = 0;
  for (let b = 0; b < BOARDS; b++) {
    const seen = new Map<string, number>();
    perBoard.push(seen);
    let ready = false;
    conns.push(
      openStream(`${instances[b % instances.length]!.url}/live/stream`, cookie, (m) => {
        if (m.event === 'board' && !ready) {
          ready = true;
          boardsReady++;
        }
        if (m.event !== 'item') return;
        const { eventId } = JSON.parse(m.data) as { eventId: string };
        seen.set(eventId, (seen.get(eventId) ?? 0) + 1);
        const list = received.get(eventId) ?? [];
        list.push(performance.now());
        received.set(eventId, list);
      }),
    );
  }
  const readyBy = Date.now() + 30000;
  while (boardsReady < BOARDS) {
    if (Date.now() > readyBy) throw new Error(`only ${boardsReady} of ${BOARDS} boards connected within 30 s`);
    await sleep(20);
  }
  gc?.();
  const memoryPerBoardKb = Math.max(0, (process.memoryUsage().heapUsed - memBefore) / BOARDS / 1024);

  // Load: sustained 5/s, a burst of 50/s for 10 s, then 5/s again. One event per request.
  const sentAt = new Map<string, number>();
  const plan: number[] = [];
  for (let s = 0; s < SUSTAINED_S; s++) plan.push(5);
  for (let s = 0; s < 10; s++) plan.push(50);
  for (let s = 0; s < 5; s++) plan.push(5);
  let n = 0;
  const inflight: Promise<unknown>[] = [];
  const startAll = performance.now();
  for (const [second, rate] of plan.entries()) {
    for (let k = 0; k < rate; k++) {
      const due = startAll + second * 1000 + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const i = n++;
      const callId = `bench-${name}-${Math.floor(i / 3)}`;
      const type = i % 3 === 0 ? 'call.offered' : i % 3 === 1 ? 'call.answered' : 'call.ended';
      const event: Record<string, unknown> = { id: `bench-${name}-${i}`, type, at: new Date().toISOString(), callId };
      if (type === 'call.answered') event.operatorCode = `BL-${i % 40}`;
      if (type === 'call.ended') event.reason = i % 30 === 2 ? 'dropped' : 'normal';
      const target = instances[i % instances.length]!;
      sentAt.set(event.id as string, performance.now());
      inflight.push(post(target.url, token, [event]));
    }
  }
  await Promise.all(inflight);
  // Let the last items arrive.
  const waitEnd = performance.now() + 5000;
  while (performance.now() < waitEnd && [...sentAt.keys()].some((id) => (received.get(id)?.length ?? 0) < BOARDS)) await sleep(50);

  const latencies: number[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const [id, t0] of sentAt) {
    for (const seen of perBoard) {
      const c = seen.get(id) ?? 0;
      if (c === 0) lost++;
      if (c > 1) duplicated += c - 1;
    }
    for (const t of received.get(id) ?? []) latencies.push(t - t0);
  }
  for (const c of conns) c.close();

  // The most events per second accepted: batches of 500, two requests at a time, for ~5 s.
  let accepted = 0;
  let batch = 0;
  const t0 = performance.now();
  const worker = async (w: number) => {
    while (performance.now() - t0 < 5000) {
      const b = batch++;
      const events = Array.from({ length: 500 }, (_, j) => ({ id: `thr-${name}-${b}-${j}`, type: 'call.offered', at: new Date().toISOString(), callId: `thr-${name}-${b}-${j}` }));
      if ((await post(instances[w % instances.length]!.url, token, events)) === 201) accepted += 500;
    }
  };
  await Promise.all([worker(0), worker(1)]);
  const acceptedPerSec = accepted / ((performance.now() - t0) / 1000);
  for (const i of instances) await i.close();
  return { name, p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), events: sentAt.size, lost, duplicated, acceptedPerSec, memoryPerBoardKb };
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
      `${r.name}: ${r.events} events × ${BOARDS} boards; accepted → shown p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; lost ${r.lost}, duplicated ${r.duplicated}; ${r.acceptedPerSec.toFixed(0)} events/s accepted; ${r.memoryPerBoardKb.toFixed(0)} KB per board\n`,
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
