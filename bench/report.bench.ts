// Report benchmark: the Excel export of 100,000 evaluations with 20 criteria each (streaming writer,
// as the route does it, against an in-memory ExcelJS workbook), and the dashboard for a 90-day
// period over the same data (the service, and the route through supertest).
//
//   npm run bench:report                          # 100,000 evaluations, 3 streaming runs, 1 in-memory
//   npm run bench:report -- --evaluations 20000 --runs 5 --memory-runs 1 --dashboard-runs 15
//   npm run bench:report -- --keep                # keep the generated database for another run
//
// Goals: streaming export under 15 s and under 300 MB peak RSS; dashboard median under 300 ms.
// Each export runs in its own child process, so its peak memory is its own: the child samples
// process.memoryUsage().rss every 25 ms and also reports the kernel's max RSS (getrusage).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { loadConfig, type Config } from '../src/config';
import { createDb, migrate, type Db } from '../src/db';
import { translator } from '../src/i18n';
import { addDays, tashkentToUtc } from '../src/time';
import { scoreEvaluation, type Answers } from '../src/features/evaluations/scoring';
import type { Criterion, RubricDefinition } from '../src/features/rubrics/rubric.model';
import { buildDashboard, refreshDaySums, resolveScope, tablePeriodSums } from '../src/features/reports/reports.service';
import { callCategories } from '../src/features/reports/reports.repository';
import { periodDays, previousPeriod } from '../src/features/reports/aggregate';
import { reportTables, evaluationsExport, writeReportWorkbook } from '../src/features/reports/reports.export';
import { EXPORT_PAGE_SIZE } from '../src/features/reports/reports.repository';
import type { TableContext, CellValue, TableColumn } from '../src/features/reports/report-tables';
import { bandRules, columnLetter } from '../src/features/reports/report-writers';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const periodDaysOf = (from: string, to: string) => periodDays({ from, to });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const EVALUATIONS = arg('evaluations', 100_000);
const RUNS = arg('runs', 3);
const MEMORY_RUNS = arg('memory-runs', 1);
const DASHBOARD_RUNS = arg('dashboard-runs', 11);
const TODAY = '2026-11-20';
const FROM = addDays(TODAY, -89);
const DB_FILE = path.join(os.tmpdir(), `sifat-report-bench-${EVALUATIONS}.db`);
const BANDS = { high: 90, compliant: 80, partial: 60 };
const PASSWORD = 'bench-password-112';

// ---------------------------------------------------------------------------------------------
// Data: written with better-sqlite3 directly (prepared statements in one transaction), after the
// app's own migrations, so the schema and indexes are the real ones.

// better-sqlite3 ships no types here (no @types package installed): the few calls used, typed by hand.
interface SqliteStatement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint };
}
interface SqliteDatabase {
  pragma(s: string): unknown;
  prepare(sql: string): SqliteStatement;
  transaction(fn: () => void): () => void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string) => SqliteDatabase;

function rubric(): RubricDefinition {
  const categories = ['greeting', 'information', 'routing', 'card', 'help', 'communication', 'closing', 'other'] as const;
  const criteria: Criterion[] = Array.from({ length: 20 }, (_, i) => {
    const critical = i === 7 || i === 13;
    const scale = i === 4 || i === 14 || i === 18;
    return {
      code: `C-${i + 1}`,
      text: { uz: `Mezon ${i + 1}`, ru: `Критерий ${i + 1}`, en: `Criterion ${i + 1}` },
      guidance: { uz: '', ru: '', en: '' },
      points: critical ? 10 : 5,
      answerType: scale ? 'scale' : 'yesno',
      ...(scale ? { scaleMax: 3 } : {}),
      naAllowed: i === 11 || i === 16 || i === 19,
      critical,
      errorCategory: categories[i % categories.length],
      defaultSeverity: critical ? 'critical' : i % 3 === 0 ? 'major' : 'minor',
    };
  });
  return { sections: [{ key: 'all', title: { uz: 'Hammasi', ru: 'Все', en: 'All' }, criteria }] };
}

