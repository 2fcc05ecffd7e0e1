// Settling stored events into the rows the rest of Sifat reads: a call offered makes a `calls`
// row; answered, ended, callbacks, cards, services, satisfaction and complex cases update it and
// its neighbours. Each call is refolded from ALL its applied events (fold.ts), so late and
// out-of-order events land on the same result. Events for a call not yet known wait as `held`
// and are applied the moment their call arrives. Runs inside the ingest transaction.
import type { Knex } from 'knex';
import { insertReturningId } from '../../db';
import { tashkentDate } from '../../time';
import { parseCallCard } from '../calls/call-card';
import { normaliseServices, servicesFromColumn, servicesToColumn } from '../calls/calls.model';
import { syncFollowupForRequest } from '../followups/followups.sync';
import { byTime, foldCall, foldCard, foldFeedback, foldServices, type TimedEvent } from './fold';
import * as repo from './events.repository';
import type { StoredEvent } from './events.repository';

export interface SettleContext {
  now: string;
  followupDueMinutes: number;
}

export interface SettleResult {
  applied: number;
  /** of the given events, how many wait for their call */
  heldOfGiven: number;
  /** which of the given events wait for their call */
  heldSeqs: Set<number>;
  callIds: number[];
}

type Decision = { status: 'applied' | 'held'; callId: number | null; problem: string | null };

/** Settles the given (just inserted, held) events and any held events they unblock. */
export async function settle(trx: Knex.Transaction, ctx: SettleContext, seqs: number[]): Promise<SettleResult> {
  const fresh = await repo.eventsBySeq(trx, seqs);
  const refs = fresh.flatMap((e) => refsOf(e));
  const held = await repo.heldEventsFor(trx, refs);
  const seen = new Set(held.map((e) => e.seq));
  const pending = byTime([...held, ...fresh.filter((e) => !seen.has(e.seq))]);
  const calls = await repo.callsByRef(trx, pending.flatMap((e) => refsOf(e)));
  const operators = await repo.operatorsByCode(trx, pending.map((e) => e.operatorCode).filter((c): c is string => !!c));
  const regions = await repo.regionsByCode(trx);

  // Calls come into being from an offer, or from a callback attempt whose dropped call is known.
  for (const e of pending) {
    if (e.event.type !== 'call.offered' || !e.callRef || calls.has(repo.refKey(e.source, e.callRef))) continue;
    calls.set(repo.refKey(e.source, e.callRef), await createCall(trx, e, null, ctx.now));
  }
  for (const e of pending) {
    if (e.event.type !== 'callback.attempted' || !e.callRef || calls.has(repo.refKey(e.source, e.callRef))) continue;
    const target = calls.get(repo.refKey(e.source, e.event.callbackOf));
    if (target) calls.set(repo.refKey(e.source, e.callRef), await createCall(trx, e, target.id, ctx.now));
  }

  const decisions = new Map<string, { d: Decision; seqs: number[] }>();
  const touched = new Map<number, Set<string>>();
  const states: { eventSeq: number; operatorCode: string; operatorId: number | null; state: string; startedAt: string }[] = [];
  let applied = 0;
  const heldSeqs = new Set<number>();
  const given = new Set(seqs);
  for (const e of pending) {
    const d = decide(e, calls, operators, regions);
    const key = `${d.status}|${d.callId}|${d.problem}`;
    const g = decisions.get(key) ?? { d, seqs: [] };
    g.seqs.push(e.seq);
    decisions.set(key, g);
    if (d.status !== 'applied') {
      if (given.has(e.seq)) heldSeqs.add(e.seq);
      continue;
    }
    applied++;
    if (d.callId !== null) touched.set(d.callId, (touched.get(d.callId) ?? new Set()).add(e.event.type));
    if (e.event.type === 'operator.state') states.push({ eventSeq: e.seq, operatorCode: e.event.operatorCode, operatorId: operators.get(e.event.operatorCode) ?? null, state: e.event.state, startedAt: e.at });
  }
  for (const { d, seqs: s } of decisions.values()) await repo.markEvents(trx, s, d);
  if (states.length) await repo.insertOperatorStates(trx, states);
  await refoldCalls(trx, ctx, touched, operators, regions);
  return { applied, heldOfGiven: heldSeqs.size, heldSeqs, callIds: [...touched.keys()] };
}

function refsOf(e: StoredEvent): { source: string; callRef: string }[] {
  const out: { source: string; callRef: string }[] = [];
  if (e.callRef) out.push({ source: e.source, callRef: e.callRef });
  if (e.event.type === 'callback.attempted') out.push({ source: e.source, callRef: e.event.callbackOf });
  return out;
}

