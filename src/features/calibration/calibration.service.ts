// Calibration sessions: a supervisor (or admin) picks calls and specialists, each participant
// scores every call blind on the ordinary evaluation page, and once the session is closed the
// results compare their answers (agreement.ts). This file puts the decisions in order.
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { audit } from '../../audit/audit';
import { nowIso } from '../../db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldErrorsFromZod, type FieldError } from '../../http/errors';
import { addDays, tashkentToday } from '../../time';
import { rubricVersionForCall } from '../rubrics/rubrics.service';
import { buildSessionReport, type SessionReport } from './calibration-report';
import { sessionFormSchema, type SessionForm } from './calibration.schema';
import * as repo from './calibration.repository';

export interface Viewer {
  id: number;
  role: Role;
}

/** Who runs sessions (creates, closes, sees every session). */
export const CALIBRATION_MANAGER_ROLES: readonly Role[] = ['supervisor', 'admin'];
/** Who reaches /calibration at all: managers and the specialists who take part. */
export const CALIBRATION_ROLES: readonly Role[] = ['supervisor', 'admin', 'specialist'];

export function canManage(role: Role): boolean {
  return CALIBRATION_MANAGER_ROLES.includes(role);
}

/** A session is seen by managers and by its own participants (a specialist sees only those). */
export function canViewSession(viewer: Viewer, isParticipant: boolean): boolean {
  return canManage(viewer.role) || (viewer.role === 'specialist' && isParticipant);
}

/**
 * Blindness: nobody — participant or manager — sees anyone's answers before the session is
 * closed. Managers see who has handed in, never what.
 */
export function resultsVisible(session: Pick<repo.CalibrationSession, 'status'>): boolean {
  return session.status === 'closed';
}

export const CALIBRATION_ERROR_KEYS = {
  notFound: 'calibration.notFound',
  alreadyClosed: 'calibration.close.alreadyClosed',
  resultsNotYet: 'calibration.results.notYet',
} as const;

/** Fewest people scoring (the expert included): agreement needs at least two. */
export const MIN_SCORERS = 2;

async function visibleSession(deps: Pick<AppDeps, 'db'>, viewer: Viewer, id: number): Promise<{ session: repo.CalibrationSession; isParticipant: boolean }> {
  const session = await repo.findSession(deps.db, id);
  if (!session) throw new NotFoundError(CALIBRATION_ERROR_KEYS.notFound);
  const isParticipant = await repo.isParticipant(deps.db, id, viewer.id);
  if (!canViewSession(viewer, isParticipant)) throw new ForbiddenError();
  return { session, isParticipant };
}

// ---------------------------------------------------------------------------------------------
// Creating

export interface CreateResult {
  sessionId: number;
  evaluations: number;
}

/**
 * Creates the session with one draft calibration evaluation per scorer per call, on the rubric
 * version for the call's category. All or nothing: any bad input is a ValidationError with the
 * field it concerns, and nothing is stored.
 */
