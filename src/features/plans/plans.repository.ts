// Plans, their rule sets, who is on duty, assignments — and the eligible population of calls a
// draw samples from. The only place the plans feature writes SQL.
import type { Knex } from 'knex';
import { insertReturningId, isPostgres, nowIso, num, parseJson, toBool } from '../../db';
import { addDays } from '../../time';
import type { EligibleCall } from './draw';
import type { Eligibility, PlanMessage } from './plan-rules';
import { parseLanguageList } from './assign';
import type { AssignmentPurpose } from '../evaluations/purpose';

type Conn = Knex | Knex.Transaction;

// ---------------------------------------------------------------------------------------------
// Rule sets

export interface RuleSetRow {
  id: number;
  name: string;
  /** The stored JSON, unparsed: the service parses (and may find it invalid). */
  rules: unknown;
  isActive: boolean;
  updatedBy: number | null;
  updatedByName: string | null;
  createdAt: string;
  updatedAt: string;
}

function mapRuleSet(r: Record<string, unknown>): RuleSetRow {
  return {
    id: Number(r.id),
    name: r.name as string,
    rules: parseJson<unknown>(r.rules, null),
    isActive: toBool(r.is_active),
    updatedBy: r.updated_by == null ? null : Number(r.updated_by),
    updatedByName: (r.updated_by_name as string | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

export async function listRuleSets(db: Conn, filter: { active?: boolean } = {}): Promise<RuleSetRow[]> {
  const q = db('plan_rules as r')
    .leftJoin('users as u', 'u.id', 'r.updated_by')
    .select('r.id', 'r.name', 'r.rules', 'r.is_active', 'r.updated_by', 'u.display_name as updated_by_name', 'r.created_at', 'r.updated_at')
    .orderBy('r.id');
  if (filter.active !== undefined) q.where('r.is_active', filter.active);
  return (await q).map(mapRuleSet);
}

export async function findRuleSet(db: Conn, id: number): Promise<RuleSetRow | null> {
  const r = await db('plan_rules as r')
    .leftJoin('users as u', 'u.id', 'r.updated_by')
    .where('r.id', id)
    .first('r.id', 'r.name', 'r.rules', 'r.is_active', 'r.updated_by', 'u.display_name as updated_by_name', 'r.created_at', 'r.updated_at');
  return r ? mapRuleSet(r) : null;
}

export interface RuleSetInput {
  name: string;
  rules: unknown;
  isActive: boolean;
  updatedBy: number | null;
}

export async function insertRuleSet(db: Conn, input: RuleSetInput, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'plan_rules', {
    name: input.name,
    rules: JSON.stringify(input.rules),
    is_active: input.isActive,
    updated_by: input.updatedBy,
    created_at: now,
    updated_at: now,
  });
}

export async function updateRuleSet(db: Conn, id: number, input: RuleSetInput, clock?: () => Date): Promise<void> {
  await db('plan_rules').where({ id }).update({
    name: input.name,
    rules: JSON.stringify(input.rules),
    is_active: input.isActive,
    updated_by: input.updatedBy,
    updated_at: nowIso(clock),
  });
}

// ---------------------------------------------------------------------------------------------
// Specialists and their duty

export interface SpecialistDuty {
  userId: number;
  username: string;
  displayName: string;
  /** false when the specialist has no duty row yet */
  configured: boolean;
  onDuty: boolean;
  capacity: number;
  languages: string[];
}

/** Every active specialist with their duty settings (a specialist without a row is shown off duty). */
export async function listSpecialistDuty(db: Conn): Promise<SpecialistDuty[]> {
  const rows = await db('users as u')
    .leftJoin('specialist_duty as d', 'd.user_id', 'u.id')
    .where('u.role', 'specialist')
    .andWhere('u.is_active', true)
    .select('u.id', 'u.username', 'u.display_name', 'd.id as duty_id', 'd.on_duty', 'd.daily_capacity', 'd.languages')
    .orderBy('u.display_name');
  return rows.map((r: Record<string, unknown>) => ({
    userId: Number(r.id),
    username: r.username as string,
    displayName: r.display_name as string,
    configured: r.duty_id != null,
    onDuty: r.duty_id != null && toBool(r.on_duty),
    capacity: r.daily_capacity == null ? 0 : Number(r.daily_capacity),
    languages: parseLanguageList(r.languages as string | null),
  }));
}

export async function upsertDuty(db: Conn, userId: number, d: { onDuty: boolean; capacity: number; languages: readonly string[] }, clock?: () => Date): Promise<void> {
  const row = { on_duty: d.onDuty, daily_capacity: d.capacity, languages: d.languages.join(','), updated_at: nowIso(clock) };
  const n = await db('specialist_duty').where({ user_id: userId }).update(row);
  if (!Number(n)) await db('specialist_duty').insert({ user_id: userId, ...row });
}

/** Active users of any role with these ids: names for the plan page. */
export async function userNames(db: Conn, ids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!ids.length) return out;
  const rows = await db('users').whereIn('id', [...new Set(ids)]).select('id', 'display_name');
  for (const r of rows) out.set(Number(r.id), r.display_name as string);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Operators

export async function operatorIds(db: Conn, filter: { active: boolean }): Promise<number[]> {
  const rows = await db('operators').where('is_active', filter.active).select('id').orderBy('id');
  return rows.map((r: { id: unknown }) => Number(r.id));
}

export interface OperatorInfo {
  id: number;
  fullName: string;
  employeeCode: string;
  teamId: number | null;
}

export async function operatorsByIds(db: Conn, ids: readonly number[]): Promise<Map<number, OperatorInfo>> {
  const out = new Map<number, OperatorInfo>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db('operators').whereIn('id', unique.slice(i, i + 500)).select('id', 'full_name', 'employee_code', 'team_id');
    for (const r of rows) out.set(Number(r.id), { id: Number(r.id), fullName: r.full_name, employeeCode: r.employee_code, teamId: r.team_id == null ? null : Number(r.team_id) });
  }
  return out;
}

export async function supervisedTeamIds(db: Conn, userId: number): Promise<number[]> {
  return (await db('teams').where({ supervisor_user_id: userId }).select('id')).map((r: { id: unknown }) => Number(r.id));
}

// ---------------------------------------------------------------------------------------------
// The eligible population

export interface PopulationQuery {
  fromDate: string;
  toDate: string;
  eligibility: Eligibility;
  /** Operators inactive at the draw (left out when eligibility.excludeInactiveOperators). */
  inactiveOperatorIds: readonly number[];
  /**
   * How "not yet evaluated" is judged (when eligibility.excludeEvaluated):
   * - now: evaluated_at is null — the draw itself;
   * - excluded: leave out exactly these ids, the ones the draw found evaluated (verification:
   *   a call evaluated since the draw still counts, whatever time its evaluation carries);
   * - asOf: evaluated_at null or not before this instant (plans stored without that list).
   */
  evaluated: { mode: 'now' } | { mode: 'excluded'; callIds: readonly number[] } | { mode: 'asOf'; drawnAt: string };
  /**
   * Only calls that had arrived when the draw started: ids up to this one (the draw's watermark).
   * A call arriving later (a telephony push, a next-day import) is not part of that population.
   */
  maxCallId?: number;
  /**
   * Calls without a usable recording cannot be heard:
   * - usable: the draw leaves out calls with no recording, or one that failed to prepare, and
   *   collects their ids in `unusable` (they are counted and listed apart);
   * - excluded: leave out exactly these ids, the ones the draw found without a usable recording
   *   (verification: a recording that failed after the draw does not change the population).
   * Absent: recordings are not looked at (plans drawn before this was kept).
   */
  recording?: { mode: 'usable'; unusable: number[] } | { mode: 'excluded'; callIds: readonly number[] };
}

/** The call-date, operator, duration, category and language filters shared by the population queries. */
function windowQuery(db: Conn, day: string, q: Pick<PopulationQuery, 'eligibility' | 'inactiveOperatorIds' | 'maxCallId'>): Knex.QueryBuilder {
  const e = q.eligibility;
  const sql = db('calls as c').where('c.call_date', day).whereNotNull('c.operator_id').whereNull('c.deleted_at');
  if (q.maxCallId !== undefined) sql.where('c.id', '<=', q.maxCallId);
  if (e.excludeInactiveOperators && q.inactiveOperatorIds.length) sql.whereNotIn('c.operator_id', q.inactiveOperatorIds);
  if (e.minDurationSec !== undefined) sql.where('c.duration_sec', '>=', e.minDurationSec);
  if (e.maxDurationSec !== undefined) sql.where('c.duration_sec', '<=', e.maxDurationSec);
  if (e.categories.length) sql.whereIn('c.category', e.categories);
  if (e.languages.length) sql.whereIn('c.language', e.languages);
  return sql;
}

function* days(fromDate: string, toDate: string): Generator<string> {
  for (let day = fromDate; day <= toDate; day = addDays(day, 1)) yield day;
}

/**
 * The calls a plan day may draw from: in the call-date window, with an operator, not deleted,
 * within the duration bounds, of the categories and languages asked for (empty = any), not yet
 * evaluated, of operators active at the draw. Read one Tashkent day at a time so a 31-day window
 * never holds more than a day's rows in the driver at once; no ORDER BY (the draw does not depend
 * on order, and sorting ids is cheaper in the draw than in SQL).
 */
export async function eligibleCalls(db: Conn, q: PopulationQuery): Promise<EligibleCall[]> {
  const out: EligibleCall[] = [];
  const excludeEvaluated = q.eligibility.excludeEvaluated;
  const skip = new Set(excludeEvaluated && q.evaluated.mode === 'excluded' ? q.evaluated.callIds : []);
  if (q.recording?.mode === 'excluded') for (const id of q.recording.callIds) skip.add(id);
  const usable = q.recording?.mode === 'usable' ? q.recording : null;
  for (const day of days(q.fromDate, q.toDate)) {
    const sql = windowQuery(db, day, q).select('c.id', 'c.operator_id', 'c.duration_sec', 'c.language', 'c.category', 'c.services', 'c.dropped');
    if (usable) sql.leftJoin('recordings as r', 'r.id', 'c.recording_id').select('c.recording_id', 'r.status as recording_status');
    if (excludeEvaluated && q.evaluated.mode === 'now') sql.whereNull('c.evaluated_at');
    if (excludeEvaluated && q.evaluated.mode === 'asOf') {
      const drawnAt = q.evaluated.drawnAt;
      sql.where((w) => w.whereNull('c.evaluated_at').orWhere('c.evaluated_at', '>=', drawnAt));
    }
    const rows = (await sql) as Record<string, unknown>[];
    for (const r of rows) {
      const id = Number(r.id);
      if (skip.size && skip.has(id)) continue;
      if (usable && (r.recording_id == null || r.recording_status === 'failed')) {
        usable.unusable.push(id);
        continue;
      }
      const category = (r.category as string | null) ?? null;
      out.push({
        id,
        operatorId: Number(r.operator_id),
        durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
        language: (r.language as string | null) ?? null,
        category,
        services: r.services ? String(r.services).split(',') : [],
        dropped: toBool(r.dropped),
        suicideRisk: category === 'suicide_risk',
      });
    }
  }
  return out;
}

/** The largest call id so far: the draw's watermark (calls above it arrived after the draw). */
export async function maxCallId(db: Conn): Promise<number> {
  const r = await db('calls').max({ m: 'id' }).first();
  return r?.m == null ? 0 : Number(r.m);
}

/**
 * Calls that would be in a plan's population but arrived after its draw (ids above its watermark):
 * the window, the eligibility and the operators as at the draw. Late, not tampering.
 */
export async function lateArrivals(db: Conn, q: Pick<PopulationQuery, 'fromDate' | 'toDate' | 'eligibility' | 'inactiveOperatorIds'> & { maxCallId: number }): Promise<number> {
  let n = 0;
  for (const day of days(q.fromDate, q.toDate)) {
    const r = await windowQuery(db, day, { ...q, maxCallId: undefined }).where('c.id', '>', q.maxCallId).count({ n: '*' }).first();
    n += num(r?.n);
  }
  return n;
}

/** The window's calls the draw leaves out because they are already evaluated (stored with the plan). Ascending. */
export async function evaluatedCallIds(db: Conn, q: Pick<PopulationQuery, 'fromDate' | 'toDate' | 'eligibility' | 'inactiveOperatorIds' | 'maxCallId'>): Promise<number[]> {
  if (!q.eligibility.excludeEvaluated) return [];
  const out: number[] = [];
  for (const day of days(q.fromDate, q.toDate)) {
    const rows = await windowQuery(db, day, q).whereNotNull('c.evaluated_at').select('c.id');
    for (const r of rows as { id: unknown }[]) out.push(Number(r.id));
  }
  return out.sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Plans

export type PlanStatus = 'active' | 'superseded';

export interface OperatorDrawDetail {
  operatorId: number;
  eligible: number;
  quota: number;
  picked: number;
}

export interface DrawDetails {
  fromDate: string;
  toDate: string;
  perOperator: OperatorDrawDetail[];
  warnings: PlanMessage[];
  inactiveOperatorIds: number[];
  /** Window calls left out as already evaluated at the draw (absent on plans drawn before this was kept). */
  evaluatedCallIds?: number[];
  ruleSetName: string | null;
  /** The draw's watermark: the largest call id when it started (absent on plans drawn before it was kept). */
  maxCallId?: number;
  /** Window calls left out because they had no usable recording (absent on plans drawn before this was kept). Ascending. */
  noRecordingCallIds?: number[];
  /** What the plan row's draw is: the random stratum (a targeted stratum may be added by automatic checks). */
  stratum?: 'random' | 'targeted';
}

export interface SpecialistSnapshot {
  userId: number;
  displayName: string;
  capacity: number;
  languages: string[];
  /** carried-over calls kept with them before the new draw was assigned */
  carried: number;
}

export interface UnassignedSnapshot {
  callId: number;
  operatorId: number;
  language: string | null;
  reason: string;
}

export interface PlanRow {
  id: number;
  planDate: string;
  status: PlanStatus;
  seed: string;
  rules: unknown;
  algorithmVersion: string;
  populationFingerprint: string;
  populationCount: number;
  specialists: SpecialistSnapshot[];
  unassigned: UnassignedSnapshot[];
  details: DrawDetails | null;
  planRuleId: number | null;
  createdBy: number | null;
  createdByName: string | null;
  createdAt: string;
}

const PLAN_COLUMNS = [
  'p.id', 'p.plan_date', 'p.status', 'p.seed', 'p.rules', 'p.algorithm_version', 'p.population_fingerprint', 'p.population_count',
  'p.specialists', 'p.unassigned', 'p.draw_details', 'p.plan_rule_id', 'p.created_by', 'u.display_name as created_by_name', 'p.created_at',
];

function mapPlan(r: Record<string, unknown>): PlanRow {
  return {
    id: Number(r.id),
    planDate: r.plan_date as string,
    status: r.status as PlanStatus,
    seed: r.seed as string,
    rules: parseJson<unknown>(r.rules, null),
    algorithmVersion: r.algorithm_version as string,
    populationFingerprint: r.population_fingerprint as string,
    populationCount: Number(r.population_count),
    specialists: parseJson<SpecialistSnapshot[]>(r.specialists, []),
    unassigned: parseJson<UnassignedSnapshot[]>(r.unassigned, []),
    details: parseJson<DrawDetails | null>(r.draw_details, null),
    planRuleId: r.plan_rule_id == null ? null : Number(r.plan_rule_id),
    createdBy: r.created_by == null ? null : Number(r.created_by),
    createdByName: (r.created_by_name as string | null) ?? null,
    createdAt: r.created_at as string,
  };
}

function plansQuery(db: Conn) {
  return db('plans as p').leftJoin('users as u', 'u.id', 'p.created_by').select(PLAN_COLUMNS);
}

export async function findPlan(db: Conn, id: number): Promise<PlanRow | null> {
  const r = await plansQuery(db).where('p.id', id).first();
  return r ? mapPlan(r) : null;
}

/** The active plan rows of a day (one per active rule set at the draw), by id. */
export async function activePlansForDate(db: Conn, planDate: string): Promise<PlanRow[]> {
  return (await plansQuery(db).where('p.plan_date', planDate).andWhere('p.status', 'active').orderBy('p.id')).map(mapPlan);
}

export interface PlanSummary {
  id: number;
  planDate: string;
  status: PlanStatus;
  createdAt: string;
  createdByName: string | null;
  populationCount: number;
  planned: number;
  done: number;
}

/** The most recent plan rows with their planned / done counts, newest first. */
export async function recentPlans(db: Conn, limit = 10): Promise<PlanSummary[]> {
  const rows = await db('plans as p')
    .leftJoin('users as u', 'u.id', 'p.created_by')
    .select('p.id', 'p.plan_date', 'p.status', 'p.created_at', 'u.display_name as created_by_name', 'p.population_count')
    .orderBy('p.plan_date', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit);
  const ids = rows.map((r: { id: unknown }) => Number(r.id));
  const counts = ids.length
    ? await db('assignments').whereIn('plan_id', ids).select('plan_id', 'status').count({ n: '*' }).groupBy('plan_id', 'status')
    : [];
  const by = new Map<number, { planned: number; done: number }>();
  for (const c of counts as { plan_id: unknown; status: string; n: unknown }[]) {
    const k = Number(c.plan_id);
    const e = by.get(k) ?? { planned: 0, done: 0 };
    if (['new', 'in_progress', 'done'].includes(c.status)) e.planned += num(c.n);
    if (c.status === 'done') e.done += num(c.n);
    by.set(k, e);
  }
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    planDate: r.plan_date as string,
    status: r.status as PlanStatus,
    createdAt: r.created_at as string,
    createdByName: (r.created_by_name as string | null) ?? null,
    populationCount: Number(r.population_count),
    planned: by.get(Number(r.id))?.planned ?? 0,
    done: by.get(Number(r.id))?.done ?? 0,
  }));
}

