// Training plans from recurring shortcomings, rule changes everyone acknowledges, attendance,
// feedback, materials and the effect on scores. Decisions in order; the pure parts are in
// training-effect.ts and materials.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { audit } from '../../audit/audit';
import type { Config } from '../../config';
import { nowIso } from '../../db';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldErrorsFromZod, type FieldError } from '../../http/errors';
import { addDays, daysBetween, isIsoDate, tashkentToday } from '../../time';
import type { LocalizedText } from '../rubrics/rubric.model';
import { cleanOriginalName, MATERIAL_MIME, sniffMaterial } from './materials';
import { clampWindow, computeTrainingEffect, DEFAULT_EFFECT_WINDOW_DAYS, type TrainingEffect } from './training-effect';
import {
  feedbackSchema, ruleChangeFormSchema, trainingFormSchema,
  type RuleChangeFormInput, type ShortcomingQuery, type TrainingFormInput,
} from './training.schema';
import * as repo from './training.repository';

export interface Viewer {
  id: number;
  role: Role;
  operatorId?: number | null;
}

/** Who sees /training: managers, and specialists (who read the analysis and the plans). */
export const TRAINING_ROLES: readonly Role[] = ['supervisor', 'admin', 'specialist'];
export const TRAINING_MANAGER_ROLES: readonly Role[] = ['supervisor', 'admin'];

export function canManageTrainings(role: Role): boolean {
  return TRAINING_MANAGER_ROLES.includes(role);
}

/** Details, participants and materials: the administrator, or the supervisor who planned it. */
export function canEditTraining(viewer: Viewer, training: Pick<repo.Training, 'createdBy'>): boolean {
  return viewer.role === 'admin' || (viewer.role === 'supervisor' && training.createdBy === viewer.id);
}

/** Attendance, feedback and acknowledgement of an operator: the administrator, or their team's supervisor. */
export function canRecordFor(viewer: Viewer, participant: Pick<repo.TrainingParticipant, 'teamSupervisorId'>): boolean {
  return viewer.role === 'admin' || (viewer.role === 'supervisor' && participant.teamSupervisorId === viewer.id);
}

/** The operators a viewer's lists cover: supervisors their teams' operators, the others all. */
export async function operatorScope(deps: Pick<AppDeps, 'db'>, viewer: Viewer): Promise<repo.OperatorScope> {
  if (viewer.role === 'supervisor') return { kind: 'teams', teamIds: await repo.supervisedTeamIds(deps.db, viewer.id) };
  return { kind: 'all' };
}

export const TRAINING_ERROR_KEYS = {
  notFound: 'training.notFound',
  notYetHeld: 'training.attendance.notYet',
  cancelled: 'training.cancelled',
  notAttended: 'training.feedback.notAttended',
  notHeld: 'training.feedback.notHeld',
  notParticipant: 'training.notParticipant',
  notRuleChange: 'training.acknowledge.notRuleChange',
  alreadyHeld: 'training.edit.alreadyHeld',
  materialType: 'training.materials.unsupportedType',
  materialMissing: 'training.materials.missing',
  noFiles: 'training.materials.noFiles',
} as const;

// ---------------------------------------------------------------------------------------------
// Frequent shortcomings

export const DEFAULT_SHORTCOMING_DAYS = 30;

export function shortcomingPeriod(q: Pick<ShortcomingQuery, 'from' | 'to'>, today: string, maxDays: number): { from: string; to: string; problems: FieldError[] } {
  const to = q.to && isIsoDate(q.to) ? q.to : today;
  const from = q.from && isIsoDate(q.from) ? q.from : addDays(to, -(DEFAULT_SHORTCOMING_DAYS - 1));
  const problems: FieldError[] = [];
  if (q.from && !isIsoDate(q.from)) problems.push({ field: 'from', key: 'training.shortcomings.dateInvalid' });
  if (q.to && !isIsoDate(q.to)) problems.push({ field: 'to', key: 'training.shortcomings.dateInvalid' });
  if (from > to) problems.push({ field: 'from', key: 'training.shortcomings.fromAfterTo' });
  else if (daysBetween(from, to) + 1 > maxDays) problems.push({ field: 'from', key: 'training.shortcomings.tooLong', params: { max: maxDays } });
  return { from, to, problems };
}

