// Call events and the rows they settle (calls, call cards, service requests, satisfaction,
// complex cases, operator states): the only SQL of the events feature.
import type { Knex } from 'knex';
import { isPostgres, num, parseJson } from '../../db';
import type { NewCall } from '../calls/calls.repository';
import type { CallEvent } from './events.schema';
import type { TimedEvent } from './fold';

type Conn = Knex | Knex.Transaction;

export interface NewEventRow {
  eventId: string;
  type: string;
  occurredAt: string;
  platformAt: string;
  receivedAt: string;
  source: string;
  callRef: string | null;
  operatorCode: string | null;
  payload: Record<string, unknown>;
  contentHash: string;
  apiTokenId: number | null;
}

/** Existing events by platform id: their content hash. */
export async function hashesOf(db: Conn, eventIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < eventIds.length; i += 500) {
    const rows = await db('call_events').whereIn('event_id', eventIds.slice(i, i + 500)).select('event_id', 'content_hash');
    for (const r of rows) out.set(r.event_id as string, r.content_hash as string);
  }
  return out;
}

/** Inserts events as held (settle() decides), in the given order; returns their sequence numbers. */
export async function insertEvents(db: Conn, rows: NewEventRow[]): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200).map((r) => ({
      event_id: r.eventId,
      type: r.type,
      occurred_at: r.occurredAt,
      platform_at: r.platformAt,
      received_at: r.receivedAt,
      source: r.source,
      call_ref: r.callRef,
      operator_code: r.operatorCode,
      status: 'held',
      payload: JSON.stringify(r.payload),
      content_hash: r.contentHash,
      api_token_id: r.apiTokenId,
    }));
    const ids = (await db('call_events').insert(chunk).returning('id')) as ({ id: number | string } | number)[];
    for (const x of ids) seqs.push(Number(typeof x === 'object' ? x.id : x));
  }
  return seqs;
}

/**
 * One event writer at a time across every instance and process, so ids commit in order (the board
 * streams by id and must never skip one that commits late). PostgreSQL: an advisory lock. SQLite:
 * a write as the transaction's first statement takes the write lock now (waiting on busy_timeout),
 * instead of upgrading a read snapshot later, which another process's commit would make fail.
 */
export async function lockEventWriters(trx: Knex.Transaction): Promise<void> {
  if (isPostgres(trx as unknown as Knex)) await trx.raw('select pg_advisory_xact_lock(112013)');
  else await trx.raw('update call_events set id = id where 0 = 1');
}

/** Tells every instance's board (PostgreSQL LISTEN) that events up to seq are stored; delivered at commit. */
export async function notifyBoards(trx: Knex.Transaction, seq: number): Promise<void> {
  if (isPostgres(trx as unknown as Knex)) await trx.raw('select pg_notify(?, ?)', [LIVE_CHANNEL, String(seq)]);
}

export const LIVE_CHANNEL = 'sifat_live';

export interface StoredEvent {
  seq: number;
  eventId: string;
  type: string;
  at: string;
  receivedAt: string;
  source: string;
  callRef: string | null;
  callId: number | null;
  operatorCode: string | null;
  status: 'applied' | 'held';
  problem: string | null;
  event: CallEvent;
}

export const EVENT_COLUMNS = ['id', 'event_id', 'type', 'occurred_at', 'received_at', 'source', 'call_ref', 'call_id', 'operator_code', 'status', 'problem', 'payload'];

export function mapEvent(r: Record<string, unknown>): StoredEvent {
  return {
    seq: Number(r.id),
    eventId: r.event_id as string,
    type: r.type as string,
    at: r.occurred_at as string,
    receivedAt: r.received_at as string,
    source: r.source as string,
    callRef: (r.call_ref as string | null) ?? null,
    callId: r.call_id == null ? null : Number(r.call_id),
    operatorCode: (r.operator_code as string | null) ?? null,
    status: r.status as 'applied' | 'held',
    problem: (r.problem as string | null) ?? null,
    event: parseJson<CallEvent>(r.payload, {} as CallEvent),
  };
}

