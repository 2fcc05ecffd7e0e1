// The operators' own view: an operator sees only their own handed-in evaluations, acknowledges
// each, and may dispute a failed criterion within the window; the team's supervisor decides, and
// an accepted dispute re-scores the evaluation (answers, score, error records), audited.
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { audit } from '../../audit/audit';
import type { Config } from '../../config';
import { nowIso } from '../../db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { flattenCriteria } from '../rubrics/rubric.model';
import { scoreEvaluation } from '../evaluations/scoring';
import { syncErrorsForEvaluation } from '../errors/errors.service';
import { answersAfterDispute, canDecideDispute, disputeDeadline, DISPUTE_WINDOW_DAYS, isDisputeWindowOpen, passingValue, type DisputeStatus } from './disputes';
import * as repo from './portal.repository';

export interface PortalUser {
  id: number;
  role: Role;
  operatorId: number | null;
}

export const PORTAL_ERROR_KEYS = {
  notFound: 'portal.evaluation.notFound',
  windowClosed: 'portal.dispute.windowClosed',
  notFailed: 'portal.dispute.notFailed',
  exists: 'portal.dispute.exists',
  commentRequired: 'portal.dispute.commentRequired',
  commentTooLong: 'portal.dispute.commentTooLong',
  decided: 'portal.dispute.alreadyDecided',
  evaluationChanged: 'portal.dispute.evaluationChanged',
  noteTooLong: 'portal.dispute.noteTooLong',
  noteRequired: 'portal.dispute.noteRequired',
} as const;

export const DISPUTE_COMMENT_MAX = 2000;

function ownOperatorId(user: PortalUser): number {
  if (user.role !== 'operator' || !user.operatorId) throw new ForbiddenError();
  return user.operatorId;
}

/**
 * The operator's evaluation, or 404 — also for someone else's: an operator learns nothing about
 * other operators' evaluations, not even that they exist. Only handed-in regular evaluations.
 */
async function ownEvaluationRow(deps: Pick<AppDeps, 'db'>, user: PortalUser, id: number): Promise<repo.EvaluationDetail> {
  const operatorId = ownOperatorId(user);
  const e = await repo.findEvaluation(deps.db, id);
  if (!e || e.operatorId !== operatorId || e.kind !== 'regular' || e.status !== 'submitted') throw new NotFoundError(PORTAL_ERROR_KEYS.notFound);
  return e;
}

export const OWN_PAGE_SIZE = 25;