export interface ShortcomingRow {
  code: string;
  text: LocalizedText | null;
  category: string | null;
  errors: number;
  operators: number;
  /** errors per submitted evaluation in the period and scope, 0..; null with no evaluations */
  perEvaluation: number | null;
  topOperators: { operatorId: number; name: string; errors: number }[];
}

/**
 * The most frequent shortcomings: failed criteria in the error records (voided ones left out) of
 * the period, for a team or an operator, within what the viewer may see.
 */
export async function frequentShortcomings(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, viewer: Viewer, q: ShortcomingQuery) {
  const scope = await operatorScope(deps, viewer);
  const today = tashkentToday(deps.clock);
  const period = shortcomingPeriod(q, today, deps.config.maxReportDays);
  const [teams, operators, texts] = await Promise.all([repo.teamsInScope(deps.db, scope), repo.activeOperators(deps.db, scope), repo.criterionTexts(deps.db)]);
  const base = { period: { from: period.from, to: period.to }, problems: period.problems, teams, operators, filters: q };
  if (period.problems.length) return { ...base, rows: [] as ShortcomingRow[], evaluations: 0, totalErrors: 0 };
  const filter = { from: period.from, to: period.to, teamId: q.team, operatorId: q.operator };
  const [byCriterion, byOperator, evaluations] = await Promise.all([
    repo.shortcomingsByCriterion(deps.db, scope, filter),
    repo.operatorsWithShortcomings(deps.db, scope, filter),
    repo.countEvaluations(deps.db, scope, filter),
  ]);
  const rows: ShortcomingRow[] = byCriterion.map((r) => ({
    ...r,
    text: texts.get(r.code) ?? null,
    perEvaluation: evaluations ? r.errors / evaluations : null,
    topOperators: byOperator
      .filter((o) => o.byCriterion[r.code])
      .map((o) => ({ operatorId: o.operatorId, name: o.name, errors: o.byCriterion[r.code] ?? 0 }))
      .sort((a, b) => b.errors - a.errors || a.name.localeCompare(b.name))
      .slice(0, 5),
  }));
  return { ...base, rows, evaluations, totalErrors: rows.reduce((s, r) => s + r.errors, 0) };
}

// ---------------------------------------------------------------------------------------------
// The list

export async function trainingList(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, viewer: Viewer) {
  const scope = await operatorScope(deps, viewer);
  const all = await repo.listTrainings(deps.db, scope, { createdBy: viewer.id });
  const today = tashkentToday(deps.clock);
  const shortcomings = await frequentShortcomings(deps, viewer, {});
  return {
    today,
    upcoming: all.filter((t) => t.kind === 'training' && t.status === 'planned' && t.trainingDate >= today).sort((a, b) => a.trainingDate.localeCompare(b.trainingDate)),
    past: all.filter((t) => t.kind === 'training' && !(t.status === 'planned' && t.trainingDate >= today)),
    ruleChanges: all.filter((t) => t.kind === 'rule_change'),
    topShortcomings: shortcomings.rows.slice(0, 6),
    summary: {
      held: all.filter((t) => t.kind === 'training' && t.status === 'held').length,
      trained: all.filter((t) => t.kind === 'training' && t.status === 'held').reduce((s, t) => s + t.attended, 0),
      feedback: all.reduce((s, t) => s + t.feedback, 0),
      awaitingAck: all.filter((t) => t.kind === 'rule_change' && t.status !== 'cancelled').reduce((s, t) => s + (t.participants - t.acknowledged), 0),
    },
    shortcomingPeriod: shortcomings.period,
    canManage: canManageTrainings(viewer.role),
  };
}

// ---------------------------------------------------------------------------------------------
// Planning a training

export interface OperatorChoice extends repo.OperatorOption {
  /** errors on the chosen criteria in the analysis period (0 when none) */
  errors: number;
  suggested: boolean;
}

/**
 * The form's operators: every active operator in the viewer's scope, those with errors on the
 * chosen criteria in the period first (suggested, and ticked when the form is new).
 */
export async function operatorChoices(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, viewer: Viewer, criteria: readonly string[], period: { from: string; to: string }): Promise<OperatorChoice[]> {
  const scope = await operatorScope(deps, viewer);
  const [operators, withErrors] = await Promise.all([
    repo.activeOperators(deps.db, scope),
    criteria.length ? repo.operatorsWithShortcomings(deps.db, scope, { ...period, criteria }) : Promise.resolve([]),
  ]);
  const errors = new Map(withErrors.map((o) => [o.operatorId, o.errors]));
  return operators
    .map((o) => ({ ...o, errors: errors.get(o.id) ?? 0, suggested: errors.has(o.id) }))
    .sort((a, b) => b.errors - a.errors || a.fullName.localeCompare(b.fullName));
}