export interface NewPlan {
  planDate: string;
  seed: string;
  rules: unknown;
  algorithmVersion: string;
  populationFingerprint: string;
  populationCount: number;
  specialists: SpecialistSnapshot[];
  unassigned: UnassignedSnapshot[];
  details: DrawDetails;
  planRuleId: number | null;
  createdBy: number | null;
  createdAt: string;
}

export async function insertPlan(trx: Conn, p: NewPlan): Promise<number> {
  return insertReturningId(trx, 'plans', {
    plan_date: p.planDate,
    status: 'active',
    seed: p.seed,
    rules: JSON.stringify(p.rules),
    algorithm_version: p.algorithmVersion,
    population_fingerprint: p.populationFingerprint,
    population_count: p.populationCount,
    specialists: JSON.stringify(p.specialists),
    unassigned: JSON.stringify(p.unassigned),
    draw_details: JSON.stringify(p.details),
    plan_rule_id: p.planRuleId,
    created_by: p.createdBy,
    created_at: p.createdAt,
  });
}

/**
 * Serialises draws of one day across app instances. PostgreSQL: a transaction-scoped advisory
 * lock keyed by the day (there is no row to lock before the first draw). SQLite needs nothing:
 * its write lock already serialises writing transactions.
 */
export async function lockPlanDate(trx: Knex.Transaction, planDate: string): Promise<void> {
  if (!isPostgres(trx as unknown as Knex)) return;
  const key = 0x5f1a0000 + Number(planDate.replace(/-/g, '')) % 0xffff;
  await trx.raw('select pg_advisory_xact_lock(?)', [key]);
}

