// Working time and callers' feedback for the reports export: per operator and shift (signed-in,
// ready, busy and break hours, calls per hour, occupancy), and satisfaction scores by operator,
// region and category with n.
import type { Knex } from 'knex';
import { num } from '../../db';
import type { Translate } from '../../i18n';
import { tashkentDayRange } from '../../time';
import type { SimpleSheet } from '../followups/followups.report';
import { callsPerHour, occupancy, shiftFigures, shiftLocator } from './worktime';

const hours = (sec: number) => Math.round((sec / 3600) * 100) / 100;
const pct = (v: number | null) => (v === null ? '' : Math.round(v * 1000) / 10);

export async function workingTimeSheet(db: Knex, period: { from: string; to: string }, t: Translate, shiftDayStart: string, teamIds: number[] | null): Promise<SimpleSheet> {
  const from = tashkentDayRange(period.from).startIso;
  const to = tashkentDayRange(period.to).endIso;
  const ops = db('operators').select('id');
  if (teamIds) ops.whereIn('team_id', teamIds);
  // The state each operator was in as the period began counts from its start.
  const before = await db('operator_states as s')
    .whereNotNull('s.operator_id')
    .whereIn('s.operator_id', ops.clone())
    .where('s.started_at', '<', from)
    .where('s.started_at', '>=', new Date(Date.parse(from) - 86400000).toISOString())
    .select('s.operator_id', 's.state', 's.started_at');
  const lastBefore = new Map<number, { state: string; at: string }>();
  for (const r of before) {
    const id = Number(r.operator_id);
    if (!lastBefore.has(id) || lastBefore.get(id)!.at < r.started_at) lastBefore.set(id, { state: r.state, at: r.started_at });
  }
  const rows = await db('operator_states').whereNotNull('operator_id').whereIn('operator_id', ops.clone()).where('started_at', '>=', from).where('started_at', '<', to).select('operator_id', 'state', 'started_at');
  const changes = [...[...lastBefore].map(([operatorId, s]) => ({ operatorId, state: s.state, at: s.at })), ...rows.map((r) => ({ operatorId: Number(r.operator_id), state: r.state as string, at: r.started_at as string }))];
  const [h, m] = shiftDayStart.split(':').map(Number);
  const loc = shiftLocator(h! * 60 + m!);
  const figures = shiftFigures(changes, from, to, loc);
  const calls = await db('calls').whereNotNull('operator_id').whereNotNull('answered_at').where('answered_at', '>=', from).where('answered_at', '<', to).whereIn('operator_id', ops.clone()).select('operator_id', 'answered_at');
  const callCount = new Map<string, number>();
  for (const c of calls) {
    const s = loc(Date.parse(c.answered_at as string));
    const key = `${c.operator_id}|${s.date}|${s.shift}`;
    callCount.set(key, (callCount.get(key) ?? 0) + 1);
  }
  const names = new Map((await db('operators').select('id', 'employee_code', 'full_name')).map((o) => [Number(o.id), o]));
  const plans = await db('shift_plans').where('starts_at', '<', to).where('ends_at', '>', from).select('operator_id', 'starts_at', 'ends_at');
  return {
    title: t('worktime.sheet.workingTime'),
    header: ['operator', 'code', 'shiftDate', 'shift', 'signedIn', 'ready', 'busy', 'break', 'calls', 'callsPerHour', 'occupancy', 'adherence'].map((k) => t(`worktime.col.${k}`)),
    rows: figures.map((f) => {
      const key = `${f.operatorId}|${f.shiftDate}|${f.shift}`;
      const n = callCount.get(key) ?? 0;
      const cph = callsPerHour(n, f.signedInSec);
      const o = names.get(f.operatorId);
      const plan = plans.filter((p) => Number(p.operator_id) === f.operatorId && loc(Date.parse(p.starts_at as string)).date === f.shiftDate && loc(Date.parse(p.starts_at as string)).shift === f.shift);
      const planned = plan.reduce((s, p) => s + (Date.parse(p.ends_at as string) - Date.parse(p.starts_at as string)) / 1000, 0);
      return [o?.full_name ?? '', o?.employee_code ?? '', f.shiftDate, t(`worktime.shift.${f.shift}`), hours(f.signedInSec), hours(f.readySec), hours(f.busySec), hours(f.breakSec), n, cph === null ? '' : Math.round(cph * 10) / 10, pct(occupancy(f)), planned ? pct(Math.min(1, (f.signedInSec - f.breakSec) / planned)) : ''];
    }),
  };
}

export async function satisfactionSheets(db: Knex, period: { from: string; to: string }, t: Translate, lang: 'uz' | 'ru' | 'en', teamIds: number[] | null): Promise<SimpleSheet[]> {
  const from = tashkentDayRange(period.from).startIso;
  const to = tashkentDayRange(period.to).endIso;
  const base = () => {
    const q = db('call_satisfaction as s').join('calls as c', 'c.id', 's.call_id').where('s.scored_at', '>=', from).where('s.scored_at', '<', to);
    if (teamIds) q.whereIn('c.operator_id', db('operators').whereIn('team_id', teamIds).select('id'));
    return q;
  };
  const group = async (col: string, label: (r: Record<string, unknown>) => string, join?: (q: Knex.QueryBuilder) => Knex.QueryBuilder) => {
    let q = base();
    if (join) q = join(q);
    const rows = await q.groupBy(col).select(db.raw(`${col} as k`)).count({ n: '*' }).avg({ mean: 's.score' }).select(db.raw('sum(case when s.score <= 2 then 1 else 0 end) as low'));
    return (rows as Record<string, unknown>[]).map((r) => [label(r), num(r.n), Math.round(Number(r.mean) * 100) / 100, num(r.low)] as (string | number)[]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  };
  const header = (first: string) => [first, t('worktime.col.n'), t('worktime.col.meanScore'), t('worktime.col.lowScores')];
  const ops = new Map((await db('operators').select('id', 'full_name', 'employee_code')).map((o) => [String(o.id), `${o.full_name} (${o.employee_code})`]));
  const regions = new Map((await db('regions').select('id', 'name_uz', 'name_ru', 'name_en')).map((r) => [String(r.id), String(r[`name_${lang}`] || r.name_uz)]));
  return [
    { title: t('worktime.sheet.satisfactionOperator'), header: header(t('worktime.col.operator')), rows: await group('c.operator_id', (r) => ops.get(String(r.k)) ?? t('worktime.none')) },
    { title: t('worktime.sheet.satisfactionRegion'), header: header(t('worktime.col.region')), rows: await group('c.region_id', (r) => regions.get(String(r.k)) ?? t('worktime.none')) },
    { title: t('worktime.sheet.satisfactionCategory'), header: header(t('worktime.col.category')), rows: await group('c.category', (r) => (r.k ? t(`calls.category.${String(r.k)}`) : t('worktime.none'))) },
  ];
}
