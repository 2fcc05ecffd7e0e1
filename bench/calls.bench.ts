// Calls at scale, on SQLite files (the embedded default):
//  (1) importing a 100,000-row manifest (metadata only) into a fresh database: rows per second,
//      then the same manifest again (every row "already imported"); the same for an XLSX manifest;
//  (2) the call list at 1,000,000 calls (30 days, 400 operators): the calls feature's own list and
//      count queries (src/features/calls/calls.repository.ts), page 1 and page 50, median and p95,
//      with the index each one uses (EXPLAIN QUERY PLAN).
//
//   npm run bench:calls
//   npm run bench:calls -- --rows 20000 --calls 200000 --iterations 9
//   npm run bench:calls -- --skip-import            # only the list queries
//   npm run bench:calls -- --skip-list --no-xlsx    # only the CSV import
//   npm run bench:calls -- --analyze                # also after ANALYZE (planner statistics)
//
// Goals: import ≥ 5,000 rows/s; every list query < 100 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { createDbFromUrl, migrate } from '../src/db';
import { addDays, tashkentDayRange, tashkentToUtc } from '../src/time';
import { mulberry32, weighted } from '../src/random';
import { executeImport, type ImportDeps } from '../src/features/imports/imports.service';
import { folderLocator } from '../src/features/imports/imports.files';
import { insertImport } from '../src/features/imports/imports.repository';
import { toExcelCsv } from '../src/features/imports/imports.manifest';
import { countCalls, listCalls, type CallVisibility } from '../src/features/calls/calls.repository';
import type { CallListCursor, CallListFilters } from '../src/features/calls/calls.filters';
import { CALL_CATEGORIES } from '../src/features/calls/calls.model';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const ROWS = arg('rows', 100_000);
const CALLS = arg('calls', 1_000_000);
const ITERATIONS = arg('iterations', 15);
const OPERATORS = 400;
const DAYS = 30;
const TODAY = '2026-11-24';
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-bench-calls-'));

