// The Service page's SQL: a day's inbound calls with their facts and check results (what a day's
// sums are made of), the stored sums per day and part, the stale days the triggers mark, and the
// names behind the breakdowns.
import type { Knex } from 'knex';
import { isPostgres, num, toBool } from '../../db';
import { tashkentOffsetMinutes } from '../../time';
import type { AnswerState, AudioState, FactFlag } from '../facts/facts.model';
import type { CheckOutcome } from '../checks/rules';
import type { SumsCall } from './day-sums';

type Db = Knex | Knex.Transaction;

/** Which calls a table read covers: a team list (null = all), and optional region, category and language. */
export interface CallFilter {
  teamIds: readonly number[] | null;
  regionId: number | null;
  category: string | null;
  language: string | null;
}

const jsonList = <T>(v: unknown): T[] => {
  if (v == null || v === '[]') return [];
  try {
    const parsed = JSON.parse(String(v));
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
};
const numOrNull = (v: unknown) => (v == null ? null : Number(v));

/**
 * The inbound calls of a Tashkent day (callbacks — calls with callback_of_call_id — are attempts,
 * not offered calls; deleted calls are gone), each with its facts (null when not computed yet) and
 * check results, optionally filtered.
 */
export async function callsOfDay(db: Db, day: string, filter?: CallFilter): Promise<SumsCall[]> {
  const q = db('calls as c')
    .leftJoin('call_facts as f', 'f.call_id', 'c.id')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .where('c.call_date', day)
    .whereNull('c.deleted_at')
    .whereNull('c.callback_of_call_id')
    .select(
      'c.id', 'c.started_at', 'c.operator_id', 'o.team_id', 'c.region_id', 'c.category', 'c.language', 'f.call_id as facts_call_id',
      'f.answer_state', 'f.answer_delay_sec', 'f.duration_sec', 'f.dropped', 'f.first_callback_sec', 'f.reached_callback_sec', 'f.attempts_to_reach',
      'f.card_present', 'f.card_complete', 'f.card_missing_fields', 'f.review_lag_sec', 'f.audio_state', 'f.talk_sec', 'f.hold_count', 'f.hold_total_sec',
      'f.silence_total_sec', 'f.talk_over_sec', 'f.greeting_latency_sec', 'f.flags',
      // A call's check results as one "key=outcome;…" text: five rows a call read as one column,
      // instead of a second query of 300,000 rows for a national day. Raw SQL because the two
      // databases name the aggregate differently (group_concat / string_agg).
      db.raw(`(select ${isPostgres(db as Knex) ? "string_agg(r.check_key || '=' || r.outcome, ';')" : "group_concat(r.check_key || '=' || r.outcome, ';')"} from call_check_results r where r.call_id = c.id) as checks`),
    );
  if (filter) applyFilter(q, filter);
  const rows = await q;
  // Tashkent keeps one offset all year; taken once per day, through time.ts, so the rule lives there.
  const offsetMs = tashkentOffsetMinutes(new Date(`${day}T12:00:00Z`)) * 60_000;
  return (rows as Record<string, unknown>[]).map((r) => {
    const id = Number(r.id);
    const hour = new Date(Date.parse(String(r.started_at)) + offsetMs).getUTCHours();
    return {
      id,
      hour,
      operatorId: numOrNull(r.operator_id),
      teamId: numOrNull(r.team_id),
      regionId: numOrNull(r.region_id),
      category: (r.category as string | null) ?? null,
      language: (r.language as string | null) ?? null,
      facts:
        r.facts_call_id == null
          ? null
          : {
              answerState: r.answer_state as AnswerState,
              answerDelaySec: numOrNull(r.answer_delay_sec),
              durationSec: numOrNull(r.duration_sec),
              dropped: toBool(r.dropped),
              firstCallbackSec: numOrNull(r.first_callback_sec),
              reachedCallbackSec: numOrNull(r.reached_callback_sec),
              attemptsToReach: numOrNull(r.attempts_to_reach),
              cardPresent: toBool(r.card_present),
              cardComplete: r.card_complete == null ? null : toBool(r.card_complete),
              cardMissingFields: jsonList<string>(r.card_missing_fields),
              reviewLagSec: numOrNull(r.review_lag_sec),
              audioState: r.audio_state as AudioState,
              talkSec: numOrNull(r.talk_sec),
              holdCount: numOrNull(r.hold_count),
              holdTotalSec: numOrNull(r.hold_total_sec),
              silenceTotalSec: numOrNull(r.silence_total_sec),
              talkOverSec: numOrNull(r.talk_over_sec),
              greetingLatencySec: numOrNull(r.greeting_latency_sec),
              flags: jsonList<FactFlag>(r.flags),
            },
      checks: checksOf(r.checks),
    };
  });
}

function applyFilter(q: Knex.QueryBuilder, f: CallFilter, alias = 'c'): void {
  if (f.teamIds) {
    if (f.teamIds.length) q.whereIn('o.team_id', [...f.teamIds]);
    else q.whereRaw('1 = 0');
  }
  if (f.regionId !== null) q.where(`${alias}.region_id`, f.regionId);
  if (f.category !== null) q.where(`${alias}.category`, f.category);
  if (f.language !== null) q.where(`${alias}.language`, f.language);
}

/** "key=outcome;key=outcome" back into pairs. */
function checksOf(v: unknown): [string, CheckOutcome][] {
  if (typeof v !== 'string' || !v) return [];
  return v.split(';').map((pair) => {
    const at = pair.lastIndexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1) as CheckOutcome];
  });
}