async function generate(): Promise<void> {
  if (fs.existsSync(DB_FILE) && process.argv.includes('--reuse')) {
    // A kept database may predate newer migrations.
    const db = createDb({ database: { client: 'sqlite', filename: DB_FILE }, dbPoolMax: 1 });
    await migrate(db);
    await db.destroy();
    await sumDaysAsTheJobWould();
    return;
  }
  for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) fs.rmSync(f, { force: true });
  const db = createDb({ database: { client: 'sqlite', filename: DB_FILE }, dbPoolMax: 1 });
  await migrate(db);
  await db.destroy();

  const started = performance.now();
  const sql = new Database(DB_FILE);
  sql.pragma('journal_mode = WAL');
  sql.pragma('synchronous = OFF');
  const now = new Date().toISOString();
  let rnd = 42;
  const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const hash = bcrypt.hashSync(PASSWORD, 4);
  const def = rubric();
  const criteria = def.sections[0].criteria;

  sql.transaction(() => {
    const user = sql.prepare('insert into users (username, display_name, password_hash, role, language, is_active, created_at, updated_at) values (?, ?, ?, ?, ?, 1, ?, ?)');
    user.run('bench-leadership', 'Bench Leadership', hash, 'leadership', 'en', now, now);
    const specialists = Array.from({ length: 30 }, (_, i) => Number(user.run(`bench-specialist-${i}`, `Specialist ${i + 1}`, hash, 'specialist', 'uz', now, now).lastInsertRowid));
    const teams = Array.from({ length: 10 }, (_, i) => Number(sql.prepare('insert into teams (name, created_at, updated_at) values (?, ?, ?)').run(`Team ${i + 1}`, now, now).lastInsertRowid));
    const op = sql.prepare('insert into operators (employee_code, full_name, team_id, category, languages, is_active, created_at, updated_at) values (?, ?, ?, ?, ?, 1, ?, ?)');
    const operators = Array.from({ length: 300 }, (_, i) => Number(op.run(`OP-${1000 + i}`, `Operator ${i + 1}`, teams[i % teams.length], i % 4 ? 'A1' : 'A2', 'uz,ru', now, now).lastInsertRowid));
    const skill = new Map(operators.map((id) => [id, 0.78 + random() * 0.2]));
    const rubricId = Number(sql.prepare('insert into rubrics (name, is_default, created_at, updated_at) values (?, 1, ?, ?)').run('Bench rubric', now, now).lastInsertRowid);
    const versionId = Number(sql.prepare("insert into rubric_versions (rubric_id, version_no, status, definition, published_at, created_at, updated_at) values (?, 1, 'published', ?, ?, ?, ?)").run(rubricId, JSON.stringify(def), now, now, now).lastInsertRowid);

    const call = sql.prepare("insert into calls (source, external_id, started_at, call_date, duration_sec, operator_id, caller_number, language, channel, category, services, region_id, dropped, created_at, updated_at) values ('bench', ?, ?, ?, ?, ?, ?, ?, 'voice', ?, '103', ?, 0, ?, ?)");
    const evaluation = sql.prepare("insert into evaluations (call_id, operator_id, rubric_version_id, specialist_user_id, kind, purpose, review_lag_sec, status, revision, score, points_earned, points_possible, result, critical_failure, heard_share, heard_seconds, started_at, submitted_at, evaluation_date, created_at, updated_at) values (?, ?, ?, ?, 'regular', ?, ?, 'submitted', 1, ?, ?, ?, ?, ?, ?, 90, ?, ?, ?, ?, ?)");
    const answer = sql.prepare('insert into evaluation_answers (evaluation_id, criterion_code, value, is_na, points_earned, points_possible, failed) values (?, ?, ?, ?, ?, ?, ?)');
    const error = sql.prepare("insert into errors (evaluation_id, call_id, operator_id, source, criterion_code, category, severity, status, error_date, created_at, updated_at) values (?, ?, ?, 'criterion', ?, ?, ?, 'new', ?, ?, ?)");
    const plan = sql.prepare("insert into plans (plan_date, status, seed, rules, algorithm_version, population_fingerprint, population_count, created_at) values (?, 'active', 'bench', '{}', 'bench', ?, 0, ?)");
    const assignment = sql.prepare('insert into assignments (plan_id, call_id, operator_id, specialist_user_id, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)');
    const plans = new Map<string, number>();
    for (let d = 0; d < 90; d++) plans.set(addDays(FROM, d), Number(plan.run(addDays(FROM, d), 'f'.repeat(64), now).lastInsertRowid));

    for (let i = 0; i < EVALUATIONS; i++) {
      const day = addDays(FROM, Math.floor((i / EVALUATIONS) * 90));
      const operatorId = pick(operators);
      const specialistId = pick(specialists);
      const submitted = new Date(tashkentToUtc(day, '08:00').getTime() + random() * 12 * 3600000);
      const startedEval = new Date(submitted.getTime() - (3 + random() * 12) * 60000);
      const callStarted = new Date(submitted.getTime() - 6 * 3600000);
      const callId = Number(call.run(`B${i}`, callStarted.toISOString(), day, 60 + Math.floor(random() * 400), operatorId, `+99890${String(1000000 + i).slice(-7)}`, pick(['uz', 'uz', 'uz', 'ru', 'kaa']), pick(['medical', 'fire', 'police', 'road', 'gas', 'social']), 1 + Math.floor(random() * 14), now, now).lastInsertRowid);
      const p = skill.get(operatorId)!;
      const answers: Record<string, Answers[string]> = {};
      for (const c of criteria) {
        if (c.naAllowed && random() < 0.3) answers[c.code] = { value: null, na: true };
        else if (c.answerType === 'scale') answers[c.code] = { value: random() < p ? 3 : Math.floor(random() * 3), na: false };
        else answers[c.code] = { value: random() < (c.critical ? 0.985 : p + 0.05) ? 1 : 0, na: false };
      }
      const s = scoreEvaluation(def, answers, BANDS);
      // Mostly the plans' random draws; some targeted and hand-picked calls beside them.
      const r = random();
      const purpose = r < 0.9 ? 'random' : r < 0.95 ? 'targeted' : 'on_request';
      const evaluationId = Number(evaluation.run(callId, operatorId, versionId, specialistId, purpose, 6 * 3600, s.score, s.pointsEarned, s.pointsPossible, s.result, s.criticalFailure ? 1 : 0, 0.85 + random() * 0.15, startedEval.toISOString(), submitted.toISOString(), day, startedEval.toISOString(), submitted.toISOString()).lastInsertRowid);
      for (const c of criteria) {
        const a = answers[c.code]!;
        const per = s.perCriterion[c.code];
        answer.run(evaluationId, c.code, a.na ? null : a.value, a.na ? 1 : 0, per.earned, per.possible, per.failed ? 1 : 0);
        if (per.failed) error.run(evaluationId, callId, operatorId, c.code, c.errorCategory, c.defaultSeverity, day, now, now);
      }
      assignment.run(plans.get(day), callId, operatorId, specialistId, 'done', now, now);
      if (i % 10 === 0) assignment.run(plans.get(day), callId, operatorId, specialistId, random() < 0.5 ? 'new' : 'in_progress', now, now);
    }
  })();
  sql.pragma('wal_checkpoint(TRUNCATE)');
  sql.close();
  const size = fs.statSync(DB_FILE).size;
  console.log(`generated ${EVALUATIONS.toLocaleString('en')} evaluations × 20 criteria into ${DB_FILE} (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await sumDaysAsTheJobWould();
}

/** What the app's hourly reports.sumDays job does after a large load: sums every day once. */
async function sumDaysAsTheJobWould(): Promise<void> {
  const db = createDb({ database: { client: 'sqlite', filename: DB_FILE }, dbPoolMax: 1 });
  const t0 = performance.now();
  const days = await refreshDaySums(db, addDays(FROM, -400), TODAY);
  console.log(`  day summaries brought up to date as the hourly job would: ${days.size} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await db.destroy();
}