export async function supersedePlans(trx: Conn, planIds: readonly number[]): Promise<void> {
  if (!planIds.length) return;
  await trx('plans').whereIn('id', planIds).update({ status: 'superseded' });
}

// ---------------------------------------------------------------------------------------------
// Assignments

export type AssignmentStatus = 'new' | 'in_progress' | 'done' | 'unassigned' | 'cancelled';
export type AssignmentOrigin = 'draw' | 'added' | 'carried';

export interface NewAssignment {
  planId: number;
  callId: number;
  operatorId: number | null;
  specialistUserId: number | null;
  priority: number;
  status: AssignmentStatus;
  origin: AssignmentOrigin;
  carriedFromId: number | null;
  /** what the evaluation made from it is for: random (a draw), targeted (a targeted stratum), on_request (added by hand) */
  purpose: AssignmentPurpose;
}

function assignmentRow(a: NewAssignment, now: string) {
  return {
    plan_id: a.planId,
    call_id: a.callId,
    operator_id: a.operatorId,
    specialist_user_id: a.specialistUserId,
    priority: a.priority,
    status: a.status,
    origin: a.origin,
    carried_from_id: a.carriedFromId,
    purpose: a.purpose,
    created_at: now,
    updated_at: now,
  };
}

/** Batched inserts: 500 rows × 10 columns stays well inside both databases' parameter limits. */
export async function insertAssignments(trx: Conn, rows: readonly NewAssignment[], now: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await trx('assignments').insert(rows.slice(i, i + 500).map((a) => assignmentRow(a, now)));
  }
}