/** Held events of these calls (by source and platform call id), and callbacks waiting for their dropped call. */
export async function heldEventsFor(db: Conn, refs: { source: string; callRef: string }[]): Promise<StoredEvent[]> {
  const bySource = new Map<string, string[]>();
  for (const r of refs) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r.callRef]);
  const out: StoredEvent[] = [];
  for (const [source, callRefs] of bySource) {
    for (let i = 0; i < callRefs.length; i += 500) {
      const rows = await db('call_events').where({ source, status: 'held' }).whereIn('call_ref', callRefs.slice(i, i + 500)).select(EVENT_COLUMNS);
      out.push(...rows.map(mapEvent));
    }
  }
  const waiting = await db('call_events').where({ status: 'held', problem: 'callback_target_unknown' }).select(EVENT_COLUMNS).limit(5000);
  const seen = new Set(out.map((e) => e.seq));
  for (const r of waiting.map(mapEvent)) if (!seen.has(r.seq)) out.push(r);
  return out;
}

export async function eventsBySeq(db: Conn, seqs: number[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let i = 0; i < seqs.length; i += 500) out.push(...(await db('call_events').whereIn('id', seqs.slice(i, i + 500)).select(EVENT_COLUMNS)).map(mapEvent));
  return out;
}

/** Every applied event of these calls, for settling them again. */
export async function appliedEventsOfCalls(db: Conn, callIds: number[]): Promise<Map<number, TimedEvent[]>> {
  const out = new Map<number, TimedEvent[]>();
  for (let i = 0; i < callIds.length; i += 500) {
    const rows = await db('call_events').whereIn('call_id', callIds.slice(i, i + 500)).where('status', 'applied').select('id', 'call_id', 'occurred_at', 'payload');
    for (const r of rows) {
      const id = Number(r.call_id);
      const list = out.get(id) ?? [];
      list.push({ seq: Number(r.id), at: r.occurred_at as string, event: parseJson<CallEvent>(r.payload, {} as CallEvent) });
      out.set(id, list);
    }
  }
  return out;
}

export async function markEvents(db: Conn, seqs: number[], o: { status: 'applied' | 'held'; callId: number | null; problem: string | null }): Promise<void> {
  for (let i = 0; i < seqs.length; i += 500) await db('call_events').whereIn('id', seqs.slice(i, i + 500)).update({ status: o.status, call_id: o.callId, problem: o.problem });
}

/** A call as the events settle it: the columns events write, and its id. */
export interface CallRow extends Omit<NewCall, 'callDate' | 'recordingId' | 'extra'> {
  id: number;
}

const CALL_COLUMNS = ['id', 'source', 'external_id', 'started_at', 'answered_at', 'ended_at', 'duration_sec', 'operator_id', 'caller_number', 'language', 'channel', 'category', 'services', 'region_id', 'dropped', 'callback_of_call_id'];

function mapCall(r: Record<string, unknown>): CallRow {
  return {
    id: Number(r.id),
    source: r.source as string,
    externalId: r.external_id as string,
    startedAt: r.started_at as string,
    answeredAt: (r.answered_at as string | null) ?? null,
    endedAt: (r.ended_at as string | null) ?? null,
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    callerNumber: (r.caller_number as string | null) ?? null,
    language: (r.language as string | null) ?? null,
    channel: r.channel as string,
    category: (r.category as string | null) ?? null,
    services: (r.services as string | null) ?? null,
    regionId: r.region_id == null ? null : Number(r.region_id),
    dropped: r.dropped === true || r.dropped === 1,
    callbackOfCallId: r.callback_of_call_id == null ? null : Number(r.callback_of_call_id),
  };
}

/** Calls by (source, platform call id). Key: `${source}\u0000${externalId}`. */
export async function callsByRef(db: Conn, refs: { source: string; callRef: string }[]): Promise<Map<string, CallRow>> {
  const bySource = new Map<string, Set<string>>();
  for (const r of refs) bySource.set(r.source, (bySource.get(r.source) ?? new Set()).add(r.callRef));
  const out = new Map<string, CallRow>();
  for (const [source, set] of bySource) {
    const list = [...set];
    for (let i = 0; i < list.length; i += 500) {
      const rows = await db('calls').where('source', source).whereIn('external_id', list.slice(i, i + 500)).whereNull('deleted_at').select(CALL_COLUMNS);
      for (const r of rows) out.set(refKey(source, r.external_id as string), mapCall(r));
    }
  }
  return out;
}

