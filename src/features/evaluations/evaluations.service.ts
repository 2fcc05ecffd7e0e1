// The evaluation's life: opened on a call (a draft with the rubric version for the call's
// category), autosaved with optimistic concurrency, submitted in one transaction (scores, call,
// assignment, error records), reopened by a supervisor with a reason. Decisions are in
// scoring.ts, heard.ts and evaluation-rules.ts; this file puts them in order.
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import type { Config } from '../../config';
import { nowIso } from '../../db';
import { tashkentDate, tashkentDayRange } from '../../time';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { audit } from '../../audit/audit';
import type { User } from '../users/users.repository';
import { flattenCriteria, type RubricDefinition } from '../rubrics/rubric.model';
import { getRubricVersion, rubricVersionForCall } from '../rubrics/rubrics.service';
import { syncErrorsForEvaluation } from '../errors/errors.service';
import { audioSentTo, ensureRecordingPrepared } from '../calls/recordings.service';
import { scoreEvaluation, validateAnswers, type Answers, type EvaluationScore } from './scoring';
import { coveredSeconds, heardShare, mergeIntervals, needsHeardConfirmation, servedIntervals, verifiedHeard } from './heard';
import { purposeFromAssignments, type Purpose } from './purpose';
import { canEdit, canReopen, canView, clampMark, isOpen, OPEN_STATUSES, validateMarks, type Viewer } from './evaluation-rules';
import type { DraftInput, ListQuery, SubmitInput } from './evaluations.schema';
import * as repo from './evaluations.repository';

export type EvaluationConfig = Pick<Config, 'scoreBands' | 'minHeardShare'>;

export const EVALUATION_ERROR_KEYS = {
  stale: 'evaluations.save.stale',
  notEditable: 'evaluations.edit.notEditable',
  invalid: 'evaluations.save.invalid',
  lowHeardShare: 'evaluations.submit.lowHeardShare',
  incomplete: 'evaluations.submit.incomplete',
  complexReasonRequired: 'evaluations.complex.reasonRequired',
  noRubric: 'evaluations.open.noRubric',
  callGone: 'evaluations.open.callNotFound',
  notSubmitted: 'evaluations.reopen.notSubmitted',
} as const;

/** The viewer of a request with the teams they supervise (the evaluation rules need both). */
export async function viewerFor(db: Knex, user: Pick<User, 'id' | 'role'>): Promise<Viewer> {
  return { id: user.id, role: user.role, supervisedTeamIds: user.role === 'supervisor' ? await repo.supervisedTeamIds(db, user.id) : [] };
}

function accessFacts(e: repo.Evaluation) {
  return { specialistUserId: e.specialistUserId, operatorTeamId: e.operatorTeamId, status: e.status };
}

/** The evaluation, if this viewer may see it: 404 when there is none, 403 when it is not theirs to see. */
async function visibleEvaluation(db: Knex, viewer: Viewer, id: number): Promise<repo.Evaluation> {
  const evaluation = await repo.findEvaluation(db, id);
  if (!evaluation) throw new NotFoundError();
  if (!canView(viewer, accessFacts(evaluation))) throw new ForbiddenError();
  return evaluation;
}

/** The length of the audio marks must lie within: the recording's measured duration, else the call's. */
export function audioDuration(call: Pick<repo.CallForEvaluation, 'durationSec' | 'recording'>): number | null {
  return call.recording?.durationSec ?? call.durationSec ?? null;
}

// ---------------------------------------------------------------------------------------------
// Opening

/**
 * POST /calls/:id/evaluate: the specialist's evaluation of the call — their open draft (or the one
 * they handed in) when there is one, else a new draft on the rubric version for the call's
 * category. The call's assignment to them moves to 'in_progress' and its recording is prepared.
 */