export async function criterionOptions(deps: Pick<AppDeps, 'db'>): Promise<{ code: string; text: LocalizedText }[]> {
  const texts = await repo.criterionTexts(deps.db);
  // In rubric order (the newest version's), as specialists know the criteria.
  return [...texts].map(([code, text]) => ({ code, text }));
}

async function checkTrainingForm(deps: Pick<AppDeps, 'db'>, viewer: Viewer, input: TrainingFormInput) {
  const parsed = trainingFormSchema.safeParse(input);
  const fields: FieldError[] = parsed.success ? [] : fieldErrorsFromZod(parsed.error.issues);
  if (!parsed.success) throw new ValidationError(fields);
  const form = parsed.data;
  const known = await repo.criterionTexts(deps.db);
  if (form.criteria.some((c) => !known.has(c))) fields.push({ field: 'criteria', key: 'training.form.criterionUnknown' });
  const allowed = new Set((await repo.activeOperators(deps.db, await operatorScope(deps, viewer))).map((o) => o.id));
  if (form.participantIds.some((id) => !allowed.has(id))) fields.push({ field: 'participantIds', key: 'training.form.participantInvalid' });
  if (fields.length) throw new ValidationError(fields);
  return form;
}

/** Creates a training plan (audited). Supervisors may only take in operators of their teams. */
export async function createTraining(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, input: TrainingFormInput, ip?: string): Promise<number> {
  if (!canManageTrainings(viewer.role)) throw new ForbiddenError();
  const form = await checkTrainingForm(deps, viewer, input);
  const now = nowIso(deps.clock);
  const suggested = new Set(form.suggestedIds);
  return deps.db.transaction(async (trx) => {
    const id = await repo.insertTraining(trx, {
      kind: 'training', topic: form.topic, description: form.description || null, trainingDate: form.trainingDate, trainer: form.trainer || null, location: form.location || null, createdBy: viewer.id, now,
    });
    await repo.replaceCriteria(trx, id, form.criteria);
    await repo.insertParticipants(trx, id, form.participantIds.map((operatorId) => ({ operatorId, suggested: suggested.has(operatorId) })), now);
    await audit(trx, { userId: viewer.id, action: 'training.create', entityType: 'training', entityId: id, ip, details: { topic: form.topic, date: form.trainingDate, criteria: form.criteria, participants: form.participantIds.length } }, deps.clock);
    return id;
  });
}

/**
 * Changes a planned training: details, criteria and — within the editor's scope — participants.
 * Participants outside the editor's scope (an administrator's plan seen by a supervisor) stay.
 */
export async function updateTraining(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, input: TrainingFormInput, ip?: string): Promise<void> {
  const training = await repo.findTraining(deps.db, id);
  if (!training) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (training.kind !== 'training' || !canEditTraining(viewer, training)) throw new ForbiddenError();
  if (training.status !== 'planned') throw new ConflictError(TRAINING_ERROR_KEYS.alreadyHeld);
  const form = await checkTrainingForm(deps, viewer, input);
  const scope = await operatorScope(deps, viewer);
  const current = await repo.listParticipants(deps.db, id, scope);
  const wanted = new Set(form.participantIds);
  const have = new Set(current.map((p) => p.operatorId));
  const suggested = new Set(form.suggestedIds);
  const now = nowIso(deps.clock);
  await deps.db.transaction(async (trx) => {
    await repo.updateTraining(trx, id, { topic: form.topic, description: form.description || null, trainingDate: form.trainingDate, trainer: form.trainer || null, location: form.location || null }, now);
    await repo.replaceCriteria(trx, id, form.criteria);
    await repo.removeParticipants(trx, id, current.filter((p) => !wanted.has(p.operatorId)).map((p) => p.operatorId));
    await repo.insertParticipants(trx, id, form.participantIds.filter((o) => !have.has(o)).map((operatorId) => ({ operatorId, suggested: suggested.has(operatorId) })), now);
    await audit(trx, { userId: viewer.id, action: 'training.update', entityType: 'training', entityId: id, ip, details: { topic: form.topic, date: form.trainingDate, criteria: form.criteria, participants: form.participantIds.length } }, deps.clock);
  });
}