export async function callsById(db: Conn, ids: number[]): Promise<Map<number, CallRow>> {
  const out = new Map<number, CallRow>();
  for (let i = 0; i < ids.length; i += 500) for (const r of await db('calls').whereIn('id', ids.slice(i, i + 500)).select(CALL_COLUMNS)) out.set(Number(r.id), mapCall(r));
  return out;
}

export function refKey(source: string, callRef: string): string {
  return `${source}\u0000${callRef}`;
}

export async function updateCall(db: Conn, id: number, changes: Record<string, unknown>): Promise<void> {
  await db('calls').where({ id }).update(changes);
}

export async function operatorsByCode(db: Conn, codes: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const list = [...new Set(codes)];
  for (let i = 0; i < list.length; i += 500) for (const r of await db('operators').whereIn('employee_code', list.slice(i, i + 500)).select('id', 'employee_code')) out.set(r.employee_code as string, Number(r.id));
  return out;
}

export async function regionsByCode(db: Conn): Promise<Map<string, number>> {
  const rows = await db('regions').select('id', 'code');
  return new Map(rows.map((r) => [String(r.code).toUpperCase(), Number(r.id)]));
}

export async function findCard(db: Conn, callId: number): Promise<{ id: number; xml: string; versionAt: string | null; status: string | null } | null> {
  const r = await db('call_cards').where({ call_id: callId }).first('id', 'xml', 'version_at', 'status');
  return r ? { id: Number(r.id), xml: r.xml as string, versionAt: (r.version_at as string | null) ?? null, status: (r.status as string | null) ?? null } : null;
}

export async function insertOperatorStates(db: Conn, rows: { eventSeq: number; operatorCode: string; operatorId: number | null; state: string; startedAt: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db('operator_states')
      .insert(rows.slice(i, i + 200).map((r) => ({ event_seq: r.eventSeq, operator_code: r.operatorCode, operator_id: r.operatorId, state: r.state, started_at: r.startedAt })))
      .onConflict('event_seq')
      .ignore();
  }
}

/** Events whose operator code was unknown and now is: their codes. */
export async function unknownOperatorCodesNowKnown(db: Conn): Promise<{ code: string; operatorId: number }[]> {
  const rows = await db('call_events as e').join('operators as o', 'o.employee_code', 'e.operator_code').where('e.problem', 'operator_unknown').distinct('e.operator_code', 'o.id');
  return rows.map((r) => ({ code: r.operator_code as string, operatorId: Number(r.id) }));
}

export async function callIdsWithOperatorCode(db: Conn, code: string): Promise<number[]> {
  const rows = await db('call_events').where({ problem: 'operator_unknown', operator_code: code }).whereNotNull('call_id').distinct('call_id');
  return rows.map((r) => Number(r.call_id));
}

export async function clearOperatorProblem(db: Conn, code: string, operatorId: number): Promise<void> {
  await db('call_events').where({ problem: 'operator_unknown', operator_code: code }).update({ problem: null });
  await db('operator_states').where({ operator_code: code }).whereNull('operator_id').update({ operator_id: operatorId });
}

// ---- the admin's view of problems ---------------------------------------------------------

export interface ProblemSummary {
  heldOverdue: number;
  unknownOperators: { code: string; events: number; lastAt: string }[];
}

export async function problemSummary(db: Knex, heldBefore: string): Promise<ProblemSummary> {
  const held = await db('call_events').where('status', 'held').where('received_at', '<', heldBefore).count({ n: '*' }).first();
  const ops = await db('call_events').where('problem', 'operator_unknown').groupBy('operator_code').select('operator_code').count({ n: '*' }).max({ last: 'received_at' }).orderBy('operator_code').limit(200);
  return {
    heldOverdue: num(held?.n),
    unknownOperators: (ops as Record<string, unknown>[]).map((r) => ({ code: r.operator_code as string, events: num(r.n), lastAt: r.last as string })),
  };
}

/** Held events received before a time: never matched to a call. Newest first. */
export async function unmatchedEvents(db: Knex, heldBefore: string, limit: number): Promise<StoredEvent[]> {
  const rows = await db('call_events').where('status', 'held').where('received_at', '<', heldBefore).orderBy('id', 'desc').limit(limit).select(EVENT_COLUMNS);
  return rows.map(mapEvent);
}

export async function latestEventReceivedAt(db: Knex): Promise<string | null> {
  const r = await db('call_events').orderBy('id', 'desc').first('received_at');
  return (r?.received_at as string | undefined) ?? null;
}
