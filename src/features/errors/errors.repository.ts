// The only SQL of the errors feature.
import type { Knex } from 'knex';
import { num, parseJson, toBool } from '../../db';
import type { RubricDefinition } from '../rubrics/rubric.model';
import type { DesiredError, EvaluationMark, ExistingError, FailedAnswer } from './error-sync';
import type { ErrorScope } from './access';
import type { ErrorStatus } from './error-status';

type Conn = Knex | Knex.Transaction;

// ---------------------------------------------------------------------------------------------
// Sync from an evaluation

export interface EvaluationForSync {
  id: number;
  callId: number;
  operatorId: number | null;
  kind: string;
  status: string;
  submittedAt: string | null;
  definition: RubricDefinition;
}

export async function findEvaluationForSync(db: Conn, evaluationId: number): Promise<EvaluationForSync | null> {
  const row = await db('evaluations as e')
    .join('rubric_versions as rv', 'rv.id', 'e.rubric_version_id')
    .where('e.id', evaluationId)
    .first('e.id', 'e.call_id', 'e.operator_id', 'e.kind', 'e.status', 'e.submitted_at', 'rv.definition');
  if (!row) return null;
  return {
    id: Number(row.id),
    callId: Number(row.call_id),
    operatorId: row.operator_id == null ? null : Number(row.operator_id),
    kind: String(row.kind),
    status: String(row.status),
    submittedAt: row.submitted_at ?? null,
    definition: parseJson<RubricDefinition>(row.definition, { sections: [] }),
  };
}

export async function failedAnswers(db: Conn, evaluationId: number): Promise<FailedAnswer[]> {
  const rows = await db('evaluation_answers').where({ evaluation_id: evaluationId }).select('criterion_code', 'failed', 'comment', 'is_na');
  return rows
    .filter((r) => toBool(r.failed) && !toBool(r.is_na))
    .map((r) => ({ criterionCode: String(r.criterion_code), comment: r.comment ?? null }));
}

export async function evaluationMarks(db: Conn, evaluationId: number): Promise<EvaluationMark[]> {
  const rows = await db('evaluation_marks').where({ evaluation_id: evaluationId }).select('id', 'start_sec', 'criterion_code', 'severity', 'is_error', 'note');
  return rows.map((r) => ({
    id: Number(r.id),
    startSec: Number(r.start_sec),
    criterionCode: r.criterion_code ?? null,
    severity: r.severity ?? null,
    isError: toBool(r.is_error),
    note: r.note ?? null,
  }));
}

export async function liveErrorsOfEvaluation(db: Conn, evaluationId: number): Promise<ExistingError[]> {
  const rows = await db('errors').where({ evaluation_id: evaluationId }).whereNull('voided_at').orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id),
    source: r.source,
    criterionCode: r.criterion_code ?? null,
    markId: r.mark_id == null ? null : Number(r.mark_id),
    category: r.category ?? 'other',
    severity: r.severity,
    comment: r.comment ?? null,
    atSec: r.at_sec == null ? null : Number(r.at_sec),
  }));
}

export async function insertErrors(db: Conn, rows: { evaluation: EvaluationForSync; error: DesiredError; errorDate: string; now: string }[]): Promise<void> {
  if (!rows.length) return;
  await db('errors').insert(rows.map(({ evaluation, error, errorDate, now }) => ({
    evaluation_id: evaluation.id,
    call_id: evaluation.callId,
    operator_id: evaluation.operatorId,
    source: error.source,
    criterion_code: error.criterionCode,
    mark_id: error.markId,
    category: error.category,
    severity: error.severity,
    comment: error.comment,
    at_sec: error.atSec,
    status: 'new',
    error_date: errorDate,
    created_at: now,
    updated_at: now,
  })));
}

export async function voidErrors(db: Conn, ids: number[], now: string): Promise<void> {
  if (!ids.length) return;
  await db('errors').whereIn('id', ids).whereNull('voided_at').update({ voided_at: now, updated_at: now });
}