export async function insertAssignment(trx: Conn, a: NewAssignment, now: string): Promise<number> {
  return insertReturningId(trx, 'assignments', assignmentRow(a, now));
}

/** How many assignments of these plans are being worked on or finished. */
export async function countStartedWork(db: Conn, planIds: readonly number[]): Promise<number> {
  if (!planIds.length) return 0;
  const r = await db('assignments').whereIn('plan_id', planIds).whereIn('status', ['in_progress', 'done']).count({ n: '*' }).first();
  return num(r?.n);
}

/**
 * Undoes a superseded plan's carry-over: the assignments it carried in go back to what they were
 * (new with a specialist, unassigned without), so the redraw can carry them again.
 */
export async function restoreCarriedSources(trx: Conn, planIds: readonly number[], now: string): Promise<void> {
  if (!planIds.length) return;
  const sources = trx('assignments').whereIn('plan_id', planIds).whereNotNull('carried_from_id').select('carried_from_id');
  await trx('assignments').whereIn('id', sources).andWhere('status', 'cancelled').whereNotNull('specialist_user_id').update({ status: 'new', updated_at: now });
  await trx('assignments').whereIn('id', sources).andWhere('status', 'cancelled').whereNull('specialist_user_id').update({ status: 'unassigned', updated_at: now });
}

