// The only SQL of the training feature: trainings and rule changes, their criteria, participants
// (attendance, feedback, acknowledgement) and materials; and the reads of errors and evaluations
// the shortcomings analysis and the effect need.
import type { Knex } from 'knex';
import { insertReturningId, num, parseJson, toBool } from '../../db';
import type { LocalizedText, RubricDefinition } from '../rubrics/rubric.model';

type Conn = Knex | Knex.Transaction;

export type TrainingKind = 'training' | 'rule_change';
export type TrainingStatus = 'planned' | 'held' | 'cancelled';

/** Which operators a list covers: all of them, or those of some teams (a supervisor's). */
export type OperatorScope = { kind: 'all' } | { kind: 'teams'; teamIds: number[] };

function applyOperatorScope(q: Knex.QueryBuilder, scope: OperatorScope, column = 'o.team_id'): void {
  if (scope.kind === 'teams') {
    if (!scope.teamIds.length) q.whereRaw('1 = 0');
    else q.whereIn(column, scope.teamIds);
  }
}

export async function supervisedTeamIds(db: Conn, userId: number): Promise<number[]> {
  return (await db('teams').where({ supervisor_user_id: userId }).select('id')).map((r) => Number(r.id));
}

// ---------------------------------------------------------------------------------------------
// Trainings

export interface Training {
  id: number;
  kind: TrainingKind;
  topic: string;
  description: string | null;
  trainingDate: string;
  trainer: string | null;
  location: string | null;
  status: TrainingStatus;
  heldAt: string | null;
  createdBy: number;
  createdByName: string;
  createdAt: string;
  criteria: string[];
}

const TRAINING_COLUMNS = ['t.id', 't.kind', 't.topic', 't.description', 't.training_date', 't.trainer', 't.location', 't.status', 't.held_at', 't.created_by', 't.created_at', 'u.display_name as created_by_name'];

function mapTraining(r: Record<string, unknown>, criteria: string[] = []): Training {
  return {
    id: Number(r.id),
    kind: r.kind === 'rule_change' ? 'rule_change' : 'training',
    topic: String(r.topic),
    description: (r.description as string | null) ?? null,
    trainingDate: String(r.training_date),
    trainer: (r.trainer as string | null) ?? null,
    location: (r.location as string | null) ?? null,
    status: (['planned', 'held', 'cancelled'].includes(String(r.status)) ? r.status : 'planned') as TrainingStatus,
    heldAt: (r.held_at as string | null) ?? null,
    createdBy: Number(r.created_by),
    createdByName: String(r.created_by_name ?? ''),
    createdAt: String(r.created_at),
    criteria,
  };
}

async function criteriaOf(db: Conn, ids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!ids.length) return out;
  const rows = await db('training_criteria').whereIn('training_id', ids).select('training_id', 'criterion_code').orderBy('id');
  for (const r of rows) {
    const id = Number(r.training_id);
    out.set(id, [...(out.get(id) ?? []), String(r.criterion_code)]);
  }
  return out;
}

export async function findTraining(db: Conn, id: number): Promise<Training | null> {
  const r = await db('trainings as t').join('users as u', 'u.id', 't.created_by').where('t.id', id).first(TRAINING_COLUMNS);
  if (!r) return null;
  return mapTraining(r, (await criteriaOf(db, [id])).get(id) ?? []);
}

export interface TrainingListRow extends Training {
  participants: number;
  attended: number;
  acknowledged: number;
  feedback: number;
}

/**
 * Trainings newest day first. A supervisor (scope 'teams', with `createdBy`) sees those they
 * created, those with participants in their teams, and every rule change; counts cover the
 * participants in the scope.
 */
