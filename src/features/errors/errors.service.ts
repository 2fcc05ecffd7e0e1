// The errors feature's decisions: turning a submitted evaluation into error records, and the
// supervisor's follow-up on them.
import type { Knex } from 'knex';
import { audit } from '../../audit/audit';
import { nowIso } from '../../db';
import { ConflictError, FieldError, ForbiddenError, NotFoundError, ValidationError, fieldErrorsFromZod } from '../../http/errors';
import { addDays, isIsoDate, tashkentDate, tashkentToday } from '../../time';
import { flattenCriteria, type LocalizedText } from '../rubrics/rubric.model';
import { analysisScope, canActOnError, canListen, canSeeOperator, inboxScope, type Viewer } from './access';
import { checkPeriod, compareCounts, dailySeries, previousPeriod, trend, type Period, type PeriodProblem, type TrendRow } from './analysis';
import { desiredErrors, planErrorSync } from './error-sync';
import { decideTransition, isOverdue, nextTransition, type ActionType, type ErrorStatus, type ErrorTransition } from './error-status';
import { actionFormSchema, resolutionFormSchema, type InboxQuery } from './errors.schema';
import * as repo from './errors.repository';

type Conn = Knex | Knex.Transaction;

export interface SyncResult {
  created: number;
  voided: number;
  kept: number;
}

/**
 * Brings an evaluation's error records in line with its answers and marks. The evaluation service
 * calls it inside the transaction that submits (or resubmits after a reopen) the evaluation:
 * - every failed criterion and every mark flagged as an error has exactly one live record;
 * - records that still hold are kept with their status (a supervisor may be acting on them),
 *   those that no longer hold are voided (voided_at), new ones start as 'new';
 * - a calibration evaluation has none (any it had are voided).
 * Safe to call any number of times. error_date is the Tashkent day of the evaluation's
 * submitted_at when the row already says submitted, else of clock() (the moment of submission).
 * An unknown evaluation id is a programming error and throws.
 */
export async function syncErrorsForEvaluation(trx: Knex | Knex.Transaction, evaluationId: number, clock: () => Date): Promise<SyncResult> {
  const evaluation = await repo.findEvaluationForSync(trx, evaluationId);
  if (!evaluation) throw new Error(`syncErrorsForEvaluation: evaluation ${evaluationId} not found`);
  // One after the other: a transaction is one connection (PostgreSQL refuses overlapping queries on it).
  const answers = await repo.failedAnswers(trx, evaluationId);
  const marks = await repo.evaluationMarks(trx, evaluationId);
  const existing = await repo.liveErrorsOfEvaluation(trx, evaluationId);
  const desired = desiredErrors({ kind: evaluation.kind, criteria: flattenCriteria(evaluation.definition), failedAnswers: answers, marks });
  const plan = planErrorSync(existing, desired);
  const now = nowIso(clock);
  const submittedAt = evaluation.status === 'submitted' && evaluation.submittedAt ? evaluation.submittedAt : now;
  const errorDate = tashkentDate(submittedAt);
  await repo.voidErrors(trx, plan.void, now);
  for (const k of plan.keep) await repo.refreshErrorDetails(trx, k.id, k.changes, now);
  await repo.insertErrors(trx, plan.create.map((error) => ({ evaluation, error, errorDate, now })));
  return { created: plan.create.length, voided: plan.void.length, kept: plan.keep.length };
}

// ---------------------------------------------------------------------------------------------
// Reading errors

export interface ErrorView extends repo.ErrorRow {
  criterionText: LocalizedText | null;
  overdue: boolean;
  next: ErrorTransition | null;
  canAct: boolean;
}

/** Criterion texts for rows, from the rubric version each evaluation was made with. */
async function withCriterionTexts(db: Conn, rows: repo.ErrorRow[]): Promise<Map<number, Map<string, LocalizedText>>> {
  const defs = await repo.rubricDefinitions(db, rows.map((r) => r.rubricVersionId));
  const out = new Map<number, Map<string, LocalizedText>>();
  for (const [id, def] of defs) out.set(id, new Map(flattenCriteria(def).map((c) => [c.code, c.text])));
  return out;
}

