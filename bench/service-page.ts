// The Service KPI page at national scale (issue #12): 60,000 calls a day × 365 days on SQLite.
//
// What it builds, and why so: the page reads only the stored day sums (service_day_sums), so
// what matters for its speed is a year of those rows, each the real summariser's output over a
// real day of 60,000 calls. Writing 22 million calls and their facts into SQLite takes about
// 10 minutes and 29 GB here (measured: 500,000 calls in 12 s, 650 MB), so the bench writes
// `--service-real-days` (default 7) whole days — calls, call_facts and check results generated
// in SQL with recursive CTEs, 60,000 calls a day over 400 operators in 20 teams, 14 regions, 9
// categories and 4 languages — sums each of them with the app's own summariser (timed), and
// fills the other days of the year with copies of those days' stored rows (day by weekday), as
// a year of real days would leave them. Then GET /service for the whole year, as an
// administrator, through the app (supertest, compiled views cached as in production), with
// today marked changed before every view (at 60,000 calls a day a call arrives every 1.4 s).
import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import pino from 'pino';
import request from 'supertest';
import type { AppDeps } from '../src/app-context';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createDbFromUrl, migrate, type Db } from '../src/db';
import { JobQueue } from '../src/jobs/queue';
import { addDays, daysOf, tashkentToUtc, tashkentToday } from '../src/time';
import { weekdayOf } from '../src/features/service/day-sums';
import { authFeature } from '../src/features/auth';
import { homeFeature } from '../src/features/home';
import { serviceFeature } from '../src/features/service';
import { ensureDefaultRubric } from '../src/features/rubrics/rubrics.service';
import { refreshServiceDays, servicePeriodSums, serviceSettings } from '../src/features/service/service.service';
import { partsCache } from '../src/features/service/parts-cache';
import { median } from './measure';

const TEAMS = 20;
const OPERATORS = 400;
const PASSWORD = 'bench-password-112';
const CATEGORIES = ['medical', 'road_accident', 'crime', 'fire', 'information', 'gas', 'domestic_violence', 'false_call', 'other'];
const LANGUAGES = ['uz', 'ru', 'kaa', 'other'];
const CHECK_KEYS = ['answerAndGreeting:10,3', 'callback:10,3', 'cardComplete', 'silence:15', 'talkOver:10'];

export interface ServicePageFigures {
  /** GET /service over 365 days, median ms */
  pageMs: number;
  lines: string[];
}

