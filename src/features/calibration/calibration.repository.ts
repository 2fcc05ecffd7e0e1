// The only SQL of the calibration feature: sessions, their calls and participants, and the
// calibration evaluations (rows of `evaluations` with kind = 'calibration') they create and read.
import type { Knex } from 'knex';
import { insertReturningId, num, parseJson, toBool } from '../../db';
import type { RubricDefinition } from '../rubrics/rubric.model';

type Conn = Knex | Knex.Transaction;

export type SessionStatus = 'open' | 'closed';

export interface CalibrationSession {
  id: number;
  title: string;
  notes: string | null;
  createdBy: number;
  createdByName: string;
  deadline: string;
  expertUserId: number | null;
  expertName: string | null;
  status: SessionStatus;
  closedAt: string | null;
  closedBy: number | null;
  closedByName: string | null;
  createdAt: string;
}

const SESSION_COLUMNS = [
  's.id', 's.title', 's.notes', 's.created_by', 's.deadline', 's.expert_user_id', 's.status', 's.closed_at', 's.closed_by', 's.created_at',
  'cu.display_name as created_by_name', 'eu.display_name as expert_name', 'xu.display_name as closed_by_name',
];

function sessionQuery(db: Conn) {
  return db('calibration_sessions as s')
    .join('users as cu', 'cu.id', 's.created_by')
    .leftJoin('users as eu', 'eu.id', 's.expert_user_id')
    .leftJoin('users as xu', 'xu.id', 's.closed_by');
}

function mapSession(r: Record<string, unknown>): CalibrationSession {
  return {
    id: Number(r.id),
    title: String(r.title),
    notes: (r.notes as string | null) ?? null,
    createdBy: Number(r.created_by),
    createdByName: String(r.created_by_name ?? ''),
    deadline: String(r.deadline),
    expertUserId: r.expert_user_id == null ? null : Number(r.expert_user_id),
    expertName: (r.expert_name as string | null) ?? null,
    status: r.status === 'closed' ? 'closed' : 'open',
    closedAt: (r.closed_at as string | null) ?? null,
    closedBy: r.closed_by == null ? null : Number(r.closed_by),
    closedByName: (r.closed_by_name as string | null) ?? null,
    createdAt: String(r.created_at),
  };
}

export async function findSession(db: Conn, id: number): Promise<CalibrationSession | null> {
  const r = await sessionQuery(db).where('s.id', id).first(SESSION_COLUMNS);
  return r ? mapSession(r) : null;
}

export interface SessionListRow extends CalibrationSession {
  callCount: number;
  participantCount: number;
  evaluationCount: number;
  submittedCount: number;
}

/** Sessions newest first; with `participantUserId`, only those the user takes part in. */
export async function listSessions(db: Conn, filter: { participantUserId?: number; status?: SessionStatus } = {}): Promise<SessionListRow[]> {
  const q = sessionQuery(db).select(SESSION_COLUMNS).orderByRaw("case when s.status = 'open' then 0 else 1 end").orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(200);
  if (filter.participantUserId !== undefined) {
    q.whereIn('s.id', db('calibration_participants').where('user_id', filter.participantUserId).select('session_id'));
  }
  if (filter.status) q.where('s.status', filter.status);
  const sessions = (await q).map(mapSession);
  if (!sessions.length) return [];
  const ids = sessions.map((s) => s.id);
  const [calls, people, evals] = await Promise.all([
    db('calibration_calls').whereIn('session_id', ids).groupBy('session_id').select('session_id').count({ n: '*' }),
    db('calibration_participants').whereIn('session_id', ids).groupBy('session_id').select('session_id').count({ n: '*' }),
    db('evaluations').where('kind', 'calibration').whereIn('calibration_session_id', ids).groupBy('calibration_session_id', 'status')
      .select('calibration_session_id', 'status').count({ n: '*' }),
  ]);
  const countBy = (rows: Record<string, unknown>[], key: string) => new Map(rows.map((r) => [Number(r[key]), num(r.n)]));
  const callCounts = countBy(calls, 'session_id');
  const peopleCounts = countBy(people, 'session_id');
  const total = new Map<number, number>();
  const submitted = new Map<number, number>();
  for (const r of evals as Record<string, unknown>[]) {
    const id = Number(r.calibration_session_id);
    total.set(id, (total.get(id) ?? 0) + num(r.n));
    if (r.status === 'submitted') submitted.set(id, (submitted.get(id) ?? 0) + num(r.n));
  }
  return sessions.map((s) => ({
    ...s,
    callCount: callCounts.get(s.id) ?? 0,
    participantCount: peopleCounts.get(s.id) ?? 0,
    evaluationCount: total.get(s.id) ?? 0,
    submittedCount: submitted.get(s.id) ?? 0,
  }));
}

export interface NewSession {
  title: string;
  notes: string | null;
  createdBy: number;
  deadline: string;
  expertUserId: number | null;
  now: string;
}

