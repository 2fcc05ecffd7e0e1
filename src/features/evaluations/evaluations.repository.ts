// The only SQL of the evaluations feature: evaluations, their answers and marks, and the few
// columns of calls and assignments an evaluation moves along (evaluated_at, assignment status).
import type { Knex } from 'knex';
import { insertReturningId, num, parseJson, toBool } from '../../db';
import type { Severity } from '../rubrics/rubric.model';
import type { EvaluationResult } from './scoring';
import type { Purpose } from './purpose';

type Conn = Knex | Knex.Transaction;

// ---------------------------------------------------------------------------------------------
// Evaluations

export interface Evaluation {
  id: number;
  callId: number;
  operatorId: number | null;
  rubricVersionId: number;
  specialistUserId: number;
  kind: string;
  /** random | targeted | on_request | calibration (see purpose.ts) */
  purpose: Purpose;
  status: string;
  revision: number;
  score: number | null;
  pointsEarned: number | null;
  pointsPossible: number | null;
  result: EvaluationResult | null;
  criticalFailure: boolean;
  heardShare: number | null;
  heardSeconds: number | null;
  playedIntervals: Array<[number, number]>;
  isComplexCase: boolean;
  complexReason: string | null;
  summaryComment: string | null;
  startedAt: string;
  submittedAt: string | null;
  evaluationDate: string | null;
  /** seconds from the call's end to the submission */
  reviewLagSec: number | null;
  reopenedAt: string | null;
  reopenedBy: number | null;
  reopenReason: string | null;
  createdAt: string;
  updatedAt: string;
  // joined
  specialistName: string;
  operatorName: string | null;
  operatorCode: string | null;
  operatorTeamId: number | null;
  teamName: string | null;
  reopenedByName: string | null;
}

const EVALUATION_COLUMNS = [
  'e.id', 'e.call_id', 'e.operator_id', 'e.rubric_version_id', 'e.specialist_user_id', 'e.kind', 'e.purpose', 'e.status', 'e.revision',
  'e.score', 'e.points_earned', 'e.points_possible', 'e.result', 'e.critical_failure', 'e.heard_share', 'e.heard_seconds',
  'e.played_intervals', 'e.is_complex_case', 'e.complex_reason', 'e.summary_comment', 'e.started_at', 'e.submitted_at',
  'e.evaluation_date', 'e.review_lag_sec', 'e.reopened_at', 'e.reopened_by', 'e.reopen_reason', 'e.created_at', 'e.updated_at',
  'su.display_name as specialist_name', 'o.full_name as operator_name', 'o.employee_code as operator_code', 'o.team_id as operator_team_id',
  'tm.name as team_name', 'ru.display_name as reopened_by_name',
];

function nullableNumber(v: unknown): number | null {
  return v == null ? null : Number(v);
}

function mapEvaluation(r: Record<string, unknown>): Evaluation {
  return {
    id: Number(r.id),
    callId: Number(r.call_id),
    operatorId: nullableNumber(r.operator_id),
    rubricVersionId: Number(r.rubric_version_id),
    specialistUserId: Number(r.specialist_user_id),
    kind: String(r.kind),
    purpose: String(r.purpose ?? 'random') as Purpose,
    status: String(r.status),
    revision: Number(r.revision),
    score: nullableNumber(r.score),
    pointsEarned: nullableNumber(r.points_earned),
    pointsPossible: nullableNumber(r.points_possible),
    result: (r.result as EvaluationResult | null) ?? null,
    criticalFailure: toBool(r.critical_failure),
    heardShare: nullableNumber(r.heard_share),
    heardSeconds: nullableNumber(r.heard_seconds),
    playedIntervals: parseJson<Array<[number, number]>>(r.played_intervals, []),
    isComplexCase: toBool(r.is_complex_case),
    complexReason: (r.complex_reason as string | null) ?? null,
    summaryComment: (r.summary_comment as string | null) ?? null,
    startedAt: String(r.started_at),
    submittedAt: (r.submitted_at as string | null) ?? null,
    evaluationDate: (r.evaluation_date as string | null) ?? null,
    reviewLagSec: nullableNumber(r.review_lag_sec),
    reopenedAt: (r.reopened_at as string | null) ?? null,
    reopenedBy: nullableNumber(r.reopened_by),
    reopenReason: (r.reopen_reason as string | null) ?? null,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    specialistName: String(r.specialist_name ?? ''),
    operatorName: (r.operator_name as string | null) ?? null,
    operatorCode: (r.operator_code as string | null) ?? null,
    operatorTeamId: nullableNumber(r.operator_team_id),
    teamName: (r.team_name as string | null) ?? null,
    reopenedByName: (r.reopened_by_name as string | null) ?? null,
  };
}

