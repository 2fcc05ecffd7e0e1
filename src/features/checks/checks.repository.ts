// The checks feature's SQL: stored results per call and check key, the stale list the triggers
// keep (read through the facts repository's stale-list functions), backfill cursors for newly
// bound checks, the bindings of the published rubric versions, flagged calls of a day, and the
// (machine, specialist) pairs agreement is measured on.
import type { Knex } from 'knex';
import { num, toBool } from '../../db';
import { listPublishedVersions } from '../rubrics/rubrics.repository';
import { bindingsOf, type CheckBinding } from './bindings';
import type { CheckOutcome } from './rules';
import type { HumanOutcome, PairCount } from './agreement';

type Db = Knex | Knex.Transaction;

export interface StoredResult {
  callId: number;
  key: string;
  outcome: CheckOutcome;
  recheckAt: string | null;
}

export async function upsertResults(db: Db, rows: readonly StoredResult[], computedAt: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const part = rows.slice(i, i + 200).map((r) => ({ call_id: r.callId, check_key: r.key, outcome: r.outcome, recheck_at: r.recheckAt, computed_at: computedAt }));
    await db('call_check_results').insert(part).onConflict(['call_id', 'check_key']).merge(['outcome', 'recheck_at', 'computed_at']);
  }
}

/** Removes every result of calls that have no facts (any more). */
export async function deleteResults(db: Db, callIds: readonly number[]): Promise<void> {
  for (let i = 0; i < callIds.length; i += 500) await db('call_check_results').whereIn('call_id', callIds.slice(i, i + 500)).del();
}

/** The stored results of one call, by key. */
export async function resultsForCall(db: Db, callId: number): Promise<Map<string, StoredResult>> {
  const rows = await db('call_check_results').where({ call_id: callId }).select('call_id', 'check_key', 'outcome', 'recheck_at');
  return new Map(rows.map((r: Record<string, unknown>) => [String(r.check_key), toResult(r)]));
}

function toResult(r: Record<string, unknown>): StoredResult {
  return { callId: Number(r.call_id), key: String(r.check_key), outcome: r.outcome as CheckOutcome, recheckAt: (r.recheck_at as string | null) ?? null };
}