export async function createSession(deps: Pick<AppDeps, 'db' | 'clock'>, actor: Viewer, input: unknown, ip?: string): Promise<CreateResult> {
  const { db, clock } = deps;
  if (!canManage(actor.role)) throw new ForbiddenError();
  const parsed = sessionFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues));
  const form: SessionForm = parsed.data;
  const fields: FieldError[] = [];
  const today = tashkentToday(clock);
  if (form.deadline < today) fields.push({ field: 'deadline', key: 'calibration.form.deadlineInPast' });

  const specialists = new Set((await repo.activeSpecialists(db)).map((s) => s.id));
  if (form.participantIds.some((id) => !specialists.has(id))) fields.push({ field: 'participantIds', key: 'calibration.form.participantInvalid' });
  if (form.expertUserId !== null && !specialists.has(form.expertUserId)) fields.push({ field: 'expertUserId', key: 'calibration.form.expertInvalid' });
  // The expert scores too; ticking them as a participant as well changes nothing.
  const scorers = [...new Set([...(form.expertUserId ? [form.expertUserId] : []), ...form.participantIds])];
  if (scorers.length < MIN_SCORERS && !fields.some((f) => f.field === 'participantIds')) fields.push({ field: 'participantIds', key: 'calibration.form.participantsRequired', params: { min: MIN_SCORERS } });

  const calls = await repo.callsByIds(db, form.callIds);
  const byId = new Map(calls.map((c) => [c.id, c]));
  const versions = new Map<number, number>();
  for (const callId of form.callIds) {
    const call = byId.get(callId);
    if (!call || call.deleted || !call.hasRecording) {
      fields.push({ field: 'callIds', key: 'calibration.form.callInvalid' });
      break;
    }
    const version = await rubricVersionForCall(db, call.category);
    if (!version) {
      fields.push({ field: 'callIds', key: 'calibration.form.noRubric' });
      break;
    }
    versions.set(callId, version.versionId);
  }
  if (fields.length) throw new ValidationError(fields);

  const now = nowIso(clock);
  return db.transaction(async (trx) => {
    const sessionId = await repo.insertSession(trx, { title: form.title, notes: form.notes || null, createdBy: actor.id, deadline: form.deadline, expertUserId: form.expertUserId, now });
    await repo.insertSessionCalls(trx, sessionId, form.callIds);
    await repo.insertParticipants(trx, sessionId, scorers.map((userId) => ({ userId, isExpert: userId === form.expertUserId })));
    let evaluations = 0;
    for (const callId of form.callIds) {
      for (const userId of scorers) {
        await repo.insertCalibrationEvaluation(trx, { sessionId, callId, operatorId: byId.get(callId)!.operatorId, rubricVersionId: versions.get(callId)!, specialistUserId: userId, now });
        evaluations++;
      }
    }
    await audit(trx, { userId: actor.id, action: 'calibration.create', entityType: 'calibration_session', entityId: sessionId, ip, details: { title: form.title, callIds: form.callIds, participantIds: scorers, expertUserId: form.expertUserId, deadline: form.deadline } }, clock);
    return { sessionId, evaluations };
  });
}

/** What the new-session form offers: recent calls with recordings and the active specialists. */
export async function sessionFormOptions(deps: Pick<AppDeps, 'db' | 'clock'>, q: { q?: string; category?: string; days: number }, selectedCallIds: readonly number[] = []) {
  const today = tashkentToday(deps.clock);
  const [candidates, selected, specialists] = await Promise.all([
    repo.candidateCalls(deps.db, { fromDate: addDays(today, -q.days), category: q.category, q: q.q, limit: 60 }),
    repo.candidateCallsByIds(deps.db, selectedCallIds),
    repo.activeSpecialists(deps.db),
  ]);
  // Calls ticked before a search stay on the form even when the search no longer lists them.
  const shown = new Set(candidates.map((c) => c.id));
  return { calls: [...selected.filter((c) => !shown.has(c.id)), ...candidates], specialists, today, defaultDeadline: addDays(today, 3) };
}

// ---------------------------------------------------------------------------------------------
// Closing

export async function closeSession(deps: Pick<AppDeps, 'db' | 'clock'>, actor: Viewer, id: number, ip?: string): Promise<void> {
  const { db, clock } = deps;
  if (!canManage(actor.role)) throw new ForbiddenError();
  const session = await repo.findSession(db, id);
  if (!session) throw new NotFoundError(CALIBRATION_ERROR_KEYS.notFound);
  const now = nowIso(clock);
  await db.transaction(async (trx) => {
    if (!(await repo.markClosed(trx, id, actor.id, now))) throw new ConflictError(CALIBRATION_ERROR_KEYS.alreadyClosed);
    await audit(trx, { userId: actor.id, action: 'calibration.close', entityType: 'calibration_session', entityId: id, ip }, clock);
  });
}

