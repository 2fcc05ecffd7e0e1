// Keeping every call's check results current, and what other pages ask of the checks. A call's
// results are computed from its facts for every check bound in a published rubric version: when
// its facts change (triggers on call_facts mark it), when a check is newly bound (a backfill over
// every stored call, resumable by its cursor), and when a callback window it waited on closes.
// The evaluation page computes its suggestions on the spot from the current facts, so a
// specialist never sees a result older than the facts.
import type { AppDeps } from '../../app-context';
import { addDays, tashkentToday } from '../../time';
import { callFacts, findCallFactsMany, kickJob } from '../facts';
import { clearStale, staleBatch, staleCount, type StaleMark } from '../facts/facts.repository';
import type { RubricDefinition } from '../rubrics/rubric.model';
import { checkAgreement, type CheckAgreement } from './agreement';
import { bindingsOf, type CheckBinding } from './bindings';
import * as repo from './checks.repository';
import { runCheck, type CheckResult } from './rules';

export const CHECKS_JOB = 'checks.compute';
export const CHECKS_JOB_KEY = 'checks:compute';
const BATCH = 500;
const BACKFILL_BATCH = 2000;

type Deps = Pick<AppDeps, 'db' | 'clock'>;

export interface ChecksDrainResult {
  computed: number;
  removed: number;
  backfilled: number;
  rechecksDue: number;
}

/** Results of the given bindings for calls with these facts. Pure. */
export function resultsFor(bindings: readonly { key: string; binding: CheckBinding }[], facts: ReadonlyMap<number, Parameters<typeof runCheck>[1]>, now: Date): repo.StoredResult[] {
  const out: repo.StoredResult[] = [];
  for (const [callId, f] of facts) {
    for (const b of bindings) {
      const r = runCheck(b.binding, f, now);
      out.push({ callId, key: b.key, outcome: r.outcome, recheckAt: r.recheckAt });
    }
  }
  return out;
}

async function computeMarks(deps: Deps, marks: StaleMark[], bindings: repo.ActiveBinding[]): Promise<{ computed: number; removed: number }> {
  const ids = marks.map((m) => m.callId);
  const facts = await findCallFactsMany(deps.db, ids);
  const now = deps.clock();
  const rows = resultsFor(bindings, facts, now);
  const gone = ids.filter((id) => !facts.has(id));
  await deps.db.transaction(async (trx) => {
    await repo.upsertResults(trx, rows, now.toISOString());
    await repo.deleteResults(trx, gone);
    await clearStale(trx, marks, 'call_checks_stale');
  });
  return { computed: facts.size, removed: gone.length };
}

/** A newly bound check is computed for every stored call, a batch at a time from its cursor. */
async function backfill(deps: Deps, bindings: repo.ActiveBinding[], maxBatches: number): Promise<number> {
  const state = await repo.backfills(deps.db);
  const active = new Set(bindings.map((b) => b.key));
  // A check no longer bound forgets its cursor: bound again later, it is computed again for every call.
  for (const key of state.keys()) if (!active.has(key)) await deps.db('check_backfills').where({ check_key: key }).del();
  // Checks bound at the same time share a cursor, so each batch of facts is read once for all of them.
  const groups = new Map<number, repo.ActiveBinding[]>();
  for (const b of bindings) {
    const cursor = state.get(b.key);
    if (cursor?.done) continue;
    const at = cursor?.lastCallId ?? 0;
    groups.set(at, [...(groups.get(at) ?? []), b]);
  }
  let done = 0;
  for (const [start, group] of groups) {
    let lastCallId = start;
    for (let i = 0; i < maxBatches; i++) {
      const ids = await repo.factCallIdsAfter(deps.db, lastCallId, BACKFILL_BATCH);
      const now = deps.clock().toISOString();
      if (!ids.length) {
        for (const b of group) await repo.saveBackfill(deps.db, { key: b.key, lastCallId, done: true }, now);
        break;
      }
      const rows = resultsFor(group, await findCallFactsMany(deps.db, ids), deps.clock());
      lastCallId = ids[ids.length - 1]!;
      const cursor = lastCallId;
      await deps.db.transaction(async (trx) => {
        await repo.upsertResults(trx, rows, now);
        for (const b of group) await repo.saveBackfill(trx, { key: b.key, lastCallId: cursor, done: false }, now);
      });
      done += rows.length;
    }
  }
  return done;
}

