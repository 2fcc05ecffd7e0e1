// The only SQL of the evaluators feature: the evaluations leniency and agreement are computed
// from, and the blind second reviews (requests, reviews, who owes which).
import type { Knex } from 'knex';
import { insertReturningId, num, toBool } from '../../db';

type Conn = Knex | Knex.Transaction;

export interface EvaluationScoreRow {
  id: number;
  specialistUserId: number;
  callId: number;
  rubricId: number;
  category: string | null;
  sessionId: number | null;
  evaluationDate: string;
  score: number;
}

/** Submitted, scored evaluations of a period: the random sample's regular ones, or calibration practice. */
export async function scoredEvaluations(db: Conn, from: string, to: string, kind: 'random' | 'calibration'): Promise<EvaluationScoreRow[]> {
  const q = db('evaluations as v')
    .join('rubric_versions as rv', 'rv.id', 'v.rubric_version_id')
    .join('calls as c', 'c.id', 'v.call_id')
    .where('v.status', 'submitted')
    .whereNotNull('v.score')
    .whereBetween('v.evaluation_date', [from, to])
    .select('v.id', 'v.specialist_user_id', 'v.call_id', 'rv.rubric_id', 'c.category', 'v.calibration_session_id', 'v.evaluation_date', 'v.score');
  if (kind === 'random') q.where({ 'v.kind': 'regular', 'v.purpose': 'random' });
  else q.where('v.kind', 'calibration');
  return (await q).map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    specialistUserId: Number(r.specialist_user_id),
    callId: Number(r.call_id),
    rubricId: Number(r.rubric_id),
    category: (r.category as string | null) ?? null,
    sessionId: r.calibration_session_id == null ? null : Number(r.calibration_session_id),
    evaluationDate: String(r.evaluation_date),
    score: Number(r.score),
  }));
}

export interface ReviewPairRow {
  specialistUserId: number;
  originalId: number;
  originalScore: number | null;
  reviewId: number;
  reviewScore: number | null;
}

/** Handed-in second reviews of evaluations submitted in the period, with both scores. */
export async function reviewPairs(db: Conn, from: string, to: string): Promise<ReviewPairRow[]> {
  const rows = await db('second_reviews as sr')
    .join('evaluations as o', 'o.id', 'sr.original_evaluation_id')
    .join('evaluations as r', 'r.id', 'sr.evaluation_id')
    .where('r.status', 'submitted')
    .whereBetween('o.evaluation_date', [from, to])
    .select('sr.specialist_user_id', 'o.id as original_id', 'o.score as original_score', 'r.id as review_id', 'r.score as review_score');
  return rows.map((r: Record<string, unknown>) => ({
    specialistUserId: Number(r.specialist_user_id),
    originalId: Number(r.original_id),
    originalScore: r.original_score == null ? null : Number(r.original_score),
    reviewId: Number(r.review_id),
    reviewScore: r.review_score == null ? null : Number(r.review_score),
  }));
}

/** Answers of these evaluations: evaluation id → criterion code → value, 'na' or null. */
export async function answersOf(db: Conn, ids: readonly number[]): Promise<Map<number, Record<string, number | 'na' | null>>> {
  const out = new Map<number, Record<string, number | 'na' | null>>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db('evaluation_answers').whereIn('evaluation_id', ids.slice(i, i + 500)).select('evaluation_id', 'criterion_code', 'value', 'is_na');
    for (const r of rows) {
      const id = Number(r.evaluation_id);
      const a = out.get(id) ?? {};
      a[String(r.criterion_code)] = toBool(r.is_na) ? 'na' : r.value == null ? null : Number(r.value);
      out.set(id, a);
    }
  }
  return out;
}

/** Random-sample evaluations of the period that have no second review yet: what a request picks from. */
export async function reviewCandidates(db: Conn, from: string, to: string): Promise<{ id: number; specialistUserId: number; callId: number }[]> {
  const rows = await db('evaluations as v')
    .where({ 'v.status': 'submitted', 'v.kind': 'regular', 'v.purpose': 'random' })
    .whereBetween('v.evaluation_date', [from, to])
    .whereNotExists(db('second_reviews as sr').whereRaw('sr.original_evaluation_id = v.id'))
    .select('v.id', 'v.specialist_user_id', 'v.call_id')
    .orderBy('v.id');
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), specialistUserId: Number(r.specialist_user_id), callId: Number(r.call_id) }));
}

/** Active specialists with the number of second reviews they still owe. */
export async function reviewers(db: Conn): Promise<{ userId: number; name: string; openReviews: number }[]> {
  const users = await db('users').where({ role: 'specialist', is_active: true }).select('id', 'display_name').orderBy('id');
  const open = await db('second_reviews as sr').leftJoin('evaluations as r', 'r.id', 'sr.evaluation_id')
    .where((w) => w.whereNull('r.id').orWhereNot('r.status', 'submitted')).select('sr.reviewer_user_id').count({ n: '*' }).groupBy('sr.reviewer_user_id');
  const by = new Map(open.map((r: Record<string, unknown>) => [Number(r.reviewer_user_id), num(r.n)]));
  return users.map((u) => ({ userId: Number(u.id), name: String(u.display_name), openReviews: by.get(Number(u.id)) ?? 0 }));
}

/** Who has evaluated which of these calls (regular or review): a reviewer must come to the call fresh. */
export async function evaluatorsOfCalls(db: Conn, callIds: readonly number[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < callIds.length; i += 500) {
    const rows = await db('evaluations').whereIn('call_id', callIds.slice(i, i + 500)).distinct('specialist_user_id', 'call_id');
    for (const r of rows) out.add(`${Number(r.specialist_user_id)}:${Number(r.call_id)}`);
  }
  return out;
}