/** Which calls of the given ids have a facts row (the others have nothing to check). */
export async function callsWithFacts(db: Db, callIds: readonly number[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (let i = 0; i < callIds.length; i += 500) for (const r of await db('call_facts').whereIn('call_id', callIds.slice(i, i + 500)).select('call_id')) out.add(Number(r.call_id));
  return out;
}

/** Results waiting for a time that has come (a callback window closed): marked stale again. */
export async function markDueRechecks(db: Db, nowIso: string): Promise<number> {
  const token = db.client.config.client === 'pg' ? 'floor(random() * 9e15)::bigint' : 'random() >> 11';
  const r = await db.raw(
    // Distinct calls first: a call waiting on two keys must be marked once (PostgreSQL refuses an upsert touching a row twice).
    `insert into call_checks_stale (call_id, token) select x.call_id, ${token} from (select distinct call_id from call_check_results where recheck_at is not null and recheck_at <= ?) x
     where true on conflict (call_id) do update set token = excluded.token`,
    [nowIso],
  );
  return Number((r as { rowCount?: number })?.rowCount ?? (r as { changes?: number })?.changes ?? 0);
}

export async function dueRecheckCount(db: Db, nowIso: string): Promise<number> {
  const r = await db('call_check_results').whereNotNull('recheck_at').where('recheck_at', '<=', nowIso).count({ n: '*' }).first();
  return num(r?.n);
}

// ---- bindings ------------------------------------------------------------------------------

export interface ActiveBinding {
  key: string;
  binding: CheckBinding;
  /** the criteria bound to it: rubric, version and code */
  uses: { rubricId: number; versionId: number; code: string }[];
}

/** The distinct check bindings of every published rubric version, by key. */
export async function activeBindings(db: Db): Promise<ActiveBinding[]> {
  const byKey = new Map<string, ActiveBinding>();
  for (const v of await listPublishedVersions(db)) {
    for (const b of bindingsOf(v.definition)) {
      const entry = byKey.get(b.key) ?? { key: b.key, binding: b.binding, uses: [] };
      entry.uses.push({ rubricId: v.rubricId, versionId: v.id, code: b.code });
      byKey.set(b.key, entry);
    }
  }
  return [...byKey.values()];
}

/** Every rubric version (any status but draft) whose criterion `code` is bound to `key`. */
export async function versionsBinding(db: Db, key: string): Promise<{ versionId: number; code: string }[]> {
  const rows = await db('rubric_versions').whereNot('status', 'draft').select('id', 'definition');
  const out: { versionId: number; code: string }[] = [];
  for (const r of rows as { id: number | string; definition: string }[]) {
    let definition;
    try {
      definition = JSON.parse(r.definition);
    } catch {
      continue;
    }
    for (const b of bindingsOf(definition)) if (b.key === key) out.push({ versionId: Number(r.id), code: b.code });
  }
  return out;
}

// ---- backfill of newly bound checks ----------------------------------------------------------

export interface Backfill {
  key: string;
  lastCallId: number;
  done: boolean;
}

export async function backfills(db: Db): Promise<Map<string, Backfill>> {
  const rows = await db('check_backfills').select('check_key', 'last_call_id', 'done');
  return new Map(rows.map((r: Record<string, unknown>) => [String(r.check_key), { key: String(r.check_key), lastCallId: Number(r.last_call_id), done: toBool(r.done) }]));
}

export async function saveBackfill(db: Db, b: Backfill, nowIso: string): Promise<void> {
  await db('check_backfills').insert({ check_key: b.key, last_call_id: b.lastCallId, done: b.done, updated_at: nowIso }).onConflict('check_key').merge(['last_call_id', 'done', 'updated_at']);
}

/** The next calls with facts after `afterCallId`, in id order. */
export async function factCallIdsAfter(db: Db, afterCallId: number, limit: number): Promise<number[]> {
  const rows = await db('call_facts').where('call_id', '>', afterCallId).orderBy('call_id').limit(limit).select('call_id');
  return rows.map((r: { call_id: number | string }) => Number(r.call_id));
}

// ---- reading results -------------------------------------------------------------------------

export interface FlaggedCall {
  callId: number;
  /** the keys whose check failed */
  keys: string[];
}

/**
 * Calls of a Tashkent day whose checks gave the outcome (default: failed), with the keys;
 * optionally only some keys. Callbacks and deleted calls are left out. For plan rules and lists.
 */
export async function flaggedCallsOfDay(db: Db, day: string, o: { keys?: readonly string[]; outcome?: CheckOutcome } = {}): Promise<FlaggedCall[]> {
  const q = db('calls as c')
    .join('call_check_results as r', 'r.call_id', 'c.id')
    .where('c.call_date', day)
    .whereNull('c.deleted_at')
    .whereNull('c.callback_of_call_id')
    .where('r.outcome', o.outcome ?? 'fail')
    .select('c.id', 'r.check_key')
    .orderBy('c.id');
  if (o.keys) q.whereIn('r.check_key', [...o.keys]);
  const out = new Map<number, string[]>();
  for (const r of (await q) as { id: number | string; check_key: string }[]) {
    const id = Number(r.id);
    out.set(id, [...(out.get(id) ?? []), r.check_key]);
  }
  return [...out].map(([callId, keys]) => ({ callId, keys }));
}

/**
 * Counts of (machine outcome, specialist outcome) for one key: submitted regular evaluations
 * made with a version binding `code` to it, from `from` to `to` (evaluation days), against the
 * call's stored result. Unanswered criteria are left out.
 */
export async function agreementPairs(db: Db, key: string, uses: readonly { versionId: number; code: string }[], period: { from: string; to: string }): Promise<PairCount[]> {
  const out = new Map<string, PairCount>();
  for (const use of uses) {
    const rows = await db('evaluations as v')
      .join('evaluation_answers as a', function () {
        this.on('a.evaluation_id', '=', 'v.id').andOn('a.criterion_code', '=', db.raw('?', [use.code]));
      })
      .join('call_check_results as r', function () {
        this.on('r.call_id', '=', 'v.call_id').andOn('r.check_key', '=', db.raw('?', [key]));
      })
      .where({ 'v.rubric_version_id': use.versionId, 'v.status': 'submitted', 'v.kind': 'regular' })
      .whereBetween('v.evaluation_date', [period.from, period.to])
      .groupBy('r.outcome', 'a.is_na', 'a.failed', db.raw('case when a.value is null then 1 else 0 end'))
      .select('r.outcome', 'a.is_na', 'a.failed', db.raw('case when a.value is null then 1 else 0 end as unanswered'))
      .count({ n: '*' });
    for (const r of rows as Record<string, unknown>[]) {
      const isNa = toBool(r.is_na);
      if (!isNa && num(r.unanswered) === 1) continue;
      const human: HumanOutcome = isNa ? 'na' : toBool(r.failed) ? 'fail' : 'pass';
      const machine = r.outcome as CheckOutcome;
      const k = `${machine}|${human}`;
      const pc = out.get(k) ?? { machine, human, n: 0 };
      pc.n += num(r.n);
      out.set(k, pc);
    }
  }
  return [...out.values()];
}