/** The open assignments of superseded plans are cancelled (nothing was started on them). */
export async function cancelOpenAssignments(trx: Conn, planIds: readonly number[], now: string): Promise<void> {
  if (!planIds.length) return;
  await trx('assignments').whereIn('plan_id', planIds).whereIn('status', ['new', 'unassigned']).update({ status: 'cancelled', updated_at: now });
}

export async function cancelAssignments(trx: Conn, ids: readonly number[], now: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await trx('assignments').whereIn('id', ids.slice(i, i + 500)).update({ status: 'cancelled', updated_at: now });
  }
}

export interface CarryCandidate {
  assignmentId: number;
  callId: number;
  operatorId: number | null;
  specialistUserId: number | null;
  priority: number;
  language: string | null;
  status: AssignmentStatus;
  purpose: AssignmentPurpose;
}

/**
 * Unfinished work of the latest earlier plan day: assignments not yet opened (new) or never
 * assigned (unassigned), of calls not deleted since. Assignments a plan about to be superseded had
 * carried in count as well (they are restored in the same transaction). A draft already opened
 * (in_progress) stays with its own day: submitting it completes it there.
 */
export async function carryCandidates(db: Conn, planDate: string, supersededPlanIds: readonly number[]): Promise<CarryCandidate[]> {
  const prev = await db('plans').where('status', 'active').andWhere('plan_date', '<', planDate).max({ d: 'plan_date' }).first();
  const prevDate = (prev?.d as string | null) ?? null;
  if (!prevDate) return [];
  const prevPlanIds = db('plans').where({ plan_date: prevDate, status: 'active' }).select('id');
  const q = db('assignments as a')
    .join('calls as c', 'c.id', 'a.call_id')
    .whereIn('a.plan_id', prevPlanIds)
    .whereNull('c.deleted_at')
    .select('a.id', 'a.call_id', 'a.operator_id', 'a.specialist_user_id', 'a.priority', 'a.status', 'a.purpose', 'c.language')
    .orderBy('a.id');
  if (supersededPlanIds.length) {
    const carriedIntoSuperseded = db('assignments').whereIn('plan_id', supersededPlanIds).whereNotNull('carried_from_id').select('carried_from_id');
    q.where((w) => w.whereIn('a.status', ['new', 'unassigned']).orWhere((w2) => w2.where('a.status', 'cancelled').whereIn('a.id', carriedIntoSuperseded)));
  } else {
    q.whereIn('a.status', ['new', 'unassigned']);
  }
  const rows = await q;
  return rows.map((r: Record<string, unknown>) => ({
    assignmentId: Number(r.id),
    callId: Number(r.call_id),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    specialistUserId: r.specialist_user_id == null ? null : Number(r.specialist_user_id),
    priority: Number(r.priority),
    language: (r.language as string | null) ?? null,
    status: r.status as AssignmentStatus,
    purpose: (r.purpose as AssignmentPurpose) ?? 'random',
  }));
}