export async function listTrainings(db: Conn, scope: OperatorScope, opts: { createdBy?: number; kind?: TrainingKind } = {}): Promise<TrainingListRow[]> {
  const q = db('trainings as t').join('users as u', 'u.id', 't.created_by').select(TRAINING_COLUMNS).orderBy('t.training_date', 'desc').orderBy('t.id', 'desc').limit(300);
  if (opts.kind) q.where('t.kind', opts.kind);
  if (scope.kind === 'teams') {
    q.where((w) => {
      w.where('t.kind', 'rule_change');
      if (opts.createdBy !== undefined) w.orWhere('t.created_by', opts.createdBy);
      if (scope.teamIds.length) {
        w.orWhereIn('t.id', db('training_participants as tp').join('operators as o', 'o.id', 'tp.operator_id').whereIn('o.team_id', scope.teamIds).select('tp.training_id'));
      }
    });
  }
  const rows = await q;
  const ids = rows.map((r: Record<string, unknown>) => Number(r.id));
  const criteria = await criteriaOf(db, ids);
  const counts = new Map<number, { participants: number; attended: number; acknowledged: number; feedback: number }>();
  if (ids.length) {
    const cq = db('training_participants as tp').join('operators as o', 'o.id', 'tp.operator_id').whereIn('tp.training_id', ids).groupBy('tp.training_id')
      .select('tp.training_id')
      .count({ participants: '*' })
      .select(db.raw('sum(case when tp.attended then 1 else 0 end) as attended'))
      .select(db.raw('sum(case when tp.acknowledged_at is not null then 1 else 0 end) as acknowledged'))
      .select(db.raw('sum(case when tp.feedback_at is not null then 1 else 0 end) as feedback'));
    applyOperatorScope(cq, scope);
    for (const r of (await cq) as Record<string, unknown>[]) {
      counts.set(Number(r.training_id), { participants: num(r.participants), attended: num(r.attended), acknowledged: num(r.acknowledged), feedback: num(r.feedback) });
    }
  }
  return rows.map((r: Record<string, unknown>) => {
    const id = Number(r.id);
    return { ...mapTraining(r, criteria.get(id) ?? []), ...(counts.get(id) ?? { participants: 0, attended: 0, acknowledged: 0, feedback: 0 }) };
  });
}

export interface TrainingRow {
  kind: TrainingKind;
  topic: string;
  description: string | null;
  trainingDate: string;
  trainer: string | null;
  location: string | null;
}

export async function insertTraining(trx: Conn, t: TrainingRow & { createdBy: number; now: string }): Promise<number> {
  return insertReturningId(trx, 'trainings', {
    kind: t.kind,
    topic: t.topic,
    description: t.description,
    training_date: t.trainingDate,
    trainer: t.trainer,
    location: t.location,
    status: 'planned',
    created_by: t.createdBy,
    created_at: t.now,
    updated_at: t.now,
  });
}

export async function updateTraining(trx: Conn, id: number, t: Omit<TrainingRow, 'kind'>, now: string): Promise<void> {
  await trx('trainings').where({ id }).update({ topic: t.topic, description: t.description, training_date: t.trainingDate, trainer: t.trainer, location: t.location, updated_at: now });
}

export async function setTrainingStatus(trx: Conn, id: number, status: TrainingStatus, now: string): Promise<void> {
  const patch: Record<string, unknown> = { status, updated_at: now };
  if (status === 'held') patch.held_at = now;
  await trx('trainings').where({ id }).update(patch);
}

export async function replaceCriteria(trx: Conn, trainingId: number, codes: readonly string[]): Promise<void> {
  await trx('training_criteria').where({ training_id: trainingId }).delete();
  if (codes.length) await trx('training_criteria').insert(codes.map((code) => ({ training_id: trainingId, criterion_code: code })));
}

// ---------------------------------------------------------------------------------------------
// Participants

export interface TrainingParticipant {
  id: number;
  operatorId: number;
  operatorName: string;
  operatorCode: string;
  teamId: number | null;
  teamName: string | null;
  teamSupervisorId: number | null;
  suggested: boolean;
  attended: boolean | null;
  acknowledgedAt: string | null;
  acknowledgedByName: string | null;
  acknowledgedBySelf: boolean;
  feedback: null | { relevance: number; clarity: number; improve: string | null; at: string; byName: string | null; bySelf: boolean };
}

