// The live board's reads: each bound to a small recent window (open calls through a partial index,
// the last hour by started_at, recently ended calls by ended_at), so a board stays cheap at national
// volume. The only SQL of the live feature.
import type { Knex } from 'knex';
import { num, parseJson, toBool } from '../../db';
import { EVENT_COLUMNS, mapEvent, type StoredEvent } from '../events/events.repository';
import type { OperatorInfo } from '../reports/reports.repository';

export interface RecentCall {
  id: number;
  externalId: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  operatorId: number | null;
  dropped: boolean;
  callbackOfCallId: number | null;
  category: string | null;
  regionId: number | null;
}

const RECENT = ['id', 'external_id', 'started_at', 'answered_at', 'ended_at', 'operator_id', 'dropped', 'callback_of_call_id', 'category', 'region_id'];

function mapRecent(r: Record<string, unknown>): RecentCall {
  return {
    id: Number(r.id),
    externalId: r.external_id as string,
    startedAt: r.started_at as string,
    answeredAt: (r.answered_at as string | null) ?? null,
    endedAt: (r.ended_at as string | null) ?? null,
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    dropped: toBool(r.dropped),
    callbackOfCallId: r.callback_of_call_id == null ? null : Number(r.callback_of_call_id),
    category: (r.category as string | null) ?? null,
    regionId: r.region_id == null ? null : Number(r.region_id),
  };
}

/** Calls not yet ended that started within the last `hours` (older ones are stale platform data). */
export async function openCalls(db: Knex, sinceIso: string): Promise<RecentCall[]> {
  return (await db('calls').whereNull('ended_at').where('started_at', '>=', sinceIso).whereNull('deleted_at').orderBy('started_at').limit(500).select(RECENT)).map(mapRecent);
}

/** Calls that started since a time (the rolling windows). */
export async function callsStartedSince(db: Knex, sinceIso: string): Promise<RecentCall[]> {
  return (await db('calls').where('started_at', '>=', sinceIso).whereNull('deleted_at').limit(20000).select(RECENT)).map(mapRecent);
}

/** Dropped calls that ended since a time, with their callback attempts. */
export async function droppedSince(db: Knex, sinceIso: string): Promise<{ dropped: RecentCall[]; callbacks: RecentCall[] }> {
  const dropped = (await db('calls').where('ended_at', '>=', sinceIso).where('dropped', true).whereNull('callback_of_call_id').whereNull('deleted_at').orderBy('ended_at').limit(500).select(RECENT)).map(mapRecent);
  const callbacks = dropped.length ? (await db('calls').whereIn('callback_of_call_id', dropped.map((d) => d.id)).whereNull('deleted_at').select(RECENT)).map(mapRecent) : [];
  return { dropped, callbacks };
}

export interface CardGap {
  callId: number;
  externalId: string;
  endedAt: string;
  operatorId: number | null;
  completeness: number | null;
  status: string | null;
  missing: string[];
}

/** Calls ended in [from, to) whose card is missing, incomplete or still open. */
export async function incompleteCards(db: Knex, fromIso: string, toIso: string): Promise<CardGap[]> {
  const rows = await db('calls as c')
    .leftJoin('call_cards as k', 'k.call_id', 'c.id')
    .where('c.ended_at', '>=', fromIso)
    .where('c.ended_at', '<', toIso)
    .whereNull('c.deleted_at')
    .whereNull('c.callback_of_call_id')
    .whereNotNull('c.answered_at')
    .where((w) => w.whereNull('k.id').orWhere('k.completeness', '<', 1).orWhere('k.status', 'open'))
    .orderBy('c.ended_at')
    .limit(100)
    .select('c.id', 'c.external_id', 'c.ended_at', 'c.operator_id', 'k.completeness', 'k.status', 'k.missing_fields');
  return rows.map((r) => ({
    callId: Number(r.id),
    externalId: r.external_id as string,
    endedAt: r.ended_at as string,
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    completeness: r.completeness == null ? null : Number(r.completeness),
    status: (r.status as string | null) ?? null,
    missing: parseJson<string[]>(r.missing_fields, []),
  }));
}

export interface ComplexCaseRow {
  id: number;
  callId: number;
  externalId: string;
  operatorId: number | null;
  raisedAt: string;
  note: string | null;
  takenAt: string | null;
  takenByName: string | null;
}

export async function complexCasesSince(db: Knex, sinceIso: string): Promise<ComplexCaseRow[]> {
  const rows = await db('complex_cases as x')
    .join('calls as c', 'c.id', 'x.call_id')
    .leftJoin('users as u', 'u.id', 'x.taken_by')
    .where('x.raised_at', '>=', sinceIso)
    .orderBy('x.raised_at', 'desc')
    .limit(50)
    .select('x.id', 'x.call_id', 'c.external_id', 'c.operator_id', 'x.raised_at', 'x.note', 'x.taken_at', 'u.display_name');
  return rows.map((r) => ({
    id: Number(r.id),
    callId: Number(r.call_id),
    externalId: r.external_id as string,
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    raisedAt: r.raised_at as string,
    note: (r.note as string | null) ?? null,
    takenAt: (r.taken_at as string | null) ?? null,
    takenByName: (r.display_name as string | null) ?? null,
  }));
}

export async function takeComplexCase(db: Knex, id: number, userId: number, at: string): Promise<boolean> {
  return (await db('complex_cases').where({ id }).whereNull('taken_at').update({ taken_at: at, taken_by: userId })) > 0;
}