// ---------------------------------------------------------------------------------------------
// One export, in a child process

function benchConfig(): Config {
  return loadConfig({ ...process.env, DATABASE_URL: `sqlite:${DB_FILE}`, LOG_LEVEL: 'silent' });
}

async function exportContext(db: Db) {
  const config = benchConfig();
  const resolved = await resolveScope(db, { id: 1, role: 'leadership' }, { from: FROM, to: TODAY, teamId: null, regionId: null, category: null, language: null, sample: 'random' });
  const t = translator('en');
  const ctx: TableContext = { t, lang: 'en', filters: resolved.filters, filterLabels: { team: null, region: null, category: null, language: null }, generatedAt: new Date(), bands: config.scoreBands };
  return { config, resolved, ctx };
}

/** The same workbook built the simple way: an in-memory ExcelJS workbook, written at the end. */
async function inMemoryWorkbook(db: Db, file: string): Promise<number> {
  const { config, resolved, ctx } = await exportContext(db);
  const tables = await reportTables(db, resolved, ctx, { bands: config.scoreBands, shiftDayStart: config.shiftDayStart });
  const streamed = await evaluationsExport(db, resolved, ctx);
  const wb = new ExcelJS.Workbook();
  const add = (title: string, columns: TableColumn[], rows: CellValue[][] | null) => {
    const ws = wb.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns.map((c, i) => ({ key: `c${i}`, width: c.width, header: c.header }));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    if (rows) for (const r of rows) ws.addRow(r);
    return ws;
  };
  for (const tb of tables) add(tb.title, tb.columns, tb.rows);
  const ws = add(streamed.title, streamed.columns, null);
  let count = 0;
  for await (const page of streamed.pages) {
    for (const r of page) ws.addRow(r);
    count += page.length;
  }
  const scoreCol = columnLetter(streamed.columns.findIndex((c) => c.band) + 1);
  ws.addConditionalFormatting({ ref: `${scoreCol}2:${scoreCol}${count + 1}`, rules: bandRules(`${scoreCol}2`, BANDS) });
  await wb.xlsx.writeFile(file);
  return count;
}