export async function openEvaluationForCall(deps: AppDeps, user: Pick<User, 'id' | 'role'>, callId: number, ip?: string): Promise<{ evaluationId: number; created: boolean }> {
  const { db, clock } = deps;
  const call = await repo.findCall(db, callId);
  if (!call || call.deletedAt) throw new NotFoundError(EVALUATION_ERROR_KEYS.callGone);
  const existing = await repo.findLatestOwnEvaluation(db, callId, user.id);
  if (existing) {
    if (existing.status === 'draft') await repo.startAssignment(db, callId, user.id, existing.id, nowIso(clock));
    return { evaluationId: existing.id, created: false };
  }
  const version = await rubricVersionForCall(db, call.category);
  if (!version) throw new AppError(409, EVALUATION_ERROR_KEYS.noRubric);
  const now = nowIso(clock);
  const evaluationId = await db.transaction(async (trx) => {
    // Checked again inside the transaction: a double click must not make two drafts.
    const again = await repo.findLatestOwnEvaluation(trx, callId, user.id);
    if (again) return again.id;
    // Heard because a plan gave the call to them (random or targeted), else picked by hand.
    const purpose = purposeFromAssignments(await repo.openAssignmentPurposes(trx, callId, user.id));
    const id = await repo.insertEvaluation(trx, { callId, operatorId: call.operatorId, rubricVersionId: version.versionId, specialistUserId: user.id, purpose, now });
    await repo.startAssignment(trx, callId, user.id, id, now);
    await audit(trx, { userId: user.id, action: 'evaluation.start', entityType: 'evaluation', entityId: id, ip, details: { callId, rubricVersionId: version.versionId, purpose } }, clock);
    return id;
  });
  if (call.recording && call.recording.status !== 'ready') await ensureRecordingPrepared(deps, call.recording.id);
  return { evaluationId, created: true };
}

// ---------------------------------------------------------------------------------------------
// The page

export interface EvaluationPageData {
  evaluation: repo.Evaluation;
  call: repo.CallForEvaluation;
  definition: RubricDefinition;
  rubricVersion: { id: number; versionNo: number; rubricId: number };
  answers: Record<string, repo.StoredAnswer>;
  marks: repo.StoredMark[];
  score: EvaluationScore;
  durationSec: number | null;
  editable: boolean;
  reopenable: boolean;
  isOwner: boolean;
}

export async function loadEvaluationPage(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, viewer: Viewer, id: number): Promise<EvaluationPageData> {
  const { db, config } = deps;
  const evaluation = await visibleEvaluation(db, viewer, id);
  const [call, version, answers, marks] = await Promise.all([
    repo.findCall(db, evaluation.callId),
    getRubricVersion(db, evaluation.rubricVersionId),
    repo.listAnswers(db, id),
    repo.listMarks(db, id),
  ]);
  if (!call || !version) throw new NotFoundError();
  const editable = canEdit(viewer, accessFacts(evaluation));
  // Opening one's own draft is starting the work on the call's assignment (a calibration draft is not plan work).
  if (editable && evaluation.status === 'draft' && evaluation.kind === 'regular') await repo.startAssignment(db, call.id, viewer.id, id, nowIso(deps.clock));
  const answerMap = Object.fromEntries(answers.map((a) => [a.criterionCode, a]));
  return {
    evaluation,
    call,
    definition: version.definition,
    rubricVersion: { id: version.id, versionNo: version.versionNo, rubricId: version.rubricId },
    answers: answerMap,
    marks,
    score: scoreEvaluation(version.definition, toScoringAnswers(answers), config.scoreBands),
    durationSec: audioDuration(call),
    editable,
    reopenable: canReopen(viewer, accessFacts(evaluation)),
    isOwner: evaluation.specialistUserId === viewer.id,
  };
}

function toScoringAnswers(answers: ReadonlyArray<Pick<repo.StoredAnswer, 'criterionCode' | 'value' | 'na'>>): Answers {
  return Object.fromEntries(answers.map((a) => [a.criterionCode, { value: a.value, na: a.na }]));
}

// ---------------------------------------------------------------------------------------------
// Saving and submitting

export interface SaveResult {
  revision: number;
  savedAt: string;
  heardShare: number | null;
  heardSeconds: number;
  score: number | null;
  result: string | null;
  status: string;
}