export async function ownEvaluations(deps: Pick<AppDeps, 'db'>, user: PortalUser, page = 1) {
  const rows = await repo.listOwnEvaluations(deps.db, ownOperatorId(user), 500);
  const scored = rows.filter((r) => r.score !== null);
  const pages = Math.max(1, Math.ceil(rows.length / OWN_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return {
    rows: rows.slice((current - 1) * OWN_PAGE_SIZE, current * OWN_PAGE_SIZE),
    page: current,
    pages,
    // Oldest first, the latest 30, for the chart.
    trend: scored.slice(0, 30).reverse().map((r) => ({ date: r.evaluationDate ?? '', score: r.score as number })),
    stats: {
      count: rows.length,
      unacknowledged: rows.filter((r) => !r.acknowledgedAt).length,
      average: scored.length ? scored.reduce((s, r) => s + (r.score ?? 0), 0) / scored.length : null,
      openDisputes: rows.reduce((s, r) => s + r.openDisputes, 0),
    },
  };
}

export async function ownEvaluation(deps: Pick<AppDeps, 'db' | 'clock'>, user: PortalUser, id: number, windowDays: number = DISPUTE_WINDOW_DAYS) {
  const e = await ownEvaluationRow(deps, user, id);
  const [definition, answers, marks, disputes] = await Promise.all([repo.rubricDefinition(deps.db, e.rubricVersionId), repo.listAnswers(deps.db, id), repo.listMarks(deps.db, id), repo.disputesOfEvaluation(deps.db, id)]);
  const byCode = new Map(answers.map((a) => [a.criterionCode, a]));
  const disputeBy = new Map(disputes.map((d) => [d.criterionCode, d]));
  const windowOpen = isDisputeWindowOpen(e.submittedAt, deps.clock(), windowDays);
  const sections = (definition?.sections ?? []).map((section) => ({
    key: section.key,
    title: section.title,
    criteria: section.criteria.map((c) => ({
      code: c.code,
      text: c.text,
      critical: c.critical,
      answerType: c.answerType,
      maxValue: passingValue(c),
      answer: byCode.get(c.code) ?? null,
      dispute: disputeBy.get(c.code) ?? null,
      canDispute: windowOpen && Boolean(byCode.get(c.code)?.failed) && !disputeBy.has(c.code),
    })),
  }));
  return {
    evaluation: e,
    sections,
    failedCount: answers.filter((a) => a.failed).length,
    marks,
    disputes,
    windowOpen,
    windowDays,
    disputeUntil: e.submittedAt ? disputeDeadline(e.submittedAt, windowDays).toISOString() : null,
  };
}

export async function acknowledgeEvaluation(deps: Pick<AppDeps, 'db' | 'clock'>, user: PortalUser, id: number, ip?: string): Promise<boolean> {
  await ownEvaluationRow(deps, user, id);
  return deps.db.transaction(async (trx) => {
    const changed = await repo.setAcknowledged(trx, id, nowIso(deps.clock));
    if (changed) await audit(trx, { userId: user.id, action: 'evaluation.acknowledge', entityType: 'evaluation', entityId: id, ip }, deps.clock);
    return changed;
  });
}

/**
 * The operator disputes one failed criterion with a comment. Refused — nothing stored — after the
 * window (409, naming the deadline), for a criterion that did not fail, a second time for the same
 * criterion, or without a comment.
 */
export async function raiseDispute(deps: Pick<AppDeps, 'db' | 'clock'>, user: PortalUser, id: number, input: { criterionCode?: unknown; comment?: unknown }, opts: { windowDays?: number; ip?: string } = {}): Promise<number> {
  const windowDays = opts.windowDays ?? DISPUTE_WINDOW_DAYS;
  const e = await ownEvaluationRow(deps, user, id);
  const code = typeof input.criterionCode === 'string' ? input.criterionCode : '';
  const comment = typeof input.comment === 'string' ? input.comment.trim() : '';
  if (!isDisputeWindowOpen(e.submittedAt, deps.clock(), windowDays)) {
    throw new ConflictError(PORTAL_ERROR_KEYS.windowClosed, { count: windowDays, until: e.submittedAt ? disputeDeadline(e.submittedAt, windowDays).toISOString() : '' });
  }
  const answer = (await repo.listAnswers(deps.db, id)).find((a) => a.criterionCode === code);
  if (!answer || !answer.failed) throw new ValidationError([{ field: 'criterionCode', key: PORTAL_ERROR_KEYS.notFailed, params: { code } }]);
  if (!comment) throw new ValidationError([{ field: 'comment', key: PORTAL_ERROR_KEYS.commentRequired }]);
  if (comment.length > DISPUTE_COMMENT_MAX) throw new ValidationError([{ field: 'comment', key: PORTAL_ERROR_KEYS.commentTooLong, params: { max: DISPUTE_COMMENT_MAX } }]);
  const existing = await repo.disputesOfEvaluation(deps.db, id);
  if (existing.some((d) => d.criterionCode === code)) throw new ConflictError(PORTAL_ERROR_KEYS.exists, { code });
  const now = nowIso(deps.clock);
  return deps.db.transaction(async (trx) => {
    const disputeId = await repo.insertDispute(trx, { evaluationId: id, operatorId: e.operatorId!, criterionCode: code, comment, raisedBy: user.id, now });
    await audit(trx, { userId: user.id, action: 'evaluation.dispute', entityType: 'evaluation', entityId: id, ip: opts.ip, details: { disputeId, criterionCode: code } }, deps.clock);
    return disputeId;
  });
}

// ---------------------------------------------------------------------------------------------
// The supervisor's decision

export interface Decider {
  id: number;
  role: Role;
}

export async function disputesForReview(deps: Pick<AppDeps, 'db'>, viewer: Decider, status?: DisputeStatus) {
  if (viewer.role !== 'admin' && viewer.role !== 'supervisor') throw new ForbiddenError();
  const scope = viewer.role === 'supervisor' ? { supervisorUserId: viewer.id } : {};
  const [rows, open, texts] = await Promise.all([repo.listDisputes(deps.db, scope, status), repo.countOpenDisputes(deps.db, scope), criterionTextsFor(deps)]);
  return { rows, open, texts };
}

async function criterionTextsFor(deps: Pick<AppDeps, 'db'>) {
  const rows = await deps.db('rubric_versions').select('id', 'definition');
  const out = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const def = await repo.rubricDefinition(deps.db, Number(r.id));
    for (const c of flattenCriteria(def ?? { sections: [] })) if (!out.has(c.code)) out.set(c.code, c.text);
  }
  return out;
}

function checkNote(note: unknown, required: boolean): string | null {
  const text = typeof note === 'string' ? note.trim() : '';
  if (text.length > 1000) throw new ValidationError([{ field: 'note', key: PORTAL_ERROR_KEYS.noteTooLong, params: { max: 1000 } }]);
  if (required && !text) throw new ValidationError([{ field: 'note', key: PORTAL_ERROR_KEYS.noteRequired }]);
  return text || null;
}

async function decidableDispute(deps: Pick<AppDeps, 'db'>, viewer: Decider, id: number) {
  const d = await repo.findDispute(deps.db, id);
  if (!d) throw new NotFoundError('portal.dispute.notFound');
  if (!canDecideDispute(viewer, d.teamSupervisorId)) throw new ForbiddenError();
  if (d.status !== 'open') throw new ConflictError(PORTAL_ERROR_KEYS.decided);
  return d;
}

export interface AcceptResult {
  scoreBefore: number | null;
  scoreAfter: number | null;
  resultAfter: string | null;
  errorsVoided: number;
}

/**
 * Accepts a dispute and re-scores the evaluation in one transaction: the criterion passes (its
 * answer's value, points and failed flag), the evaluation's score, points, result and critical
 * failure are recomputed with scoreEvaluation, and the error records are synced (the disputed
 * criterion's error is voided). Audited with the score before and after.
 */
export async function acceptDispute(deps: Pick<AppDeps, 'db' | 'clock'> & { config: Pick<Config, 'scoreBands'> }, viewer: Decider, id: number, input: { note?: unknown }, ip?: string): Promise<AcceptResult> {
  const note = checkNote(input.note, false);
  await decidableDispute(deps, viewer, id);
  const now = nowIso(deps.clock);
  return deps.db.transaction(async (trx) => {
    // Read again inside the transaction: the decision and the evaluation must not have moved.
    const d = await repo.findDispute(trx, id);
    if (!d || d.status !== 'open') throw new ConflictError(PORTAL_ERROR_KEYS.decided);
    const e = await repo.findEvaluation(trx, d.evaluationId);
    if (!e || e.status !== 'submitted' || e.kind !== 'regular') throw new ConflictError(PORTAL_ERROR_KEYS.evaluationChanged);
    const definition = await repo.rubricDefinition(trx, e.rubricVersionId);
    const criterion = flattenCriteria(definition ?? { sections: [] }).find((c) => c.code === d.criterionCode);
    if (!definition || !criterion) throw new ConflictError(PORTAL_ERROR_KEYS.evaluationChanged);
    const answers = await repo.listAnswers(trx, e.id);
    const after = answersAfterDispute(Object.fromEntries(answers.map((a) => [a.criterionCode, a])), criterion);
    const score = scoreEvaluation(definition, after, deps.config.scoreBands);
    const per = score.perCriterion[criterion.code];
    await repo.updateAnswer(trx, e.id, criterion.code, { value: passingValue(criterion), pointsEarned: per?.earned ?? null, pointsPossible: per?.possible ?? null });
    if (!(await repo.updateScore(trx, e.id, {
      score: score.score,
      pointsEarned: score.pointsPossible > 0 ? score.pointsEarned : null,
      pointsPossible: score.pointsPossible > 0 ? score.pointsPossible : null,
      result: score.result,
      criticalFailure: score.criticalFailure,
      now,
    }))) throw new ConflictError(PORTAL_ERROR_KEYS.evaluationChanged);
    const sync = await syncErrorsForEvaluation(trx, e.id, deps.clock);
    if (!(await repo.decideDispute(trx, id, { status: 'accepted', by: viewer.id, note, scoreBefore: e.score, scoreAfter: score.score, now }))) throw new ConflictError(PORTAL_ERROR_KEYS.decided);
    await audit(trx, {
      userId: viewer.id, action: 'evaluation.disputeAccepted', entityType: 'evaluation', entityId: e.id, ip,
      details: { disputeId: id, criterionCode: criterion.code, scoreBefore: e.score, scoreAfter: score.score, resultBefore: e.result, resultAfter: score.result, errorsVoided: sync.voided },
    }, deps.clock);
    return { scoreBefore: e.score, scoreAfter: score.score, resultAfter: score.result, errorsVoided: sync.voided };
  });
}

/** Rejects a dispute with a reason the operator will read; the evaluation stays as it is. */
export async function rejectDispute(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Decider, id: number, input: { note?: unknown }, ip?: string): Promise<void> {
  const note = checkNote(input.note, true);
  const d = await decidableDispute(deps, viewer, id);
  const now = nowIso(deps.clock);
  await deps.db.transaction(async (trx) => {
    if (!(await repo.decideDispute(trx, id, { status: 'rejected', by: viewer.id, note, scoreBefore: d.evaluationScore, scoreAfter: d.evaluationScore, now }))) throw new ConflictError(PORTAL_ERROR_KEYS.decided);
    await audit(trx, { userId: viewer.id, action: 'evaluation.disputeRejected', entityType: 'evaluation', entityId: d.evaluationId, ip, details: { disputeId: id, criterionCode: d.criterionCode } }, deps.clock);
  });
}
