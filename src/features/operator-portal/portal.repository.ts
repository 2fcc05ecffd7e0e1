// The only SQL of the operators' portal: an operator's own evaluations (read, acknowledged),
// disputes of a criterion, and the re-scoring an accepted dispute writes.
import type { Knex } from 'knex';
import { insertReturningId, num, parseJson, toBool } from '../../db';
import type { RubricDefinition } from '../rubrics/rubric.model';
import type { DisputeStatus } from './disputes';

type Conn = Knex | Knex.Transaction;

export interface OwnEvaluationRow {
  id: number;
  callId: number;
  callExternalId: string;
  callStartedAt: string;
  callDurationSec: number | null;
  callCategory: string | null;
  score: number | null;
  result: string | null;
  criticalFailure: boolean;
  evaluationDate: string | null;
  submittedAt: string | null;
  acknowledgedAt: string | null;
  failedCount: number;
  openDisputes: number;
}

/** The operator's handed-in regular evaluations, newest first (calibration practice is not theirs). */
export async function listOwnEvaluations(db: Conn, operatorId: number, limit = 200): Promise<OwnEvaluationRow[]> {
  const rows = await db('evaluations as v').join('calls as c', 'c.id', 'v.call_id')
    .where({ 'v.operator_id': operatorId, 'v.status': 'submitted', 'v.kind': 'regular' })
    .select('v.id', 'v.call_id', 'c.external_id', 'c.started_at', 'c.duration_sec', 'c.category', 'v.score', 'v.result', 'v.critical_failure', 'v.evaluation_date', 'v.submitted_at', 'v.acknowledged_at')
    .select(db('evaluation_answers as a').whereRaw('a.evaluation_id = v.id').andWhere('a.failed', true).count('*').as('failed_count'))
    .select(db('evaluation_disputes as d').whereRaw('d.evaluation_id = v.id').andWhere('d.status', 'open').count('*').as('open_disputes'))
    .orderBy('v.submitted_at', 'desc').orderBy('v.id', 'desc').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    callId: Number(r.call_id),
    callExternalId: String(r.external_id),
    callStartedAt: String(r.started_at),
    callDurationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    callCategory: (r.category as string | null) ?? null,
    score: r.score == null ? null : Number(r.score),
    result: (r.result as string | null) ?? null,
    criticalFailure: toBool(r.critical_failure),
    evaluationDate: (r.evaluation_date as string | null) ?? null,
    submittedAt: (r.submitted_at as string | null) ?? null,
    acknowledgedAt: (r.acknowledged_at as string | null) ?? null,
    failedCount: num(r.failed_count),
    openDisputes: num(r.open_disputes),
  }));
}

export interface EvaluationDetail {
  id: number;
  operatorId: number | null;
  kind: string;
  status: string;
  rubricVersionId: number;
  score: number | null;
  pointsEarned: number | null;
  pointsPossible: number | null;
  result: string | null;
  criticalFailure: boolean;
  summaryComment: string | null;
  submittedAt: string | null;
  evaluationDate: string | null;
  acknowledgedAt: string | null;
  specialistName: string;
  call: { id: number; externalId: string; startedAt: string; durationSec: number | null; category: string | null; language: string | null; hasRecording: boolean; hasVideo: boolean };
  teamSupervisorId: number | null;
  operatorName: string | null;
}

export async function findEvaluation(db: Conn, id: number): Promise<EvaluationDetail | null> {
  const r = await db('evaluations as v').join('calls as c', 'c.id', 'v.call_id').join('users as su', 'su.id', 'v.specialist_user_id')
    .leftJoin('operators as o', 'o.id', 'v.operator_id').leftJoin('teams as tm', 'tm.id', 'o.team_id')
    .leftJoin('recordings as rec', 'rec.id', 'c.recording_id')
    .where('v.id', id)
    .first('v.id', 'v.operator_id', 'v.kind', 'v.status', 'v.rubric_version_id', 'v.score', 'v.points_earned', 'v.points_possible', 'v.result', 'v.critical_failure',
      'v.summary_comment', 'v.submitted_at', 'v.evaluation_date', 'v.acknowledged_at', 'su.display_name as specialist_name',
      'c.id as call_id', 'c.external_id', 'c.started_at', 'c.duration_sec', 'c.category', 'c.language', 'c.recording_id', 'tm.supervisor_user_id', 'o.full_name', 'rec.has_video');
  if (!r) return null;
  const n = (v: unknown) => (v == null ? null : Number(v));
  return {
    id: Number(r.id),
    operatorId: n(r.operator_id),
    kind: String(r.kind),
    status: String(r.status),
    rubricVersionId: Number(r.rubric_version_id),
    score: n(r.score),
    pointsEarned: n(r.points_earned),
    pointsPossible: n(r.points_possible),
    result: r.result ?? null,
    criticalFailure: toBool(r.critical_failure),
    summaryComment: r.summary_comment ?? null,
    submittedAt: r.submitted_at ?? null,
    evaluationDate: r.evaluation_date ?? null,
    acknowledgedAt: r.acknowledged_at ?? null,
    specialistName: String(r.specialist_name),
    call: { id: Number(r.call_id), externalId: String(r.external_id), startedAt: String(r.started_at), durationSec: n(r.duration_sec), category: r.category ?? null, language: r.language ?? null, hasRecording: r.recording_id != null, hasVideo: toBool(r.has_video) },
    teamSupervisorId: n(r.supervisor_user_id),
    operatorName: r.full_name ?? null,
  };
}