export async function insertSession(trx: Conn, s: NewSession): Promise<number> {
  return insertReturningId(trx, 'calibration_sessions', {
    title: s.title,
    notes: s.notes,
    created_by: s.createdBy,
    deadline: s.deadline,
    expert_user_id: s.expertUserId,
    status: 'open',
    created_at: s.now,
    updated_at: s.now,
  });
}

export async function insertSessionCalls(trx: Conn, sessionId: number, callIds: readonly number[]): Promise<void> {
  if (!callIds.length) return;
  await trx('calibration_calls').insert(callIds.map((callId, position) => ({ session_id: sessionId, call_id: callId, position })));
}

export async function insertParticipants(trx: Conn, sessionId: number, people: readonly { userId: number; isExpert: boolean }[]): Promise<void> {
  if (!people.length) return;
  await trx('calibration_participants').insert(people.map((p) => ({ session_id: sessionId, user_id: p.userId, is_expert: p.isExpert })));
}

/** Closes an open session; false when it was already closed (nothing changed). */
export async function markClosed(trx: Conn, id: number, by: number | null, now: string): Promise<boolean> {
  const n = await trx('calibration_sessions').where({ id, status: 'open' }).update({ status: 'closed', closed_at: now, closed_by: by, updated_at: now });
  return Number(n) === 1;
}

/** Open sessions whose deadline day is before `today`. */
export async function overdueOpenSessionIds(db: Conn, today: string): Promise<number[]> {
  return (await db('calibration_sessions').where('status', 'open').andWhere('deadline', '<', today).select('id')).map((r) => Number(r.id));
}

// ---------------------------------------------------------------------------------------------
// Calls and participants

export interface SessionCall {
  callId: number;
  position: number;
  externalId: string;
  startedAt: string;
  durationSec: number | null;
  category: string | null;
  language: string | null;
  operatorName: string | null;
  operatorCode: string | null;
  hasRecording: boolean;
}

export async function listSessionCalls(db: Conn, sessionId: number): Promise<SessionCall[]> {
  const rows = await db('calibration_calls as cc')
    .join('calls as c', 'c.id', 'cc.call_id')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .where('cc.session_id', sessionId)
    .select('cc.call_id', 'cc.position', 'c.external_id', 'c.started_at', 'c.duration_sec', 'c.category', 'c.language', 'c.recording_id', 'o.full_name', 'o.employee_code')
    .orderBy('cc.position')
    .orderBy('cc.id');
  return rows.map((r: Record<string, unknown>) => ({
    callId: Number(r.call_id),
    position: Number(r.position),
    externalId: String(r.external_id),
    startedAt: String(r.started_at),
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    category: (r.category as string | null) ?? null,
    language: (r.language as string | null) ?? null,
    operatorName: (r.full_name as string | null) ?? null,
    operatorCode: (r.employee_code as string | null) ?? null,
    hasRecording: r.recording_id != null,
  }));
}

export interface Participant {
  userId: number;
  displayName: string;
  username: string;
  isExpert: boolean;
}

export async function listParticipants(db: Conn, sessionId: number): Promise<Participant[]> {
  const rows = await db('calibration_participants as p').join('users as u', 'u.id', 'p.user_id')
    .where('p.session_id', sessionId)
    .select('p.user_id', 'p.is_expert', 'u.display_name', 'u.username')
    .orderBy('u.display_name');
  const people = rows.map((r: Record<string, unknown>) => ({ userId: Number(r.user_id), displayName: String(r.display_name), username: String(r.username), isExpert: toBool(r.is_expert) }));
  // The expert first: their column is the reference the others are read against.
  return [...people.filter((p) => p.isExpert), ...people.filter((p) => !p.isExpert)];
}

export async function isParticipant(db: Conn, sessionId: number, userId: number): Promise<boolean> {
  return Boolean(await db('calibration_participants').where({ session_id: sessionId, user_id: userId }).first('id'));
}

// ---------------------------------------------------------------------------------------------
// Calibration evaluations

export interface NewCalibrationEvaluation {
  sessionId: number;
  callId: number;
  operatorId: number | null;
  rubricVersionId: number;
  specialistUserId: number;
  now: string;
}

/** A draft calibration evaluation: the participant fills it on the ordinary evaluation page. */
export async function insertCalibrationEvaluation(trx: Conn, e: NewCalibrationEvaluation): Promise<number> {
  return insertReturningId(trx, 'evaluations', {
    call_id: e.callId,
    operator_id: e.operatorId,
    rubric_version_id: e.rubricVersionId,
    specialist_user_id: e.specialistUserId,
    kind: 'calibration',
    purpose: 'calibration',
    calibration_session_id: e.sessionId,
    status: 'draft',
    revision: 0,
    critical_failure: false,
    is_complex_case: false,
    started_at: e.now,
    created_at: e.now,
    updated_at: e.now,
  });
}

export interface SessionEvaluation {
  id: number;
  callId: number;
  specialistUserId: number;
  rubricVersionId: number;
  status: string;
  score: number | null;
  result: string | null;
  submittedAt: string | null;
  updatedAt: string;
}