export async function cancelTraining(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, ip?: string): Promise<void> {
  const training = await repo.findTraining(deps.db, id);
  if (!training) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (!canEditTraining(viewer, training)) throw new ForbiddenError();
  if (training.status !== 'planned') throw new ConflictError(TRAINING_ERROR_KEYS.alreadyHeld);
  await deps.db.transaction(async (trx) => {
    await repo.setTrainingStatus(trx, id, 'cancelled', nowIso(deps.clock));
    await audit(trx, { userId: viewer.id, action: 'training.cancel', entityType: 'training', entityId: id, ip }, deps.clock);
  });
}

// ---------------------------------------------------------------------------------------------
// Rule changes (D2.02.4): every active operator takes part and acknowledges

export async function createRuleChange(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, input: RuleChangeFormInput, ip?: string): Promise<number> {
  if (!canManageTrainings(viewer.role)) throw new ForbiddenError();
  const parsed = ruleChangeFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const form = parsed.data;
  const known = await repo.criterionTexts(deps.db);
  if (form.criteria.some((c) => !known.has(c))) throw new ValidationError([{ field: 'criteria', key: 'training.form.criterionUnknown' }]);
  const everyone = await repo.activeOperators(deps.db, { kind: 'all' });
  const now = nowIso(deps.clock);
  return deps.db.transaction(async (trx) => {
    const id = await repo.insertTraining(trx, { kind: 'rule_change', topic: form.topic, description: form.description, trainingDate: form.trainingDate, trainer: null, location: null, createdBy: viewer.id, now });
    await repo.replaceCriteria(trx, id, form.criteria);
    await repo.insertParticipants(trx, id, everyone.map((o) => ({ operatorId: o.id, suggested: false })), now);
    await audit(trx, { userId: viewer.id, action: 'training.ruleChange', entityType: 'training', entityId: id, ip, details: { topic: form.topic, date: form.trainingDate, operators: everyone.length } }, deps.clock);
    return id;
  });
}

// ---------------------------------------------------------------------------------------------
// One training's page

async function visibleTraining(deps: Pick<AppDeps, 'db'>, viewer: Viewer, id: number) {
  const training = await repo.findTraining(deps.db, id);
  if (!training) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (!TRAINING_ROLES.includes(viewer.role)) throw new ForbiddenError();
  const scope = await operatorScope(deps, viewer);
  const participants = await repo.listParticipants(deps.db, id, scope);
  // A supervisor reaches a plan they made, a rule change, or one with operators of their teams.
  if (viewer.role === 'supervisor' && training.kind !== 'rule_change' && training.createdBy !== viewer.id && !participants.length) throw new ForbiddenError();
  return { training, participants, scope };
}

/**
 * Whose scores the effect is measured on: the participants who attended, once attendance has
 * been recorded for anyone; before that, everyone planned.
 */
export function effectParticipants(participants: readonly Pick<repo.TrainingParticipant, 'operatorId' | 'attended'>[]): { operatorIds: number[]; basis: 'attended' | 'planned' } {
  const recorded = participants.some((p) => p.attended !== null);
  if (recorded) return { operatorIds: participants.filter((p) => p.attended === true).map((p) => p.operatorId), basis: 'attended' };
  return { operatorIds: participants.map((p) => p.operatorId), basis: 'planned' };
}

export async function trainingEffect(deps: Pick<AppDeps, 'db'>, training: Pick<repo.Training, 'trainingDate' | 'criteria'>, operatorIds: readonly number[], windowDays: number): Promise<TrainingEffect> {
  const from = addDays(training.trainingDate, -windowDays);
  const to = addDays(training.trainingDate, windowDays);
  const evaluations = await repo.evaluationsOf(deps.db, operatorIds, from, to);
  const answers = await repo.answersOf(deps.db, evaluations.map((e) => e.id), training.criteria);
  return computeTrainingEffect({ trainingDate: training.trainingDate, windowDays, criteriaCodes: training.criteria, evaluations, answers });
}