interface SaveContext {
  evaluation: repo.Evaluation;
  call: repo.CallForEvaluation;
  definition: RubricDefinition;
  durationSec: number | null;
}

/** Loads what a save needs and refuses one the viewer may not make. */
async function editableContext(db: Knex, viewer: Viewer, id: number): Promise<SaveContext> {
  const evaluation = await visibleEvaluation(db, viewer, id);
  if (!canEdit(viewer, accessFacts(evaluation))) {
    // The owner trying to change a handed-in evaluation is told why; anyone else simply may not.
    if (evaluation.specialistUserId === viewer.id) throw new ConflictError(EVALUATION_ERROR_KEYS.notEditable);
    throw new ForbiddenError();
  }
  const [call, version] = await Promise.all([repo.findCall(db, evaluation.callId), getRubricVersion(db, evaluation.rubricVersionId)]);
  if (!call || !version) throw new NotFoundError();
  return { evaluation, call, definition: version.definition, durationSec: audioDuration(call) };
}

/** Every problem with the state sent, as field errors; [] when it may be stored. */
export function stateErrors(ctx: Pick<SaveContext, 'definition' | 'durationSec'>, input: DraftInput, opts: { submitting: boolean }): FieldError[] {
  const answers: Answers = Object.fromEntries(Object.entries(input.answers).map(([code, a]) => [code, { value: a.value, na: a.na }]));
  // A comment without a value is kept in a draft but is not an answer.
  const answerErrors = validateAnswers(ctx.definition, answers, { requireComplete: opts.submitting });
  const codes = new Set(flattenCriteria(ctx.definition).map((c) => c.code));
  const markErrors = validateMarks(input.marks, { durationSec: ctx.durationSec, criterionCodes: codes });
  const fields: FieldError[] = [...answerErrors, ...markErrors].map((e) => ({ field: e.path, key: e.key, ...(e.params ? { params: e.params } : {}) }));
  if (opts.submitting && input.complexCase && !input.complexReason.trim()) fields.push({ field: 'complexReason', key: EVALUATION_ERROR_KEYS.complexReasonRequired });
  return fields;
}

/** Why a revision could not be claimed: the evaluation was handed in meanwhile, or someone saved first. */
async function refuseClaim(trx: Knex.Transaction, id: number): Promise<never> {
  const now = await repo.findEvaluation(trx, id);
  if (now && !isOpen(now.status)) throw new ConflictError(EVALUATION_ERROR_KEYS.notEditable);
  throw new ConflictError(EVALUATION_ERROR_KEYS.stale, { revision: now?.revision ?? null });
}