function toView(r: repo.ErrorRow, texts: Map<number, Map<string, LocalizedText>>, user: Viewer, today: string): ErrorView {
  const voided = r.voidedAt != null;
  return {
    ...r,
    criterionText: r.criterionCode ? (texts.get(r.rubricVersionId)?.get(r.criterionCode) ?? null) : null,
    overdue: isOverdue({ status: r.status, actionDue: r.actionDue, voided }, today),
    next: nextTransition(r.status, voided),
    canAct: !voided && canActOnError(user, r.teamSupervisorId),
  };
}

export const INBOX_PAGE_SIZE = 50;

export async function listInbox(db: Conn, user: Viewer, q: InboxQuery, clock: () => Date) {
  const scope = inboxScope(user);
  if (!scope) throw new ForbiddenError();
  const today = tashkentToday(clock);
  // Supervisors and admins start from what still needs them; specialists from everything they found.
  const status = q.status ?? (user.role === 'specialist' ? 'all' : 'open');
  const filter: repo.ErrorFilter = {
    status: q.overdue ? 'all' : status,
    operatorId: q.operator,
    teamId: q.team,
    category: q.category,
    severity: q.severity,
    overdueBefore: q.overdue ? today : undefined,
    from: q.from,
    to: q.to,
  };
  const { rows, total } = await repo.listErrors(db, scope, filter, { limit: INBOX_PAGE_SIZE, offset: (q.page - 1) * INBOX_PAGE_SIZE });
  const texts = await withCriterionTexts(db, rows);
  const [counts, teams, operators, complexOpen] = await Promise.all([
    repo.statusCounts(db, scope, today),
    repo.teamsInScope(db, scope),
    repo.operatorsInScope(db, scope),
    repo.countOpenComplexCases(db, scope),
  ]);
  return {
    scope,
    status,
    today,
    rows: rows.map((r) => toView(r, texts, user, today)),
    total,
    pages: Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE)),
    counts,
    complexOpen,
    teams: scope.kind === 'specialist' ? [] : teams,
    operators: scope.kind === 'specialist' ? [] : operators,
    canAct: user.role === 'admin' || user.role === 'supervisor',
  };
}

/** Whether an error falls in what this user's inbox covers. */
function inScope(user: Viewer, r: repo.ErrorRow): boolean {
  const scope = inboxScope(user);
  if (!scope) return false;
  if (scope.kind === 'all') return true;
  if (scope.kind === 'supervisor') return r.teamSupervisorId === user.id;
  return r.specialistId === user.id;
}

/** One error for its page; 404 when unknown, 403 when outside the user's scope. */
export async function getError(db: Conn, user: Viewer, id: number, clock: () => Date): Promise<ErrorView> {
  const r = await repo.findError(db, id);
  if (!r) throw new NotFoundError('errors.notFound');
  if (!inScope(user, r)) throw new ForbiddenError();
  const texts = await withCriterionTexts(db, [r]);
  return toView(r, texts, user, tashkentToday(clock));
}

// ---------------------------------------------------------------------------------------------
// The supervisor's follow-up

export interface ActionInput {
  actionType?: unknown;
  actionNote?: unknown;
  actionDue?: unknown;
}

/** Validates a corrective action: a kind, a due day not in the past, a note (required for "other"). */
export function validateAction(input: ActionInput, today: string): { ok: true; value: { actionType: ActionType; actionNote: string | null; actionDue: string } } | { ok: false; fields: FieldError[] } {
  const parsed = actionFormSchema.safeParse({ actionType: input.actionType, actionNote: input.actionNote ?? '', actionDue: input.actionDue ?? '' });
  if (!parsed.success) return { ok: false, fields: fieldErrorsFromZod(parsed.error.issues) };
  const v = parsed.data;
  const fields: FieldError[] = [];
  if (v.actionDue < today) fields.push({ field: 'actionDue', key: 'errors.action.dueInPast' });
  if (v.actionType === 'other' && !v.actionNote) fields.push({ field: 'actionNote', key: 'errors.action.noteRequiredForOther' });
  if (fields.length) return { ok: false, fields };
  return { ok: true, value: { actionType: v.actionType, actionNote: v.actionNote || null, actionDue: v.actionDue } };
}