export async function refreshErrorDetails(db: Conn, id: number, changes: Partial<DesiredError>, now: string): Promise<void> {
  const patch: Record<string, unknown> = {};
  if ('category' in changes) patch.category = changes.category;
  if ('severity' in changes) patch.severity = changes.severity;
  if ('comment' in changes) patch.comment = changes.comment;
  if ('atSec' in changes) patch.at_sec = changes.atSec;
  if ('criterionCode' in changes) patch.criterion_code = changes.criterionCode;
  if ('markId' in changes) patch.mark_id = changes.markId;
  if (!Object.keys(patch).length) return;
  await db('errors').where({ id }).update({ ...patch, updated_at: now });
}

// ---------------------------------------------------------------------------------------------
// Scopes

/**
 * `errors as e` limited to what a scope covers, joining only what the scope and filter need:
 * evaluations for a specialist's scope (who found it), operators for a team filter. Lists of
 * hundreds of thousands of errors stay fast when the lean query picks the rows first.
 */
function scopedErrors(db: Conn, scope: ErrorScope, opts: { withOperator?: boolean } = {}): Knex.QueryBuilder {
  const q = db('errors as e');
  if (scope.kind === 'supervisor') {
    q.whereIn('e.operator_id', db('operators as so').join('teams as st', 'st.id', 'so.team_id').where('st.supervisor_user_id', scope.userId).select('so.id'));
  } else if (scope.kind === 'specialist') {
    q.whereIn('e.evaluation_id', db('evaluations as sv').where('sv.specialist_user_id', scope.userId).select('sv.id'));
  }
  if (opts.withOperator) q.leftJoin('operators as o', 'o.id', 'e.operator_id');
  return q;
}

// ---------------------------------------------------------------------------------------------
// The inbox

export interface ErrorFilter {
  status?: 'open' | ErrorStatus | 'all';
  operatorId?: number;
  teamId?: number;
  category?: string;
  severity?: string;
  criterionCode?: string;
  overdueBefore?: string; // only action_recorded with action_due before this day
  from?: string;
  to?: string;
  evaluationId?: number;
}

export interface ErrorRow {
  id: number;
  evaluationId: number;
  callId: number;
  operatorId: number | null;
  operatorName: string | null;
  operatorCode: string | null;
  teamId: number | null;
  teamName: string | null;
  teamSupervisorId: number | null;
  source: 'criterion' | 'mark';
  criterionCode: string | null;
  category: string;
  severity: string;
  comment: string | null;
  atSec: number | null;
  status: ErrorStatus;
  actionType: string | null;
  actionNote: string | null;
  actionDue: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  actionBy: string | null;
  actionAt: string | null;
  closedBy: string | null;
  closedAt: string | null;
  voidedAt: string | null;
  errorDate: string;
  createdAt: string;
  callStartedAt: string | null;
  callExternalId: string | null;
  rubricVersionId: number;
  specialistId: number;
  specialistName: string | null;
}

function baseErrorQuery(db: Conn) {
  return db('errors as e')
    .join('evaluations as v', 'v.id', 'e.evaluation_id')
    .join('calls as c', 'c.id', 'e.call_id')
    .leftJoin('operators as o', 'o.id', 'e.operator_id')
    .leftJoin('teams as t', 't.id', 'o.team_id')
    .leftJoin('users as sp', 'sp.id', 'v.specialist_user_id')
    .leftJoin('users as ua', 'ua.id', 'e.acknowledged_by')
    .leftJoin('users as ub', 'ub.id', 'e.action_by')
    .leftJoin('users as uc', 'uc.id', 'e.closed_by');
}

const ERROR_COLUMNS = [
  'e.id', 'e.evaluation_id', 'e.call_id', 'e.operator_id', 'o.full_name as operator_name', 'o.employee_code as operator_code',
  'o.team_id', 't.name as team_name', 't.supervisor_user_id as team_supervisor_id', 'e.source', 'e.criterion_code', 'e.category',
  'e.severity', 'e.comment', 'e.at_sec', 'e.status', 'e.action_type', 'e.action_note', 'e.action_due',
  'ua.display_name as acknowledged_by_name', 'e.acknowledged_at', 'ub.display_name as action_by_name', 'e.action_at',
  'uc.display_name as closed_by_name', 'e.closed_at', 'e.voided_at', 'e.error_date', 'e.created_at', 'c.started_at as call_started_at',
  'c.external_id as call_external_id', 'v.rubric_version_id', 'v.specialist_user_id', 'sp.display_name as specialist_name',
];