/** Writes the state sent (answers with their points, marks, played stretches, flags) after a claim. */
async function writeState(trx: Knex.Transaction, ctx: SaveContext, input: DraftInput, config: EvaluationConfig, now: string) {
  const answers: Answers = Object.fromEntries(Object.entries(input.answers).map(([code, a]) => [code, { value: a.value, na: a.na }]));
  const score = scoreEvaluation(ctx.definition, answers, config.scoreBands);
  await repo.replaceAnswers(trx, ctx.evaluation.id, Object.entries(input.answers)
    // An entry with nothing in it (no value, not N/A, no comment) is not worth a row.
    .filter(([, a]) => a.value !== null || a.na || a.comment.trim())
    .map(([code, a]) => {
      const s = score.perCriterion[code];
      return {
        criterionCode: code,
        value: a.na ? null : a.value,
        na: a.na,
        comment: a.comment.trim() || null,
        pointsEarned: s?.answered && !s.na ? s.earned : null,
        pointsPossible: s?.answered && !s.na ? s.possible : null,
        failed: s?.failed ?? false,
      };
    }));
  await repo.replaceMarks(trx, ctx.evaluation.id, input.marks.map((m) => {
    const clamped = clampMark(m, ctx.durationSec);
    return { key: m.key, startSec: round3(clamped.startSec), endSec: round3(clamped.endSec), note: m.note.trim() || null, criterionCode: m.criterionCode || null, severity: m.severity || null, isError: m.isError };
  }), now);
  // The union of what the page says was played, before (another session) and now.
  const current = await repo.findEvaluation(trx, ctx.evaluation.id);
  const played = mergeIntervals([...(current?.playedIntervals ?? []), ...input.played], ctx.durationSec);
  // What counts as heard is the server's: the played stretches inside the audio it sent this user.
  // Without a recording there is nothing to hear: no share, and no confirmation to ask for.
  let heardSeconds = coveredSeconds(played);
  let share: number | null = null;
  if (ctx.call.recording) {
    const sent = servedIntervals(await audioSentTo(trx, ctx.evaluation.specialistUserId, ctx.call.id, ctx.call.recording.id), ctx.durationSec);
    const heard = verifiedHeard(played, sent);
    heardSeconds = coveredSeconds(heard);
    share = heardShare(heard, ctx.durationSec);
  }
  await repo.updateDraftFields(trx, ctx.evaluation.id, {
    playedIntervals: played,
    heardSeconds,
    heardShare: share,
    isComplexCase: input.complexCase,
    complexReason: input.complexReason.trim() || null,
    summaryComment: input.summaryComment.trim() || null,
    score: score.score,
    pointsEarned: score.pointsPossible > 0 ? score.pointsEarned : null,
    pointsPossible: score.pointsPossible > 0 ? score.pointsPossible : null,
    result: score.result,
    criticalFailure: score.criticalFailure,
  });
  return { score, heardSeconds, heardShare: share };
}

/**
 * Autosave of an open evaluation. `input.revision` is the revision the page last read or saved; a
 * save naming an older one is refused with 409 and changes nothing (another tab or person saved in
 * between). Returns the new revision for the page's next save.
 */
export async function saveDraft(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, viewer: Viewer, id: number, input: DraftInput): Promise<SaveResult> {
  const { db, clock, config } = deps;
  const ctx = await editableContext(db, viewer, id);
  const fields = stateErrors(ctx, input, { submitting: false });
  if (fields.length) throw new ValidationError(fields, EVALUATION_ERROR_KEYS.invalid);
  const now = nowIso(clock);
  return db.transaction(async (trx) => {
    if (!(await repo.claimRevision(trx, id, input.revision, OPEN_STATUSES, now))) await refuseClaim(trx, id);
    const written = await writeState(trx, ctx, input, config, now);
    return { revision: input.revision + 1, savedAt: now, heardShare: written.heardShare, heardSeconds: written.heardSeconds, score: written.score.score, result: written.score.result, status: ctx.evaluation.status };
  });
}

export interface SubmitResult extends SaveResult {
  score: number | null;
  criticalFailure: boolean;
  errors: { created: number; voided: number; kept: number };
}

/**
 * Hands the evaluation in: the final state is stored, every criterion must be answered, and — when
 * less than Config.minHeardShare of the audio was heard — the specialist must have confirmed.
 * In one transaction: answers with their points, the score, result and critical failure, the
 * Tashkent evaluation day, the call's evaluated_at, the assignment done, the error records.
 */