/**
 * Moves one error a step along new → acknowledged → action recorded → closed. Refuses (403) an
 * error of another team, (409) a step out of order or on a voided error, (400) a bad action; in
 * every refusal nothing is changed. Audited.
 */
export async function transitionError(
  db: Knex,
  user: Viewer,
  id: number,
  transition: ErrorTransition,
  input: ActionInput,
  opts: { clock: () => Date; ip?: string },
): Promise<ErrorStatus> {
  return db.transaction(async (trx) => {
    const r = await repo.findError(trx, id);
    if (!r) throw new NotFoundError('errors.notFound');
    if (!canActOnError(user, r.teamSupervisorId)) throw new ForbiddenError('errors.forbidden.notYourTeam');
    const decision = decideTransition(r.status, transition, r.voidedAt != null);
    if (!decision.ok) throw new ConflictError(decision.key, { status: r.status });
    const now = nowIso(opts.clock);
    const patch: Record<string, unknown> = { status: decision.to };
    if (transition === 'acknowledge') Object.assign(patch, { acknowledged_by: user.id, acknowledged_at: now });
    if (transition === 'recordAction') {
      const checked = validateAction(input, tashkentToday(opts.clock));
      if (!checked.ok) throw new ValidationError(checked.fields);
      Object.assign(patch, { action_type: checked.value.actionType, action_note: checked.value.actionNote, action_due: checked.value.actionDue, action_by: user.id, action_at: now });
    }
    if (transition === 'close') Object.assign(patch, { closed_by: user.id, closed_at: now });
    // Guarded on the status read above: if someone else moved it meanwhile, nothing changes.
    if (!(await repo.updateErrorStatus(trx, id, r.status, patch, now))) throw new ConflictError('errors.transition.changedMeanwhile');
    await audit(trx, { userId: user.id, action: `error.${transition}`, entityType: 'error', entityId: id, ip: opts.ip, details: { from: r.status, to: decision.to, ...(transition === 'recordAction' ? { actionType: patch.action_type, actionDue: patch.action_due } : {}) } }, opts.clock);
    return decision.to;
  });
}

/**
 * Acknowledges several new errors at once: all or nothing. One error outside the user's teams
 * refuses the whole request (403); errors already past "new" are left as they are and counted.
 */
export async function acknowledgeMany(db: Knex, user: Viewer, ids: number[], opts: { clock: () => Date; ip?: string }): Promise<{ acknowledged: number; skipped: number }> {
  return db.transaction(async (trx) => {
    const rows = await repo.findErrorsByIds(trx, [...new Set(ids)]);
    if (rows.length !== new Set(ids).size) throw new NotFoundError('errors.notFound');
    if (rows.some((r) => !canActOnError(user, r.teamSupervisorId))) throw new ForbiddenError('errors.forbidden.notYourTeam');
    const now = nowIso(opts.clock);
    let acknowledged = 0;
    for (const r of rows) {
      if (!decideTransition(r.status, 'acknowledge', r.voidedAt != null).ok) continue;
      if (await repo.updateErrorStatus(trx, r.id, 'new', { status: 'acknowledged', acknowledged_by: user.id, acknowledged_at: now }, now)) {
        acknowledged++;
        await audit(trx, { userId: user.id, action: 'error.acknowledge', entityType: 'error', entityId: r.id, ip: opts.ip, details: { from: 'new', to: 'acknowledged', bulk: true } }, opts.clock);
      }
    }
    return { acknowledged, skipped: rows.length - acknowledged };
  });
}

// ---------------------------------------------------------------------------------------------
// Complex cases