export async function listParticipants(db: Conn, trainingId: number, scope: OperatorScope = { kind: 'all' }): Promise<TrainingParticipant[]> {
  const q = db('training_participants as tp')
    .join('operators as o', 'o.id', 'tp.operator_id')
    .leftJoin('teams as tm', 'tm.id', 'o.team_id')
    .leftJoin('users as au', 'au.id', 'tp.acknowledged_by')
    .leftJoin('users as fu', 'fu.id', 'tp.feedback_by')
    .where('tp.training_id', trainingId)
    .select('tp.id', 'tp.operator_id', 'o.full_name', 'o.employee_code', 'o.team_id', 'tm.name as team_name', 'tm.supervisor_user_id', 'tp.suggested', 'tp.attended',
      'tp.acknowledged_at', 'au.display_name as ack_name', 'au.operator_id as ack_operator_id', 'tp.feedback_relevance', 'tp.feedback_clarity', 'tp.feedback_improve', 'tp.feedback_at',
      'fu.display_name as feedback_name', 'fu.operator_id as feedback_operator_id')
    .orderBy('o.full_name');
  applyOperatorScope(q, scope);
  return (await q).map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    operatorId: Number(r.operator_id),
    operatorName: String(r.full_name),
    operatorCode: String(r.employee_code),
    teamId: r.team_id == null ? null : Number(r.team_id),
    teamName: (r.team_name as string | null) ?? null,
    teamSupervisorId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    suggested: toBool(r.suggested),
    attended: r.attended == null ? null : toBool(r.attended),
    acknowledgedAt: (r.acknowledged_at as string | null) ?? null,
    acknowledgedByName: (r.ack_name as string | null) ?? null,
    acknowledgedBySelf: r.ack_operator_id != null && Number(r.ack_operator_id) === Number(r.operator_id),
    feedback: r.feedback_at == null ? null : {
      relevance: Number(r.feedback_relevance),
      clarity: Number(r.feedback_clarity),
      improve: (r.feedback_improve as string | null) ?? null,
      at: String(r.feedback_at),
      byName: (r.feedback_name as string | null) ?? null,
      bySelf: r.feedback_operator_id != null && Number(r.feedback_operator_id) === Number(r.operator_id),
    },
  }));
}

export async function countParticipants(db: Conn, trainingId: number): Promise<number> {
  return num((await db('training_participants').where({ training_id: trainingId }).count({ n: '*' }).first())?.n);
}

export async function insertParticipants(trx: Conn, trainingId: number, people: readonly { operatorId: number; suggested: boolean }[], now: string): Promise<void> {
  // In chunks: a rule change takes in every active operator (hundreds nationally).
  for (let i = 0; i < people.length; i += 200) {
    await trx('training_participants').insert(people.slice(i, i + 200).map((p) => ({ training_id: trainingId, operator_id: p.operatorId, suggested: p.suggested, created_at: now, updated_at: now })));
  }
}

export async function removeParticipants(trx: Conn, trainingId: number, operatorIds: readonly number[]): Promise<void> {
  if (operatorIds.length) await trx('training_participants').where({ training_id: trainingId }).whereIn('operator_id', operatorIds as number[]).delete();
}

export async function setAttendance(trx: Conn, trainingId: number, operatorId: number, attended: boolean, now: string): Promise<void> {
  await trx('training_participants').where({ training_id: trainingId, operator_id: operatorId }).update({ attended, updated_at: now });
}

/** Marks acknowledged those not yet acknowledged; returns how many changed. */
export async function acknowledge(trx: Conn, trainingId: number, operatorIds: readonly number[], by: number, now: string): Promise<number> {
  if (!operatorIds.length) return 0;
  const n = await trx('training_participants').where({ training_id: trainingId }).whereIn('operator_id', operatorIds as number[]).whereNull('acknowledged_at')
    .update({ acknowledged_at: now, acknowledged_by: by, updated_at: now });
  return Number(n);
}

export async function saveFeedback(trx: Conn, trainingId: number, operatorId: number, f: { relevance: number; clarity: number; improve: string | null }, by: number, now: string): Promise<void> {
  await trx('training_participants').where({ training_id: trainingId, operator_id: operatorId })
    .update({ feedback_relevance: f.relevance, feedback_clarity: f.clarity, feedback_improve: f.improve, feedback_at: now, feedback_by: by, updated_at: now });
}