async function child(variant: 'stream' | 'memory'): Promise<void> {
  let peak = 0;
  let peakHeap = 0;
  let peakBuffers = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 25);
  const gcTimer = process.env.BENCH_FORCE_GC && (globalThis as { gc?: () => void }).gc ? setInterval(() => (globalThis as unknown as { gc: () => void }).gc(), 500) : null;
  const db = createDb({ database: { client: 'sqlite', filename: DB_FILE }, dbPoolMax: 4 });
  const file = path.join(os.tmpdir(), `sifat-report-bench-${variant}-${process.pid}.xlsx`);
  const t0 = performance.now();
  let rows: number;
  if (variant === 'stream') {
    const { config, resolved, ctx } = await exportContext(db);
    const out = fs.createWriteStream(file);
    const done = new Promise<void>((r) => out.on('close', () => r()));
    rows = (await writeReportWorkbook(db, resolved, ctx, out, { bands: config.scoreBands, shiftDayStart: config.shiftDayStart, pageSize: arg('page-size', EXPORT_PAGE_SIZE) })).evaluationRows;
    await done;
  } else {
    rows = await inMemoryWorkbook(db, file);
  }
  const seconds = (performance.now() - t0) / 1000;
  sample();
  clearInterval(timer);
  if (gcTimer) clearInterval(gcTimer);
  const bytes = fs.statSync(file).size;
  fs.rmSync(file, { force: true });
  await db.destroy();
  process.stdout.write(`${JSON.stringify({ variant, rows, seconds, sampledPeakMB: peak / 2 ** 20, peakHeapMB: peakHeap / 2 ** 20, peakBuffersMB: peakBuffers / 2 ** 20, cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024, fileMB: bytes / 1e6 })}\n`);
}

interface ChildResult {
  variant: string;
  rows: number;
  seconds: number;
  cpuSeconds: number;
  sampledPeakMB: number;
  maxRssMB: number;
  fileMB: number;
}

function runChild(variant: 'stream' | 'memory'): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', variant, '--evaluations', String(EVALUATIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`${variant} export failed (exit ${code}): ${out}`));
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The dashboard