export async function listSessionEvaluations(db: Conn, sessionId: number): Promise<SessionEvaluation[]> {
  const rows = await db('evaluations')
    .where({ kind: 'calibration', calibration_session_id: sessionId })
    .select('id', 'call_id', 'specialist_user_id', 'rubric_version_id', 'status', 'score', 'result', 'submitted_at', 'updated_at')
    .orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    callId: Number(r.call_id),
    specialistUserId: Number(r.specialist_user_id),
    rubricVersionId: Number(r.rubric_version_id),
    status: String(r.status),
    score: r.score == null ? null : Number(r.score),
    result: (r.result as string | null) ?? null,
    submittedAt: (r.submitted_at as string | null) ?? null,
    updatedAt: String(r.updated_at),
  }));
}

export interface StoredAnswer {
  evaluationId: number;
  criterionCode: string;
  value: number | null;
  na: boolean;
  comment: string | null;
  failed: boolean;
}

export async function listAnswersOf(db: Conn, evaluationIds: readonly number[]): Promise<StoredAnswer[]> {
  if (!evaluationIds.length) return [];
  const rows = await db('evaluation_answers')
    .whereIn('evaluation_id', evaluationIds as number[])
    .select('evaluation_id', 'criterion_code', 'value', 'is_na', 'comment', 'failed');
  return rows.map((r: Record<string, unknown>) => ({
    evaluationId: Number(r.evaluation_id),
    criterionCode: String(r.criterion_code),
    value: r.value == null ? null : Number(r.value),
    na: toBool(r.is_na),
    comment: (r.comment as string | null) ?? null,
    failed: toBool(r.failed),
  }));
}

export async function rubricDefinitions(db: Conn, versionIds: readonly number[]): Promise<Map<number, RubricDefinition>> {
  if (!versionIds.length) return new Map();
  const rows = await db('rubric_versions').whereIn('id', [...new Set(versionIds)]).select('id', 'definition');
  return new Map(rows.map((r: Record<string, unknown>) => [Number(r.id), parseJson<RubricDefinition>(r.definition, { sections: [] })]));
}

// ---------------------------------------------------------------------------------------------
// Choosing calls and people for a new session

export interface CandidateCall {
  id: number;
  externalId: string;
  startedAt: string;
  durationSec: number | null;
  category: string | null;
  language: string | null;
  operatorName: string | null;
  evaluatedAt: string | null;
}

/** Recent calls that have a recording, newest first (what a calibration session can be about). */
export async function candidateCalls(db: Conn, f: { fromDate: string; category?: string; q?: string; limit: number }): Promise<CandidateCall[]> {
  const q = db('calls as c').leftJoin('operators as o', 'o.id', 'c.operator_id')
    .whereNull('c.deleted_at')
    .whereNotNull('c.recording_id')
    .andWhere('c.call_date', '>=', f.fromDate)
    .select('c.id', 'c.external_id', 'c.started_at', 'c.duration_sec', 'c.category', 'c.language', 'c.evaluated_at', 'o.full_name')
    .orderBy('c.started_at', 'desc')
    .limit(f.limit);
  if (f.category) q.where('c.category', f.category);
  if (f.q) q.whereRaw('lower(c.external_id) like ?', [`%${f.q.toLowerCase()}%`]);
  return (await q).map(mapCandidate);
}

function mapCandidate(r: Record<string, unknown>): CandidateCall {
  return {
    id: Number(r.id),
    externalId: String(r.external_id),
    startedAt: String(r.started_at),
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    category: (r.category as string | null) ?? null,
    language: (r.language as string | null) ?? null,
    operatorName: (r.full_name as string | null) ?? null,
    evaluatedAt: (r.evaluated_at as string | null) ?? null,
  };
}

export interface CallForSession {
  id: number;
  operatorId: number | null;
  category: string | null;
  hasRecording: boolean;
  deleted: boolean;
}

export async function callsByIds(db: Conn, ids: readonly number[]): Promise<CallForSession[]> {
  if (!ids.length) return [];
  const rows = await db('calls').whereIn('id', ids as number[]).select('id', 'operator_id', 'category', 'recording_id', 'deleted_at');
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    category: (r.category as string | null) ?? null,
    hasRecording: r.recording_id != null,
    deleted: r.deleted_at != null,
  }));
}

export async function candidateCallsByIds(db: Conn, ids: readonly number[]): Promise<CandidateCall[]> {
  if (!ids.length) return [];
  const rows = await db('calls as c').leftJoin('operators as o', 'o.id', 'c.operator_id').whereIn('c.id', ids as number[])
    .select('c.id', 'c.external_id', 'c.started_at', 'c.duration_sec', 'c.category', 'c.language', 'c.evaluated_at', 'o.full_name');
  return rows.map(mapCandidate);
}

export interface PersonOption {
  id: number;
  displayName: string;
  username: string;
}

/** Active specialists: who can score on the evaluation page, so who can take part. */
export async function activeSpecialists(db: Conn): Promise<PersonOption[]> {
  const rows = await db('users').where({ role: 'specialist', is_active: true }).select('id', 'display_name', 'username').orderBy('display_name');
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), displayName: String(r.display_name), username: String(r.username) }));
}