export async function listComplex(db: Conn, user: Viewer, resolved: boolean | undefined) {
  const scope = inboxScope(user);
  if (!scope) throw new ForbiddenError();
  const [cases, open] = await Promise.all([repo.listComplexCases(db, scope, { resolved }), repo.countOpenComplexCases(db, scope)]);
  return { cases: cases.map((c) => ({ ...c, canResolve: !c.resolvedAt && canActOnError(user, c.teamSupervisorId) })), open };
}

/** The supervisor records how a flagged complex case was resolved (D1.01.4): once, audited. */
export async function resolveComplexCase(db: Knex, user: Viewer, evaluationId: number, input: { resolution?: unknown }, opts: { clock: () => Date; ip?: string }): Promise<void> {
  const c = await repo.findComplexCase(db, evaluationId);
  if (!c) throw new NotFoundError('errors.complex.notFound');
  if (!canActOnError(user, c.teamSupervisorId)) throw new ForbiddenError('errors.forbidden.notYourTeam');
  if (c.resolvedAt) throw new ConflictError('errors.complex.alreadyResolved');
  const parsed = resolutionFormSchema.safeParse({ resolution: input.resolution ?? '' });
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const now = nowIso(opts.clock);
  if (!(await repo.resolveComplexCase(db, evaluationId, parsed.data.resolution, user.id, now))) throw new ConflictError('errors.complex.alreadyResolved');
  await audit(db, { userId: user.id, action: 'evaluation.complexResolved', entityType: 'evaluation', entityId: evaluationId, ip: opts.ip }, opts.clock);
}

// ---------------------------------------------------------------------------------------------
// Analysis

export interface AnalysisQuery {
  from?: string;
  to?: string;
  team?: number;
  operator?: number;
  category?: string;
  severity?: string;
}

export const DEFAULT_ANALYSIS_DAYS = 30;

/** The period an analysis covers: as asked, or the last 30 days up to today. */
export function analysisPeriod(q: AnalysisQuery, today: string): { from: string; to: string } {
  const to = q.to || today;
  const from = q.from || addDays(isIsoDate(to) ? to : today, -(DEFAULT_ANALYSIS_DAYS - 1));
  return { from, to };
}

/**
 * Errors by category, criterion, operator, team, severity and day for a period, each with the
 * previous period of the same length beside it. A bad period comes back as field problems
 * (the page shows them) rather than an exception.
 */
export async function errorAnalysis(db: Conn, user: Viewer, q: AnalysisQuery, opts: { clock: () => Date; maxDays: number }) {
  const scope = analysisScope(user);
  if (!scope) throw new ForbiddenError();
  const today = tashkentToday(opts.clock);
  const period = analysisPeriod(q, today);
  const [teams, operators] = await Promise.all([repo.teamsInScope(db, scope), repo.operatorsInScope(db, scope)]);
  const base = { scope, period, teams, operators, filters: q };
  const problems = checkPeriod(period.from, period.to, opts.maxDays, isIsoDate);
  if (problems.length) return { ...base, problems, result: null };

  const prev = previousPeriod(period);
  const filter = (p: Period): repo.AnalysisFilter => ({ from: p.from, to: p.to, teamId: q.team, operatorId: q.operator, category: q.category, severity: q.severity });
  const dims: repo.AnalysisDimension[] = ['category', 'criterion', 'operator', 'team', 'severity', 'day'];
  const [cur, old] = await Promise.all([
    Promise.all(dims.map((d) => repo.countErrorsBy(db, scope, filter(period), d))),
    Promise.all(dims.map((d) => repo.countErrorsBy(db, scope, filter(prev), d))),
  ]);
  const by = Object.fromEntries(dims.map((d, i) => [d, compareCounts(cur[i], old[i])])) as Record<repo.AnalysisDimension, TrendRow[]>;
  const total = trend(sum(cur[0]), sum(old[0]));

  const criterionTexts = await repo.allCriterionTexts(db);
  const opNames = await repo.operatorNames(db, by.operator.map((r) => Number(r.key)).filter((n) => n > 0));
  const teamNames = new Map((await repo.teamsInScope(db, { kind: 'all' })).map((t) => [String(t.id), t.name]));

  const dailyCurrent = dailySeries(period, cur[5]);
  const dailyPrevious = dailySeries(prev, old[5]);
  const recent = await repo.listErrors(db, scope, { status: 'all', from: period.from, to: period.to, teamId: q.team, operatorId: q.operator, category: q.category, severity: q.severity }, { limit: 15, offset: 0 });
  const texts = await withCriterionTexts(db, recent.rows);
  return {
    ...base,
    problems: [] as PeriodProblem[],
    result: {
      previous: prev,
      total,
      byCategory: by.category,
      bySeverity: by.severity,
      byCriterion: by.criterion.filter((r) => r.key).slice(0, 20).map((r) => ({ ...r, text: (criterionTexts.get(r.key) as LocalizedText | undefined) ?? null })),
      byOperator: by.operator.slice(0, 25).map((r) => ({ ...r, operatorId: r.key ? Number(r.key) : null, name: opNames.get(r.key)?.name ?? null, code: opNames.get(r.key)?.code ?? null })),
      byTeam: by.team.map((r) => ({ ...r, name: teamNames.get(r.key) ?? null })),
      daily: dailyCurrent.map((d, i) => ({ day: d.day, count: d.count, previousDay: dailyPrevious[i]?.day ?? null, previous: dailyPrevious[i]?.count ?? 0 })),
      recent: recent.rows.map((r) => toView(r, texts, user, today)),
    },
  };
}