/**
 * The calls a plan row's random draw picked (origin 'draw', purpose random, whatever their status
 * since): what its verification re-derives. A targeted stratum's picks are not the random draw's.
 */
export async function drawnCallIds(db: Conn, planId: number): Promise<number[]> {
  const rows = await db('assignments').where({ plan_id: planId, origin: 'draw', purpose: 'random' }).select('call_id');
  return rows.map((r: { call_id: unknown }) => Number(r.call_id));
}

export interface AssignmentRow {
  id: number;
  planId: number;
  callId: number;
  operatorId: number | null;
  operatorName: string | null;
  specialistUserId: number | null;
  specialistName: string | null;
  priority: number;
  status: AssignmentStatus;
  origin: AssignmentOrigin;
  evaluationId: number | null;
  carriedFromId: number | null;
  startedAt: string | null;
  durationSec: number | null;
  language: string | null;
  category: string | null;
  services: string[];
  dropped: boolean;
  recordingId: number | null;
  callDeleted: boolean;
}

function mapAssignment(r: Record<string, unknown>): AssignmentRow {
  return {
    id: Number(r.id),
    planId: Number(r.plan_id),
    callId: Number(r.call_id),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    operatorName: (r.operator_name as string | null) ?? null,
    specialistUserId: r.specialist_user_id == null ? null : Number(r.specialist_user_id),
    specialistName: (r.specialist_name as string | null) ?? null,
    priority: Number(r.priority),
    status: r.status as AssignmentStatus,
    origin: r.origin as AssignmentOrigin,
    evaluationId: r.evaluation_id == null ? null : Number(r.evaluation_id),
    carriedFromId: r.carried_from_id == null ? null : Number(r.carried_from_id),
    startedAt: (r.started_at as string | null) ?? null,
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    language: (r.language as string | null) ?? null,
    category: (r.category as string | null) ?? null,
    services: r.services ? String(r.services).split(',') : [],
    dropped: toBool(r.dropped),
    recordingId: r.recording_id == null ? null : Number(r.recording_id),
    callDeleted: r.deleted_at != null,
  };
}