// ---------------------------------------------------------------------------------------------
// Materials

export interface Material {
  id: number;
  trainingId: number;
  sha256: string;
  originalName: string;
  mimeType: string;
  sizeBytes: number;
  uploadedByName: string | null;
  createdAt: string;
}

export async function listMaterials(db: Conn, trainingId: number): Promise<Material[]> {
  const rows = await db('training_materials as m').leftJoin('users as u', 'u.id', 'm.uploaded_by').where('m.training_id', trainingId).whereNull('m.removed_at')
    .select('m.id', 'm.training_id', 'm.sha256', 'm.original_name', 'm.mime_type', 'm.size_bytes', 'm.created_at', 'u.display_name').orderBy('m.id');
  return rows.map(mapMaterial);
}

function mapMaterial(r: Record<string, unknown>): Material {
  return {
    id: Number(r.id),
    trainingId: Number(r.training_id),
    sha256: String(r.sha256),
    originalName: String(r.original_name),
    mimeType: String(r.mime_type),
    sizeBytes: Number(r.size_bytes),
    uploadedByName: (r.display_name as string | null) ?? null,
    createdAt: String(r.created_at),
  };
}

export async function findMaterial(db: Conn, trainingId: number, id: number): Promise<Material | null> {
  const r = await db('training_materials as m').leftJoin('users as u', 'u.id', 'm.uploaded_by').where({ 'm.id': id, 'm.training_id': trainingId }).whereNull('m.removed_at')
    .first('m.id', 'm.training_id', 'm.sha256', 'm.original_name', 'm.mime_type', 'm.size_bytes', 'm.created_at', 'u.display_name');
  return r ? mapMaterial(r) : null;
}

export async function insertMaterial(trx: Conn, m: { trainingId: number; sha256: string; originalName: string; mimeType: string; sizeBytes: number; uploadedBy: number; now: string }): Promise<number> {
  return insertReturningId(trx, 'training_materials', {
    training_id: m.trainingId, sha256: m.sha256, original_name: m.originalName, mime_type: m.mimeType, size_bytes: m.sizeBytes, uploaded_by: m.uploadedBy, created_at: m.now,
  });
}

/** Materials are marked removed, not deleted (the file may serve another training). */
export async function removeMaterial(trx: Conn, trainingId: number, id: number, now: string): Promise<boolean> {
  return Number(await trx('training_materials').where({ id, training_id: trainingId }).whereNull('removed_at').update({ removed_at: now })) === 1;
}

// ---------------------------------------------------------------------------------------------
// Operators

export interface OperatorOption {
  id: number;
  fullName: string;
  employeeCode: string;
  teamId: number | null;
  teamName: string | null;
}

export async function activeOperators(db: Conn, scope: OperatorScope): Promise<OperatorOption[]> {
  const q = db('operators as o').leftJoin('teams as tm', 'tm.id', 'o.team_id').where('o.is_active', true)
    .select('o.id', 'o.full_name', 'o.employee_code', 'o.team_id', 'tm.name as team_name').orderBy('o.full_name');
  applyOperatorScope(q, scope);
  return (await q).map((r: Record<string, unknown>) => ({ id: Number(r.id), fullName: String(r.full_name), employeeCode: String(r.employee_code), teamId: r.team_id == null ? null : Number(r.team_id), teamName: (r.team_name as string | null) ?? null }));
}

export async function teamsInScope(db: Conn, scope: OperatorScope): Promise<{ id: number; name: string }[]> {
  const q = db('teams as o').select('o.id', 'o.name').orderBy('o.name');
  if (scope.kind === 'teams') {
    if (!scope.teamIds.length) return [];
    q.whereIn('o.id', scope.teamIds);
  }
  return (await q).map((r: Record<string, unknown>) => ({ id: Number(r.id), name: String(r.name) }));
}

