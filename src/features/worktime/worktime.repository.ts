// Working time and feedback: the only knex of the feature. Operator states, answered calls and
// planned shifts of a period (optionally limited to some teams' operators), satisfaction scores
// grouped by operator, region and category, and storing an imported shift plan.
import type { Knex } from 'knex';
import { num } from '../../db';
import { operatorDirectory } from '../live/live.repository';
import type { OperatorInfo } from '../reports/reports.repository';
import { MAX_STATE_MS, type PlannedShift, type StateChange } from './worktime';

/** Limits a query on operator_id to the operators of some teams; null: everyone. */
function ofTeams<Q extends Knex.QueryBuilder>(db: Knex, q: Q, column: string, teamIds: readonly number[] | null): Q {
  return teamIds ? (q.whereIn(column, db('operators').whereIn('team_id', [...teamIds]).select('id')) as Q) : q;
}

/** State changes in [from, to), and each operator's last change in the MAX_STATE_MS before it (the state they were in as it began). */
export async function stateChanges(db: Knex, from: string, to: string, teamIds: readonly number[] | null): Promise<StateChange[]> {
  const lookback = new Date(Date.parse(from) - MAX_STATE_MS).toISOString();
  const before = await ofTeams(db, db('operator_states').whereNotNull('operator_id').where('started_at', '>=', lookback).where('started_at', '<', from), 'operator_id', teamIds).select('operator_id', 'state', 'started_at');
  const last = new Map<number, StateChange>();
  for (const r of before) {
    const c = { operatorId: Number(r.operator_id), state: r.state as string, at: r.started_at as string };
    const seen = last.get(c.operatorId);
    if (!seen || seen.at < c.at) last.set(c.operatorId, c);
  }
  const rows = await ofTeams(db, db('operator_states').whereNotNull('operator_id').where('started_at', '>=', from).where('started_at', '<', to), 'operator_id', teamIds).select('operator_id', 'state', 'started_at');
  return [...last.values(), ...rows.map((r) => ({ operatorId: Number(r.operator_id), state: r.state as string, at: r.started_at as string }))];
}

export async function answeredCalls(db: Knex, from: string, to: string, teamIds: readonly number[] | null): Promise<{ operatorId: number; at: string }[]> {
  const q = db('calls').whereNotNull('operator_id').whereNull('deleted_at').where('answered_at', '>=', from).where('answered_at', '<', to);
  return (await ofTeams(db, q, 'operator_id', teamIds).select('operator_id', 'answered_at')).map((r) => ({ operatorId: Number(r.operator_id), at: r.answered_at as string }));
}

/** Planned shifts that overlap [from, to). */
export async function plannedShifts(db: Knex, from: string, to: string, teamIds: readonly number[] | null): Promise<PlannedShift[]> {
  const q = db('shift_plans').where('starts_at', '<', to).where('ends_at', '>', from);
  return (await ofTeams(db, q, 'operator_id', teamIds).select('operator_id', 'starts_at', 'ends_at')).map((r) => ({ operatorId: Number(r.operator_id), startsAt: r.starts_at as string, endsAt: r.ends_at as string }));
}

/** The operators of some teams (null: all), by name. */
export async function operators(db: Knex, teamIds: readonly number[] | null): Promise<OperatorInfo[]> {
  return [...(await operatorDirectory(db, teamIds)).values()].sort((a, b) => a.name.localeCompare(b.name));
}

export interface ScoreGroup {
  /** operator id, region id or category; null when the call has none */
  key: string | null;
  n: number;
  mean: number;
  /** scores of 1 or 2 */
  low: number;
}

/** Satisfaction scores given in [from, to), grouped by the call's operator, region or category. */
export async function satisfactionBy(db: Knex, by: 'operator' | 'region' | 'category', from: string, to: string, teamIds: readonly number[] | null): Promise<ScoreGroup[]> {
  const col = by === 'operator' ? 'c.operator_id' : by === 'region' ? 'c.region_id' : 'c.category';
  const q = db('call_satisfaction as s').join('calls as c', 'c.id', 's.call_id').where('s.scored_at', '>=', from).where('s.scored_at', '<', to);
  const rows = await ofTeams(db, q, 'c.operator_id', teamIds)
    .groupBy(col)
    .select({ k: col })
    .count({ n: '*' })
    .avg({ mean: 's.score' })
    .select(db.raw('sum(case when s.score <= 2 then 1 else 0 end) as low'));
  return (rows as Record<string, unknown>[]).map((r) => ({ key: r.k === null || r.k === undefined ? null : String(r.k), n: num(r.n), mean: Number(r.mean), low: num(r.low) }));
}