export async function trainingPage(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, windowDays: unknown) {
  const { training, participants } = await visibleTraining(deps, viewer, id);
  const [total, materials, texts] = await Promise.all([repo.countParticipants(deps.db, id), repo.listMaterials(deps.db, id), repo.criterionTexts(deps.db)]);
  const window = windowDays === undefined ? DEFAULT_EFFECT_WINDOW_DAYS : clampWindow(windowDays);
  const basis = effectParticipants(participants);
  const effect = training.kind === 'training' || training.criteria.length ? await trainingEffect(deps, training, basis.operatorIds, window) : null;
  const today = tashkentToday(deps.clock);
  const names = new Map(participants.map((p) => [p.operatorId, p.operatorName]));
  return {
    training,
    participants: participants.map((p) => ({ ...p, canRecord: canRecordFor(viewer, p) })),
    hiddenParticipants: total - participants.length,
    materials,
    criteria: training.criteria.map((code) => ({ code, text: texts.get(code) ?? null })),
    effect,
    effectBasis: basis.basis,
    effectOperatorNames: names,
    today,
    canEdit: canEditTraining(viewer, training) && training.status === 'planned',
    canAddMaterials: canEditTraining(viewer, training) && training.status !== 'cancelled',
    canRecord: participants.some((p) => canRecordFor(viewer, p)),
    attendanceOpen: training.kind === 'training' && training.status !== 'cancelled' && training.trainingDate <= today,
    stats: {
      participants: participants.length,
      attended: participants.filter((p) => p.attended === true).length,
      absent: participants.filter((p) => p.attended === false).length,
      acknowledged: participants.filter((p) => p.acknowledgedAt).length,
      feedback: participants.filter((p) => p.feedback).length,
      relevance: average(participants.map((p) => p.feedback?.relevance)),
      clarity: average(participants.map((p) => p.feedback?.clarity)),
    },
  };
}