// ---------------------------------------------------------------------------------------------
// Frequent shortcomings: failed criteria in the errors table (not voided)

export interface ShortcomingFilter {
  from: string;
  to: string;
  teamId?: number;
  operatorId?: number;
  criteria?: readonly string[];
}

function shortcomingQuery(db: Conn, scope: OperatorScope, f: ShortcomingFilter) {
  const q = db('errors as e').join('operators as o', 'o.id', 'e.operator_id')
    .whereNull('e.voided_at')
    .where('e.source', 'criterion')
    .whereNotNull('e.criterion_code')
    .whereBetween('e.error_date', [f.from, f.to]);
  applyOperatorScope(q, scope);
  if (f.teamId) q.where('o.team_id', f.teamId);
  if (f.operatorId) q.where('o.id', f.operatorId);
  if (f.criteria?.length) q.whereIn('e.criterion_code', f.criteria as string[]);
  return q;
}

export async function shortcomingsByCriterion(db: Conn, scope: OperatorScope, f: ShortcomingFilter): Promise<{ code: string; errors: number; operators: number; category: string | null }[]> {
  const rows = await shortcomingQuery(db, scope, f).groupBy('e.criterion_code').select('e.criterion_code')
    .count({ errors: '*' }).countDistinct({ operators: 'e.operator_id' }).max({ category: 'e.category' })
    .orderBy('errors', 'desc').orderBy('e.criterion_code');
  return rows.map((r: Record<string, unknown>) => ({ code: String(r.criterion_code), errors: num(r.errors), operators: num(r.operators), category: (r.category as string | null) ?? null }));
}

/** Operators with errors on the criteria in the period, most errors first. */
export interface OperatorShortcomings {
  operatorId: number;
  name: string;
  code: string;
  teamName: string | null;
  /** errors on all the criteria asked about */
  errors: number;
  criteria: string[];
  /** errors per criterion code */
  byCriterion: Record<string, number>;
}

export async function operatorsWithShortcomings(db: Conn, scope: OperatorScope, f: ShortcomingFilter): Promise<OperatorShortcomings[]> {
  const rows = await shortcomingQuery(db, scope, f).leftJoin('teams as tm', 'tm.id', 'o.team_id')
    .groupBy('o.id', 'o.full_name', 'o.employee_code', 'tm.name', 'e.criterion_code')
    .select('o.id', 'o.full_name', 'o.employee_code', 'tm.name as team_name', 'e.criterion_code').count({ errors: '*' });
  const byOperator = new Map<number, OperatorShortcomings>();
  for (const r of rows as Record<string, unknown>[]) {
    const id = Number(r.id);
    const o = byOperator.get(id) ?? { operatorId: id, name: String(r.full_name), code: String(r.employee_code), teamName: (r.team_name as string | null) ?? null, errors: 0, criteria: [], byCriterion: {} };
    o.errors += num(r.errors);
    o.criteria.push(String(r.criterion_code));
    o.byCriterion[String(r.criterion_code)] = num(r.errors);
    byOperator.set(id, o);
  }
  return [...byOperator.values()].sort((a, b) => b.errors - a.errors || a.name.localeCompare(b.name));
}

/** Submitted regular evaluations in the period (the denominator of "fails in x % of evaluations"). */
export async function countEvaluations(db: Conn, scope: OperatorScope, f: Omit<ShortcomingFilter, 'criteria'>): Promise<number> {
  const q = db('evaluations as v').join('operators as o', 'o.id', 'v.operator_id')
    .where({ 'v.status': 'submitted', 'v.kind': 'regular' }).whereBetween('v.evaluation_date', [f.from, f.to]);
  applyOperatorScope(q, scope);
  if (f.teamId) q.where('o.team_id', f.teamId);
  if (f.operatorId) q.where('o.id', f.operatorId);
  return num((await q.count({ n: '*' }).first())?.n);
}

/**
 * Criterion texts by code from the rubric versions, newest version first (a code keeps its
 * latest wording), and the set of codes any rubric knows.
 */