function evaluationQuery(db: Conn) {
  return db('evaluations as e')
    .join('users as su', 'su.id', 'e.specialist_user_id')
    .leftJoin('operators as o', 'o.id', 'e.operator_id')
    .leftJoin('teams as tm', 'tm.id', 'o.team_id')
    .leftJoin('users as ru', 'ru.id', 'e.reopened_by');
}

export async function findEvaluation(db: Conn, id: number): Promise<Evaluation | null> {
  const r = await evaluationQuery(db).where('e.id', id).first(EVALUATION_COLUMNS);
  return r ? mapEvaluation(r) : null;
}

/** The specialist's latest regular evaluation of a call, whatever its status. */
export async function findLatestOwnEvaluation(db: Conn, callId: number, specialistUserId: number): Promise<Evaluation | null> {
  const r = await evaluationQuery(db)
    .where({ 'e.call_id': callId, 'e.specialist_user_id': specialistUserId, 'e.kind': 'regular' })
    .orderBy('e.id', 'desc')
    .first(EVALUATION_COLUMNS);
  return r ? mapEvaluation(r) : null;
}

export interface NewEvaluation {
  callId: number;
  operatorId: number | null;
  rubricVersionId: number;
  specialistUserId: number;
  /** why the call is heard: from the specialist's assignment, else on_request */
  purpose: Purpose;
  now: string;
  /** regular (judges the operator) unless a blind second review (judges the evaluator) */
  kind?: 'regular' | 'second_review';
}

export async function insertEvaluation(db: Conn, e: NewEvaluation): Promise<number> {
  return insertReturningId(db, 'evaluations', {
    call_id: e.callId,
    operator_id: e.operatorId,
    rubric_version_id: e.rubricVersionId,
    specialist_user_id: e.specialistUserId,
    kind: e.kind ?? 'regular',
    purpose: e.purpose,
    status: 'draft',
    revision: 0,
    critical_failure: false,
    is_complex_case: false,
    started_at: e.now,
    created_at: e.now,
    updated_at: e.now,
  });
}

/**
 * Takes the next revision of an open evaluation: updates it only when its revision is still the
 * one the caller read and it is still open. The UPDATE comes first in the transaction so it takes
 * the row lock: of two concurrent saves naming the same revision, exactly one succeeds.
 * Returns false (and changes nothing) when either condition fails.
 */
export async function claimRevision(trx: Knex.Transaction, id: number, expectedRevision: number, openStatuses: readonly string[], now: string): Promise<boolean> {
  const n = await trx('evaluations')
    .where({ id, revision: expectedRevision })
    .whereIn('status', openStatuses as string[])
    .update({ revision: expectedRevision + 1, updated_at: now });
  return Number(n) === 1;
}

export interface DraftFields {
  playedIntervals: Array<[number, number]>;
  heardSeconds: number;
  heardShare: number | null;
  isComplexCase: boolean;
  complexReason: string | null;
  summaryComment: string | null;
  /** The live score of what has been answered so far (shown in lists while a draft). */
  score: number | null;
  pointsEarned: number | null;
  pointsPossible: number | null;
  result: EvaluationResult | null;
  criticalFailure: boolean;
}

export async function updateDraftFields(trx: Conn, id: number, f: DraftFields): Promise<void> {
  await trx('evaluations').where({ id }).update({
    played_intervals: JSON.stringify(f.playedIntervals),
    heard_seconds: f.heardSeconds,
    heard_share: f.heardShare,
    is_complex_case: f.isComplexCase,
    complex_reason: f.complexReason,
    summary_comment: f.summaryComment,
    score: f.score,
    points_earned: f.pointsEarned,
    points_possible: f.pointsPossible,
    result: f.result,
    critical_failure: f.criticalFailure,
  });
}

export async function markSubmitted(trx: Conn, id: number, f: { submittedAt: string; evaluationDate: string; reviewLagSec: number | null; purpose: Purpose }): Promise<void> {
  await trx('evaluations').where({ id }).update({
    status: 'submitted', submitted_at: f.submittedAt, evaluation_date: f.evaluationDate, review_lag_sec: f.reviewLagSec, purpose: f.purpose, updated_at: f.submittedAt,
  });
}