function assignmentsQuery(db: Conn) {
  return db('assignments as a')
    .join('calls as c', 'c.id', 'a.call_id')
    .leftJoin('operators as o', 'o.id', 'a.operator_id')
    .leftJoin('users as s', 's.id', 'a.specialist_user_id')
    .select(
      'a.id', 'a.plan_id', 'a.call_id', 'a.operator_id', 'o.full_name as operator_name', 'a.specialist_user_id', 's.display_name as specialist_name',
      'a.priority', 'a.status', 'a.origin', 'a.evaluation_id', 'a.carried_from_id',
      'c.started_at', 'c.duration_sec', 'c.language', 'c.category', 'c.services', 'c.dropped', 'c.recording_id', 'c.deleted_at',
    );
}

export async function findAssignment(db: Conn, id: number): Promise<(AssignmentRow & { teamId: number | null }) | null> {
  const r = await assignmentsQuery(db).select('o.team_id').where('a.id', id).first();
  return r ? { ...mapAssignment(r), teamId: r.team_id == null ? null : Number(r.team_id) } : null;
}

export interface AssignmentFilter {
  specialistUserId?: number;
  status?: AssignmentStatus;
  operatorId?: number;
  /** null = every team (admin) */
  teamIds: number[] | null;
}

function applyAssignmentFilter(q: Knex.QueryBuilder, f: AssignmentFilter): void {
  if (f.specialistUserId) q.where('a.specialist_user_id', f.specialistUserId);
  if (f.status) q.where('a.status', f.status);
  if (f.operatorId) q.where('a.operator_id', f.operatorId);
  if (f.teamIds !== null) {
    if (!f.teamIds.length) q.whereRaw('1 = 0');
    else q.whereIn('a.operator_id', (sub) => sub.from('operators').whereIn('team_id', f.teamIds!).select('id'));
  }
}

/** Assignments of these plans, highest priority first, paged. */
export async function listAssignments(db: Conn, planIds: readonly number[], f: AssignmentFilter, page: { limit: number; offset: number }): Promise<{ rows: AssignmentRow[]; total: number }> {
  if (!planIds.length) return { rows: [], total: 0 };
  const base = db('assignments as a').whereIn('a.plan_id', planIds).whereNot('a.status', 'cancelled');
  applyAssignmentFilter(base, f);
  const total = num((await base.clone().count({ n: '*' }).first())?.n);
  const q = assignmentsQuery(db).whereIn('a.plan_id', planIds).whereNot('a.status', 'cancelled');
  applyAssignmentFilter(q, f);
  const rows = await q.orderBy('a.priority', 'desc').orderBy('a.operator_id').orderBy('a.id').limit(page.limit).offset(page.offset);
  return { rows: rows.map(mapAssignment), total };
}

export interface StatusCount {
  key: number | null;
  status: AssignmentStatus;
  n: number;
}

/** Counts per specialist (key) and status over these plans. */
export async function countsBySpecialist(db: Conn, planIds: readonly number[]): Promise<StatusCount[]> {
  if (!planIds.length) return [];
  const rows = await db('assignments').whereIn('plan_id', planIds).select('specialist_user_id as k', 'status').count({ n: '*' }).groupBy('specialist_user_id', 'status');
  return rows.map((r: Record<string, unknown>) => ({ key: r.k == null ? null : Number(r.k), status: r.status as AssignmentStatus, n: num(r.n) }));
}

/** Counts per operator (key) and status over these plans, limited to the viewer's teams. */
export async function countsByOperator(db: Conn, planIds: readonly number[], teamIds: number[] | null): Promise<StatusCount[]> {
  if (!planIds.length) return [];
  const q = db('assignments as a').whereIn('a.plan_id', planIds);
  applyAssignmentFilter(q, { teamIds });
  const rows = await q.select('a.operator_id as k', 'a.status').count({ n: '*' }).groupBy('a.operator_id', 'a.status');
  return rows.map((r: Record<string, unknown>) => ({ key: r.k == null ? null : Number(r.k), status: r.status as AssignmentStatus, n: num(r.n) }));
}

/** How many of these plans' assignments were carried into a later plan. */
export async function countCarriedOut(db: Conn, planIds: readonly number[]): Promise<number> {
  if (!planIds.length) return 0;
  const mine = db('assignments').whereIn('plan_id', planIds).select('id');
  const r = await db('assignments as n')
    .join('plans as p', 'p.id', 'n.plan_id')
    .where('p.status', 'active')
    .whereIn('n.carried_from_id', mine)
    .count({ n: '*' })
    .first();
  return num(r?.n);
}

export async function updateAssignmentSpecialist(trx: Conn, id: number, specialistUserId: number, now: string): Promise<void> {
  await trx('assignments').where({ id }).update({ specialist_user_id: specialistUserId, status: 'new', updated_at: now });
}