export async function findComplexCase(db: Knex, id: number): Promise<{ id: number; callId: number; operatorId: number | null } | null> {
  const r = await db('complex_cases as x').join('calls as c', 'c.id', 'x.call_id').where('x.id', id).first('x.id', 'x.call_id', 'c.operator_id');
  return r ? { id: Number(r.id), callId: Number(r.call_id), operatorId: r.operator_id == null ? null : Number(r.operator_id) } : null;
}

export interface OpenRequest {
  callId: number;
  externalId: string;
  service: string;
  dispatchedAt: string;
  arrivedAt: string | null;
  operatorId: number | null;
}

/** Services dispatched since a time without an outcome yet. */
export async function openServiceRequests(db: Knex, sinceIso: string): Promise<OpenRequest[]> {
  const rows = await db('service_requests as s')
    .join('calls as c', 'c.id', 's.call_id')
    .where('s.dispatched_at', '>=', sinceIso)
    .whereNull('s.outcome')
    .orderBy('s.dispatched_at')
    .limit(200)
    .select('s.call_id', 'c.external_id', 's.service', 's.dispatched_at', 's.arrived_at', 'c.operator_id');
  return rows.map((r) => ({ callId: Number(r.call_id), externalId: r.external_id as string, service: r.service as string, dispatchedAt: r.dispatched_at as string, arrivedAt: (r.arrived_at as string | null) ?? null, operatorId: r.operator_id == null ? null : Number(r.operator_id) }));
}

export async function openFollowupCount(db: Knex): Promise<{ open: number; overdue: number; nowIso?: string }> {
  const r = await db('service_followups').whereIn('status', ['open', 'escalated']).count({ n: '*' }).first();
  return { open: num(r?.n), overdue: 0 };
}

export interface OperatorStateRow {
  operatorCode: string;
  operatorId: number | null;
  state: string;
  since: string;
}

/** Each operator's newest state (by the state's own time) among states since a time. */
export async function latestOperatorStates(db: Knex, sinceIso: string): Promise<OperatorStateRow[]> {
  const rows = await db('operator_states as s')
    .where('s.started_at', '>=', sinceIso)
    .whereNotExists(
      db('operator_states as n')
        .whereRaw('n.operator_code = s.operator_code')
        .where((w) => w.whereRaw('n.started_at > s.started_at').orWhere((x) => x.whereRaw('n.started_at = s.started_at').andWhereRaw('n.id > s.id')))
        .select(db.raw('1')),
    )
    .select('s.operator_code', 's.operator_id', 's.state', 's.started_at');
  return rows.map((r) => ({ operatorCode: r.operator_code as string, operatorId: r.operator_id == null ? null : Number(r.operator_id), state: r.state as string, since: r.started_at as string }));
}

export type { OperatorInfo };

/** Every operator (or those of some teams) with their team, by id. */
export async function operatorDirectory(db: Knex, teamIds: readonly number[] | null = null): Promise<Map<number, OperatorInfo>> {
  const q = db('operators as o').leftJoin('teams as t', 't.id', 'o.team_id').select('o.id', 'o.employee_code', 'o.full_name', 'o.team_id', 't.name as team_name');
  if (teamIds) q.whereIn('o.team_id', [...teamIds]);
  const rows = await q;
  return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), code: r.employee_code as string, name: r.full_name as string, teamId: r.team_id == null ? null : Number(r.team_id), teamName: (r.team_name as string | null) ?? null }]));
}

export async function operatorIdsOfSupervisor(db: Knex, userId: number): Promise<number[]> {
  return (await db('operators as o').join('teams as t', 't.id', 'o.team_id').where('t.supervisor_user_id', userId).select('o.id')).map((r) => Number(r.id));
}

export async function lastEvent(db: Knex): Promise<{ seq: number; receivedAt: string } | null> {
  const r = await db('call_events').orderBy('id', 'desc').first('id', 'received_at');
  return r ? { seq: Number(r.id), receivedAt: r.received_at as string } : null;
}

export async function maxSeq(db: Knex): Promise<number> {
  const r = await db('call_events').max({ m: 'id' }).first();
  return num(r?.m);
}

/** A stored event with the operator it concerns (by its own code, else its call's operator). */
export interface FeedRow extends StoredEvent {
  operatorId: number | null;
}

/** Stored events after a sequence number, in order, with the operator they concern. */
export async function eventsAfter(db: Knex, afterSeq: number, limit: number, beforeSeq?: number): Promise<FeedRow[]> {
  const q = db('call_events as e')
    .leftJoin('operators as o', 'o.employee_code', 'e.operator_code')
    .leftJoin('calls as c', 'c.id', 'e.call_id')
    .where('e.id', '>', afterSeq)
    .orderBy('e.id')
    .limit(limit)
    .select(...EVENT_COLUMNS.map((c) => `e.${c}`), 'o.id as op_id', 'c.operator_id as call_operator_id');
  if (beforeSeq !== undefined) q.where('e.id', '<', beforeSeq);
  const rows = await q;
  return rows.map((r) => ({ ...mapEvent(r), operatorId: r.op_id != null ? Number(r.op_id) : r.call_operator_id != null ? Number(r.call_operator_id) : null }));
}

/** The newest events up to a sequence number, newest first. */
export async function eventsBefore(db: Knex, uptoSeq: number, limit: number): Promise<FeedRow[]> {
  const rows = await db('call_events').where('id', '<=', uptoSeq).orderBy('id', 'desc').limit(limit).select('id');
  if (!rows.length) return [];
  const min = Math.min(...rows.map((r) => Number(r.id)));
  return eventsAfter(db, min - 1, limit, uptoSeq + 1);
}
