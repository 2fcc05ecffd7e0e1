// Evaluating the evaluator (DESIGN: supervisors review specialists' leniency): the page's figures
// per specialist, and the blind second reviews a supervisor asks for. Takes its collaborators as
// arguments; the decisions are in leniency.ts.
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { nowIso } from '../../db';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { addDays, isIsoDate, periodDays, tashkentToday } from '../../time';
import { ensureRecordingPrepared } from '../calls/recordings.service';
import { insertEvaluation } from '../evaluations/evaluations.repository';
import { callUniform, makeSeed } from '../plans/draw';
import { assignReviewers, leniencyReport, pickForSecondReview, secondReviewAgreement, type Leniency, type SecondReviewAgreement } from './leniency';
import * as repo from './evaluators.repository';

export interface Period {
  from: string;
  to: string;
}

/** The page's default: the last 90 days up to today. */
export function defaultPeriod(today: string): Period {
  return { from: addDays(today, -89), to: today };
}

/** A period from the query, or field errors. */
export function parsePeriod(q: { from?: unknown; to?: unknown }, today: string, maxDays: number): Period | FieldError[] {
  const d = defaultPeriod(today);
  const from = typeof q.from === 'string' && q.from ? q.from : d.from;
  const to = typeof q.to === 'string' && q.to ? q.to : d.to;
  const errors: FieldError[] = [];
  if (!isIsoDate(from)) errors.push({ field: 'from', key: 'evaluators.form.badDate' });
  if (!isIsoDate(to)) errors.push({ field: 'to', key: 'evaluators.form.badDate' });
  if (!errors.length && from > to) errors.push({ field: 'from', key: 'evaluators.form.fromAfterTo' });
  else if (!errors.length && periodDays({ from, to }) > maxDays) errors.push({ field: 'to', key: 'evaluators.form.tooLong', params: { max: maxDays } });
  return errors.length ? errors : { from, to };
}

export interface EvaluatorRow {
  userId: number;
  name: string;
  leniency: Leniency | null;
  calibration: Leniency | null;
  agreement: SecondReviewAgreement | null;
  reviews: { requested: number; done: number };
}