/**
 * Computes everything pending now: due rechecks are marked, stale calls computed with every
 * active binding, newly bound checks backfilled. The job's handler; tests and seeds call it too.
 */
export async function drainStaleChecks(deps: Deps, o: { maxBackfillBatches?: number } = {}): Promise<ChecksDrainResult> {
  const out: ChecksDrainResult = { computed: 0, removed: 0, backfilled: 0, rechecksDue: 0 };
  out.rechecksDue = await repo.markDueRechecks(deps.db, deps.clock().toISOString());
  const bindings = await repo.activeBindings(deps.db);
  for (;;) {
    const marks = await staleBatch(deps.db, BATCH, 'call_checks_stale');
    if (!marks.length) break;
    const r = await computeMarks(deps, marks, bindings);
    out.computed += r.computed;
    out.removed += r.removed;
  }
  out.backfilled = await backfill(deps, bindings, o.maxBackfillBatches ?? Number.POSITIVE_INFINITY);
  return out;
}

/** Makes the checks job run soon. */
export async function kickChecks(deps: Pick<AppDeps, 'jobs'>): Promise<void> {
  await kickJob(deps, CHECKS_JOB, CHECKS_JOB_KEY);
}

/** The scheduler's tick: kick the job when results are stale, a recheck is due or a backfill unfinished. */
export function checksTick(deps: AppDeps) {
  return async (now: Date): Promise<void> => {
    const pending =
      (await staleCount(deps.db, 'call_checks_stale')) > 0 ||
      (await repo.dueRecheckCount(deps.db, now.toISOString())) > 0 ||
      (await unfinishedBackfill(deps));
    if (pending) await kickChecks(deps);
  };
}

async function unfinishedBackfill(deps: Deps): Promise<boolean> {
  const [bindings, state] = await Promise.all([repo.activeBindings(deps.db), repo.backfills(deps.db)]);
  return bindings.some((b) => !state.get(b.key)?.done);
}

// ---- the evaluation page ----------------------------------------------------------------------

export interface Suggestion extends CheckResult {
  code: string;
  key: string;
  binding: CheckBinding;
}

/**
 * The machine's suggestion for every bound criterion of the evaluation's rubric version, from the
 * call's facts as they are now (computed on the spot when missing or stale). Only shown: nothing
 * here ever answers a criterion.
 */
export async function suggestionsFor(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, callId: number, definition: RubricDefinition): Promise<Record<string, Suggestion>> {
  const bound = bindingsOf(definition);
  if (!bound.length) return {};
  const facts = await callFacts(deps, callId);
  const now = deps.clock();
  return Object.fromEntries(bound.map((b) => [b.code, { code: b.code, key: b.key, binding: b.binding, ...runCheck(b.binding, facts, now) }]));
}

// ---- agreement with the specialists ---------------------------------------------------------

export interface AgreementRow {
  key: string;
  binding: CheckBinding;
  /** criteria of published versions bound to it */
  uses: repo.ActiveBinding['uses'];
  agreement: CheckAgreement;
}

export const AGREEMENT_DEFAULT_DAYS = 90;

/**
 * For every check bound in a published rubric: how its stored results agree with the specialists'
 * answers to the bound criterion on calls evaluated in the period (every version that bound the
 * criterion to the same check and thresholds counts).
 */
export async function agreementReport(deps: Deps, period?: { from: string; to: string }): Promise<{ period: { from: string; to: string }; rows: AgreementRow[] }> {
  const today = tashkentToday(deps.clock);
  const p = period ?? { from: addDays(today, -(AGREEMENT_DEFAULT_DAYS - 1)), to: today };
  const rows: AgreementRow[] = [];
  for (const b of await repo.activeBindings(deps.db)) {
    const uses = await repo.versionsBinding(deps.db, b.key);
    rows.push({ key: b.key, binding: b.binding, uses: b.uses, agreement: checkAgreement(await repo.agreementPairs(deps.db, b.key, uses, p)) });
  }
  return { period: p, rows };
}

/** Calls of a Tashkent day a check flagged (failed), with the checks that flagged them: for plan rules and lists. */
export function flaggedCalls(deps: Pick<AppDeps, 'db'>, day: string, o: { keys?: readonly string[] } = {}): Promise<repo.FlaggedCall[]> {
  return repo.flaggedCallsOfDay(deps.db, day, { keys: o.keys, outcome: 'fail' });
}