async function dashboardBench(): Promise<{ coldMs: number; service: number[]; serviceCpu: number[]; unchanged: number[]; tables: number[]; team: number[]; filtered: number[]; category: number[]; language: number[]; filteredTables: number[]; categoryList: number[]; route: number[] }> {
  // Loaded here, not at the top: the export children need none of the web app (nor its memory).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createApp } = require('../src/app') as typeof import('../src/app');
  const { JobQueue } = require('../src/jobs/queue') as typeof import('../src/jobs/queue');
  const { authFeature } = require('../src/features/auth') as typeof import('../src/features/auth');
  const { homeFeature } = require('../src/features/home') as typeof import('../src/features/home');
  const { reportsFeature } = require('../src/features/reports') as typeof import('../src/features/reports');
  const request = require('supertest') as typeof import('supertest');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = benchConfig();
  const db = createDb(config);
  const logger = pino({ level: process.env.BENCH_LOG ? 'error' : 'silent' });
  const scope = (await exportContext(db)).resolved.scope;
  // Cold: no day summaries stored yet (a new installation, or after this migration) — every day of
  // the period and of the previous one is summed from the tables once.
  await db('report_day_summaries').del();
  let t0 = performance.now();
  await buildDashboard(db, scope, config.scoreBands);
  const coldMs = performance.now() - t0;
  // As in use: specialists keep submitting, so the last day has changed since the previous view.
  // An update of one of its evaluations fires the trigger that marks the day (no change in value).
  const lastDayEvaluation = await db('evaluations').where('evaluation_date', TODAY).first('id', 'updated_at');
  const touchLastDay = () => db('evaluations').where('id', lastDayEvaluation.id).update({ updated_at: lastDayEvaluation.updated_at });
  const service: number[] = [];
  const serviceCpu: number[] = [];
  const unchanged: number[] = [];
  for (let i = 0; i < DASHBOARD_RUNS; i++) {
    await touchLastDay();
    t0 = performance.now();
    const c0 = process.cpuUsage();
    await buildDashboard(db, scope, config.scoreBands);
    const c = process.cpuUsage(c0);
    service.push(performance.now() - t0);
    serviceCpu.push((c.user + c.system) / 1000);
    t0 = performance.now();
    await buildDashboard(db, scope, config.scoreBands);
    unchanged.push(performance.now() - t0);
  }
  // Without the summaries: the same figures read from the tables (what any filtered view does).
  const tables: number[] = [];
  for (let i = 0; i < Math.min(DASHBOARD_RUNS, 5); i++) {
    t0 = performance.now();
    await tablePeriodSums(db, scope, previousPeriod(scope));
    tables.push(performance.now() - t0);
  }
  // A supervisor's view (their teams: from the team parts) and a region filter (from the tables).
  const team: number[] = [];
  const teamScope = { ...scope, teamIds: [Number((await db('teams').first('id')).id)] };
  for (let i = 0; i < Math.min(DASHBOARD_RUNS, 5); i++) {
    await touchLastDay();
    t0 = performance.now();
    await buildDashboard(db, teamScope, config.scoreBands);
    team.push(performance.now() - t0);
  }
  // One region, one category, one language: each from its stored parts (the last day changed).
  const runs = async (s: typeof scope) => {
    const out: number[] = [];
    for (let i = 0; i < Math.min(DASHBOARD_RUNS, 5); i++) {
      await touchLastDay();
      t0 = performance.now();
      await buildDashboard(db, s, config.scoreBands);
      out.push(performance.now() - t0);
    }
    return out;
  };
  const regionScope = { ...scope, regionId: Number((await db('calls').whereNotNull('region_id').first('region_id')).region_id) };
  const filtered = await runs(regionScope);
  const category = await runs({ ...scope, category: String((await db('calls').whereNotNull('category').first('category')).category) });
  const language = await runs({ ...scope, language: 'ru' });
  // What a region filter cost before: the same sums read from the tables.
  const filteredTables: number[] = [];
  for (let i = 0; i < Math.min(DASHBOARD_RUNS, 5); i++) {
    t0 = performance.now();
    await tablePeriodSums(db, regionScope, previousPeriod(regionScope));
    filteredTables.push(performance.now() - t0);
  }
  // The category filter's list, as every dashboard view reads it.
  const categoryList: number[] = [];
  for (let i = 0; i < DASHBOARD_RUNS; i++) {
    t0 = performance.now();
    await callCategories(db);
    categoryList.push(performance.now() - t0);
  }
  // As deployed: Express caches compiled views only with NODE_ENV=production.
  process.env.NODE_ENV = 'production';
  const jobs = new JobQueue(db, { concurrency: 1, logger });
  const app = createApp({ config: { ...config, env: 'test' }, db, logger, clock: () => new Date(`${TODAY}T07:00:00Z`), jobs }, { sessionSecret: 'bench-secret-bench-secret-bench', features: [authFeature, homeFeature, reportsFeature] });
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
  const signedIn = await agent.post('/login').type('form').send({ username: 'bench-leadership', password: PASSWORD, _csrf: csrf });
  if (signedIn.status !== 302) throw new Error(`sign-in failed: ${signedIn.status}`);
  const url = `/reports?from=${FROM}&to=${TODAY}`;
  const first = await agent.get(url);
  if (first.status !== 200) throw new Error(`dashboard answered ${first.status}: ${first.text.slice(0, 500)}`);
  const route: number[] = [];
  for (let i = 0; i < DASHBOARD_RUNS; i++) {
    await touchLastDay();
    const t0 = performance.now();
    const res = await agent.get(url);
    route.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`dashboard answered ${res.status}`);
  }
  await jobs.stop();
  await db.destroy();
  return { coldMs, service, serviceCpu, unchanged, tables, team, filtered, category, language, filteredTables, categoryList, route };
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt > 0) return child(process.argv[childAt + 1] as 'stream' | 'memory');

  console.log(`Report benchmark on ${os.cpus().length} cores, Node ${process.version}, SQLite file database; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await generate();
  if (process.argv.includes('--generate-only')) return;
  const stream: ChildResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    stream.push(await runChild('stream'));
    // (--runs 0 --memory-runs 0 measures the dashboard alone)
    console.log(`  streaming export run ${i + 1}: ${stream[i].seconds.toFixed(2)} s (CPU ${stream[i].cpuSeconds.toFixed(1)} s), peak RSS ${stream[i].maxRssMB.toFixed(0)} MB (sampled ${stream[i].sampledPeakMB.toFixed(0)} MB), ${stream[i].rows} rows, ${stream[i].fileMB.toFixed(1)} MB file`);
  }
  const memory: ChildResult[] = [];
  for (let i = 0; i < MEMORY_RUNS; i++) {
    memory.push(await runChild('memory'));
    console.log(`  in-memory export run ${i + 1}: ${memory[i].seconds.toFixed(2)} s (CPU ${memory[i].cpuSeconds.toFixed(1)} s), peak RSS ${memory[i].maxRssMB.toFixed(0)} MB (sampled ${memory[i].sampledPeakMB.toFixed(0)} MB), ${memory[i].fileMB.toFixed(1)} MB file`);
  }
  const dash = await dashboardBench();

  const ok = (cond: boolean) => (cond ? 'PASS' : 'FAIL');
  const sSec = median(stream.map((r) => r.seconds));
  const sMem = median(stream.map((r) => r.maxRssMB));
  const dService = median(dash.service);
  const dRoute = median(dash.route);
  console.log('');
  console.log(`Export of ${EVALUATIONS.toLocaleString('en')} evaluations × 20 criteria (median of ${RUNS} streaming, ${MEMORY_RUNS} in-memory):`);
  console.log(`  streaming writer : ${sSec.toFixed(2)} s, peak RSS ${sMem.toFixed(0)} MB   [goal < 15 s: ${ok(sSec < 15)}, < 300 MB: ${ok(sMem < 300)}]`);
  if (memory.length) console.log(`  in-memory workbook: ${median(memory.map((r) => r.seconds)).toFixed(2)} s, peak RSS ${median(memory.map((r) => r.maxRssMB)).toFixed(0)} MB`);
  console.log(`Dashboard, 90 days (${FROM} – ${TODAY}) over ${EVALUATIONS.toLocaleString('en')} evaluations (median of ${DASHBOARD_RUNS}):`);
  console.log(`  first view, no day summaries stored (sums ${periodDaysOf(FROM, TODAY) * 2} days from the tables): ${dash.coldMs.toFixed(0)} ms`);
  console.log(`  service buildDashboard, last day changed since the previous view: ${dService.toFixed(0)} ms, CPU ${median(dash.serviceCpu).toFixed(0)} ms (min ${Math.min(...dash.service).toFixed(0)}, max ${Math.max(...dash.service).toFixed(0)})`);
  console.log(`  service buildDashboard, nothing changed: ${median(dash.unchanged).toFixed(0)} ms`);
  console.log(`  the same sums read from the tables (no summaries): ${median(dash.tables).toFixed(0)} ms   → summaries ${(median(dash.tables) / dService).toFixed(1)}× faster`);
  console.log(`  one team's dashboard (a supervisor's view; team parts), last day changed: ${median(dash.team).toFixed(0)} ms`);
  console.log(`  one region's dashboard (region part), last day changed: ${median(dash.filtered).toFixed(0)} ms   (the same read from the tables: ${median(dash.filteredTables).toFixed(0)} ms)`);
  console.log(`  one category's dashboard (category part): ${median(dash.category).toFixed(0)} ms; one language's (language part): ${median(dash.language).toFixed(0)} ms`);
  console.log(`  the category filter's list (stored list, no scan of calls): ${median(dash.categoryList).toFixed(1)} ms`);
  console.log(`  GET /reports (supertest), last day changed since the previous view: ${dRoute.toFixed(0)} ms (min ${Math.min(...dash.route).toFixed(0)}, max ${Math.max(...dash.route).toFixed(0)})   [goal < 300 ms: ${ok(dRoute < 300)}]`);
  console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on this machine slows every figure; CPU seconds are less affected)`);
  if (!process.argv.includes('--keep')) for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) fs.rmSync(f, { force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