/** Every specialist's leniency (random sample), calibration alignment and second-review agreement over a period. */
export async function evaluatorsPage(deps: Pick<AppDeps, 'db'>, period: Period): Promise<{ rows: EvaluatorRow[]; requests: Awaited<ReturnType<typeof repo.recentRequests>> }> {
  const { db } = deps;
  const month = (d: string) => d.slice(0, 7);
  const [random, calibration, pairs, names, counts, requests] = await Promise.all([
    repo.scoredEvaluations(db, period.from, period.to, 'random'),
    repo.scoredEvaluations(db, period.from, period.to, 'calibration'),
    repo.reviewPairs(db, period.from, period.to),
    repo.specialistNames(db),
    repo.reviewCounts(db),
    repo.recentRequests(db),
  ]);
  // Comparable calls: the same rubric and the same incident category.
  const leniency = new Map(leniencyReport(random.map((e) => ({ id: e.id, specialistUserId: e.specialistUserId, stratum: `${e.rubricId}|${e.category ?? ''}`, month: month(e.evaluationDate), score: e.score }))).map((l) => [l.specialistUserId, l]));
  // Calibration: the same call of the same session.
  const aligned = new Map(leniencyReport(calibration.map((e) => ({ id: e.id, specialistUserId: e.specialistUserId, stratum: `${e.sessionId ?? ''}|${e.callId}`, month: month(e.evaluationDate), score: e.score }))).map((l) => [l.specialistUserId, l]));
  const answers = await repo.answersOf(db, pairs.flatMap((p) => [p.originalId, p.reviewId]));
  const agreement = new Map(secondReviewAgreement(pairs.map((p) => ({
    specialistUserId: p.specialistUserId,
    original: { score: p.originalScore, answers: answers.get(p.originalId) ?? {} },
    review: { score: p.reviewScore, answers: answers.get(p.reviewId) ?? {} },
  }))).map((a) => [a.specialistUserId, a]));
  const ids = [...new Set([...leniency.keys(), ...aligned.keys(), ...agreement.keys(), ...counts.keys()])];
  const rows = ids
    .map((userId) => ({ userId, name: names.get(userId) ?? `#${userId}`, leniency: leniency.get(userId) ?? null, calibration: aligned.get(userId) ?? null, agreement: agreement.get(userId) ?? null, reviews: counts.get(userId) ?? { requested: 0, done: 0 } }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { rows, requests };
}

export interface SecondReviewRequest {
  sharePercent: unknown;
  from: unknown;
  to: unknown;
}

/**
 * A supervisor or administrator asks for blind second reviews of a share of each specialist's
 * random-sample evaluations of a period: picked by a fresh seed (kept with the request), each
 * given to another specialist who has not evaluated the call. Bad input: field errors, nothing
 * stored. Audited.
 */
export async function requestSecondReviews(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, actorId: number, input: SecondReviewRequest): Promise<{ requestId: number; picked: number; assigned: number; unassigned: number }> {
  const errors: FieldError[] = [];
  const share = Number(input.sharePercent);
  if (!Number.isFinite(share) || share <= 0 || share > 100) errors.push({ field: 'sharePercent', key: 'evaluators.request.shareInvalid' });
  const period = parsePeriod({ from: input.from, to: input.to }, tashkentToday(deps.clock), deps.config.maxReportDays);
  if (Array.isArray(period)) errors.push(...period);
  if (errors.length || Array.isArray(period)) throw new ValidationError(errors, 'evaluators.request.invalid');
  const seed = makeSeed();
  const candidates = await repo.reviewCandidates(deps.db, period.from, period.to);
  const picked = pickForSecondReview(candidates, share / 100, (id) => callUniform(seed, id));
  const evaluated = await repo.evaluatorsOfCalls(deps.db, picked.map((p) => p.callId));
  const assigned = assignReviewers(picked, await repo.reviewers(deps.db), (userId, callId) => evaluated.has(`${userId}:${callId}`));
  const given = assigned.filter((a) => a.reviewerUserId !== null);
  const now = nowIso(deps.clock);
  const requestId = await deps.db.transaction(async (trx) => {
    const id = await repo.insertRequest(trx, { requestedBy: actorId, share: share / 100, from: period.from, to: period.to, seed, picked: picked.length, unassigned: assigned.length - given.length }, now);
    await repo.insertReviews(trx, given.map((a) => ({ requestId: id, originalEvaluationId: a.item.id, specialistUserId: a.item.specialistUserId, reviewerUserId: a.reviewerUserId! })), now);
    await audit(trx, { userId: actorId, action: 'secondReview.request', entityType: 'second_review_request', entityId: id, details: { sharePercent: share, ...period, seed, picked: picked.length, assigned: given.length } }, deps.clock);
    return id;
  });
  return { requestId, picked: picked.length, assigned: given.length, unassigned: assigned.length - given.length };
}

/** A reviewer's own second reviews (what they owe first). */
export async function myReviews(deps: Pick<AppDeps, 'db'>, userId: number): Promise<repo.ReviewTask[]> {
  return repo.tasksOf(deps.db, userId);
}

/**
 * The reviewer opens their second review: an evaluation of kind second_review (purpose
 * calibration: it judges the evaluator, never the operator) on the original's rubric version,
 * made once; its page never shows the first evaluation. Another user's task is forbidden.
 */
export async function startReview(deps: Pick<AppDeps, 'db' | 'clock' | 'jobs'>, userId: number, taskId: number, ip?: string): Promise<number> {
  const task = await repo.findTask(deps.db, taskId);
  if (!task) throw new NotFoundError();
  if (task.reviewerUserId !== userId) throw new ForbiddenError();
  if (task.evaluationId !== null) return task.evaluationId;
  const original = await repo.originalForReview(deps.db, task.originalEvaluationId);
  if (!original) throw new NotFoundError();
  const now = nowIso(deps.clock);
  const id = await deps.db.transaction(async (trx) => {
    const evaluationId = await insertEvaluation(trx, { callId: original.callId, operatorId: original.operatorId, rubricVersionId: original.rubricVersionId, specialistUserId: userId, purpose: 'calibration', kind: 'second_review', now });
    if (!(await repo.linkReview(trx, taskId, evaluationId, now))) throw new Error('second review already started');
    await audit(trx, { userId, action: 'evaluation.start', entityType: 'evaluation', entityId: evaluationId, ip, details: { callId: original.callId, secondReviewId: taskId, purpose: 'calibration' } }, deps.clock);
    return evaluationId;
  }).catch(async (e) => {
    const again = await repo.findTask(deps.db, taskId);
    if (again?.evaluationId) return again.evaluationId;
    throw e;
  });
  if (original.recordingId !== null) await ensureRecordingPrepared(deps, original.recordingId);
  return id;
}