/** The schedule's tick: sessions whose deadline day has passed close by themselves. */
export async function closeOverdueSessions(deps: Pick<AppDeps, 'db' | 'clock'>): Promise<number> {
  const { db, clock } = deps;
  const ids = await repo.overdueOpenSessionIds(db, tashkentToday(clock));
  let closed = 0;
  for (const id of ids) {
    const now = nowIso(clock);
    // markClosed is guarded on status: two instances ticking at once close a session once.
    const done = await db.transaction(async (trx) => {
      if (!(await repo.markClosed(trx, id, null, now))) return false;
      await audit(trx, { action: 'calibration.close', entityType: 'calibration_session', entityId: id, details: { reason: 'deadline' } }, clock);
      return true;
    });
    if (done) closed++;
  }
  return closed;
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listForViewer(deps: Pick<AppDeps, 'db'>, viewer: Viewer) {
  const sessions = await repo.listSessions(deps.db, canManage(viewer.role) ? {} : { participantUserId: viewer.id });
  let mine = new Map<number, { total: number; submitted: number }>();
  if (viewer.role === 'specialist' && sessions.length) {
    mine = new Map();
    for (const s of sessions) {
      const own = (await repo.listSessionEvaluations(deps.db, s.id)).filter((e) => e.specialistUserId === viewer.id);
      mine.set(s.id, { total: own.length, submitted: own.filter((e) => e.status === 'submitted').length });
    }
  }
  return sessions.map((s) => ({ ...s, mine: mine.get(s.id) ?? null }));
}

export interface ParticipantProgress extends repo.Participant {
  total: number;
  submitted: number;
}

/**
 * The session page: its calls, who takes part and how far each one is (handed in or not — never
 * what they answered), and the viewer's own evaluations to open.
 */
export async function sessionOverview(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number) {
  const { session, isParticipant } = await visibleSession(deps, viewer, id);
  const [calls, participants, evaluations] = await Promise.all([repo.listSessionCalls(deps.db, id), repo.listParticipants(deps.db, id), repo.listSessionEvaluations(deps.db, id)]);
  const progress: ParticipantProgress[] = participants.map((p) => {
    const own = evaluations.filter((e) => e.specialistUserId === p.userId);
    return { ...p, total: own.length, submitted: own.filter((e) => e.status === 'submitted').length };
  });
  const mine = evaluations.filter((e) => e.specialistUserId === viewer.id).map((e) => ({ id: e.id, callId: e.callId, status: e.status }));
  const submitted = evaluations.filter((e) => e.status === 'submitted').length;
  const today = tashkentToday(deps.clock);
  return {
    session,
    calls,
    progress,
    mine,
    isParticipant,
    canManage: canManage(viewer.role),
    resultsVisible: resultsVisible(session),
    totals: { evaluations: evaluations.length, submitted },
    overdue: session.status === 'open' && session.deadline < today,
    today,
  };
}

export interface SessionResults extends SessionReport {
  session: repo.CalibrationSession;
  calls: repo.SessionCall[];
  participants: repo.Participant[];
  /** participants who handed in nothing that counts */
  missing: { userId: number; displayName: string; callIds: number[] }[];
}

/** The results of a closed session; refused (403) while it is open, for everyone. */
export async function sessionResults(deps: Pick<AppDeps, 'db' | 'clock'>, viewer: Viewer, id: number): Promise<SessionResults> {
  const { session } = await visibleSession(deps, viewer, id);
  if (!resultsVisible(session)) throw new ForbiddenError(CALIBRATION_ERROR_KEYS.resultsNotYet);
  const [calls, participants, evaluations] = await Promise.all([repo.listSessionCalls(deps.db, id), repo.listParticipants(deps.db, id), repo.listSessionEvaluations(deps.db, id)]);
  const definitions = await repo.rubricDefinitions(deps.db, evaluations.map((e) => e.rubricVersionId));
  const answers = await repo.listAnswersOf(deps.db, evaluations.map((e) => e.id));
  const built = buildSessionReport({
    // In the session's order, so the criteria come in the order of the first call's rubric.
    calls: calls.map((c) => {
      const e = evaluations.find((x) => x.callId === c.callId);
      return { callId: c.callId, definition: (e ? definitions.get(e.rubricVersionId) : undefined) ?? null };
    }),
    expertUserId: session.expertUserId,
    closedAt: session.closedAt,
    evaluations,
    answers,
  });
  const countedKeys = new Set(built.counted.map((e) => `${e.specialistUserId}:${e.callId}`));
  const missing = participants
    .map((p) => ({ userId: p.userId, displayName: p.displayName, callIds: calls.map((c) => c.callId).filter((callId) => !countedKeys.has(`${p.userId}:${callId}`)) }))
    .filter((m) => m.callIds.length);
  return { ...built, session, calls, participants, missing };
}