function mapErrorRow(r: Record<string, unknown>): ErrorRow {
  const n = (v: unknown) => (v == null ? null : Number(v));
  const s = (v: unknown) => (v == null ? null : String(v));
  return {
    id: Number(r.id),
    evaluationId: Number(r.evaluation_id),
    callId: Number(r.call_id),
    operatorId: n(r.operator_id),
    operatorName: s(r.operator_name),
    operatorCode: s(r.operator_code),
    teamId: n(r.team_id),
    teamName: s(r.team_name),
    teamSupervisorId: n(r.team_supervisor_id),
    source: r.source as ErrorRow['source'],
    criterionCode: s(r.criterion_code),
    category: String(r.category ?? 'other'),
    severity: String(r.severity),
    comment: s(r.comment),
    atSec: n(r.at_sec),
    status: r.status as ErrorStatus,
    actionType: s(r.action_type),
    actionNote: s(r.action_note),
    actionDue: s(r.action_due),
    acknowledgedBy: s(r.acknowledged_by_name),
    acknowledgedAt: s(r.acknowledged_at),
    actionBy: s(r.action_by_name),
    actionAt: s(r.action_at),
    closedBy: s(r.closed_by_name),
    closedAt: s(r.closed_at),
    voidedAt: s(r.voided_at),
    errorDate: String(r.error_date),
    createdAt: String(r.created_at),
    callStartedAt: s(r.call_started_at),
    callExternalId: s(r.call_external_id),
    rubricVersionId: Number(r.rubric_version_id),
    specialistId: Number(r.specialist_user_id),
    specialistName: s(r.specialist_name),
  };
}

function applyFilter(q: Knex.QueryBuilder, f: ErrorFilter): void {
  q.whereNull('e.voided_at');
  if (f.status === 'open') q.whereNot('e.status', 'closed');
  else if (f.status && f.status !== 'all') q.where('e.status', f.status);
  if (f.operatorId) q.where('e.operator_id', f.operatorId);
  if (f.teamId) q.where('o.team_id', f.teamId);
  if (f.category) q.where('e.category', f.category);
  if (f.severity) q.where('e.severity', f.severity);
  if (f.criterionCode) q.where('e.criterion_code', f.criterionCode);
  if (f.overdueBefore) q.where('e.status', 'action_recorded').andWhere('e.action_due', '<', f.overdueBefore);
  if (f.from) q.where('e.error_date', '>=', f.from);
  if (f.to) q.where('e.error_date', '<=', f.to);
  if (f.evaluationId) q.where('e.evaluation_id', f.evaluationId);
}

export async function listErrors(db: Conn, scope: ErrorScope, f: ErrorFilter, page: { limit: number; offset: number }): Promise<{ rows: ErrorRow[]; total: number }> {
  // The page's ids from a lean query first, then their details: joining six tables for every
  // candidate row only to keep fifty is what makes a big inbox slow.
  const q = scopedErrors(db, scope, { withOperator: !!f.teamId });
  applyFilter(q, f);
  const countRow = await q.clone().count({ n: 'e.id' }).first();
  const ids: number[] = (await q.select('e.id').orderBy('e.error_date', 'desc').orderBy('e.id', 'desc').limit(page.limit).offset(page.offset)).map((r: { id: unknown }) => Number(r.id));
  const byId = new Map<number, ErrorRow>();
  // In slices: both databases cap the number of bound parameters in one statement.
  for (let i = 0; i < ids.length; i += 1000) {
    for (const r of await baseErrorQuery(db).whereIn('e.id', ids.slice(i, i + 1000)).select(ERROR_COLUMNS)) byId.set(Number(r.id), mapErrorRow(r));
  }
  return { rows: ids.map((id) => byId.get(id)).filter((r): r is ErrorRow => !!r), total: num(countRow?.n) };
}

export async function findError(db: Conn, id: number): Promise<ErrorRow | null> {
  const r = await baseErrorQuery(db).where('e.id', id).first(ERROR_COLUMNS);
  return r ? mapErrorRow(r) : null;
}