/** Whether the call already has a live assignment in these plans. */
export async function callInPlans(db: Conn, planIds: readonly number[], callId: number): Promise<boolean> {
  if (!planIds.length) return false;
  const r = await db('assignments').whereIn('plan_id', planIds).andWhere('call_id', callId).whereNot('status', 'cancelled').first('id');
  return !!r;
}

/** A specialist's work in a day's active plans, in the order to do it: started first, then by priority. */
export async function specialistQueue(db: Conn, userId: number, planDate: string): Promise<AssignmentRow[]> {
  const rows = await assignmentsQuery(db)
    .join('plans as p', 'p.id', 'a.plan_id')
    .where('p.plan_date', planDate)
    .andWhere('p.status', 'active')
    .andWhere('a.specialist_user_id', userId)
    .whereIn('a.status', ['new', 'in_progress', 'done'])
    .orderByRaw("case a.status when 'in_progress' then 0 when 'new' then 1 else 2 end")
    .orderBy('a.priority', 'desc')
    .orderBy('c.started_at')
    .orderBy('a.id');
  return rows.map(mapAssignment);
}

// ---------------------------------------------------------------------------------------------
// Calls

export interface CallForPlan {
  id: number;
  operatorId: number | null;
  teamId: number | null;
  language: string | null;
  recordingId: number | null;
  deleted: boolean;
}

export async function findCall(db: Conn, id: number): Promise<CallForPlan | null> {
  const r = await db('calls as c').leftJoin('operators as o', 'o.id', 'c.operator_id').where('c.id', id).first('c.id', 'c.operator_id', 'o.team_id', 'c.language', 'c.recording_id', 'c.deleted_at');
  if (!r) return null;
  return {
    id: Number(r.id),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    teamId: r.team_id == null ? null : Number(r.team_id),
    language: (r.language as string | null) ?? null,
    recordingId: r.recording_id == null ? null : Number(r.recording_id),
    deleted: r.deleted_at != null,
  };
}

/** The recordings of these calls that are not ready yet: the ones whose preparation must be queued. */
export async function unpreparedRecordingIds(db: Conn, callIds: readonly number[]): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; i < callIds.length; i += 500) {
    const rows = await db('calls as c')
      .join('recordings as r', 'r.id', 'c.recording_id')
      .whereIn('c.id', callIds.slice(i, i + 500))
      .whereNot('r.status', 'ready')
      .select('r.id');
    for (const r of rows) out.add(Number(r.id));
  }
  return [...out].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Sizing inputs

export interface OperatorVolume {
  operatorId: number;
  fullName: string;
  teamId: number | null;
  calls: number;
  avgDurationSec: number | null;
}

/** Calls per active operator over a period (not deleted), with their average duration. */
export async function operatorVolumes(db: Conn, fromDate: string, toDate: string): Promise<OperatorVolume[]> {
  const rows = await db('calls as c')
    .join('operators as o', 'o.id', 'c.operator_id')
    .where('o.is_active', true)
    .andWhere('c.call_date', '>=', fromDate)
    .andWhere('c.call_date', '<=', toDate)
    .whereNull('c.deleted_at')
    .select('o.id', 'o.full_name', 'o.team_id')
    .count({ n: '*' })
    .avg({ d: 'c.duration_sec' })
    .groupBy('o.id', 'o.full_name', 'o.team_id')
    .orderBy('o.id');
  return rows.map((r: Record<string, unknown>) => ({
    operatorId: Number(r.id),
    fullName: r.full_name as string,
    teamId: r.team_id == null ? null : Number(r.team_id),
    calls: num(r.n),
    avgDurationSec: r.d == null ? null : Number(r.d),
  }));
}

/** The average duration of every call of the period (operators of any state), seconds. */
export async function averageCallDuration(db: Conn, fromDate: string, toDate: string): Promise<number | null> {
  const r = await db('calls').where('call_date', '>=', fromDate).andWhere('call_date', '<=', toDate).whereNull('deleted_at').avg({ d: 'duration_sec' }).first();
  return r?.d == null ? null : Number(r.d);
}

/** Scores of submitted regular evaluations submitted in a period: σ for the sizing. */
export async function evaluationScores(db: Conn, fromDate: string, toDate: string): Promise<number[]> {
  const rows = await db('evaluations')
    .where({ kind: 'regular', status: 'submitted' })
    .whereNotNull('score')
    .andWhere('evaluation_date', '>=', fromDate)
    .andWhere('evaluation_date', '<=', toDate)
    .select('score')
    .limit(100000);
  return rows.map((r: { score: unknown }) => Number(r.score));
}