function sum(rows: { count: number }[]): number {
  return rows.reduce((s, r) => s + r.count, 0);
}

// ---------------------------------------------------------------------------------------------
// An operator's page

export async function operatorPage(db: Conn, user: Viewer, operatorId: number, clock: () => Date) {
  const operator = await repo.findOperatorProfile(db, operatorId);
  if (!operator) throw new NotFoundError('errors.operator.notFound');
  if (!canSeeOperator(user, operator)) throw new ForbiddenError();
  const today = tashkentToday(clock);
  const [evaluations, errors] = await Promise.all([
    repo.operatorEvaluations(db, operatorId),
    repo.listErrors(db, { kind: 'all' }, { status: 'all', operatorId }, { limit: 300, offset: 0 }),
  ]);
  const texts = await withCriterionTexts(db, errors.rows);
  const errorViews = errors.rows.map((r) => toView(r, texts, user, today));
  // The operator's score is the random sample's; hand-picked and targeted calls are shown beside it.
  const random = evaluations.filter((e) => e.purpose === 'random');
  const scored = random.filter((e) => e.score != null);
  const averageOf = (xs: typeof evaluations) => {
    const withScore = xs.filter((e) => e.score != null);
    return withScore.length ? Math.round((withScore.reduce((s, e) => s + (e.score ?? 0), 0) / withScore.length) * 10) / 10 : null;
  };
  const others = ['targeted', 'on_request'].map((purpose) => {
    const xs = evaluations.filter((e) => e.purpose === purpose);
    return { purpose, evaluations: xs.length, averageScore: averageOf(xs), criticalFailures: xs.filter((e) => e.criticalFailure).length };
  });
  return {
    operator,
    today,
    evaluations,
    // Oldest first for the chart: the random sample's scores.
    scoreSeries: scored.slice().reverse().map((e) => ({ date: e.evaluationDate ?? (e.submittedAt ?? '').slice(0, 10), score: e.score as number, evaluationId: e.id })),
    errors: errorViews,
    correctiveActions: errorViews.filter((e) => e.actionType),
    others,
    stats: {
      evaluations: random.length,
      averageScore: averageOf(random),
      criticalFailures: random.filter((e) => e.criticalFailure).length,
      openErrors: errorViews.filter((e) => e.status !== 'closed').length,
      overdue: errorViews.filter((e) => e.overdue).length,
      totalErrors: errors.total,
    },
    canListen: canListen(user.role),
  };
}