export async function findErrorsByIds(db: Conn, ids: number[]): Promise<ErrorRow[]> {
  if (!ids.length) return [];
  const rows = await baseErrorQuery(db).whereIn('e.id', ids).select(ERROR_COLUMNS);
  return rows.map(mapErrorRow);
}

/** How many live errors of a scope are in each status, and how many actions are overdue. */
export async function statusCounts(db: Conn, scope: ErrorScope, today: string): Promise<Record<ErrorStatus | 'overdue', number>> {
  const q = scopedErrors(db, scope).whereNull('e.voided_at');
  const rows = (await q.clone().select('e.status').count({ n: 'e.id' }).groupBy('e.status')) as { status: string; n: unknown }[];
  const overdue = await q.clone().where('e.status', 'action_recorded').andWhere('e.action_due', '<', today).count({ n: 'e.id' }).first();
  const out: Record<ErrorStatus | 'overdue', number> = { new: 0, acknowledged: 0, action_recorded: 0, closed: 0, overdue: num(overdue?.n) };
  for (const r of rows) if (r.status in out) out[r.status as ErrorStatus] = num(r.n);
  return out;
}

/**
 * Moves an error one step, only if it is still in the status the decision was made on (another
 * supervisor may have acted meanwhile): returns false when nothing was changed.
 */
export async function updateErrorStatus(db: Conn, id: number, expected: ErrorStatus, patch: Record<string, unknown>, now: string): Promise<boolean> {
  const n = await db('errors').where({ id, status: expected }).whereNull('voided_at').update({ ...patch, updated_at: now });
  return n === 1;
}

// ---------------------------------------------------------------------------------------------
// Rubric texts (for criterion names in lists)

export async function rubricDefinitions(db: Conn, versionIds: number[]): Promise<Map<number, RubricDefinition>> {
  const out = new Map<number, RubricDefinition>();
  const ids = [...new Set(versionIds)];
  if (!ids.length) return out;
  const rows = await db('rubric_versions').whereIn('id', ids).select('id', 'definition');
  for (const r of rows) out.set(Number(r.id), parseJson<RubricDefinition>(r.definition, { sections: [] }));
  return out;
}