/** How many calls got each score 1..5 in [from, to). */
export async function scoreDistribution(db: Knex, from: string, to: string, teamIds: readonly number[] | null): Promise<number[]> {
  const q = db('call_satisfaction as s').join('calls as c', 'c.id', 's.call_id').where('s.scored_at', '>=', from).where('s.scored_at', '<', to);
  const rows = await ofTeams(db, q, 'c.operator_id', teamIds).groupBy('s.score').select('s.score').count({ n: '*' });
  const out = [0, 0, 0, 0, 0];
  for (const r of rows as Record<string, unknown>[]) {
    const s = Number(r.score);
    if (s >= 1 && s <= 5) out[s - 1] = num(r.n);
  }
  return out;
}

export async function regionNames(db: Knex): Promise<Map<string, { uz: string; ru: string; en: string }>> {
  return new Map((await db('regions').select('id', 'name_uz', 'name_ru', 'name_en')).map((r) => [String(r.id), { uz: r.name_uz, ru: r.name_ru, en: r.name_en }]));
}

// ---- shift plans ----

export async function operatorsForPlan(db: Knex): Promise<{ id: number; code: string; teamId: number | null }[]> {
  return (await db('operators').select('id', 'employee_code', 'team_id')).map((r) => ({ id: Number(r.id), code: String(r.employee_code), teamId: r.team_id === null ? null : Number(r.team_id) }));
}

/** Stored shifts of some operators that overlap [from, to). */
export async function storedShifts(db: Knex | Knex.Transaction, operatorIds: readonly number[], from: string, to: string): Promise<PlannedShift[]> {
  const out: PlannedShift[] = [];
  for (let i = 0; i < operatorIds.length; i += 500) {
    const rows = await db('shift_plans').whereIn('operator_id', operatorIds.slice(i, i + 500)).where('starts_at', '<', to).where('ends_at', '>', from).select('operator_id', 'starts_at', 'ends_at');
    out.push(...rows.map((r) => ({ operatorId: Number(r.operator_id), startsAt: r.starts_at as string, endsAt: r.ends_at as string })));
  }
  return out;
}

export interface NewShift {
  operatorId: number;
  shiftDate: string;
  startsAt: string;
  endsAt: string;
}

/** Stores shifts; one with the same operator and start as a stored one replaces its end. Returns how many replaced. */
export async function saveShifts(trx: Knex.Transaction, shifts: readonly NewShift[], createdBy: number, now: string): Promise<{ added: number; replaced: number }> {
  let replaced = 0;
  for (let i = 0; i < shifts.length; i += 200) {
    const chunk = shifts.slice(i, i + 200);
    const existing = await trx('shift_plans')
      .where((q) => {
        for (const s of chunk) q.orWhere((w) => w.where('operator_id', s.operatorId).where('starts_at', s.startsAt));
      })
      .count({ n: '*' })
      .first();
    replaced += num(existing?.n);
    await trx('shift_plans')
      .insert(chunk.map((s) => ({ operator_id: s.operatorId, shift_date: s.shiftDate, starts_at: s.startsAt, ends_at: s.endsAt, created_by: createdBy, created_at: now })))
      .onConflict(['operator_id', 'starts_at'])
      .merge(['ends_at', 'shift_date', 'created_by', 'created_at']);
  }
  return { added: shifts.length - replaced, replaced };
}

/** Planned shifts from a day on, newest import first: what the upload page lists. */
export async function upcomingShifts(db: Knex, from: string, teamIds: readonly number[] | null, limit: number): Promise<{ operatorId: number; startsAt: string; endsAt: string; shiftDate: string }[]> {
  const q = db('shift_plans').where('ends_at', '>', from).orderBy('starts_at').orderBy('operator_id').limit(limit);
  return (await ofTeams(db, q, 'operator_id', teamIds).select('operator_id', 'starts_at', 'ends_at', 'shift_date')).map((r) => ({ operatorId: Number(r.operator_id), startsAt: r.starts_at as string, endsAt: r.ends_at as string, shiftDate: r.shift_date as string }));
}

export async function countUpcomingShifts(db: Knex, from: string, teamIds: readonly number[] | null): Promise<number> {
  const q = db('shift_plans').where('ends_at', '>', from);
  return num((await ofTeams(db, q, 'operator_id', teamIds).count({ n: '*' }).first())?.n);
}
