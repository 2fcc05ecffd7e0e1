// The facts feature's SQL: the stale list the triggers keep, the inputs a batch of calls needs
// (read in a handful of queries for the whole batch), the `call_facts` rows, and channel roles.
import type { Knex } from 'knex';
import { nowIso, parseJson, toBool } from '../../db';
import type { AudioFacts } from '../media';
import type { FactsCall, FactsCallback } from './compute';
import type { AnswerState, AudioState, CallFacts, FactFlag, FactsEvidence } from './facts.model';

type Db = Knex | Knex.Transaction;

export interface StaleMark {
  callId: number;
  /** As stored (PostgreSQL hands bigints back as strings). */
  token: string | number;
}

/** The stale lists keyed by call with a token: the facts' own, and the check results' (src/features/checks). */
export type StaleTable = 'call_facts_stale' | 'call_checks_stale';

/** The oldest-numbered stale calls, at most `limit`. */
export async function staleBatch(db: Db, limit: number, table: StaleTable = 'call_facts_stale'): Promise<StaleMark[]> {
  const rows = await db(table).select('call_id', 'token').orderBy('call_id').limit(limit);
  return rows.map((r: { call_id: number | string; token: string | number }) => ({ callId: Number(r.call_id), token: r.token }));
}

export async function staleCount(db: Db, table: StaleTable = 'call_facts_stale'): Promise<number> {
  const r = await db(table).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** Clears marks that still carry the token read: a write committed meanwhile re-marked its call and stays. */
export async function clearStale(db: Db, marks: StaleMark[], table: StaleTable = 'call_facts_stale'): Promise<void> {
  for (let i = 0; i < marks.length; i += 400) {
    const part = marks.slice(i, i + 400);
    // Row values work alike on SQLite (3.15+) and PostgreSQL; the casts give PostgreSQL the types.
    const rows = part.map(() => '(cast(? as integer), cast(? as bigint))').join(', ');
    await db.raw(`delete from ${table} where (call_id, token) in (values ${rows})`, part.flatMap((m) => [m.callId, String(m.token)]));
  }
}

/** Marks calls stale by hand (recompute on request, a facts version bump). */
export async function markStale(db: Db, callIds: number[]): Promise<void> {
  for (let i = 0; i < callIds.length; i += 500) {
    const rows = callIds.slice(i, i + 500).map((id) => ({ call_id: id, token: Math.floor(Math.random() * 9e15) }));
    await db('call_facts_stale').insert(rows).onConflict('call_id').merge(['token']);
  }
}

/** Marks every call (optionally of one source) stale, in the database. */
export async function markAllStale(db: Db, o: { source?: string } = {}): Promise<number> {
  const q = db('calls').select('id');
  if (o.source) q.where('source', o.source);
  const token = tokenSql(db);
  const sql = q.toSQL();
  const r = await db.raw(`insert into call_facts_stale (call_id, token) select x.id, ${token} from (${sql.sql}) x where true on conflict (call_id) do update set token = excluded.token`, sql.bindings as readonly Knex.Value[]);
  return Number((r as { rowCount?: number; changes?: number })?.rowCount ?? (r as { changes?: number })?.changes ?? 0);
}

function tokenSql(db: Db): string {
  return db.client.config.client === 'pg' ? 'floor(random() * 9e15)::bigint' : 'random() >> 11';
}

/**
 * Marks the calls whose facts were made by older rules (facts_version), or whose recording was
 * analysed by an older speech detector. Calls already marked keep their mark. Returns how many.
 */
export async function markOutdated(db: Db, factsVersion: number, vadVersion: number): Promise<number> {
  const token = tokenSql(db);
  const a = await db.raw(
    `insert into call_facts_stale (call_id, token) select f.call_id, ${token} from call_facts f where f.facts_version < ? on conflict (call_id) do nothing`,
    [factsVersion],
  );
  const b = await db.raw(
    `insert into call_facts_stale (call_id, token) select c.id, ${token} from calls c join recordings r on r.id = c.recording_id
     where r.analysis_version < ? on conflict (call_id) do nothing`,
    [vadVersion],
  );
  const n = (r: unknown) => Number((r as { rowCount?: number })?.rowCount ?? (r as { changes?: number })?.changes ?? 0);
  return n(a) + n(b);
}

export async function staleMark(db: Db, callId: number): Promise<StaleMark | null> {
  const r = await db('call_facts_stale').where({ call_id: callId }).first('call_id', 'token');
  return r ? { callId: Number(r.call_id), token: r.token } : null;
}

// ---- the inputs of a batch -----------------------------------------------------------------

export interface CallRow extends FactsCall {
  source: string;
  deleted: boolean;
}

export interface RecordingRow {
  id: number;
  /** A video without a sound track (sign language): nothing to analyse. */
  silent: boolean;
  facts: AudioFacts | null;
  analysedAt: string | null;
  analysisVersion: number | null;
  analysisError: unknown;
  peaksKey: string | null;
}

export interface BatchInputs {
  calls: Map<number, CallRow>;
  cards: Map<number, { completeness: number | null; missingFields: string[] }>;
  callbacks: Map<number, FactsCallback[]>;
  firstReviews: Map<number, string>;
  recordings: Map<number, RecordingRow>;
}

export async function loadBatchInputs(db: Db, callIds: number[]): Promise<BatchInputs> {
  const calls = new Map<number, CallRow>();
  const cards = new Map<number, { completeness: number | null; missingFields: string[] }>();
  const callbacks = new Map<number, FactsCallback[]>();
  const firstReviews = new Map<number, string>();
  const recordings = new Map<number, RecordingRow>();
  if (!callIds.length) return { calls, cards, callbacks, firstReviews, recordings };

  const callRows = await db('calls')
    .whereIn('id', callIds)
    .select('id', 'source', 'started_at', 'answered_at', 'ended_at', 'duration_sec', 'dropped', 'recording_id', 'services', 'operator_id', 'callback_of_call_id', 'deleted_at');
  for (const r of callRows) {
    calls.set(Number(r.id), {
      id: Number(r.id),
      source: r.source,
      startedAt: r.started_at,
      answeredAt: r.answered_at ?? null,
      endedAt: r.ended_at ?? null,
      durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
      dropped: toBool(r.dropped),
      recordingId: r.recording_id == null ? null : Number(r.recording_id),
      services: r.services ?? null,
      operatorId: r.operator_id == null ? null : Number(r.operator_id),
      isCallback: r.callback_of_call_id != null,
      deleted: r.deleted_at != null,
    });
  }
  const live = [...calls.values()].filter((c) => !c.deleted).map((c) => c.id);
  if (!live.length) return { calls, cards, callbacks, firstReviews, recordings };

  const recordingIds = [...new Set([...calls.values()].map((c) => c.recordingId).filter((id): id is number => id !== null))];
  const [cardRows, callbackRows, reviewRows, recordingRows] = await Promise.all([
    db('call_cards').whereIn('call_id', live).select('call_id', 'completeness', 'missing_fields'),
    db('calls').whereIn('callback_of_call_id', live).whereNull('deleted_at').select('id', 'callback_of_call_id', 'started_at', 'answered_at', 'recording_id'),
    db('evaluations').whereIn('call_id', live).where('kind', 'regular').whereNotNull('submitted_at').groupBy('call_id').select('call_id').min({ first: 'submitted_at' }),
    recordingIds.length
      ? db('recordings').whereIn('id', recordingIds).select('id', 'facts', 'analysed_at', 'analysis_version', 'analysis_error', 'peaks_key', 'channels')
      : Promise.resolve([]),
  ]);
  for (const r of cardRows) cards.set(Number(r.call_id), { completeness: r.completeness == null ? null : Number(r.completeness), missingFields: parseJson<string[]>(r.missing_fields, []) });
  for (const r of callbackRows) {
    const list = callbacks.get(Number(r.callback_of_call_id)) ?? [];
    list.push({ id: Number(r.id), startedAt: r.started_at, answeredAt: r.answered_at ?? null, recordingId: r.recording_id == null ? null : Number(r.recording_id) });
    callbacks.set(Number(r.callback_of_call_id), list);
  }
  for (const r of reviewRows as { call_id: number | string; first: string }[]) if (r.first) firstReviews.set(Number(r.call_id), r.first);
  for (const r of recordingRows as Record<string, unknown>[]) {
    recordings.set(Number(r.id), {
      id: Number(r.id),
      silent: r.channels != null && Number(r.channels) === 0,
      facts: parseJson<AudioFacts | null>(r.facts, null),
      analysedAt: (r.analysed_at as string | null) ?? null,
      analysisVersion: r.analysis_version == null ? null : Number(r.analysis_version),
      analysisError: parseJson<unknown>(r.analysis_error, null),
      peaksKey: (r.peaks_key as string | null) ?? null,
    });
  }
  return { calls, cards, callbacks, firstReviews, recordings };
}

// ---- call_facts ----------------------------------------------------------------------------

function toRow(f: CallFacts): Record<string, unknown> {
  return {
    call_id: f.callId,
    facts_version: f.factsVersion,
    computed_at: f.computedAt,
    answer_state: f.answerState,
    answer_delay_sec: f.answerDelaySec,
    duration_sec: f.durationSec,
    dropped: f.dropped,
    callback_attempts: f.callbackAttempts,
    first_callback_sec: f.firstCallbackSec,
    callback_reached: f.callbackReached,
    reached_callback_sec: f.reachedCallbackSec,
    attempts_to_reach: f.attemptsToReach,
    card_present: f.cardPresent,
    card_complete: f.cardComplete,
    card_completeness: f.cardCompleteness,
    card_missing_fields: JSON.stringify(f.cardMissingFields),
    reviewed_at: f.reviewedAt,
    review_lag_sec: f.reviewLagSec,
    audio_state: f.audioState,
    recording_duration_sec: f.recordingDurationSec,
    operator_channel: f.operatorChannel,
    operator_talk_sec: f.operatorTalkSec,
    caller_talk_sec: f.callerTalkSec,
    talk_sec: f.talkSec,
    talk_share: f.talkShare,
    silence_count: f.silenceCount,
    silence_total_sec: f.silenceTotalSec,
    silence_longest_sec: f.silenceLongestSec,
    hold_count: f.holdCount,
    hold_total_sec: f.holdTotalSec,
    hold_longest_sec: f.holdLongestSec,
    talk_over_sec: f.talkOverSec,
    talk_over_count: f.talkOverCount,
    greeting_latency_sec: f.greetingLatencySec,
    flags: JSON.stringify(f.flags),
    evidence: JSON.stringify(f.evidence),
  };
}

const numOrNull = (v: unknown) => (v == null ? null : Number(v));
const boolOrNull = (v: unknown) => (v == null ? null : toBool(v));

function fromRow(r: Record<string, unknown>): CallFacts {
  return {
    callId: Number(r.call_id),
    factsVersion: Number(r.facts_version),
    computedAt: r.computed_at as string,
    answerState: r.answer_state as AnswerState,
    answerDelaySec: numOrNull(r.answer_delay_sec),
    durationSec: numOrNull(r.duration_sec),
    dropped: toBool(r.dropped),
    callbackAttempts: Number(r.callback_attempts),
    firstCallbackSec: numOrNull(r.first_callback_sec),
    callbackReached: boolOrNull(r.callback_reached),
    reachedCallbackSec: numOrNull(r.reached_callback_sec),
    attemptsToReach: numOrNull(r.attempts_to_reach),
    cardPresent: toBool(r.card_present),
    cardComplete: boolOrNull(r.card_complete),
    cardCompleteness: numOrNull(r.card_completeness),
    cardMissingFields: parseJson<string[]>(r.card_missing_fields, []),
    reviewedAt: (r.reviewed_at as string | null) ?? null,
    reviewLagSec: numOrNull(r.review_lag_sec),
    audioState: r.audio_state as AudioState,
    recordingDurationSec: numOrNull(r.recording_duration_sec),
    operatorChannel: numOrNull(r.operator_channel),
    operatorTalkSec: numOrNull(r.operator_talk_sec),
    callerTalkSec: numOrNull(r.caller_talk_sec),
    talkSec: numOrNull(r.talk_sec),
    talkShare: numOrNull(r.talk_share),
    silenceCount: numOrNull(r.silence_count),
    silenceTotalSec: numOrNull(r.silence_total_sec),
    silenceLongestSec: numOrNull(r.silence_longest_sec),
    holdCount: numOrNull(r.hold_count),
    holdTotalSec: numOrNull(r.hold_total_sec),
    holdLongestSec: numOrNull(r.hold_longest_sec),
    talkOverSec: numOrNull(r.talk_over_sec),
    talkOverCount: numOrNull(r.talk_over_count),
    greetingLatencySec: numOrNull(r.greeting_latency_sec),
    flags: parseJson<FactFlag[]>(r.flags, []),
    evidence: parseJson<FactsEvidence>(r.evidence, { inputs: { startedAt: '', answeredAt: null, endedAt: null, statedDurationSec: null, dropped: false }, callbacks: [], audio: null }),
  };
}

export async function upsertCallFacts(db: Db, facts: CallFacts[]): Promise<void> {
  for (let i = 0; i < facts.length; i += 100) {
    await db('call_facts').insert(facts.slice(i, i + 100).map(toRow)).onConflict('call_id').merge();
  }
}

export async function deleteCallFacts(db: Db, callIds: number[]): Promise<void> {
  if (callIds.length) await db('call_facts').whereIn('call_id', callIds).del();
}

export async function findCallFacts(db: Db, callId: number): Promise<CallFacts | null> {
  const r = await db('call_facts').where({ call_id: callId }).first();
  return r ? fromRow(r) : null;
}

/** The stored facts of several calls (those that have a row), by call id. */
export async function findCallFactsMany(db: Db, callIds: readonly number[]): Promise<Map<number, CallFacts>> {
  const out = new Map<number, CallFacts>();
  for (let i = 0; i < callIds.length; i += 500) {
    for (const r of await db('call_facts').whereIn('call_id', callIds.slice(i, i + 500))) out.set(Number(r.call_id), fromRow(r));
  }
  return out;
}

// ---- channel roles -------------------------------------------------------------------------

export interface ChannelRole {
  source: string;
  operatorChannel: number;
  updatedAt: string;
  updatedByName: string | null;
}

export async function listChannelRoles(db: Db): Promise<ChannelRole[]> {
  const rows = await db('channel_roles as r').leftJoin('users as u', 'u.id', 'r.updated_by').select('r.source', 'r.operator_channel', 'r.updated_at', 'u.display_name').orderBy('r.source');
  return rows.map((r: Record<string, unknown>) => ({ source: r.source as string, operatorChannel: Number(r.operator_channel), updatedAt: r.updated_at as string, updatedByName: (r.display_name as string | null) ?? null }));
}

/** source → operator channel, with '*' the default for sources without a row. */
export async function channelRoleMap(db: Db): Promise<Map<string, number>> {
  const rows = await db('channel_roles').select('source', 'operator_channel');
  return new Map(rows.map((r: { source: string; operator_channel: number | string }) => [r.source, Number(r.operator_channel)]));
}

export async function saveChannelRole(db: Db, source: string, operatorChannel: number, userId: number | null, clock?: () => Date): Promise<void> {
  await db('channel_roles')
    .insert({ source, operator_channel: operatorChannel, updated_by: userId, updated_at: nowIso(clock) })
    .onConflict('source')
    .merge(['operator_channel', 'updated_by', 'updated_at']);
}

export async function deleteChannelRole(db: Db, source: string): Promise<boolean> {
  return (await db('channel_roles').where({ source }).del()) > 0;
}

/** Sources of the most recent calls (bounded: the call list's started_at index), for the roles page. */
export async function recentSources(db: Db, limit = 2000): Promise<string[]> {
  const rows = await db('calls').orderBy('started_at', 'desc').limit(limit).select('source');
  return [...new Set(rows.map((r: { source: string }) => r.source))].sort();
}

/** Per source, among its most recently computed stereo calls: how many look like swapped channels. */
export async function swapHints(db: Db, sources: string[], perSource = 200): Promise<Map<string, { flagged: number; measured: number }>> {
  const out = new Map<string, { flagged: number; measured: number }>();
  for (const source of sources) {
    const rows = await db('calls as c')
      .join('call_facts as f', 'f.call_id', 'c.id')
      .where('c.source', source)
      .where('f.audio_state', 'measured')
      .whereNotNull('f.operator_channel')
      .orderBy('c.started_at', 'desc')
      .limit(perSource)
      .select('f.flags');
    let flagged = 0;
    for (const r of rows as { flags: string }[]) if (parseJson<string[]>(r.flags, []).includes('channelsMaybeSwapped')) flagged++;
    out.set(source, { flagged, measured: rows.length });
  }
  return out;
}