export async function insertRequest(trx: Conn, r: { requestedBy: number; share: number; from: string; to: string; seed: string; picked: number; unassigned: number }, now: string): Promise<number> {
  return insertReturningId(trx, 'second_review_requests', { requested_by: r.requestedBy, share: r.share, period_from: r.from, period_to: r.to, seed: r.seed, picked: r.picked, unassigned: r.unassigned, created_at: now });
}

export async function insertReviews(trx: Conn, rows: { requestId: number; originalEvaluationId: number; specialistUserId: number; reviewerUserId: number }[], now: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await trx('second_reviews').insert(rows.slice(i, i + 200).map((r) => ({
      request_id: r.requestId, original_evaluation_id: r.originalEvaluationId, specialist_user_id: r.specialistUserId, reviewer_user_id: r.reviewerUserId, created_at: now, updated_at: now,
    })));
  }
}

export interface ReviewTask {
  id: number;
  reviewerUserId: number;
  originalEvaluationId: number;
  evaluationId: number | null;
  evaluationStatus: string | null;
  callId: number;
  callExternalId: string;
  callStartedAt: string;
  durationSec: number | null;
  category: string | null;
  language: string | null;
  createdAt: string;
}

function taskQuery(db: Conn) {
  return db('second_reviews as sr')
    .join('evaluations as o', 'o.id', 'sr.original_evaluation_id')
    .join('calls as c', 'c.id', 'o.call_id')
    .leftJoin('evaluations as r', 'r.id', 'sr.evaluation_id')
    .select('sr.id', 'sr.reviewer_user_id', 'sr.original_evaluation_id', 'sr.evaluation_id', 'r.status as review_status', 'c.id as call_id', 'c.external_id', 'c.started_at', 'c.duration_sec', 'c.category', 'c.language', 'sr.created_at');
}

function mapTask(r: Record<string, unknown>): ReviewTask {
  return {
    id: Number(r.id),
    reviewerUserId: Number(r.reviewer_user_id),
    originalEvaluationId: Number(r.original_evaluation_id),
    evaluationId: r.evaluation_id == null ? null : Number(r.evaluation_id),
    evaluationStatus: (r.review_status as string | null) ?? null,
    callId: Number(r.call_id),
    callExternalId: String(r.external_id),
    callStartedAt: String(r.started_at),
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    category: (r.category as string | null) ?? null,
    language: (r.language as string | null) ?? null,
    createdAt: String(r.created_at),
  };
}

/** A reviewer's second reviews: what they still owe first, then the last ones handed in. */
export async function tasksOf(db: Conn, reviewerUserId: number, limit = 100): Promise<ReviewTask[]> {
  const rows = await taskQuery(db).where('sr.reviewer_user_id', reviewerUserId)
    .orderByRaw("case when r.status = 'submitted' then 1 else 0 end").orderBy('sr.id', 'desc').limit(limit);
  return rows.map(mapTask);
}

export async function findTask(db: Conn, id: number): Promise<ReviewTask | null> {
  const r = await taskQuery(db).where('sr.id', id).first();
  return r ? mapTask(r) : null;
}

/** Links the review evaluation to its task, once (false when another request linked one first). */
export async function linkReview(trx: Conn, id: number, evaluationId: number, now: string): Promise<boolean> {
  return Number(await trx('second_reviews').where({ id }).whereNull('evaluation_id').update({ evaluation_id: evaluationId, updated_at: now })) === 1;
}

export async function originalForReview(db: Conn, evaluationId: number): Promise<{ callId: number; operatorId: number | null; rubricVersionId: number; recordingId: number | null } | null> {
  const r = await db('evaluations as v').join('calls as c', 'c.id', 'v.call_id').where('v.id', evaluationId).first('v.call_id', 'v.operator_id', 'v.rubric_version_id', 'c.recording_id');
  return r ? { callId: Number(r.call_id), operatorId: r.operator_id == null ? null : Number(r.operator_id), rubricVersionId: Number(r.rubric_version_id), recordingId: r.recording_id == null ? null : Number(r.recording_id) } : null;
}

/** Second reviews per reviewed specialist: requested, and handed in. */
export async function reviewCounts(db: Conn): Promise<Map<number, { requested: number; done: number }>> {
  const rows = await db('second_reviews as sr').leftJoin('evaluations as r', 'r.id', 'sr.evaluation_id')
    .select('sr.specialist_user_id').count({ n: '*' }).select(db.raw("sum(case when r.status = 'submitted' then 1 else 0 end) as done")).groupBy('sr.specialist_user_id');
  return new Map(rows.map((r: Record<string, unknown>) => [Number(r.specialist_user_id), { requested: num(r.n), done: num(r.done) }]));
}

export async function recentRequests(db: Conn, limit = 5): Promise<{ id: number; requestedByName: string; share: number; from: string; to: string; picked: number; unassigned: number; createdAt: string }[]> {
  const rows = await db('second_review_requests as q').join('users as u', 'u.id', 'q.requested_by').select('q.*', 'u.display_name').orderBy('q.id', 'desc').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), requestedByName: String(r.display_name), share: Number(r.share), from: String(r.period_from), to: String(r.period_to), picked: Number(r.picked), unassigned: Number(r.unassigned), createdAt: String(r.created_at) }));
}

export async function specialistNames(db: Conn): Promise<Map<number, string>> {
  const rows = await db('users').where('role', 'specialist').select('id', 'display_name');
  return new Map(rows.map((r) => [Number(r.id), String(r.display_name)]));
}