export async function submitEvaluation(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, viewer: Viewer, id: number, input: SubmitInput, ip?: string): Promise<SubmitResult> {
  const { db, clock, config } = deps;
  const replay = await replayedSubmission(db, viewer, id, input);
  if (replay) return replay;
  const ctx = await editableContext(db, viewer, id);
  const fields = stateErrors(ctx, input, { submitting: true });
  if (fields.length) {
    const incomplete = fields.some((f) => f.key === 'evaluations.answers.incomplete');
    throw new ValidationError(fields, incomplete ? EVALUATION_ERROR_KEYS.incomplete : EVALUATION_ERROR_KEYS.invalid);
  }
  const now = nowIso(clock);
  return db.transaction(async (trx) => {
    if (!(await repo.claimRevision(trx, id, input.revision, OPEN_STATUSES, now))) await refuseClaim(trx, id);
    const written = await writeState(trx, ctx, input, config, now);
    if (!input.confirmLowHeard && needsHeardConfirmation(written.heardShare, config.minHeardShare)) {
      // Thrown inside the transaction: nothing of this request is kept; the page asks and resends.
      throw new AppError(422, EVALUATION_ERROR_KEYS.lowHeardShare, { share: Math.floor((written.heardShare ?? 0) * 100), min: Math.round(config.minHeardShare * 100) });
    }
    // A regular evaluation fulfils the plan's assignment it completes: its purpose is that assignment's.
    const purpose: Purpose = ctx.evaluation.kind === 'regular'
      ? await submittedPurpose(trx, ctx.call.id, ctx.evaluation.specialistUserId, ctx.evaluation.purpose)
      : ctx.evaluation.purpose;
    await repo.markSubmitted(trx, id, { submittedAt: now, evaluationDate: tashkentDate(now), reviewLagSec: reviewLagSeconds(ctx.call, now), purpose });
    if (ctx.evaluation.kind === 'regular') {
      await repo.setCallEvaluated(trx, ctx.call.id, now);
      await repo.completeAssignment(trx, ctx.call.id, ctx.evaluation.specialistUserId, id, now);
    }
    const errors = await syncErrorsForEvaluation(trx, id, clock);
    await audit(trx, {
      userId: viewer.id, action: ctx.evaluation.status === 'reopened' ? 'evaluation.resubmit' : 'evaluation.submit', entityType: 'evaluation', entityId: id, ip,
      details: { callId: ctx.call.id, score: written.score.score, result: written.score.result, heardShare: written.heardShare, complexCase: input.complexCase },
    }, clock);
    return {
      revision: input.revision + 1, savedAt: now, heardShare: written.heardShare, heardSeconds: written.heardSeconds,
      score: written.score.score, result: written.score.result, criticalFailure: written.score.criticalFailure, status: 'submitted', errors,
    };
  });
}

/**
 * A submit sent again because its answer was lost (a dropped connection, a retry): when the
 * evaluation was handed in by exactly this request — same specialist, the revision it named, the
 * same answers, marks and flags — the stored result is the answer, not a 409. Anything different
 * still conflicts (editableContext refuses it). Null when this is not such a retry.
 */
async function replayedSubmission(db: Knex, viewer: Viewer, id: number, input: SubmitInput): Promise<SubmitResult | null> {
  const e = await visibleEvaluation(db, viewer, id);
  if (e.status !== 'submitted' || viewer.role !== 'specialist' || e.specialistUserId !== viewer.id || e.revision !== input.revision + 1) return null;
  const [call, answers, marks] = await Promise.all([repo.findCall(db, e.callId), repo.listAnswers(db, id), repo.listMarks(db, id)]);
  if (!call || !sameSubmission({ evaluation: e, answers, marks }, input, audioDuration(call))) return null;
  return {
    revision: e.revision, savedAt: e.submittedAt ?? e.updatedAt, heardShare: e.heardShare, heardSeconds: e.heardSeconds ?? 0,
    score: e.score, result: e.result, criticalFailure: e.criticalFailure, status: 'submitted',
    errors: { created: 0, voided: 0, kept: await repo.countLiveErrors(db, id) },
  };
}