function decide(e: StoredEvent, calls: Map<string, repo.CallRow>, operators: Map<string, number>, regions: Map<string, number>): Decision {
  const operatorProblem = e.operatorCode && !operators.has(e.operatorCode) ? 'operator_unknown' : null;
  if (e.event.type === 'operator.state') return { status: 'applied', callId: null, problem: operatorProblem };
  const call = e.callRef ? calls.get(repo.refKey(e.source, e.callRef)) : undefined;
  if (!call) return { status: 'held', callId: null, problem: e.event.type === 'callback.attempted' ? 'callback_target_unknown' : 'call_unknown' };
  const regionProblem = e.event.type === 'call.offered' && e.event.regionCode && !regions.has(e.event.regionCode.toUpperCase()) ? 'region_unknown' : null;
  return { status: 'applied', callId: call.id, problem: operatorProblem ?? regionProblem };
}

async function createCall(trx: Knex.Transaction, e: StoredEvent, callbackOfCallId: number | null, now: string): Promise<repo.CallRow> {
  const id = await insertReturningId(trx, 'calls', {
    source: e.source,
    external_id: e.callRef,
    started_at: e.at,
    call_date: tashkentDate(e.at),
    channel: 'voice',
    dropped: false,
    callback_of_call_id: callbackOfCallId,
    created_at: now,
    updated_at: now,
  });
  return {
    id, source: e.source, externalId: e.callRef!, startedAt: e.at, answeredAt: null, endedAt: null, durationSec: null, operatorId: null, callerNumber: null,
    language: null, channel: 'voice', category: null, services: null, regionId: null, dropped: false, callbackOfCallId,
  };
}

/** Rewrites each touched call (and its card, services and feedback) from all its applied events. */
export async function refoldCalls(trx: Knex.Transaction, ctx: SettleContext, touched: Map<number, Set<string>>, operators: Map<string, number>, regions: Map<string, number>): Promise<void> {
  const ids = [...touched.keys()];
  if (!ids.length) return;
  const eventsByCall = await repo.appliedEventsOfCalls(trx, ids);
  const current = await repo.callsById(trx, ids);
  const codes = [...eventsByCall.values()].flat().map((e) => (e.event as { operatorCode?: string }).operatorCode).filter((c): c is string => !!c && !operators.has(c));
  if (codes.length) for (const [c, id] of await repo.operatorsByCode(trx, codes)) operators.set(c, id);
  const callbackRefs = [...eventsByCall.values()].flat().flatMap((e) => (e.event.type === 'callback.attempted' ? [{ source: e.event.source, callRef: e.event.callbackOf }] : []));
  const targets = callbackRefs.length ? await repo.callsByRef(trx, callbackRefs) : new Map<string, repo.CallRow>();
  const existingRequests = await existingServiceRequests(trx, ids);

  for (const id of ids) {
    const cur = current.get(id);
    const events = eventsByCall.get(id) ?? [];
    if (!cur || !events.length) continue;
    const types = touched.get(id)!;
    const changes = callChanges(cur, events, operators, regions, targets);
    if (Object.keys(changes).length) await repo.updateCall(trx, id, { ...changes, updated_at: ctx.now });
    if ([...types].some((t) => t.startsWith('card.'))) await settleCard(trx, id, events, ctx.now);
    if (types.has('service.dispatched') || types.has('service.outcome')) await settleServices(trx, ctx, id, events, existingRequests);
    if (types.has('satisfaction.scored') || types.has('complex.raised')) await settleFeedback(trx, id, events);
  }
}

/** The columns of a call that its events change. Only what events say is written. Pure. */
export function callChanges(cur: repo.CallRow, events: readonly TimedEvent[], operators: Map<string, number>, regions: Map<string, number>, targets: Map<string, repo.CallRow>): Record<string, unknown> {
  const f = foldCall(events);
  const c: Record<string, unknown> = {};
  const set = (col: string, now: unknown, next: unknown) => {
    if (next !== undefined && next !== now) c[col] = next;
  };
  const startedAt = f.startedAt ?? cur.startedAt;
  if (f.startedAt) {
    set('started_at', cur.startedAt, f.startedAt);
    set('call_date', tashkentDate(cur.startedAt), tashkentDate(f.startedAt));
  }
  if (f.answeredAt) set('answered_at', cur.answeredAt, f.answeredAt);
  if (f.operatorCode && operators.has(f.operatorCode)) set('operator_id', cur.operatorId, operators.get(f.operatorCode));
  if (f.endedAt) {
    set('ended_at', cur.endedAt, f.endedAt);
    set('duration_sec', cur.durationSec, Math.max(0, Math.round(Date.parse(f.endedAt) - Date.parse(startedAt)) / 1000));
  }
  if (f.dropped !== null) set('dropped', cur.dropped, f.dropped);
  if (f.callerNumber) set('caller_number', cur.callerNumber, f.callerNumber);
  if (f.language) set('language', cur.language, f.language);
  if (f.channel) set('channel', cur.channel, f.channel);
  if (f.category) set('category', cur.category, f.category);
  if (f.regionCode && regions.has(f.regionCode.toUpperCase())) set('region_id', cur.regionId, regions.get(f.regionCode.toUpperCase()));
  if (f.callbackOf) {
    const target = targets.get(repo.refKey(cur.source, f.callbackOf));
    if (target) set('callback_of_call_id', cur.callbackOfCallId, target.id);
  }
  if (f.services.length) {
    const merged = servicesToColumn(normaliseServices([...servicesFromColumn(cur.services), ...f.services]).services);
    set('services', cur.services, merged);
  }
  return c;
}