export async function rubricDefinition(db: Conn, versionId: number): Promise<RubricDefinition | null> {
  const r = await db('rubric_versions').where({ id: versionId }).first('definition');
  return r ? parseJson<RubricDefinition>(r.definition, { sections: [] }) : null;
}

export interface AnswerRow {
  criterionCode: string;
  value: number | null;
  na: boolean;
  comment: string | null;
  pointsEarned: number | null;
  pointsPossible: number | null;
  failed: boolean;
}

export async function listAnswers(db: Conn, evaluationId: number): Promise<AnswerRow[]> {
  const rows = await db('evaluation_answers').where({ evaluation_id: evaluationId }).select('criterion_code', 'value', 'is_na', 'comment', 'points_earned', 'points_possible', 'failed').orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({
    criterionCode: String(r.criterion_code),
    value: r.value == null ? null : Number(r.value),
    na: toBool(r.is_na),
    comment: (r.comment as string | null) ?? null,
    pointsEarned: r.points_earned == null ? null : Number(r.points_earned),
    pointsPossible: r.points_possible == null ? null : Number(r.points_possible),
    failed: toBool(r.failed),
  }));
}

export interface MarkRow {
  startSec: number;
  endSec: number;
  note: string | null;
  criterionCode: string | null;
  severity: string | null;
  isError: boolean;
}

export async function listMarks(db: Conn, evaluationId: number): Promise<MarkRow[]> {
  const rows = await db('evaluation_marks').where({ evaluation_id: evaluationId }).whereNull('deleted_at')
    .select('start_sec', 'end_sec', 'note', 'criterion_code', 'severity', 'is_error').orderBy('start_sec');
  return rows.map((r: Record<string, unknown>) => ({
    startSec: Number(r.start_sec), endSec: Number(r.end_sec), note: (r.note as string | null) ?? null, criterionCode: (r.criterion_code as string | null) ?? null, severity: (r.severity as string | null) ?? null, isError: toBool(r.is_error),
  }));
}

/** Acknowledges once; false when it already was. */
export async function setAcknowledged(db: Conn, id: number, now: string): Promise<boolean> {
  return Number(await db('evaluations').where({ id }).whereNull('acknowledged_at').update({ acknowledged_at: now })) === 1;
}

// ---------------------------------------------------------------------------------------------
// Disputes

export interface Dispute {
  id: number;
  evaluationId: number;
  operatorId: number;
  operatorName: string;
  operatorCode: string;
  teamName: string | null;
  teamSupervisorId: number | null;
  criterionCode: string;
  comment: string;
  status: DisputeStatus;
  raisedByName: string;
  raisedAt: string;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  scoreBefore: number | null;
  scoreAfter: number | null;
  evaluationScore: number | null;
  evaluationResult: string | null;
  rubricVersionId: number;
  callExternalId: string;
  callId: number;
  specialistName: string;
}

function disputeQuery(db: Conn) {
  return db('evaluation_disputes as d')
    .join('evaluations as v', 'v.id', 'd.evaluation_id')
    .join('calls as c', 'c.id', 'v.call_id')
    .join('users as su', 'su.id', 'v.specialist_user_id')
    .join('operators as o', 'o.id', 'd.operator_id')
    .leftJoin('teams as tm', 'tm.id', 'o.team_id')
    .join('users as ru', 'ru.id', 'd.raised_by')
    .leftJoin('users as du', 'du.id', 'd.decided_by')
    .select('d.id', 'd.evaluation_id', 'd.operator_id', 'o.full_name', 'o.employee_code', 'tm.name as team_name', 'tm.supervisor_user_id', 'd.criterion_code', 'd.comment', 'd.status',
      'ru.display_name as raised_by_name', 'd.raised_at', 'du.display_name as decided_by_name', 'd.decided_at', 'd.decision_note', 'd.score_before', 'd.score_after',
      'v.score', 'v.result', 'v.rubric_version_id', 'c.external_id', 'c.id as call_id', 'su.display_name as specialist_name');
}