const LANGUAGES: [string, number][] = [['uz', 60], ['ru', 25], ['kaa', 8], ['en', 2], ['other', 3], ['sign', 2]];
const CATEGORY_WEIGHTS: [string, number][] = CALL_CATEGORIES.map((c, i) => [c, [30, 8, 12, 14, 5, 4, 1, 15, 8, 3][i] ?? 3]);
const SERVICES: Record<string, string> = { medical: '103', fire: '101', crime: '102', road_accident: '102,103', gas: '104', domestic_violence: '102,1146', suicide_risk: '103,102' };
const REGION_WEIGHTS: [number, number][] = [[1, 6], [2, 9], [3, 6], [4, 4], [5, 9], [6, 3], [7, 8], [8, 11], [9, 8], [10, 2], [11, 9], [12, 11], [13, 6], [14, 8]];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1);
function table(head: string[], rows: (string | number)[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => (typeof c === 'number' || /^[\d.,]+( ms)?$/.test(String(c)) ? String(c).padStart(w[i]!) : String(c).padEnd(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function freshDb(name: string): Promise<{ db: Knex; file: string }> {
  const file = path.join(WORK, name);
  const db = createDbFromUrl(`sqlite:${file}`);
  await migrate(db);
  return { db, file };
}

/** 400 operators in 20 teams, 10 supervisors: what a national deployment has. */
async function seedOrganisation(db: Knex): Promise<void> {
  const now = new Date().toISOString();
  const supervisors: number[] = [];
  for (let s = 0; s < 10; s++) {
    const [r] = await db('users').insert({ username: `sup${s}`, display_name: `Supervisor ${s}`, password_hash: 'x', role: 'supervisor', language: 'uz', is_active: true, created_at: now, updated_at: now }).returning('id');
    supervisors.push(Number((r as { id: number }).id ?? r));
  }
  const teams: number[] = [];
  for (let t = 0; t < 20; t++) {
    const [r] = await db('teams').insert({ name: `Team ${t}`, supervisor_user_id: supervisors[t % 10], created_at: now, updated_at: now }).returning('id');
    teams.push(Number((r as { id: number }).id ?? r));
  }
  const ops = Array.from({ length: OPERATORS }, (_, i) => ({ employee_code: `OP-${String(i + 1).padStart(4, '0')}`, full_name: `Operator ${i + 1}`, team_id: teams[i % 20], category: 'A1', languages: 'uz,ru', is_active: true, created_at: now, updated_at: now }));
  for (let i = 0; i < ops.length; i += 100) await db('operators').insert(ops.slice(i, i + 100));
}

// ---------------------------------------------------------------- (1) import

function manifestRows(n: number): string[][] {
  const rand = mulberry32(42);
  const start = Date.parse(`${addDays(TODAY, -DAYS + 1)}T00:00:00+05:00`);
  const step = (DAYS * 86400000) / n;
  const rows: string[][] = [['external_id', 'started_at', 'answered_at', 'ended_at', 'operator_code', 'caller_number', 'language', 'channel', 'category', 'services', 'region', 'dropped', 'extra.card_number']];
  const regionCodes = ['QR', 'AN', 'BU', 'JI', 'QA', 'NV', 'NG', 'SA', 'SU', 'SI', 'TO', 'FA', 'XO', 'TK'];
  for (let i = 0; i < n; i++) {
    const t = start + i * step + rand() * step;
    const wall = (ms: number) => new Date(ms + 5 * 3600000).toISOString().slice(0, 19).replace('T', ' ');
    const answer = t + 2000 + rand() * 6000;
    const end = answer + 20000 + rand() * 400000;
    const category = weighted(rand, CATEGORY_WEIGHTS);
    rows.push([
      `B-${String(i + 1).padStart(7, '0')}`, wall(t), wall(answer), wall(end), `OP-${String(1 + Math.floor(rand() * OPERATORS)).padStart(4, '0')}`,
      `+99890${String(Math.floor(rand() * 1e7)).padStart(7, '0')}`, weighted(rand, LANGUAGES), 'voice', category, (SERVICES[category] ?? '').replace(',', ';'),
      regionCodes[weighted(rand, REGION_WEIGHTS) - 1]!, rand() < 0.05 ? 'yes' : 'no', `K-${i + 1}`,
    ]);
  }
  return rows;
}

async function writeXlsx(file: string, rows: string[][]): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('Calls');
  for (const r of rows) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
}

async function timedImport(deps: ImportDeps, manifest: string, label: string) {
  const id = await insertImport(deps.db, { fileName: path.basename(manifest), origin: 'cli', createdBy: null, actor: 'bench', defaultSource: 'telephony', recordingFiles: 0 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const imp = await executeImport(deps, id, { manifestPath: manifest, recordings: await folderLocator(WORK), defaultSource: 'telephony' });
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process: what the import costs when other work shares the machine's cores.
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  if (imp.status !== 'done') throw new Error(`${label}: import ${imp.status} ${imp.errorKey} ${JSON.stringify(imp.errorParams)}`);
  return { label, sec, cpuSec, rowsPerSec: imp.totalRows / sec, rowsPerCpuSec: imp.totalRows / cpuSec, imp, peakRssMb: peakRss / 1048576 };
}

async function benchImport(): Promise<void> {
  console.log(`\n(1) Import of a ${ROWS.toLocaleString('en')}-row manifest (metadata only), SQLite file, ${OPERATORS} operators\n`);
  const rows = manifestRows(ROWS);
  const csv = path.join(WORK, 'manifest.csv');
  fs.writeFileSync(csv, toExcelCsv(rows));
  const results = [];
  {
    const { db } = await freshDb('import-csv.db');
    await seedOrganisation(db);
    const deps: ImportDeps = { db, clock: () => new Date(`${TODAY}T18:00:00Z`), config: { recordingsDir: path.join(WORK, 'rec'), maxUploadBytes: 1 << 30, maxRecordingSeconds: 14400, ffmpegPath: null, ffprobePath: null } };
    results.push(await timedImport(deps, csv, 'CSV, fresh database'));
    results.push(await timedImport(deps, csv, 'CSV again (all already imported)'));
    const n = Number((await db('calls').count({ n: '*' }).first())!.n);
    if (n !== ROWS) throw new Error(`expected ${ROWS} calls, found ${n}`);
    await db.destroy();
  }
  if (!flag('no-xlsx')) {
    const xlsx = path.join(WORK, 'manifest.xlsx');
    await writeXlsx(xlsx, rows);
    const { db } = await freshDb('import-xlsx.db');
    await seedOrganisation(db);
    const deps: ImportDeps = { db, clock: () => new Date(`${TODAY}T18:00:00Z`), config: { recordingsDir: path.join(WORK, 'rec'), maxUploadBytes: 1 << 30, maxRecordingSeconds: 14400, ffmpegPath: null, ffprobePath: null } };
    results.push(await timedImport(deps, xlsx, 'XLSX (streaming), fresh database'));
    results.push(await timedImport(deps, xlsx, 'XLSX again (all already imported)'));
    await db.destroy();
  }
  console.log(
    table(
      ['run', 'rows', 'accepted', 'already', 'rejected', 'seconds', 'rows/s', 'CPU s', 'rows/CPU s', 'peak RSS MB'],
      results.map((r) => [r.label, r.imp.totalRows, r.imp.acceptedCount, r.imp.alreadyCount, r.imp.rejectedCount, r.sec.toFixed(2), Math.round(r.rowsPerSec), r.cpuSec.toFixed(2), Math.round(r.rowsPerCpuSec), Math.round(r.peakRssMb)]),
    ),
  );
  const first = results[0]!;
  console.log(`\nGoal ≥ 5,000 rows/s: ${first.rowsPerSec >= 5000 ? 'met' : 'NOT met'} (${Math.round(first.rowsPerSec).toLocaleString('en')} rows/s wall clock, ${Math.round(first.rowsPerCpuSec).toLocaleString('en')} rows per CPU-second, on the fresh CSV import).`);
}

// ---------------------------------------------------------------- (2) the call list

interface SqliteConn {
  prepare(sql: string): { run(...args: unknown[]): unknown };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

/** A million calls straight into the table through one prepared statement (not the import path: this measures the list). */
async function generateCalls(db: Knex, n: number): Promise<number> {
  const rand = mulberry32(7);
  const client = db.client as { acquireConnection(): Promise<SqliteConn>; releaseConnection(c: SqliteConn): Promise<void> };
  const conn = await client.acquireConnection();
  const t0 = performance.now();
  try {
    const insert = conn.prepare(
      `insert into calls (source, external_id, started_at, answered_at, ended_at, call_date, duration_sec, operator_id, caller_number, language, channel, category, services, region_id, dropped, evaluated_at, deleted_at, created_at, updated_at)
       values ('telephony', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const start = tashkentToUtc(addDays(TODAY, -DAYS + 1)).getTime();
    const step = (DAYS * 86400000) / n;
    const batch = conn.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = start + i * step + rand() * step * 0.9;
        const startedAt = new Date(t).toISOString();
        const answered = t + 2000 + rand() * 8000;
        const duration = Math.round(15 + -Math.log(1 - rand()) * 140);
        const category = weighted(rand, CATEGORY_WEIGHTS);
        const evaluated = rand() < 0.02 ? new Date(t + 86400000).toISOString() : null;
        insert.run(
          `L-${i + 1}`, startedAt, new Date(answered).toISOString(), new Date(answered + duration * 1000).toISOString(),
          new Date(t + 5 * 3600000).toISOString().slice(0, 10), duration, 1 + Math.floor(rand() * OPERATORS), `+99890${String(Math.floor(rand() * 1e7)).padStart(7, '0')}`,
          weighted(rand, LANGUAGES), rand() < 0.01 ? 'video' : 'voice', category, SERVICES[category] ?? null, weighted(rand, REGION_WEIGHTS), rand() < 0.05 ? 1 : 0,
          evaluated, rand() < 0.001 ? startedAt : null, startedAt, startedAt,
        );
      }
    });
    for (let i = 0; i < n; i += 50_000) batch(i, Math.min(n, i + 50_000));
  } finally {
    await client.releaseConnection(conn);
  }
  return (performance.now() - t0) / 1000;
}

interface ListCase {
  name: string;
  filters: CallListFilters;
  visibility?: CallVisibility;
}

/** EXPLAIN QUERY PLAN of every statement one call runs (a list page may run a count, the page's ids, then its rows). */
async function capturePlan(db: Knex, run: () => Promise<unknown>): Promise<string> {
  const seen: { sql: string; bindings: readonly unknown[] }[] = [];
  const listener = (q: { sql: string; bindings: readonly unknown[] }) => seen.push(q);
  db.on('query', listener);
  try {
    await run();
  } finally {
    db.removeListener('query', listener);
  }
  const out: string[] = [];
  for (const [i, q] of seen.entries()) {
    const plan = (await db.raw(`explain query plan ${q.sql}`, [...q.bindings] as Knex.RawBinding[])) as { detail: string }[];
    out.push(`${seen.length > 1 ? `[${i + 1}] ` : ''}${plan.map((p) => p.detail).join(' | ')}`);
  }
  return out.join('\n           ');
}

async function timeIt(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 2; i++) await fn(); // warm the page cache and the statement cache
  const out: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function benchList(db: Knex, label: string): Promise<void> {
  const sevenDays: Pick<CallListFilters, 'from' | 'to' | 'sort'> = { from: addDays(TODAY, -6), to: TODAY, sort: 'newest' };
  const regionTk = Number((await db('regions').where({ code: 'SA' }).first('id'))!.id);
  const supervisor = Number((await db('users').where({ username: 'sup3' }).first('id'))!.id);
  const cases: ListCase[] = [
    { name: '7 days, no filter (the default list)', filters: { ...sevenDays } },
    { name: '7 days + operator', filters: { ...sevenDays, operatorId: 123 } },
    { name: '7 days + region + category', filters: { ...sevenDays, regionId: regionTk, category: 'road_accident' } },
    { name: '7 days + language + dropped', filters: { ...sevenDays, language: 'ru', dropped: true } },
    { name: '7 days + not evaluated', filters: { ...sevenDays, evaluated: false } },
    { name: '30 days + not evaluated', filters: { from: addDays(TODAY, -29), to: TODAY, sort: 'newest', evaluated: false } },
    { name: '7 days, longest first', filters: { ...sevenDays, sort: 'longest' } },
    { name: '7 days, supervisor (2 teams)', filters: { ...sevenDays }, visibility: { kind: 'supervisor', userId: supervisor } },
  ];
  const rows: (string | number)[][] = [];
  const plans: string[] = [];
  for (const c of cases) {
    const visibility = c.visibility ?? { kind: 'all' };
    const page = (cursor: CallListCursor | null) => listCalls(db, { filters: c.filters, cursor, visibility, lang: 'uz', limit: 50 });
    // Page 50 the way a person reaches it: following "next" 49 times (keyset paging).
    let cursor: CallListCursor | null = null;
    let pagesWalked = 1;
    for (; pagesWalked < 50; pagesWalked++) {
      const p = await page(cursor);
      if (!p.next) break;
      cursor = { ...p.next, direction: 'after' };
    }
    const page50 = pagesWalked === 50 ? cursor : null;
    const t1 = await timeIt(() => page(null));
    const t50 = page50 ? await timeIt(() => page(page50)) : null;
    const tc = await timeIt(() => countCalls(db, { filters: c.filters, visibility, cap: 1000 }));
    rows.push([c.name, ms(median(t1)), ms(p95(t1)), t50 ? ms(median(t50)) : 'n/a', t50 ? ms(p95(t50)) : 'n/a', ms(median(tc)), ms(p95(tc))]);
    plans.push(`${c.name}:\n    list:  ${await capturePlan(db, () => page(null))}\n    count: ${await capturePlan(db, () => countCalls(db, { filters: c.filters, visibility, cap: 1000 }))}`);
  }
  console.log(`\n${label} — milliseconds over ${ITERATIONS} runs (after 2 warm-ups), listCalls/countCalls from src/features/calls/calls.repository.ts\n`);
  console.log(table(['query', 'p1 median', 'p1 p95', 'p50 median', 'p50 p95', 'count median', 'count p95'], rows));
  const worst = Math.max(...rows.flatMap((r) => [r[1], r[3], r[5]].filter((x) => x !== 'n/a').map(Number)));
  console.log(`\nGoal < 100 ms: ${worst < 100 ? 'met' : 'NOT met'} (slowest median ${ms(worst)} ms).`);
  console.log('\nQuery plans (EXPLAIN QUERY PLAN):');
  for (const p of plans) console.log(`  ${p}`);
}

async function benchCallList(): Promise<void> {
  console.log(`\n(2) Call list at ${CALLS.toLocaleString('en')} calls over ${DAYS} days, ${OPERATORS} operators, SQLite file`);
  const { db, file } = await freshDb('list.db');
  await seedOrganisation(db);
  const genSec = await generateCalls(db, CALLS);
  console.log(`    generated in ${genSec.toFixed(1)} s (${Math.round(CALLS / genSec).toLocaleString('en')} rows/s); database ${(fs.statSync(file).size / 1048576).toFixed(0)} MB`);
  const week = tashkentDayRange(addDays(TODAY, -6));
  const inWeek = Number((await db('calls').where('started_at', '>=', week.startIso).count({ n: '*' }).first())!.n);
  console.log(`    calls in the last 7 days: ${inWeek.toLocaleString('en')}`);
  await benchList(db, 'Without planner statistics (as a fresh install runs)');
  if (flag('analyze')) {
    await db.raw('analyze');
    await benchList(db, 'After ANALYZE');
  }
  await db.destroy();
}

async function main(): Promise<void> {
  // Other work on the machine skews every figure: say how busy it was.
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}, work dir ${WORK}`);
  try {
    if (!flag('skip-import')) await benchImport();
    if (!flag('skip-list')) await benchCallList();
    console.log(`\nLoad average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  } finally {
    if (!flag('keep')) fs.rmSync(WORK, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