async function settleCard(trx: Knex.Transaction, callId: number, events: readonly TimedEvent[], now: string): Promise<void> {
  const f = foldCard(events);
  if (!f) return;
  const existing = await repo.findCard(trx, callId);
  const xml = f.xml ?? existing?.xml;
  if (!xml) return; // a close without any version of the card: nothing to store yet
  const parsed = parseCallCard(xml); // checked when the event was accepted
  const row = {
    xml: parsed.xml,
    fields: JSON.stringify(parsed.fields),
    completeness: parsed.completeness,
    missing_fields: JSON.stringify(parsed.missingFields),
    status: f.status,
    version_at: f.versionAt,
    closed_at: f.closedAt,
    updated_at: now,
  };
  if (existing) {
    if (existing.versionAt === f.versionAt && existing.status === f.status && existing.xml === parsed.xml) return;
    await trx('call_cards').where({ id: existing.id }).update(row);
  } else await trx('call_cards').insert({ ...row, call_id: callId, created_at: now });
}

async function existingServiceRequests(trx: Knex.Transaction, callIds: number[]): Promise<Map<string, { id: number; dispatchedAt: string | null; arrivedAt: string | null; outcome: string | null; outcomeAt: string | null; reason: string | null }>> {
  const out = new Map();
  for (let i = 0; i < callIds.length; i += 500) {
    for (const r of await trx('service_requests').whereIn('call_id', callIds.slice(i, i + 500)).select('id', 'call_id', 'service', 'dispatched_at', 'arrived_at', 'outcome', 'outcome_at', 'reason')) {
      out.set(`${r.call_id}:${r.service}`, { id: Number(r.id), dispatchedAt: r.dispatched_at ?? null, arrivedAt: r.arrived_at ?? null, outcome: r.outcome ?? null, outcomeAt: r.outcome_at ?? null, reason: r.reason ?? null });
    }
  }
  return out;
}

async function settleServices(trx: Knex.Transaction, ctx: SettleContext, callId: number, events: readonly TimedEvent[], existing: Awaited<ReturnType<typeof existingServiceRequests>>): Promise<void> {
  for (const s of foldServices(events)) {
    const cur = existing.get(`${callId}:${s.service}`);
    const row = { dispatched_at: s.dispatchedAt, arrived_at: s.arrivedAt, outcome: s.outcome, outcome_at: s.outcomeAt, reason: s.reason };
    let id: number;
    if (cur) {
      id = cur.id;
      if (cur.dispatchedAt === s.dispatchedAt && cur.arrivedAt === s.arrivedAt && cur.outcome === s.outcome && cur.outcomeAt === s.outcomeAt && cur.reason === s.reason) continue;
      await trx('service_requests').where({ id }).update({ ...row, updated_at: ctx.now });
    } else id = await insertReturningId(trx, 'service_requests', { ...row, call_id: callId, service: s.service, created_at: ctx.now, updated_at: ctx.now });
    await syncFollowupForRequest(trx, { requestId: id, callId, service: s.service, outcome: s.outcome, outcomeAt: s.outcomeAt }, ctx.now, ctx.followupDueMinutes);
  }
}

async function settleFeedback(trx: Knex.Transaction, callId: number, events: readonly TimedEvent[]): Promise<void> {
  const f = foldFeedback(events);
  if (f.score) await trx('call_satisfaction').insert({ call_id: callId, score: f.score.value, scored_at: f.score.at }).onConflict('call_id').merge(['score', 'scored_at']);
  if (f.complex) await trx('complex_cases').insert({ call_id: callId, operator_code: f.complex.operatorCode, raised_at: f.complex.at, note: f.complex.note }).onConflict('call_id').merge(['operator_code', 'raised_at', 'note']);
}

/** Operators created after their code came in events: attach them to those calls and states. */
export async function resolveLateOperators(trx: Knex.Transaction, ctx: SettleContext): Promise<number> {
  const found = await repo.unknownOperatorCodesNowKnown(trx);
  const regions = await repo.regionsByCode(trx);
  for (const { code, operatorId } of found) {
    const callIds = await repo.callIdsWithOperatorCode(trx, code);
    await repo.clearOperatorProblem(trx, code, operatorId);
    const touched = new Map(callIds.map((id) => [id, new Set<string>(['call.answered'])]));
    await refoldCalls(trx, ctx, touched, new Map([[code, operatorId]]), regions);
  }
  return found.length;
}