function mapDispute(r: Record<string, unknown>): Dispute {
  const n = (v: unknown) => (v == null ? null : Number(v));
  return {
    id: Number(r.id),
    evaluationId: Number(r.evaluation_id),
    operatorId: Number(r.operator_id),
    operatorName: String(r.full_name),
    operatorCode: String(r.employee_code),
    teamName: (r.team_name as string | null) ?? null,
    teamSupervisorId: n(r.supervisor_user_id),
    criterionCode: String(r.criterion_code),
    comment: String(r.comment),
    status: r.status as DisputeStatus,
    raisedByName: String(r.raised_by_name),
    raisedAt: String(r.raised_at),
    decidedByName: (r.decided_by_name as string | null) ?? null,
    decidedAt: (r.decided_at as string | null) ?? null,
    decisionNote: (r.decision_note as string | null) ?? null,
    scoreBefore: n(r.score_before),
    scoreAfter: n(r.score_after),
    evaluationScore: n(r.score),
    evaluationResult: (r.result as string | null) ?? null,
    rubricVersionId: Number(r.rubric_version_id),
    callExternalId: String(r.external_id),
    callId: Number(r.call_id),
    specialistName: String(r.specialist_name),
  };
}

export async function findDispute(db: Conn, id: number): Promise<Dispute | null> {
  const r = await disputeQuery(db).where('d.id', id).first();
  return r ? mapDispute(r) : null;
}

export async function disputesOfEvaluation(db: Conn, evaluationId: number): Promise<Dispute[]> {
  return (await disputeQuery(db).where('d.evaluation_id', evaluationId).orderBy('d.id')).map(mapDispute);
}

/** Disputes for review: all (admin) or of operators in the supervisor's teams; open first. */
export async function listDisputes(db: Conn, scope: { supervisorUserId?: number }, status?: DisputeStatus): Promise<Dispute[]> {
  const q = disputeQuery(db).orderByRaw("case when d.status = 'open' then 0 else 1 end").orderBy('d.raised_at', 'desc').limit(300);
  if (scope.supervisorUserId !== undefined) q.where('tm.supervisor_user_id', scope.supervisorUserId);
  if (status) q.where('d.status', status);
  return (await q).map(mapDispute);
}

export async function countOpenDisputes(db: Conn, scope: { supervisorUserId?: number }): Promise<number> {
  const q = db('evaluation_disputes as d').join('operators as o', 'o.id', 'd.operator_id').leftJoin('teams as tm', 'tm.id', 'o.team_id').where('d.status', 'open');
  if (scope.supervisorUserId !== undefined) q.where('tm.supervisor_user_id', scope.supervisorUserId);
  return num((await q.count({ n: '*' }).first())?.n);
}

export async function insertDispute(trx: Conn, d: { evaluationId: number; operatorId: number; criterionCode: string; comment: string; raisedBy: number; now: string }): Promise<number> {
  return insertReturningId(trx, 'evaluation_disputes', {
    evaluation_id: d.evaluationId, operator_id: d.operatorId, criterion_code: d.criterionCode, comment: d.comment, status: 'open', raised_by: d.raisedBy, raised_at: d.now, created_at: d.now, updated_at: d.now,
  });
}

/** Decides an open dispute; false when it was decided meanwhile (nothing changed). */
export async function decideDispute(trx: Conn, id: number, d: { status: 'accepted' | 'rejected'; by: number; note: string | null; scoreBefore: number | null; scoreAfter: number | null; now: string }): Promise<boolean> {
  const n = await trx('evaluation_disputes').where({ id, status: 'open' })
    .update({ status: d.status, decided_by: d.by, decided_at: d.now, decision_note: d.note, score_before: d.scoreBefore, score_after: d.scoreAfter, updated_at: d.now });
  return Number(n) === 1;
}

// ---------------------------------------------------------------------------------------------
// Re-scoring after an accepted dispute

export async function updateAnswer(trx: Conn, evaluationId: number, code: string, a: { value: number; pointsEarned: number | null; pointsPossible: number | null }): Promise<number> {
  return Number(await trx('evaluation_answers').where({ evaluation_id: evaluationId, criterion_code: code })
    .update({ value: a.value, is_na: false, failed: false, points_earned: a.pointsEarned, points_possible: a.pointsPossible }));
}

/** Writes the new score of a submitted evaluation; false when it is no longer submitted. */
export async function updateScore(trx: Conn, id: number, s: { score: number | null; pointsEarned: number | null; pointsPossible: number | null; result: string | null; criticalFailure: boolean; now: string }): Promise<boolean> {
  const n = await trx('evaluations').where({ id, status: 'submitted' })
    .update({ score: s.score, points_earned: s.pointsEarned, points_possible: s.pointsPossible, result: s.result, critical_failure: s.criticalFailure, revision: trx.raw('revision + 1'), updated_at: s.now });
  return Number(n) === 1;
}