/** Reopens a submitted evaluation; false when it was not (or no longer) submitted. */
export async function markReopened(trx: Conn, id: number, f: { by: number; reason: string; now: string }): Promise<boolean> {
  const n = await trx('evaluations')
    .where({ id, status: 'submitted' })
    .update({ status: 'reopened', reopened_at: f.now, reopened_by: f.by, reopen_reason: f.reason, revision: trx.raw('revision + 1'), updated_at: f.now });
  return Number(n) === 1;
}

/** Error records of an evaluation that still hold. */
export async function countLiveErrors(db: Conn, evaluationId: number): Promise<number> {
  const r = await db('errors').where({ evaluation_id: evaluationId }).whereNull('voided_at').count({ n: '*' }).first();
  return num(r?.n);
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface StoredAnswer {
  criterionCode: string;
  value: number | null;
  na: boolean;
  comment: string;
  pointsEarned: number | null;
  pointsPossible: number | null;
  failed: boolean;
}

export async function listAnswers(db: Conn, evaluationId: number): Promise<StoredAnswer[]> {
  const rows = await db('evaluation_answers')
    .where({ evaluation_id: evaluationId })
    .select('criterion_code', 'value', 'is_na', 'comment', 'points_earned', 'points_possible', 'failed')
    .orderBy('id');
  return rows.map((r) => ({
    criterionCode: String(r.criterion_code),
    value: nullableNumber(r.value),
    na: toBool(r.is_na),
    comment: (r.comment as string | null) ?? '',
    pointsEarned: nullableNumber(r.points_earned),
    pointsPossible: nullableNumber(r.points_possible),
    failed: toBool(r.failed),
  }));
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

/** Makes the stored answers exactly these: updates the codes already there, adds new ones, removes
 *  the rest (a draft's answers are work in progress; a submitted one is never written here). */
export async function replaceAnswers(trx: Conn, evaluationId: number, answers: readonly AnswerRow[]): Promise<void> {
  const existing = new Set((await trx('evaluation_answers').where({ evaluation_id: evaluationId }).select('criterion_code')).map((r) => String(r.criterion_code)));
  const wanted = new Set(answers.map((a) => a.criterionCode));
  const gone = [...existing].filter((c) => !wanted.has(c));
  if (gone.length) await trx('evaluation_answers').where({ evaluation_id: evaluationId }).whereIn('criterion_code', gone).delete();
  for (const a of answers) {
    const row = {
      value: a.na ? null : a.value,
      is_na: a.na,
      comment: a.comment,
      points_earned: a.pointsEarned,
      points_possible: a.pointsPossible,
      failed: a.failed,
    };
    if (existing.has(a.criterionCode)) await trx('evaluation_answers').where({ evaluation_id: evaluationId, criterion_code: a.criterionCode }).update(row);
    else await trx('evaluation_answers').insert({ evaluation_id: evaluationId, criterion_code: a.criterionCode, ...row });
  }
}

// ---------------------------------------------------------------------------------------------
// Marks

export interface StoredMark {
  id: number;
  key: string;
  startSec: number;
  endSec: number;
  note: string;
  criterionCode: string | null;
  severity: Severity | null;
  isError: boolean;
  createdAt: string;
}

export async function listMarks(db: Conn, evaluationId: number): Promise<StoredMark[]> {
  const rows = await db('evaluation_marks')
    .where({ evaluation_id: evaluationId })
    .whereNull('deleted_at')
    .select('id', 'client_key', 'start_sec', 'end_sec', 'note', 'criterion_code', 'severity', 'is_error', 'created_at')
    .orderBy([{ column: 'start_sec' }, { column: 'id' }]);
  return rows.map((r) => ({
    id: Number(r.id),
    key: (r.client_key as string | null) ?? `m${r.id}`,
    startSec: Number(r.start_sec),
    endSec: Number(r.end_sec),
    note: (r.note as string | null) ?? '',
    criterionCode: (r.criterion_code as string | null) ?? null,
    severity: (r.severity as Severity | null) ?? null,
    isError: toBool(r.is_error),
    createdAt: String(r.created_at),
  }));
}

export interface MarkRow {
  key: string;
  startSec: number;
  endSec: number;
  note: string | null;
  criterionCode: string | null;
  severity: string | null;
  isError: boolean;
}

/**
 * Makes the live marks exactly these, matched by the browser's key. A mark the specialist removed
 * is deleted, unless an error record points at it (errors.mark_id, after a submit and a reopen):
 * then it is marked deleted and stripped of its error flag and criterion, so the next error sync
 * voids that error instead of the database refusing the delete.
 */
export async function replaceMarks(trx: Conn, evaluationId: number, marks: readonly MarkRow[], now: string): Promise<void> {
  const existing = await trx('evaluation_marks').where({ evaluation_id: evaluationId }).whereNull('deleted_at').select('id', 'client_key');
  const byKey = new Map(existing.map((r) => [String(r.client_key ?? `m${r.id}`), Number(r.id)]));
  const wanted = new Set(marks.map((m) => m.key));
  const goneIds = [...byKey].filter(([key]) => !wanted.has(key)).map(([, id]) => id);
  if (goneIds.length) {
    const referenced = new Set((await trx('errors').whereIn('mark_id', goneIds).distinct('mark_id')).map((r) => Number(r.mark_id)));
    const free = goneIds.filter((id) => !referenced.has(id));
    if (free.length) await trx('evaluation_marks').whereIn('id', free).delete();
    const kept = goneIds.filter((id) => referenced.has(id));
    if (kept.length) await trx('evaluation_marks').whereIn('id', kept).update({ deleted_at: now, updated_at: now, is_error: false, criterion_code: null });
  }
  for (const m of marks) {
    const row = { start_sec: m.startSec, end_sec: m.endSec, note: m.note, criterion_code: m.criterionCode, severity: m.severity, is_error: m.isError, updated_at: now };
    const id = byKey.get(m.key);
    if (id !== undefined) await trx('evaluation_marks').where({ id }).update(row);
    else await trx('evaluation_marks').insert({ evaluation_id: evaluationId, client_key: m.key, created_at: now, ...row });
  }
}

// ---------------------------------------------------------------------------------------------
// The call being evaluated

export interface CallForEvaluation {
  id: number;
  externalId: string;
  source: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  callDate: string;
  durationSec: number | null;
  operatorId: number | null;
  operatorName: string | null;
  operatorCode: string | null;
  operatorTeamId: number | null;
  teamName: string | null;
  callerNumber: string | null;
  language: string | null;
  channel: string;
  category: string | null;
  services: string[];
  regionNames: { uz: string; ru: string; en: string } | null;
  dropped: boolean;
  callbackOfCallId: number | null;
  evaluatedAt: string | null;
  deletedAt: string | null;
  createdAt: string;
  recording: null | {
    id: number;
    status: string;
    durationSec: number | null;
    channels: number | null;
    facts: RecordingFacts | null;
    prepareError: string | null;
    /** A video call (sign language): played in a <video> element. */
    hasVideo: boolean;
    /** Ready with waveform peaks (a video without sound has none). */
    hasPeaks: boolean;
    peaksKey: string | null;
  };
  card: null | { completeness: number | null; missingFields: string[]; fields: Record<string, unknown> };
}

/** What the evaluation page shows of recordings.facts (written by the media module). */
export interface RecordingFacts {
  durationSec?: number;
  talkSec?: number[];
  silences?: Array<{ startSec: number; endSec: number }>;
  silenceSec?: number;
  longestSilenceSec?: number;
  overlapSec?: number | null;
}

export async function findCall(db: Conn, callId: number): Promise<CallForEvaluation | null> {
  const r = await db('calls as c')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .leftJoin('teams as tm', 'tm.id', 'o.team_id')
    .leftJoin('regions as rg', 'rg.id', 'c.region_id')
    .leftJoin('recordings as rec', 'rec.id', 'c.recording_id')
    .leftJoin('call_cards as cc', 'cc.call_id', 'c.id')
    .where('c.id', callId)
    .first(
      'c.id', 'c.external_id', 'c.source', 'c.started_at', 'c.answered_at', 'c.ended_at', 'c.call_date', 'c.duration_sec', 'c.operator_id',
      'c.caller_number', 'c.language', 'c.channel', 'c.category', 'c.services', 'c.dropped', 'c.callback_of_call_id', 'c.evaluated_at',
      'c.deleted_at', 'c.recording_id', 'c.created_at',
      'o.full_name as operator_name', 'o.employee_code as operator_code', 'o.team_id as operator_team_id', 'tm.name as team_name',
      'rg.name_uz', 'rg.name_ru', 'rg.name_en',
      'rec.status as rec_status', 'rec.duration_sec as rec_duration', 'rec.channels as rec_channels', 'rec.facts as rec_facts', 'rec.prepare_error as rec_error',
      'rec.has_video as rec_has_video', 'rec.peaks_key as rec_peaks_key',
      'cc.id as card_id', 'cc.completeness as card_completeness', 'cc.missing_fields as card_missing', 'cc.fields as card_fields',
    );
  if (!r) return null;
  return {
    id: Number(r.id),
    externalId: String(r.external_id),
    source: String(r.source),
    startedAt: String(r.started_at),
    answeredAt: r.answered_at ?? null,
    endedAt: r.ended_at ?? null,
    callDate: String(r.call_date),
    durationSec: nullableNumber(r.duration_sec),
    operatorId: nullableNumber(r.operator_id),
    operatorName: r.operator_name ?? null,
    operatorCode: r.operator_code ?? null,
    operatorTeamId: nullableNumber(r.operator_team_id),
    teamName: r.team_name ?? null,
    callerNumber: r.caller_number ?? null,
    language: r.language ?? null,
    channel: String(r.channel ?? 'voice'),
    category: r.category ?? null,
    services: String(r.services ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    regionNames: r.name_uz ? { uz: r.name_uz, ru: r.name_ru, en: r.name_en } : null,
    dropped: toBool(r.dropped),
    callbackOfCallId: nullableNumber(r.callback_of_call_id),
    evaluatedAt: r.evaluated_at ?? null,
    deletedAt: r.deleted_at ?? null,
    createdAt: String(r.created_at),
    recording: r.recording_id == null ? null : {
      id: Number(r.recording_id),
      status: String(r.rec_status ?? 'stored'),
      durationSec: nullableNumber(r.rec_duration),
      channels: nullableNumber(r.rec_channels),
      facts: parseJson<RecordingFacts | null>(r.rec_facts, null),
      prepareError: r.rec_error ?? null,
      hasVideo: toBool(r.rec_has_video),
      hasPeaks: r.rec_status === 'ready' && r.rec_peaks_key != null,
      peaksKey: r.rec_peaks_key ?? null,
    },
    card: r.card_id == null ? null : {
      completeness: nullableNumber(r.card_completeness),
      missingFields: parseJson<string[]>(r.card_missing, []),
      fields: parseJson<Record<string, unknown>>(r.card_fields, {}),
    },
  };
}

export async function setCallEvaluated(trx: Conn, callId: number, now: string): Promise<void> {
  await trx('calls').where({ id: callId }).update({ evaluated_at: now, updated_at: now });
}

// ---------------------------------------------------------------------------------------------
// Assignments (the plans feature's table: an evaluation moves its call's assignment along)

/** The specialist's open assignment of this call goes to 'in_progress' and points at the evaluation. */
export async function startAssignment(trx: Conn, callId: number, specialistUserId: number, evaluationId: number, now: string): Promise<number> {
  // Only a change writes: opening the page again leaves an in-progress assignment alone.
  const n = await trx('assignments')
    .where({ call_id: callId, specialist_user_id: specialistUserId })
    .where((w) => w.where('status', 'new').orWhere((w2) => w2.where('status', 'in_progress').whereNull('evaluation_id')))
    .update({ status: 'in_progress', evaluation_id: evaluationId, updated_at: now });
  return Number(n);
}

/** The purposes of the specialist's open assignments of this call in active plans (what the plan gave them to hear it for). */
export async function openAssignmentPurposes(db: Conn, callId: number, specialistUserId: number): Promise<string[]> {
  const rows = await db('assignments as a')
    .join('plans as p', 'p.id', 'a.plan_id')
    .where({ 'a.call_id': callId, 'a.specialist_user_id': specialistUserId, 'p.status': 'active' })
    .whereIn('a.status', ['new', 'in_progress'])
    .distinct('a.purpose');
  return rows.map((r) => String(r.purpose));
}

/** Every assignment of this call to this specialist that is not done or cancelled becomes done. */
export async function completeAssignment(trx: Conn, callId: number, specialistUserId: number, evaluationId: number, now: string): Promise<number> {
  const n = await trx('assignments')
    .where({ call_id: callId, specialist_user_id: specialistUserId })
    .whereIn('status', ['new', 'in_progress'])
    .update({ status: 'done', evaluation_id: evaluationId, updated_at: now });
  return Number(n);
}

// ---------------------------------------------------------------------------------------------
// People

export async function supervisedTeamIds(db: Conn, userId: number): Promise<number[]> {
  return (await db('teams').where({ supervisor_user_id: userId }).select('id')).map((r) => Number(r.id));
}

// ---------------------------------------------------------------------------------------------
// The list

export interface ListScope {
  /** Only this specialist's evaluations. */
  specialistUserId?: number;
  /** Only evaluations of operators in these teams, drafts excluded (supervisors). */
  teamIds?: number[];
}

export interface ListFilter {
  status?: 'open' | 'draft' | 'reopened' | 'submitted';
  /** Tashkent days, inclusive, with the UTC instants they begin and end at (for started_at). */
  from?: { date: string; startIso: string };
  to?: { date: string; endIso: string };
  complexOnly?: boolean;
}

export interface EvaluationListRow {
  id: number;
  callId: number;
  callExternalId: string;
  callStartedAt: string;
  callDurationSec: number | null;
  callCategory: string | null;
  operatorName: string | null;
  operatorCode: string | null;
  specialistName: string;
  status: string;
  score: number | null;
  result: EvaluationResult | null;
  criticalFailure: boolean;
  heardShare: number | null;
  isComplexCase: boolean;
  evaluationDate: string | null;
  updatedAt: string;
}

function applyList(q: Knex.QueryBuilder, scope: ListScope, filter: ListFilter): Knex.QueryBuilder {
  q.where('e.kind', 'regular');
  if (scope.specialistUserId !== undefined) q.where('e.specialist_user_id', scope.specialistUserId);
  if (scope.teamIds !== undefined) {
    if (!scope.teamIds.length) q.whereRaw('1 = 0');
    else q.whereIn('o.team_id', scope.teamIds).whereNot('e.status', 'draft');
  }
  if (filter.status === 'open') q.whereIn('e.status', ['draft', 'reopened']);
  else if (filter.status) q.where('e.status', filter.status);
  // The period is the day the evaluation was handed in, or for open work the day it was started.
  const { from, to } = filter;
  if (from) q.where((w) => w.where('e.evaluation_date', '>=', from.date).orWhere((w2) => w2.whereNull('e.evaluation_date').andWhere('e.started_at', '>=', from.startIso)));
  if (to) q.where((w) => w.where('e.evaluation_date', '<=', to.date).orWhere((w2) => w2.whereNull('e.evaluation_date').andWhere('e.started_at', '<', to.endIso)));
  if (filter.complexOnly) q.where('e.is_complex_case', true);
  return q;
}

export async function listEvaluations(db: Conn, scope: ListScope, filter: ListFilter, page: { limit: number; offset: number }): Promise<{ rows: EvaluationListRow[]; total: number }> {
  const base = () => applyList(
    db('evaluations as e').join('calls as c', 'c.id', 'e.call_id').join('users as su', 'su.id', 'e.specialist_user_id').leftJoin('operators as o', 'o.id', 'e.operator_id'),
    scope,
    filter,
  );
  const totalRow = await base().count({ n: '*' }).first();
  const rows = await base()
    .select(
      'e.id', 'e.call_id', 'c.external_id', 'c.started_at as call_started_at', 'c.duration_sec as call_duration', 'c.category',
      'o.full_name as operator_name', 'o.employee_code as operator_code', 'su.display_name as specialist_name', 'e.status', 'e.score',
      'e.result', 'e.critical_failure', 'e.heard_share', 'e.is_complex_case', 'e.evaluation_date', 'e.updated_at',
    )
    // Work still open first (drafts and reopened ones), then the most recent.
    .orderByRaw("case when e.status in ('draft', 'reopened') then 0 else 1 end")
    .orderBy('e.updated_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(page.limit)
    .offset(page.offset);
  return {
    total: num(totalRow?.n),
    rows: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      callId: Number(r.call_id),
      callExternalId: String(r.external_id),
      callStartedAt: String(r.call_started_at),
      callDurationSec: nullableNumber(r.call_duration),
      callCategory: (r.category as string | null) ?? null,
      operatorName: (r.operator_name as string | null) ?? null,
      operatorCode: (r.operator_code as string | null) ?? null,
      specialistName: String(r.specialist_name),
      status: String(r.status),
      score: nullableNumber(r.score),
      result: (r.result as EvaluationResult | null) ?? null,
      criticalFailure: toBool(r.critical_failure),
      heardShare: nullableNumber(r.heard_share),
      isComplexCase: toBool(r.is_complex_case),
      evaluationDate: (r.evaluation_date as string | null) ?? null,
      updatedAt: String(r.updated_at),
    })),
  };
}