// ---- stored sums -----------------------------------------------------------------------------

export interface StoredPart {
  day: string;
  part: string;
  sums: string;
}

/** The stored parts of the days from..to, for the given part names. */
export async function storedParts(db: Db, from: string, to: string, parts: readonly string[]): Promise<StoredPart[]> {
  if (!parts.length) return [];
  const rows = await db('service_day_sums').whereBetween('day', [from, to]).whereIn('part', [...parts]).select('day', 'part', 'sums').orderBy('day');
  return rows.map((r: Record<string, unknown>) => ({ day: String(r.day), part: String(r.part), sums: String(r.sums) }));
}

/** Which parts are stored for the days from..to, and each one's revision (no sums read). */
export async function storedPartRevisions(db: Db, from: string, to: string, parts: readonly string[]): Promise<{ day: string; part: string; revision: string }[]> {
  if (!parts.length) return [];
  const rows = await db('service_day_sums').whereBetween('day', [from, to]).whereIn('part', [...parts]).select('day', 'part', 'revision').orderBy('day');
  return rows.map((r: Record<string, unknown>) => ({ day: String(r.day), part: String(r.part), revision: String(r.revision) }));
}

/** The sums of some stored parts, by day (those days, those parts). */
export async function partSums(db: Db, days: readonly string[], parts: readonly string[]): Promise<(StoredPart & { revision: string })[]> {
  const out: (StoredPart & { revision: string })[] = [];
  for (let i = 0; i < days.length; i += 200) {
    const rows = await db('service_day_sums').whereIn('day', days.slice(i, i + 200)).whereIn('part', [...parts]).select('day', 'part', 'sums', 'revision');
    for (const r of rows as Record<string, unknown>[]) out.push({ day: String(r.day), part: String(r.part), sums: String(r.sums), revision: String(r.revision) });
  }
  return out;
}

/** Days from..to that have stored sums: the spec they were counted with and when (the 'all' part stands for the day). */
export async function summarisedDays(db: Db, from: string, to: string): Promise<Map<string, { spec: string; computedAt: string }>> {
  const rows = await db('service_day_sums').whereBetween('day', [from, to]).where('part', 'all').select('day', 'spec', 'computed_at');
  return new Map(rows.map((r: { day: string; spec: string; computed_at: string }) => [String(r.day), { spec: String(r.spec), computedAt: String(r.computed_at) }]));
}

export async function staleDays(db: Db, from: string, to: string): Promise<Map<string, string>> {
  const rows = await db('service_stale_days').whereBetween('day', [from, to]).select('day', 'token');
  return new Map(rows.map((r: { day: string; token: string | number }) => [String(r.day), String(r.token)]));
}

/**
 * Replaces a day's stored parts, and clears its stale mark if the mark still carries the token
 * read before summing (a write committed meanwhile keeps the day marked).
 */
export async function saveDay(db: Knex, day: string, parts: ReadonlyMap<string, string>, spec: string, staleToken: string | null, computedAt: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('service_day_sums').where({ day }).del();
    const revision = Math.floor(Math.random() * 2 ** 52);
    const rows = [...parts].map(([part, sums]) => ({ day, part, spec, sums, computed_at: computedAt, revision }));
    for (let i = 0; i < rows.length; i += 100) await trx('service_day_sums').insert(rows.slice(i, i + 100));
    if (staleToken !== null) {
      const token = isPostgres(db) ? trx.raw('cast(? as bigint)', [staleToken]) : staleToken;
      await trx('service_stale_days').where({ day }).andWhere('token', token).del();
    }
  });
}

/** Part names of one kind stored for the days from..to ('category:' → the categories seen). */
export async function partNames(db: Db, prefix: string, from: string, to: string): Promise<string[]> {
  const rows = await db('service_day_sums').whereBetween('day', [from, to]).where('part', 'like', `${prefix}%`).distinct('part');
  return rows.map((r: { part: string }) => String(r.part));
}