function average(values: (number | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}

export async function editForm(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number) {
  const training = await repo.findTraining(deps.db, id);
  if (!training) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (training.kind !== 'training' || !canEditTraining(viewer, training)) throw new ForbiddenError();
  if (training.status !== 'planned') throw new ConflictError(TRAINING_ERROR_KEYS.alreadyHeld);
  const participants = await repo.listParticipants(deps.db, id, await operatorScope(deps, viewer));
  return { training, participants };
}

// ---------------------------------------------------------------------------------------------
// Attendance, feedback, acknowledgement (by the supervisor)

/**
 * Records who attended among the participants the viewer may record for: ticked ones attended,
 * the others did not. The training counts as held from then on. Not before its day.
 */
export async function recordAttendance(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, attendedIds: readonly number[], ip?: string): Promise<{ attended: number; absent: number }> {
  const { training, participants } = await visibleTraining(deps, viewer, id);
  if (training.kind !== 'training') throw new ConflictError(TRAINING_ERROR_KEYS.notFound);
  if (training.status === 'cancelled') throw new ConflictError(TRAINING_ERROR_KEYS.cancelled);
  if (training.trainingDate > tashkentToday(deps.clock)) throw new ConflictError(TRAINING_ERROR_KEYS.notYetHeld, { date: training.trainingDate });
  const mine = participants.filter((p) => canRecordFor(viewer, p));
  if (!mine.length) throw new ForbiddenError();
  const ticked = new Set(attendedIds);
  const now = nowIso(deps.clock);
  let attended = 0;
  await deps.db.transaction(async (trx) => {
    for (const p of mine) {
      const was = ticked.has(p.operatorId);
      if (was) attended++;
      await repo.setAttendance(trx, id, p.operatorId, was, now);
    }
    if (training.status === 'planned') await repo.setTrainingStatus(trx, id, 'held', now);
    await audit(trx, { userId: viewer.id, action: 'training.attendance', entityType: 'training', entityId: id, ip, details: { attended: mine.filter((p) => ticked.has(p.operatorId)).map((p) => p.operatorId), absent: mine.filter((p) => !ticked.has(p.operatorId)).map((p) => p.operatorId) } }, deps.clock);
  });
  return { attended, absent: mine.length - attended };
}

function checkFeedback(input: unknown) {
  const parsed = feedbackSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  return { relevance: parsed.data.relevance, clarity: parsed.data.clarity, improve: parsed.data.improve || null };
}

/** The supervisor enters the questionnaire for an operator without an account. */
export async function recordFeedback(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, operatorId: number, input: unknown, ip?: string): Promise<void> {
  const { training, participants } = await visibleTraining(deps, viewer, id);
  const p = participants.find((x) => x.operatorId === operatorId);
  if (!p) throw new NotFoundError(TRAINING_ERROR_KEYS.notParticipant);
  if (!canRecordFor(viewer, p)) throw new ForbiddenError();
  if (training.kind !== 'training' || training.status !== 'held') throw new ConflictError(TRAINING_ERROR_KEYS.notHeld);
  if (p.attended !== true) throw new ConflictError(TRAINING_ERROR_KEYS.notAttended);
  const feedback = checkFeedback(input);
  await deps.db.transaction(async (trx) => {
    await repo.saveFeedback(trx, id, operatorId, feedback, viewer.id, nowIso(deps.clock));
    await audit(trx, { userId: viewer.id, action: 'training.feedback', entityType: 'training', entityId: id, ip, details: { operatorId, relevance: feedback.relevance, clarity: feedback.clarity } }, deps.clock);
  });
}

/** A supervisor marks a rule change acknowledged for operators of their teams (told in person). */
export async function markAcknowledged(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, operatorIds: readonly number[], ip?: string): Promise<number> {
  const { training, participants } = await visibleTraining(deps, viewer, id);
  if (training.kind !== 'rule_change') throw new ConflictError(TRAINING_ERROR_KEYS.notRuleChange);
  const allowed = new Set(participants.filter((p) => canRecordFor(viewer, p)).map((p) => p.operatorId));
  if (operatorIds.some((o) => !allowed.has(o))) throw new ForbiddenError();
  const now = nowIso(deps.clock);
  return deps.db.transaction(async (trx) => {
    const n = await repo.acknowledge(trx, id, operatorIds, viewer.id, now);
    await audit(trx, { userId: viewer.id, action: 'training.acknowledge', entityType: 'training', entityId: id, ip, details: { operatorIds, marked: n } }, deps.clock);
    return n;
  });
}

// ---------------------------------------------------------------------------------------------
// The operator's own side (called from the portal)

export async function operatorTrainings(deps: Pick<AppDeps, 'db'>, operatorId: number) {
  return repo.trainingsOfOperator(deps.db, operatorId);
}

export async function acknowledgeOwn(deps: Pick<AppDeps, 'db' | 'clock'>, user: Viewer, id: number, ip?: string): Promise<boolean> {
  if (user.role !== 'operator' || !user.operatorId) throw new ForbiddenError();
  const training = await repo.findTraining(deps.db, id);
  const p = training ? await repo.findParticipant(deps.db, id, user.operatorId) : null;
  // Someone else's training is as good as absent to an operator.
  if (!training || !p || training.status === 'cancelled') throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (training.kind !== 'rule_change') throw new ConflictError(TRAINING_ERROR_KEYS.notRuleChange);
  if (p.acknowledgedAt) return false;
  await deps.db.transaction(async (trx) => {
    await repo.acknowledge(trx, id, [user.operatorId!], user.id, nowIso(deps.clock));
    await audit(trx, { userId: user.id, action: 'training.acknowledgeOwn', entityType: 'training', entityId: id, ip }, deps.clock);
  });
  return true;
}

export async function feedbackOwn(deps: Pick<AppDeps, 'db' | 'clock'>, user: Viewer, id: number, input: unknown, ip?: string): Promise<void> {
  if (user.role !== 'operator' || !user.operatorId) throw new ForbiddenError();
  const training = await repo.findTraining(deps.db, id);
  const p = training ? await repo.findParticipant(deps.db, id, user.operatorId) : null;
  if (!training || !p || training.status === 'cancelled') throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (training.kind !== 'training' || training.status !== 'held') throw new ConflictError(TRAINING_ERROR_KEYS.notHeld);
  if (p.attended !== true) throw new ConflictError(TRAINING_ERROR_KEYS.notAttended);
  const feedback = checkFeedback(input);
  await deps.db.transaction(async (trx) => {
    await repo.saveFeedback(trx, id, user.operatorId!, feedback, user.id, nowIso(deps.clock));
    await audit(trx, { userId: user.id, action: 'training.feedbackOwn', entityType: 'training', entityId: id, ip, details: { relevance: feedback.relevance, clarity: feedback.clarity } }, deps.clock);
  });
}

// ---------------------------------------------------------------------------------------------
// Materials: checked by content, stored content-addressed under RECORDINGS_DIR/training/<sha256>

export function materialsDir(config: Pick<Config, 'recordingsDir'>): string {
  return path.join(config.recordingsDir, 'training');
}

export function materialPath(config: Pick<Config, 'recordingsDir'>, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
  return path.join(materialsDir(config), sha256);
}

export interface UploadedFile {
  path: string;
  originalname: string;
  size: number;
}

/**
 * Adds uploaded files to a training. Every file is checked first — by its bytes — and if one is
 * not an accepted kind, nothing is stored and the error names it. Temporary files are the
 * caller's to remove.
 */
export async function addMaterials(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, viewer: Viewer, id: number, files: readonly UploadedFile[], ip?: string): Promise<number> {
  const training = await repo.findTraining(deps.db, id);
  if (!training) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (!canEditTraining(viewer, training)) throw new ForbiddenError();
  if (training.status === 'cancelled') throw new ConflictError(TRAINING_ERROR_KEYS.cancelled);
  if (!files.length) throw new ValidationError([{ field: 'material', key: TRAINING_ERROR_KEYS.noFiles }]);
  const checked: { buf: Buffer; sha256: string; mime: string; name: string }[] = [];
  for (const f of files) {
    const buf = await fs.promises.readFile(f.path);
    const kind = sniffMaterial(buf);
    const name = cleanOriginalName(f.originalname);
    if (!kind) throw new ValidationError([{ field: 'material', key: TRAINING_ERROR_KEYS.materialType, params: { name } }]);
    checked.push({ buf, sha256: crypto.createHash('sha256').update(buf).digest('hex'), mime: MATERIAL_MIME[kind], name });
  }
  fs.mkdirSync(materialsDir(deps.config), { recursive: true });
  for (const c of checked) {
    const target = materialPath(deps.config, c.sha256);
    if (!fs.existsSync(target)) {
      // Written under a temporary name and renamed, so a half-written file never has the final name.
      const tmp = `${target}.${crypto.randomBytes(6).toString('hex')}.part`;
      await fs.promises.writeFile(tmp, c.buf, { flag: 'wx' });
      await fs.promises.rename(tmp, target);
    }
  }
  const now = nowIso(deps.clock);
  await deps.db.transaction(async (trx) => {
    for (const c of checked) await repo.insertMaterial(trx, { trainingId: id, sha256: c.sha256, originalName: c.name, mimeType: c.mime, sizeBytes: c.buf.length, uploadedBy: viewer.id, now });
    await audit(trx, { userId: viewer.id, action: 'training.materials', entityType: 'training', entityId: id, ip, details: { files: checked.map((c) => ({ name: c.name, sha256: c.sha256, mime: c.mime })) } }, deps.clock);
  });
  return checked.length;
}

/** A material to download, if the viewer may see the training (operators: their own trainings). */
/** A material to download, when the viewer may have it; every download is audited (training.materialDownload). */
export async function materialForDownload(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, viewer: Viewer, id: number, materialId: number, ip?: string): Promise<{ path: string; name: string; mime: string; size: number }> {
  if (viewer.role === 'operator') {
    const p = viewer.operatorId ? await repo.findParticipant(deps.db, id, viewer.operatorId) : null;
    if (!p) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  } else {
    await visibleTraining(deps, viewer, id);
  }
  const m = await repo.findMaterial(deps.db, id, materialId);
  if (!m) throw new NotFoundError(TRAINING_ERROR_KEYS.materialMissing);
  const file = materialPath(deps.config, m.sha256);
  if (!fs.existsSync(file)) throw new AppError(404, TRAINING_ERROR_KEYS.materialMissing);
  await audit(deps.db, { userId: viewer.id, action: 'training.materialDownload', entityType: 'training', entityId: id, ip, details: { materialId } }, deps.clock);
  return { path: file, name: m.originalName, mime: m.mimeType, size: m.sizeBytes };
}

export async function removeMaterial(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, materialId: number, ip?: string): Promise<void> {
  const training = await repo.findTraining(deps.db, id);
  if (!training) throw new NotFoundError(TRAINING_ERROR_KEYS.notFound);
  if (!canEditTraining(viewer, training)) throw new ForbiddenError();
  await deps.db.transaction(async (trx) => {
    if (!(await repo.removeMaterial(trx, id, materialId, nowIso(deps.clock)))) throw new NotFoundError(TRAINING_ERROR_KEYS.materialMissing);
    await audit(trx, { userId: viewer.id, action: 'training.materialRemoved', entityType: 'training', entityId: id, ip, details: { materialId } }, deps.clock);
  });
}