export async function criterionTexts(db: Conn): Promise<Map<string, LocalizedText>> {
  const rows = await db('rubric_versions').whereIn('status', ['published', 'retired']).select('definition').orderBy('id', 'desc');
  const out = new Map<string, LocalizedText>();
  for (const r of rows) {
    const def = parseJson<RubricDefinition>(r.definition, { sections: [] });
    for (const s of def.sections ?? []) for (const c of s.criteria ?? []) if (!out.has(c.code)) out.set(c.code, c.text);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The effect: participants' submitted evaluations of the random sample around the training day
// (hand-picked or targeted calls before or after would bias the comparison)

export async function evaluationsOf(db: Conn, operatorIds: readonly number[], from: string, to: string): Promise<{ id: number; operatorId: number; evaluationDate: string; score: number | null }[]> {
  if (!operatorIds.length) return [];
  const rows = await db('evaluations').where({ status: 'submitted', kind: 'regular', purpose: 'random' }).whereIn('operator_id', operatorIds as number[]).whereBetween('evaluation_date', [from, to])
    .select('id', 'operator_id', 'evaluation_date', 'score');
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), operatorId: Number(r.operator_id), evaluationDate: String(r.evaluation_date), score: r.score == null ? null : Number(r.score) }));
}

export async function answersOf(db: Conn, evaluationIds: readonly number[], codes: readonly string[]): Promise<{ evaluationId: number; criterionCode: string; failed: boolean; na: boolean }[]> {
  if (!evaluationIds.length || !codes.length) return [];
  const out: { evaluationId: number; criterionCode: string; failed: boolean; na: boolean }[] = [];
  // In chunks: a long window over many participants can name thousands of evaluations.
  for (let i = 0; i < evaluationIds.length; i += 500) {
    const rows = await db('evaluation_answers').whereIn('evaluation_id', evaluationIds.slice(i, i + 500) as number[]).whereIn('criterion_code', codes as string[])
      .select('evaluation_id', 'criterion_code', 'failed', 'is_na');
    for (const r of rows) out.push({ evaluationId: Number(r.evaluation_id), criterionCode: String(r.criterion_code), failed: toBool(r.failed), na: toBool(r.is_na) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The operator's own trainings (the portal)

export interface OwnTraining extends Training {
  attended: boolean | null;
  acknowledgedAt: string | null;
  feedbackAt: string | null;
  feedback: null | { relevance: number; clarity: number; improve: string | null };
}

export async function trainingsOfOperator(db: Conn, operatorId: number): Promise<OwnTraining[]> {
  const rows = await db('training_participants as tp').join('trainings as t', 't.id', 'tp.training_id').join('users as u', 'u.id', 't.created_by')
    .where('tp.operator_id', operatorId).whereNot('t.status', 'cancelled')
    .select([...TRAINING_COLUMNS, 'tp.attended', 'tp.acknowledged_at', 'tp.feedback_at', 'tp.feedback_relevance', 'tp.feedback_clarity', 'tp.feedback_improve'])
    .orderBy('t.training_date', 'desc').orderBy('t.id', 'desc');
  const criteria = await criteriaOf(db, rows.map((r: Record<string, unknown>) => Number(r.id)));
  return rows.map((r: Record<string, unknown>) => ({
    ...mapTraining(r, criteria.get(Number(r.id)) ?? []),
    attended: r.attended == null ? null : toBool(r.attended),
    acknowledgedAt: (r.acknowledged_at as string | null) ?? null,
    feedbackAt: (r.feedback_at as string | null) ?? null,
    feedback: r.feedback_at == null ? null : { relevance: Number(r.feedback_relevance), clarity: Number(r.feedback_clarity), improve: (r.feedback_improve as string | null) ?? null },
  }));
}

export async function findParticipant(db: Conn, trainingId: number, operatorId: number): Promise<{ attended: boolean | null; acknowledgedAt: string | null } | null> {
  const r = await db('training_participants').where({ training_id: trainingId, operator_id: operatorId }).first('attended', 'acknowledged_at');
  return r ? { attended: r.attended == null ? null : toBool(r.attended), acknowledgedAt: r.acknowledged_at ?? null } : null;
}