/** The newest criterion texts for each code, across every rubric version (for analysis labels). */
export async function allCriterionTexts(db: Conn): Promise<Map<string, Record<string, string>>> {
  const rows = await db('rubric_versions').select('id', 'definition').orderBy('id');
  const out = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const def = parseJson<RubricDefinition>(r.definition, { sections: [] });
    for (const section of def.sections ?? []) for (const c of section.criteria ?? []) out.set(c.code, c.text as unknown as Record<string, string>);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Analysis

export type AnalysisDimension = 'category' | 'criterion' | 'operator' | 'team' | 'day' | 'severity';

const DIMENSION_COLUMN: Record<AnalysisDimension, string> = {
  category: 'e.category',
  criterion: 'e.criterion_code',
  operator: 'e.operator_id',
  team: 'o.team_id',
  day: 'e.error_date',
  severity: 'e.severity',
};

export interface AnalysisFilter {
  from: string;
  to: string;
  teamId?: number;
  operatorId?: number;
  category?: string;
  severity?: string;
}

/** Live errors of a period counted by one dimension. */
export async function countErrorsBy(db: Conn, scope: ErrorScope, f: AnalysisFilter, dim: AnalysisDimension): Promise<{ key: string; count: number }[]> {
  const col = DIMENSION_COLUMN[dim];
  const q = scopedErrors(db, scope, { withOperator: dim === 'team' || !!f.teamId });
  applyFilter(q, { status: 'all', teamId: f.teamId, operatorId: f.operatorId, category: f.category, severity: f.severity, from: f.from, to: f.to });
  const rows = (await q.select({ k: col }).count({ n: 'e.id' }).groupBy(col)) as { k: unknown; n: unknown }[];
  return rows.map((r) => ({ key: r.k == null ? '' : String(r.k), count: num(r.n) }));
}

export async function operatorNames(db: Conn, ids: number[]): Promise<Map<string, { name: string; code: string }>> {
  const out = new Map<string, { name: string; code: string }>();
  if (!ids.length) return out;
  const rows = await db('operators').whereIn('id', ids).select('id', 'full_name', 'employee_code');
  for (const r of rows) out.set(String(r.id), { name: r.full_name, code: r.employee_code });
  return out;
}

export async function teamsInScope(db: Conn, scope: ErrorScope): Promise<{ id: number; name: string }[]> {
  const q = db('teams').select('id', 'name').orderBy('name');
  if (scope.kind === 'supervisor') q.where('supervisor_user_id', scope.userId);
  return (await q).map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

export async function operatorsInScope(db: Conn, scope: ErrorScope): Promise<{ id: number; name: string; code: string; teamId: number | null }[]> {
  const q = db('operators as o').leftJoin('teams as t', 't.id', 'o.team_id').select('o.id', 'o.full_name', 'o.employee_code', 'o.team_id').orderBy('o.full_name');
  if (scope.kind === 'supervisor') q.where('t.supervisor_user_id', scope.userId);
  return (await q).map((r) => ({ id: Number(r.id), name: String(r.full_name), code: String(r.employee_code), teamId: r.team_id == null ? null : Number(r.team_id) }));
}

// ---------------------------------------------------------------------------------------------
// Complex cases (evaluations a specialist flagged as complex / non-standard)

export interface ComplexCase {
  evaluationId: number;
  callId: number;
  operatorId: number | null;
  operatorName: string | null;
  teamName: string | null;
  teamSupervisorId: number | null;
  specialistName: string | null;
  reason: string | null;
  submittedAt: string | null;
  evaluationDate: string | null;
  score: number | null;
  result: string | null;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

function complexQuery(db: Conn) {
  return db('evaluations as v')
    .leftJoin('operators as o', 'o.id', 'v.operator_id')
    .leftJoin('teams as t', 't.id', 'o.team_id')
    .leftJoin('users as sp', 'sp.id', 'v.specialist_user_id')
    .leftJoin('users as ur', 'ur.id', 'v.complex_resolved_by')
    .where('v.is_complex_case', true)
    .andWhere('v.status', 'submitted')
    .andWhere('v.kind', 'regular')
    .select('v.id', 'v.call_id', 'v.operator_id', 'o.full_name', 't.name as team_name', 't.supervisor_user_id', 'sp.display_name as specialist_name',
      'v.complex_reason', 'v.submitted_at', 'v.evaluation_date', 'v.score', 'v.result', 'v.complex_resolution', 'ur.display_name as resolved_by_name', 'v.complex_resolved_at');
}

function mapComplex(r: Record<string, unknown>): ComplexCase {
  return {
    evaluationId: Number(r.id),
    callId: Number(r.call_id),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    operatorName: (r.full_name as string) ?? null,
    teamName: (r.team_name as string) ?? null,
    teamSupervisorId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    specialistName: (r.specialist_name as string) ?? null,
    reason: (r.complex_reason as string) ?? null,
    submittedAt: (r.submitted_at as string) ?? null,
    evaluationDate: (r.evaluation_date as string) ?? null,
    score: r.score == null ? null : Number(r.score),
    result: (r.result as string) ?? null,
    resolution: (r.complex_resolution as string) ?? null,
    resolvedBy: (r.resolved_by_name as string) ?? null,
    resolvedAt: (r.complex_resolved_at as string) ?? null,
  };
}

export async function listComplexCases(db: Conn, scope: ErrorScope, f: { resolved?: boolean }, limit = 200): Promise<ComplexCase[]> {
  const q = complexQuery(db);
  if (scope.kind === 'supervisor') q.where('t.supervisor_user_id', scope.userId);
  if (scope.kind === 'specialist') q.where('v.specialist_user_id', scope.userId);
  if (f.resolved === true) q.whereNotNull('v.complex_resolved_at');
  if (f.resolved === false) q.whereNull('v.complex_resolved_at');
  const rows = await q.orderBy('v.submitted_at', 'desc').orderBy('v.id', 'desc').limit(limit);
  return rows.map(mapComplex);
}

export async function countOpenComplexCases(db: Conn, scope: ErrorScope): Promise<number> {
  const q = db('evaluations as v').leftJoin('operators as o', 'o.id', 'v.operator_id').leftJoin('teams as t', 't.id', 'o.team_id')
    .where('v.is_complex_case', true).andWhere('v.status', 'submitted').andWhere('v.kind', 'regular').whereNull('v.complex_resolved_at');
  if (scope.kind === 'supervisor') q.where('t.supervisor_user_id', scope.userId);
  if (scope.kind === 'specialist') q.where('v.specialist_user_id', scope.userId);
  const r = await q.count({ n: 'v.id' }).first();
  return num(r?.n);
}

export async function findComplexCase(db: Conn, evaluationId: number): Promise<ComplexCase | null> {
  const r = await complexQuery(db).where('v.id', evaluationId).first();
  return r ? mapComplex(r) : null;
}

/** Records the resolution once: false when it was already resolved (nothing changed). */
export async function resolveComplexCase(db: Conn, evaluationId: number, resolution: string, userId: number, now: string): Promise<boolean> {
  const n = await db('evaluations').where({ id: evaluationId, is_complex_case: true }).whereNull('complex_resolved_at')
    .update({ complex_resolution: resolution, complex_resolved_by: userId, complex_resolved_at: now, updated_at: now });
  return n === 1;
}

// ---------------------------------------------------------------------------------------------
// An operator's page

export interface OperatorProfile {
  id: number;
  fullName: string;
  employeeCode: string;
  category: string | null;
  isActive: boolean;
  teamId: number | null;
  teamName: string | null;
  teamSupervisorId: number | null;
  supervisorName: string | null;
}

export async function findOperatorProfile(db: Conn, id: number): Promise<OperatorProfile | null> {
  const r = await db('operators as o').leftJoin('teams as t', 't.id', 'o.team_id').leftJoin('users as u', 'u.id', 't.supervisor_user_id')
    .where('o.id', id)
    .first('o.id', 'o.full_name', 'o.employee_code', 'o.category', 'o.is_active', 'o.team_id', 't.name as team_name', 't.supervisor_user_id', 'u.display_name as supervisor_name');
  if (!r) return null;
  return {
    id: Number(r.id),
    fullName: r.full_name,
    employeeCode: r.employee_code,
    category: r.category ?? null,
    isActive: toBool(r.is_active),
    teamId: r.team_id == null ? null : Number(r.team_id),
    teamName: r.team_name ?? null,
    teamSupervisorId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    supervisorName: r.supervisor_name ?? null,
  };
}

export interface OperatorEvaluation {
  id: number;
  callId: number;
  score: number | null;
  result: string | null;
  criticalFailure: boolean;
  evaluationDate: string | null;
  submittedAt: string | null;
  specialistName: string | null;
  callStartedAt: string | null;
  isComplexCase: boolean;
  /** why the call was heard (random, targeted, on_request) */
  purpose: string;
}

/** The operator's submitted regular evaluations, newest first (calibration practice is not theirs to answer for). */
export async function operatorEvaluations(db: Conn, operatorId: number, limit = 500): Promise<OperatorEvaluation[]> {
  const rows = await db('evaluations as v').join('calls as c', 'c.id', 'v.call_id').leftJoin('users as sp', 'sp.id', 'v.specialist_user_id')
    .where('v.operator_id', operatorId).andWhere('v.status', 'submitted').andWhere('v.kind', 'regular')
    .select('v.id', 'v.call_id', 'v.score', 'v.result', 'v.critical_failure', 'v.evaluation_date', 'v.submitted_at', 'sp.display_name as specialist_name', 'c.started_at', 'v.is_complex_case', 'v.purpose')
    .orderBy('v.submitted_at', 'desc').orderBy('v.id', 'desc').limit(limit);
  return rows.map((r) => ({
    id: Number(r.id),
    callId: Number(r.call_id),
    score: r.score == null ? null : Number(r.score),
    result: r.result ?? null,
    criticalFailure: toBool(r.critical_failure),
    evaluationDate: r.evaluation_date ?? null,
    submittedAt: r.submitted_at ?? null,
    specialistName: r.specialist_name ?? null,
    callStartedAt: r.started_at ?? null,
    isComplexCase: toBool(r.is_complex_case),
    purpose: String(r.purpose ?? 'random'),
  }));
}

/** Interface languages of some users (the demo seed writes notes in the supervisor's language). */
export async function userLanguages(db: Conn, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await db('users').whereIn('id', unique).select('id', 'language');
  return new Map(rows.map((r) => [Number(r.id), String(r.language)]));
}