const r = (mod: number) => `(abs(random()) % ${mod})`;
const ISO = (expr: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr}, 'unixepoch')`;

/** One day of calls, facts and check results, generated in SQL (CTEs materialised, so each row draws its random values once). */
async function generateDay(db: Db, day: string, calls: number, regionIds: number[]): Promise<void> {
  const dayStart = tashkentToUtc(day, '00:00').getTime() / 1000;
  const now = new Date().toISOString();
  const category = `case x.cat ${CATEGORIES.map((c, i) => `when ${i} then '${c}'`).join(' ')} end`;
  const region = `case x.reg ${regionIds.map((id, i) => `when ${i} then ${id}`).join(' ')} end`;
  // A ring of 1.5–10.5 s for most calls, a slower tail; 3 % abandoned (no answer, no operator); 2 % dropped.
  await db.raw(
    `with recursive s(i) as (select 0 union all select i + 1 from s where i < ?),
     x as materialized (select i, ${r(100)} < 3 as ab, ? + i * ? as t0,
       case when ${r(100)} < 85 then 1.5 + ${r(9000)} / 1000.0 when ${r(100)} < 80 then 10 + ${r(20000)} / 1000.0 else 25 + ${r(90000)} / 1000.0 end as ring,
       40 + ${r(300)} as talk, ${r(100)} as lang, ${r(CATEGORIES.length)} as cat, ${r(regionIds.length)} as reg, 1 + ${r(OPERATORS)} as op, ${r(100)} < 2 as dr from s)
     insert into calls (source, external_id, started_at, answered_at, ended_at, call_date, duration_sec, operator_id, language, channel, category, region_id, dropped, created_at, updated_at)
     select 'bench', ? || '-' || x.i, ${ISO('x.t0')}, case when x.ab then null else ${ISO('x.t0 + x.ring')} end, ${ISO('x.t0 + x.ring + x.talk')}, ?,
       case when x.ab then null else x.talk end, case when x.ab then null else x.op end,
       case when x.lang < 74 then 'uz' when x.lang < 92 then 'ru' when x.lang < 98 then 'kaa' else 'other' end, 'voice', ${category}, ${region},
       not x.ab and x.dr, ?, ? from x`,
    [calls - 1, dayStart, 86400 / calls, day, day, now, now],
  );
  // Facts as the facts job would leave them: cards for answered calls (15 % with a field empty),
  // a measured recording for 60 %, 2 % of calls evaluated within 0–10 days, callbacks for the dropped.
  await db.raw(
    `with f as materialized (select c.id, c.started_at, c.answered_at, c.ended_at, c.duration_sec, c.dropped, ${r(100)} < 2 as reviewed, ${r(864000)} as lag,
       ${r(100)} as card, ${r(100)} as audio, ${r(100)} as cb, 30 + ${r(900)} as first_cb, 1 + ${r(3)} as attempts from calls c where c.call_date = ? and c.source = 'bench')
     insert into call_facts (call_id, facts_version, computed_at, answer_state, answer_delay_sec, duration_sec, dropped, callback_attempts, first_callback_sec, callback_reached,
       reached_callback_sec, attempts_to_reach, card_present, card_complete, card_completeness, card_missing_fields, reviewed_at, review_lag_sec, audio_state,
       recording_duration_sec, operator_channel, operator_talk_sec, caller_talk_sec, talk_sec, talk_share, silence_count, silence_total_sec, silence_longest_sec,
       hold_count, hold_total_sec, hold_longest_sec, talk_over_sec, talk_over_count, greeting_latency_sec, flags, evidence)
     select f.id, 1, ?, case when f.answered_at is null then 'abandoned' else 'answered' end,
       case when f.answered_at is null then null else round((julianday(f.answered_at) - julianday(f.started_at)) * 86400, 3) end,
       f.duration_sec, f.dropped, case when f.dropped and f.cb < 85 then f.attempts else 0 end,
       case when f.dropped and f.cb < 85 then f.first_cb else null end, case when f.dropped then f.cb < 70 else null end,
       case when f.dropped and f.cb < 70 then f.first_cb else null end, case when f.dropped and f.cb < 70 then f.attempts else null end,
       f.answered_at is not null, case when f.answered_at is null then null else f.card >= 15 end,
       case when f.answered_at is null then null when f.card >= 15 then 1 else 0.875 end,
       case when f.answered_at is not null and f.card < 15 then '["address"]' else '[]' end,
       case when f.answered_at is not null and f.reviewed then ${ISO("strftime('%s', f.ended_at) + f.lag")} else null end,
       case when f.answered_at is not null and f.reviewed then f.lag else null end,
       case when f.answered_at is not null and f.audio < 60 then 'measured' else 'none' end,
       f.duration_sec, 0, 40, 50, 80, 0.45, 3, 12, 6, f.audio % 3, f.audio % 60, 30, f.audio % 12, 2, 0.8 + (f.audio % 30) / 10.0, '[]', '{}'
     from f`,
    [day, now],
  );
  for (const key of CHECK_KEYS) {
    await db.raw(
      `with x as materialized (select id, ${r(100)} as o from calls where call_date = ? and source = 'bench')
       insert into call_check_results (call_id, check_key, outcome, recheck_at, computed_at)
       select id, ?, case when o < 70 then 'pass' when o < 85 then 'fail' when o < 92 then 'na' else 'unknown' end, null, ? from x`,
      [day, key, now],
    );
  }
}

export async function servicePageBench(dir: string, o: { realDays: number; runs: number; callsPerDay: number; days: number }): Promise<ServicePageFigures> {
  const lines: string[] = [];
  const file = path.join(dir, 'service.db');
  const db = createDbFromUrl(`sqlite:${file}`);
  await migrate(db);
  const base = loadConfig();
  const config = { ...base, env: 'test' as const, logLevel: 'silent', recordingsDir: path.join(dir, 'service-rec') };
  const clock = () => new Date();
  await ensureDefaultRubric({ db, clock });
  const nowIso = clock().toISOString();
  for (let i = 1; i <= TEAMS; i++) await db('teams').insert({ name: `Smena ${i}`, created_at: nowIso, updated_at: nowIso });
  const operators = Array.from({ length: OPERATORS }, (_, i) => ({ employee_code: `N-${i + 1}`, full_name: `Operator ${i + 1}`, team_id: 1 + (i % TEAMS), is_active: true, created_at: nowIso, updated_at: nowIso }));
  for (let i = 0; i < operators.length; i += 100) await db('operators').insert(operators.slice(i, i + 100));
  await db('users').insert({ username: 'bench-admin', display_name: 'Bench Admin', password_hash: bcrypt.hashSync(PASSWORD, 4), role: 'admin', language: 'en', is_active: true, created_at: nowIso, updated_at: nowIso });
  const regionIds = (await db('regions').select('id').orderBy('id')).map((x) => Number(x.id));

  const today = tashkentToday(clock);
  const first = addDays(today, -(o.days - 1));
  const realDays = daysOf({ from: addDays(today, -(o.realDays - 1)), to: today });
  let t0 = performance.now();
  for (const day of realDays) await generateDay(db, day, o.callsPerDay, regionIds);
  // What the jobs would have done by now: the facts and checks are current, nothing waits.
  await db.raw('delete from call_facts_stale');
  await db.raw('delete from call_checks_stale');
  const generated = performance.now() - t0;
  const settings = serviceSettings(config);
  const sumTimes: number[] = [];
  for (const day of realDays) {
    t0 = performance.now();
    await refreshServiceDays(db, day, day, settings, clock);
    sumTimes.push(performance.now() - t0);
  }
  // The rest of the year: the stored rows of the real day with the same weekday.
  const byWeekday = new Map(realDays.map((d) => [weekdayOf(d), d]));
  t0 = performance.now();
  await db.transaction(async (trx) => {
    for (const day of daysOf({ from: first, to: today })) {
      if (realDays.includes(day)) continue;
      const template = byWeekday.get(weekdayOf(day)) ?? realDays[weekdayOf(day) % realDays.length]!;
      await trx.raw('insert into service_day_sums (day, part, spec, sums, computed_at, revision) select ?, part, spec, sums, computed_at, random() >> 11 from service_day_sums where day = ?', [day, template]);
    }
  });
  await db.raw('delete from service_stale_days');
  const filled = performance.now() - t0;
  const stats = await db('service_day_sums').where('part', 'all').avg({ len: db.raw('length(sums)') }).count({ n: '*' }).first();
  const parts = await db('service_day_sums').count({ n: '*' }).first();
  const dbMb = (fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0)) / 1e6;
  lines.push(`  built: ${o.realDays} days × ${o.callsPerDay.toLocaleString('en')} calls (calls, call_facts, ${CHECK_KEYS.length} check results each) in ${(generated / 1000).toFixed(1)} s; summed by the app in ${median(sumTimes).toFixed(0)} ms a day (median); ${o.days - o.realDays} more days copied from them in ${(filled / 1000).toFixed(1)} s`);
  lines.push(`  stored: ${Number(parts?.n).toLocaleString('en')} day parts, the whole service's ${Math.round(Number(stats?.len) / 1024)} KB of JSON a day; database ${dbMb.toFixed(0)} MB`);

  // Today changes all the time: a write marks it before every view.
  const markToday = () => db.raw('insert into service_stale_days (day, token) values (?, random() >> 11) on conflict (day) do update set token = excluded.token', [today]);
  const scope = { from: first, to: today, teamIds: null, regionId: null, category: null, language: null };
  const sumsOnly: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    await markToday();
    t0 = performance.now();
    await servicePeriodSums(db, scope, settings, clock);
    sumsOnly.push(performance.now() - t0);
  }
  const todayAgain: number[] = [];
  for (let i = 0; i < Math.min(3, o.runs); i++) {
    await markToday();
    t0 = performance.now();
    await refreshServiceDays(db, today, today, settings, clock);
    todayAgain.push(performance.now() - t0);
  }

  process.env.NODE_ENV = 'production';
  const logger = pino({ level: 'silent' });
  const jobs = new JobQueue(db, { concurrency: 1, logger });
  const deps: AppDeps = { config, db, logger, clock, jobs };
  const app = createApp(deps, { sessionSecret: 'bench-secret-bench-secret-bench', features: [authFeature, homeFeature, serviceFeature] });
  const agent = request.agent(app);
  const login = await agent.get('/login');
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(login.text)![1];
  const signed = await agent.post('/login').type('form').send({ username: 'bench-admin', password: PASSWORD, _csrf: csrf });
  if (signed.status !== 302) throw new Error(`sign-in failed: ${signed.status}`);
  const url = `/service?from=${first}&to=${today}`;
  // The first view after a start parses every stored day (nothing is cached yet).
  partsCache.clear();
  t0 = performance.now();
  const warm = await agent.get(url);
  const firstView = performance.now() - t0;
  if (warm.status !== 200) throw new Error(`/service answered ${warm.status}: ${warm.text.slice(0, 300)}`);
  const page: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    await markToday();
    t0 = performance.now();
    const res = await agent.get(url);
    page.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`/service answered ${res.status}`);
  }
  const teamPage: number[] = [];
  const regionPage: number[] = [];
  for (let i = 0; i < Math.min(5, o.runs); i++) {
    await markToday();
    t0 = performance.now();
    await agent.get(`${url}&team=1`);
    teamPage.push(performance.now() - t0);
    t0 = performance.now();
    await agent.get(`${url}&region=${regionIds[0]}`);
    regionPage.push(performance.now() - t0);
  }
  await jobs.stop();
  await db.destroy();
  lines.push(`  sums of the year read and added (servicePeriodSums): ${median(sumsOnly).toFixed(0)} ms; today summed again from its ${o.callsPerDay.toLocaleString('en')} calls (what the background job does every minute or two): ${median(todayAgain).toFixed(0)} ms`);
  lines.push(`  GET /service, ${o.days} days, whole service: median ${median(page).toFixed(0)} ms (min ${Math.min(...page).toFixed(0)}, max ${Math.max(...page).toFixed(0)}, ${o.runs} views; goal ≤ 300 ms); one team: ${median(teamPage).toFixed(0)} ms; one region: ${median(regionPage).toFixed(0)} ms; the first view after a start (no day parsed yet): ${firstView.toFixed(0)} ms`);
  return { pageMs: median(page), lines };
}