/** Whether a submission's content is what is stored (as writeState would store it; played stretches aside). Pure. */
export function sameSubmission(
  stored: { evaluation: Pick<repo.Evaluation, 'isComplexCase' | 'complexReason' | 'summaryComment'>; answers: readonly repo.StoredAnswer[]; marks: readonly repo.StoredMark[] },
  input: DraftInput,
  durationSec: number | null,
): boolean {
  const text = (v: string | null | undefined) => (v ?? '').trim();
  const e = stored.evaluation;
  if (e.isComplexCase !== input.complexCase || text(e.complexReason) !== text(input.complexReason) || text(e.summaryComment) !== text(input.summaryComment)) return false;
  const sent = Object.entries(input.answers).filter(([, a]) => a.value !== null || a.na || a.comment.trim());
  if (sent.length !== stored.answers.length) return false;
  const byCode = new Map(stored.answers.map((a) => [a.criterionCode, a]));
  for (const [code, a] of sent) {
    const s = byCode.get(code);
    if (!s || s.na !== a.na || s.value !== (a.na ? null : a.value) || text(s.comment) !== text(a.comment)) return false;
  }
  if (input.marks.length !== stored.marks.length) return false;
  const marks = new Map(stored.marks.map((m) => [m.key, m]));
  for (const m of input.marks) {
    const s = marks.get(m.key);
    const c = clampMark(m, durationSec);
    if (!s || s.startSec !== round3(c.startSec) || s.endSec !== round3(c.endSec) || text(s.note) !== text(m.note)) return false;
    if ((s.criterionCode ?? null) !== (m.criterionCode || null) || (s.severity ?? null) !== (m.severity || null) || s.isError !== m.isError) return false;
  }
  return true;
}

/** The purpose at submission: the open assignment's when the plan gave the call to this specialist meanwhile, else as opened. */
async function submittedPurpose(trx: Knex.Transaction, callId: number, specialistUserId: number, opened: Purpose): Promise<Purpose> {
  const purposes = await repo.openAssignmentPurposes(trx, callId, specialistUserId);
  return purposes.length ? purposeFromAssignments(purposes) : opened;
}

/**
 * Seconds from the end of the call (ended_at, else start plus duration) to the submission, never
 * below zero (clocks of telephony and server may differ by a little). Null when the call has no time.
 */
export function reviewLagSeconds(call: Pick<repo.CallForEvaluation, 'startedAt' | 'endedAt' | 'durationSec'>, submittedAt: string): number | null {
  const end = call.endedAt ? Date.parse(call.endedAt) : Date.parse(call.startedAt) + (call.durationSec ?? 0) * 1000;
  const lag = (Date.parse(submittedAt) - end) / 1000;
  return Number.isFinite(lag) ? Math.max(0, Math.round(lag)) : null;
}

// ---------------------------------------------------------------------------------------------
// Reopening

/** A supervisor (of the operator's team) or an administrator sends a submitted evaluation back. */
export async function reopenEvaluation(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number, reason: string, ip?: string): Promise<void> {
  const { db, clock } = deps;
  const evaluation = await visibleEvaluation(db, viewer, id);
  if (!canReopen(viewer, accessFacts(evaluation))) {
    if ((viewer.role === 'supervisor' || viewer.role === 'admin') && evaluation.status !== 'submitted') throw new ConflictError(EVALUATION_ERROR_KEYS.notSubmitted);
    throw new ForbiddenError();
  }
  const now = nowIso(clock);
  await db.transaction(async (trx) => {
    if (!(await repo.markReopened(trx, id, { by: viewer.id, reason, now }))) throw new ConflictError(EVALUATION_ERROR_KEYS.notSubmitted);
    await audit(trx, { userId: viewer.id, action: 'evaluation.reopen', entityType: 'evaluation', entityId: id, ip, details: { reason, callId: evaluation.callId, specialistUserId: evaluation.specialistUserId } }, clock);
  });
}

// ---------------------------------------------------------------------------------------------
// The list

export const PAGE_SIZE = 25;

export async function listForViewer(db: Knex, viewer: Viewer, query: ListQuery) {
  const scope: repo.ListScope = viewer.role === 'specialist' ? { specialistUserId: viewer.id }
    : viewer.role === 'supervisor' ? { teamIds: [...viewer.supervisedTeamIds] }
    : {};
  const filter: repo.ListFilter = {
    status: query.status,
    from: query.from ? { date: query.from, startIso: tashkentDayRange(query.from).startIso } : undefined,
    to: query.to ? { date: query.to, endIso: tashkentDayRange(query.to).endIso } : undefined,
    complexOnly: query.complex === '1',
  };
  const page = query.page;
  const { rows, total } = await repo.listEvaluations(db, scope, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
