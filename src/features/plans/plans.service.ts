// The plans feature's decisions with their collaborators (rule proposals are in proposals.service.ts,
// coverage in coverage.service.ts): drawing a day's plan (population from
// SQL → draw per active rule set → carry-over → assignment → one transaction → media preparation),
// verifying a stored plan, rule sets and duty with their audit trail, reassigning and adding calls,
// the sizing page's figures, and the page models. Never sees req/res.
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { audit } from '../../audit/audit';
import { nowIso } from '../../db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { addDays, isIsoDate, tashkentClock, tashkentDate, tashkentToday, tashkentToUtc } from '../../time';
import { PREPARE_JOB, PREPARE_MAX_ATTEMPTS, ensureRecordingPrepared, prepareDedupeKey } from '../calls/recordings.service';
import type { SpecialistOnDuty } from './assign';
import { composePlan, takesLanguage, type Pick as DrawPick } from './compose';
import { ALGORITHM_VERSION, drawPlan, makeSeed, verifyPlan, type DrawResult, type VerifyResult } from './draw';
import { PlanError, eligibilityDates, findOverlaps, parsePlanRules, type PlanMessage, type PlanRules } from './plan-rules';
import { parseDuty, parsePeriod, ruleFieldName, sizingNumber, type DutyFormRow, type SizingFormValues } from './plans.forms';
import * as repo from './plans.repository';
import { countWorkingDays, estimateScoreStdDev, sizePlan, type SizingResult } from './sizing';

type Deps = Pick<AppDeps, 'db' | 'jobs' | 'clock' | 'logger'>;

export interface Viewer {
  id: number;
  role: Role;
}

/** The operators' teams a viewer sees: null = all (admin), a supervisor their own teams. */
export async function teamScope(deps: Pick<AppDeps, 'db'>, viewer: Viewer): Promise<number[] | null> {
  // Specialists analyse every operator's calls and plan (B2.01.4), as they may open every call.
  if (viewer.role === 'admin' || viewer.role === 'specialist') return null;
  if (viewer.role === 'supervisor') return repo.supervisedTeamIds(deps.db, viewer.id);
  return [];
}

export const inScope = (teamIds: number[] | null, teamId: number | null) => teamIds === null || (teamId !== null && teamIds.includes(teamId));

// ---------------------------------------------------------------------------------------------
// Rule sets

export interface ParsedRuleSet extends Omit<repo.RuleSetRow, 'rules'> {
  rules: PlanRules | null;
  /** the raw stored value when it no longer parses */
  rawRules: unknown;
}

export async function listRuleSets(deps: Pick<AppDeps, 'db'>): Promise<ParsedRuleSet[]> {
  return (await repo.listRuleSets(deps.db)).map(parseRuleSet);
}

function parseRuleSet(r: repo.RuleSetRow): ParsedRuleSet {
  let rules: PlanRules | null = null;
  try {
    rules = parsePlanRules(r.rules);
  } catch {
    rules = null;
  }
  return { ...r, rules, rawRules: r.rules };
}

export interface RuleSetSave {
  id?: number;
  name: string;
  isActive: boolean;
  /** the rules object from the form (rulesInputFromForm) */
  rules: unknown;
}

/**
 * Creates or updates a rule set. Field errors (ValidationError) for a bad name or rules; an active
 * set that overlaps another active set is refused (plans.rules.overlap), nothing stored.
 */
export async function saveRuleSet(deps: Pick<AppDeps, 'db' | 'clock'>, input: RuleSetSave, actorId: number, auditExtra: Record<string, unknown> = {}): Promise<number> {
  const { name, rules, before } = await checkRuleSet(deps, input);
  const row = { name, rules, isActive: input.isActive, updatedBy: actorId };
  let id: number;
  if (input.id) {
    await repo.updateRuleSet(deps.db, input.id, row, deps.clock);
    id = input.id;
  } else {
    id = await repo.insertRuleSet(deps.db, row, deps.clock);
  }
  await audit(
    deps.db,
    {
      userId: actorId,
      action: input.id ? 'plan.rules.update' : 'plan.rules.create',
      entityType: 'plan_rules',
      entityId: id,
      details: { name, isActive: input.isActive, rules, ...(before ? { before: { name: before.name, isActive: before.isActive, rules: before.rules } } : {}), ...auditExtra },
    },
    deps.clock,
  );
  return id;
}

/** What saving a rule set would store, or the field errors (ValidationError) — nothing is written. */
export async function checkRuleSet(deps: Pick<AppDeps, 'db'>, input: RuleSetSave): Promise<{ name: string; rules: PlanRules; before: repo.RuleSetRow | null }> {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push({ field: 'name', key: 'plans.rules.nameRequired' });
  else if (name.length > 200) errors.push({ field: 'name', key: 'plans.rules.nameTooLong', params: { max: 200 } });
  let rules: PlanRules | null = null;
  try {
    rules = parsePlanRules(input.rules);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors.push(...e.fields.map((f) => ({ ...f, field: ruleFieldName(f.field) })));
  }
  const before = input.id ? await repo.findRuleSet(deps.db, input.id) : null;
  if (input.id && !before) throw new NotFoundError();
  if (errors.length || !rules) throw new ValidationError(errors, 'plans.rules.invalid');

  if (input.isActive) {
    const SELF = input.id ?? Number.MAX_SAFE_INTEGER;
    const others = (await listRuleSets(deps)).filter((r) => r.id !== input.id && r.rules);
    const overlaps = findOverlaps([
      ...others.map((r) => ({ id: r.id, name: r.name, isActive: r.isActive, rules: r.rules! })),
      { id: SELF, name, isActive: true, rules },
    ]).filter((o) => o.params.firstId === SELF || o.params.secondId === SELF);
    if (overlaps.length) {
      throw new ValidationError(overlaps.map((o) => ({ field: '_', key: o.key, params: { ...o.params } })), 'plans.rules.invalid');
    }
  }
  return { name, rules, before };
}

// ---------------------------------------------------------------------------------------------
// Duty

export async function listDuty(deps: Pick<AppDeps, 'db'>): Promise<repo.SpecialistDuty[]> {
  return repo.listSpecialistDuty(deps.db);
}

/** Saves every specialist's duty row at once; audited with what changed. */
export async function saveDuty(deps: Pick<AppDeps, 'db' | 'clock'>, rows: readonly DutyFormRow[], actorId: number): Promise<number> {
  const current = await repo.listSpecialistDuty(deps.db);
  const known = new Map(current.map((c) => [c.userId, c]));
  const { entries, errors } = parseDuty(rows.filter((r) => known.has(r.userId)));
  if (errors.length) throw new ValidationError(errors, 'plans.duty.invalid');
  const changes: Record<string, unknown>[] = [];
  await deps.db.transaction(async (trx) => {
    for (const e of entries) {
      const c = known.get(e.userId)!;
      const same = c.configured && c.onDuty === e.onDuty && c.capacity === e.capacity && c.languages.join(',') === e.languages.join(',');
      if (same) continue;
      await repo.upsertDuty(trx, e.userId, e, deps.clock);
      changes.push({ userId: e.userId, before: c.configured ? { onDuty: c.onDuty, capacity: c.capacity, languages: c.languages } : null, after: { onDuty: e.onDuty, capacity: e.capacity, languages: e.languages } });
    }
    if (changes.length) await audit(trx, { userId: actorId, action: 'plan.duty.update', entityType: 'specialist_duty', details: { changes } }, deps.clock);
  });
  return changes.length;
}

function onDuty(duty: readonly repo.SpecialistDuty[]): SpecialistOnDuty[] {
  return duty.filter((d) => d.onDuty).map((d) => ({ userId: d.userId, capacity: d.capacity, languages: d.languages }));
}

// ---------------------------------------------------------------------------------------------
// Drawing a plan day

export interface DrawOptions {
  planDate: string;
  actorId: number | null;
  /** Supersede the day's plan if it has one (refused once work has started). */
  redraw?: boolean;
  /** Seeds to use, one per active rule set in id order (tests and reproductions); fresh ones otherwise. */
  seeds?: readonly string[];
  /** Who asked: recorded in the audit log. */
  source: 'manual' | 'schedule' | 'seed' | 'cli';
  /** Queue the drawn calls' media preparation (default); the demo seed skips it for past days. */
  prepareMedia?: boolean;
}

export interface DrawOutcome {
  planDate: string;
  planIds: number[];
  supersededIds: number[];
  populationCount: number;
  picked: number;
  assigned: number;
  unassigned: number;
  carried: number;
  warnings: PlanMessage[];
  preparationQueued: number;
}

/**
 * Draws (or redraws) the plan of a Tashkent day. Refused, with nothing stored: a day in the
 * future, no active rules, nobody on duty, a day already drawn (unless redraw), a day whose
 * plan has work started.
 */
export async function drawDay(deps: Deps, o: DrawOptions): Promise<DrawOutcome> {
  const { db, clock } = deps;
  const planDate = o.planDate;
  if (!isIsoDate(planDate)) throw new PlanError('plans.rules.planDateInvalid', { planDate });
  const today = tashkentToday(clock);
  if (planDate > today) throw new PlanError('plans.draw.futureDate', { planDate, today });

  const ruleSets = (await listRuleSets(deps)).filter((r) => r.isActive);
  if (!ruleSets.length) throw new PlanError('plans.draw.noRules', {}, 409);
  const broken = ruleSets.find((r) => !r.rules);
  if (broken) throw new PlanError('plans.draw.rulesInvalid', { name: broken.name }, 409);
  const overlaps = findOverlaps(ruleSets.map((r) => ({ id: r.id, name: r.name, isActive: true, rules: r.rules! })));
  if (overlaps.length) throw new PlanError('plans.rules.overlap', overlaps[0].params, 409);

  const duty = await repo.listSpecialistDuty(db);
  const specialists = onDuty(duty);
  if (!specialists.length) throw new PlanError('plans.assign.noSpecialists', {}, 409);

  const existing = await repo.activePlansForDate(db, planDate);
  const existingIds = existing.map((p) => p.id);
  if (existing.length && !o.redraw) throw new PlanError('plans.draw.alreadyDrawn', { planDate }, 409);
  if (existing.length && (await repo.countStartedWork(db, existingIds)) > 0) throw new PlanError('plans.draw.workStarted', { planDate }, 409);

  const drawnAt = nowIso(clock);
  const [inactiveOperatorIds, activeOperatorIds] = await Promise.all([repo.operatorIds(db, { active: false }), repo.operatorIds(db, { active: true })]);

  const draws: { ruleSetId: number; ruleSetName: string; result: DrawResult; fromDate: string; toDate: string; evaluatedCallIds: number[]; noRecordingCallIds: number[] }[] = [];
  // The population is the calls that had arrived when the draw started: later arrivals wait for
  // another day's draw, and the plan's verification knows them as late, not as tampering.
  const maxCallId = await repo.maxCallId(db);
  for (let i = 0; i < ruleSets.length; i++) {
    const rs = ruleSets[i];
    const rules = rs.rules!;
    const { fromDate, toDate } = eligibilityDates(planDate, rules.eligibility);
    const window = { fromDate, toDate, eligibility: rules.eligibility, inactiveOperatorIds, maxCallId };
    // Only calls with a usable recording can be heard: the others are counted and listed apart.
    const unusable: number[] = [];
    const [population, evaluatedCallIds] = await Promise.all([
      repo.eligibleCalls(db, { ...window, evaluated: { mode: 'now' }, recording: { mode: 'usable', unusable } }),
      repo.evaluatedCallIds(db, window),
    ]);
    // Operators with no eligible call are reported (they fall short of their quota) — for a rule
    // set that covers every call; a narrow one (say, sign language only) would list everybody.
    const covered = rules.eligibility.categories.length === 0 && rules.eligibility.languages.length === 0;
    const operators = covered ? (rules.eligibility.excludeInactiveOperators ? activeOperatorIds : [...activeOperatorIds, ...inactiveOperatorIds]) : undefined;
    const result = drawPlan({ seed: o.seeds?.[i] ?? makeSeed(), rules, calls: population, operators });
    draws.push({ ruleSetId: rs.id, ruleSetName: rs.name, result, fromDate, toDate, evaluatedCallIds, noRecordingCallIds: unusable.sort((a, b) => a - b) });
  }

  const carryOver = ruleSets.some((r) => r.rules!.carryOver);
  const candidates = carryOver ? await repo.carryCandidates(db, planDate, existingIds) : [];
  const picks: DrawPick[] = draws.flatMap((d, drawIndex) => d.result.picked.map((p) => ({ drawIndex, ...p })));
  const composed = composePlan(picks, candidates, specialists);

  const dutyNames = new Map(duty.map((d) => [d.userId, d.displayName]));
  const snapshot: repo.SpecialistSnapshot[] = composed.load.map((l) => ({
    userId: l.userId,
    displayName: dutyNames.get(l.userId) ?? String(l.userId),
    capacity: l.capacity,
    languages: specialists.find((s) => s.userId === l.userId)!.languages.slice(),
    carried: l.carried,
  }));

  const languageOf = new Map<number, string | null>();
  for (const c of candidates) languageOf.set(c.callId, c.language);
  for (const p of picks) languageOf.set(p.callId, p.language);

  const planIds: number[] = [];
  await db.transaction(async (trx) => {
    await repo.lockPlanDate(trx, planDate);
    // Re-check inside the transaction: another draw of the same day may have finished meanwhile.
    const now = await repo.activePlansForDate(trx, planDate);
    const nowIds = now.map((p) => p.id);
    if (nowIds.join() !== existingIds.join()) throw new PlanError('plans.draw.concurrent', { planDate }, 409);
    if (nowIds.length && (await repo.countStartedWork(trx, nowIds)) > 0) throw new PlanError('plans.draw.workStarted', { planDate }, 409);
    if (nowIds.length) {
      await repo.restoreCarriedSources(trx, nowIds, drawnAt);
      await repo.cancelOpenAssignments(trx, nowIds, drawnAt);
      await repo.supersedePlans(trx, nowIds);
    }
    for (let i = 0; i < draws.length; i++) {
      const d = draws[i];
      const unassigned = composed.assignments
        .filter((a) => a.drawIndex === i && a.status === 'unassigned')
        .map((a) => ({ callId: a.callId, operatorId: a.operatorId ?? 0, language: languageOf.get(a.callId) ?? null, reason: a.reason! }));
      planIds.push(
        await repo.insertPlan(trx, {
          planDate,
          seed: d.result.seed,
          rules: d.result.rules,
          algorithmVersion: d.result.algorithmVersion,
          populationFingerprint: d.result.populationFingerprint,
          populationCount: d.result.populationCount,
          specialists: snapshot,
          unassigned,
          details: {
            fromDate: d.fromDate, toDate: d.toDate, perOperator: d.result.perOperator, warnings: d.result.warnings, inactiveOperatorIds, evaluatedCallIds: d.evaluatedCallIds, ruleSetName: d.ruleSetName,
            maxCallId, noRecordingCallIds: d.noRecordingCallIds, stratum: 'random',
          },
          planRuleId: d.ruleSetId,
          createdBy: o.actorId,
          createdAt: drawnAt,
        }),
      );
    }
    await repo.cancelAssignments(trx, composed.carriedSourceIds, drawnAt);
    const carriedPurpose = new Map(candidates.map((c) => [c.assignmentId, c.purpose]));
    await repo.insertAssignments(
      trx,
      composed.assignments.map((a) => ({
        // A drawn call is heard at random; a carried one keeps the purpose it was planned for.
        purpose: a.carriedFromId !== null ? (carriedPurpose.get(a.carriedFromId) ?? 'random') : ('random' as const),
        planId: planIds[a.drawIndex],
        callId: a.callId,
        operatorId: a.operatorId,
        specialistUserId: a.specialistUserId,
        priority: a.priority,
        status: a.status,
        origin: a.origin,
        carriedFromId: a.carriedFromId,
      })),
      drawnAt,
    );
    await audit(
      trx,
      {
        userId: o.actorId,
        action: nowIds.length ? 'plan.redraw' : 'plan.draw',
        entityType: 'plan',
        entityId: planIds[0],
        details: {
          planDate,
          planIds,
          superseded: nowIds,
          source: o.source,
          seeds: draws.map((d) => d.result.seed),
          algorithmVersion: ALGORITHM_VERSION,
          populationCount: draws.reduce((s, d) => s + d.result.populationCount, 0),
          picked: picks.length,
          carried: composed.carriedSourceIds.length,
          unassigned: composed.assignments.filter((a) => a.status === 'unassigned').length,
        },
      },
      clock,
    );
  });

  const preparationQueued = o.prepareMedia === false ? 0 : await prepareMedia(deps, composed.assignments.map((a) => a.callId));
  return {
    planDate,
    planIds,
    supersededIds: existingIds,
    populationCount: draws.reduce((s, d) => s + d.result.populationCount, 0),
    picked: picks.length,
    assigned: composed.assignments.filter((a) => a.status === 'new').length,
    unassigned: composed.assignments.filter((a) => a.status === 'unassigned').length,
    carried: composed.carriedSourceIds.length,
    warnings: draws.flatMap((d) => d.result.warnings),
    preparationQueued,
  };
}

/**
 * Queues media preparation for the drawn calls' recordings that are not ready yet, so a
 * specialist opening a call finds the waveform waiting. After the plan's transaction, and never
 * failing the draw: the call page queues a preparation again when the call is opened.
 *
 * This is the batch form of ensureRecordingPrepared's "queue once per recording" — the same job
 * type, payload, dedupe key and attempts, all exported by the calls feature — in one transaction:
 * one insert per recording instead of its five queries, which is what keeps a national plan of
 * ~1,200 calls under two seconds end to end (bench/plan.bench.ts). A recording that already has a
 * job keeps it as it stands; opening its call runs ensureRecordingPrepared, which retries a
 * preparation that finished without leaving the recording ready.
 */
async function prepareMedia(deps: Deps, callIds: readonly number[]): Promise<number> {
  try {
    const recordingIds = await repo.unpreparedRecordingIds(deps.db, callIds);
    if (!recordingIds.length) return 0;
    await deps.db.transaction(async (trx) => {
      for (const recordingId of recordingIds) {
        await deps.jobs.enqueue(PREPARE_JOB, { recordingId }, { dedupeKey: prepareDedupeKey(recordingId), maxAttempts: PREPARE_MAX_ATTEMPTS }, trx);
      }
    });
    deps.jobs.kick();
    return recordingIds.length;
  } catch (e) {
    deps.logger.warn({ err: e }, 'plan: queuing media preparation failed');
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The daily schedule and its job

export const DRAW_JOB = 'plans.draw';
export const drawDedupeKey = (planDate: string) => `plan:draw:${planDate}`;

/**
 * The scheduler's minute tick: from Config.planDrawTime (Tashkent) on, queue today's draw once.
 * The dedupe key makes a second tick — or a second app instance — find the same job.
 */
export function drawScheduleTick(deps: Pick<AppDeps, 'db' | 'jobs' | 'config'>) {
  return async (now: Date): Promise<void> => {
    if (tashkentClock(now) < deps.config.planDrawTime) return;
    const planDate = tashkentDate(now);
    if ((await repo.activePlansForDate(deps.db, planDate)).length) return;
    await deps.jobs.enqueue(DRAW_JOB, { planDate }, { dedupeKey: drawDedupeKey(planDate), maxAttempts: 3 });
  };
}

/** The job: draws the day unless it already has a plan (drawn by hand before the schedule came). */
export function drawJobHandler(deps: Deps) {
  return async (payload: Record<string, unknown>): Promise<unknown> => {
    const planDate = String(payload.planDate ?? '');
    const existing = await repo.activePlansForDate(deps.db, planDate);
    if (existing.length) return { skipped: 'alreadyDrawn', planIds: existing.map((p) => p.id) };
    try {
      const r = await drawDay(deps, { planDate, actorId: null, source: 'schedule' });
      return { planIds: r.planIds, picked: r.picked, unassigned: r.unassigned };
    } catch (e) {
      // A refusal (nobody on duty, no rules) will not mend itself by retrying in 5 s.
      if (e instanceof PlanError || e instanceof ConflictError) {
        const err = new Error(`${e.key} ${JSON.stringify(e.params)}`) as Error & { permanent: boolean };
        err.permanent = true;
        throw err;
      }
      throw e;
    }
  };
}

/**
 * Why the scheduled draw of a day did not make a plan, when its job failed: the refusal's i18n key
 * and params (the job stores them as "<key> <params JSON>"), or null.
 */
export async function scheduledDrawFailure(deps: Pick<AppDeps, 'jobs'>, planDate: string): Promise<{ key: string; params: Record<string, unknown> } | null> {
  const job = await deps.jobs.findByKey(drawDedupeKey(planDate));
  if (!job || job.status !== 'failed' || !job.lastError) return null;
  const m = /^(plans\.[\w.]+)\s+(\{.*\})$/s.exec(job.lastError);
  if (!m) return { key: 'plans.draw.scheduledError', params: {} };
  try {
    return { key: m[1], params: JSON.parse(m[2]) as Record<string, unknown> };
  } catch {
    return { key: m[1], params: {} };
  }
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface VerifyOutcome {
  plan: repo.PlanRow;
  result: VerifyResult;
  currentPopulation: number;
  storedPicks: number;
  /** calls that would belong to the population but arrived after the draw (not a reason to fail) */
  lateArrivals: number;
}

/** Re-derives a stored plan row from its seed, rules and algorithm over the population as of its draw. */
export async function verifyStoredPlan(deps: Pick<AppDeps, 'db'>, planId: number): Promise<VerifyOutcome> {
  const plan = await repo.findPlan(deps.db, planId);
  if (!plan) throw new NotFoundError();
  const picked = await repo.drawnCallIds(deps.db, planId);
  let population: Awaited<ReturnType<typeof repo.eligibleCalls>> = [];
  let lateArrivals = 0;
  try {
    const rules = parsePlanRules(plan.rules);
    const window = plan.details ? { fromDate: plan.details.fromDate, toDate: plan.details.toDate } : eligibilityDates(plan.planDate, rules.eligibility);
    const evaluated = plan.details?.evaluatedCallIds ? { mode: 'excluded' as const, callIds: plan.details.evaluatedCallIds } : { mode: 'asOf' as const, drawnAt: plan.createdAt };
    const asDrawn = { ...window, eligibility: rules.eligibility, inactiveOperatorIds: plan.details?.inactiveOperatorIds ?? [] };
    // The population as it was at the draw: up to its watermark, without the calls it found unhearable.
    const maxCallId = plan.details?.maxCallId;
    const recording = plan.details?.noRecordingCallIds ? { mode: 'excluded' as const, callIds: plan.details.noRecordingCallIds } : undefined;
    population = await repo.eligibleCalls(deps.db, { ...asDrawn, evaluated, maxCallId, recording });
    if (maxCallId !== undefined) lateArrivals = await repo.lateArrivals(deps.db, { ...asDrawn, maxCallId });
  } catch (e) {
    if (!(e instanceof ValidationError) && !(e instanceof PlanError)) throw e;
    // verifyPlan reports the unreadable rules itself
  }
  const result = verifyPlan(
    { seed: plan.seed, rules: plan.rules, algorithmVersion: plan.algorithmVersion, fingerprint: plan.populationFingerprint, pickedCallIds: picked },
    population,
  );
  return { plan, result, currentPopulation: population.length, storedPicks: picked.length, lateArrivals };
}

// ---------------------------------------------------------------------------------------------
// Changing a drawn plan

async function assertSpecialistFor(deps: Pick<AppDeps, 'db'>, specialistUserId: number, language: string | null): Promise<void> {
  const duty = (await repo.listSpecialistDuty(deps.db)).find((d) => d.userId === specialistUserId);
  if (!duty) throw new ValidationError([{ field: 'specialistUserId', key: 'plans.reassign.specialistInvalid' }], 'plans.reassign.specialistInvalid');
  if (!takesLanguage(duty.languages, language)) {
    throw new ValidationError([{ field: 'specialistUserId', key: 'plans.reassign.languageMismatch', params: { name: duty.displayName, language: language ?? '' } }], 'plans.reassign.languageMismatch');
  }
}

/** Gives an assignment not yet started to another specialist. Audited. */
export async function reassign(deps: Pick<AppDeps, 'db' | 'clock'>, o: { assignmentId: number; specialistUserId: number; actor: Viewer }): Promise<repo.AssignmentRow> {
  const a = await repo.findAssignment(deps.db, o.assignmentId);
  if (!a) throw new NotFoundError();
  if (!inScope(await teamScope(deps, o.actor), a.teamId)) throw new ForbiddenError();
  const plan = await repo.findPlan(deps.db, a.planId);
  if (!plan || plan.status !== 'active') throw new ConflictError('plans.reassign.planSuperseded');
  if (!['new', 'unassigned'].includes(a.status)) throw new ConflictError('plans.reassign.started');
  if (a.specialistUserId === o.specialistUserId) throw new ValidationError([{ field: 'specialistUserId', key: 'plans.reassign.unchanged' }], 'plans.reassign.unchanged');
  await assertSpecialistFor(deps, o.specialistUserId, a.language);
  const now = nowIso(deps.clock);
  await deps.db.transaction(async (trx) => {
    await repo.updateAssignmentSpecialist(trx, a.id, o.specialistUserId, now);
    await audit(trx, { userId: o.actor.id, action: 'plan.reassign', entityType: 'assignment', entityId: a.id, details: { planId: a.planId, callId: a.callId, from: a.specialistUserId, to: o.specialistUserId, statusBefore: a.status } }, deps.clock);
  });
  return a;
}

/** Adds a call to a day's plan by hand (origin 'added'). Audited; its media preparation is queued. */
export async function addCall(deps: Deps, o: { planId: number; callId: number; specialistUserId: number; actor: Viewer }): Promise<number> {
  const plan = await repo.findPlan(deps.db, o.planId);
  if (!plan) throw new NotFoundError();
  if (plan.status !== 'active') throw new ConflictError('plans.reassign.planSuperseded');
  const call = await repo.findCall(deps.db, o.callId);
  const scope = await teamScope(deps, o.actor);
  // A call out of the supervisor's teams is "not found" to them, not "forbidden": no probing for ids.
  if (!call || call.deleted || !inScope(scope, call.teamId)) throw new ValidationError([{ field: 'callId', key: 'plans.add.callNotFound', params: { callId: o.callId } }], 'plans.add.callNotFound');
  const dayPlanIds = (await repo.activePlansForDate(deps.db, plan.planDate)).map((p) => p.id);
  if (await repo.callInPlans(deps.db, dayPlanIds, call.id)) throw new ValidationError([{ field: 'callId', key: 'plans.add.alreadyInPlan', params: { callId: call.id } }], 'plans.add.alreadyInPlan');
  await assertSpecialistFor(deps, o.specialistUserId, call.language);
  const now = nowIso(deps.clock);
  let id = 0;
  await deps.db.transaction(async (trx) => {
    // Added by hand: not part of the random draw, so its evaluation is on request.
    id = await repo.insertAssignment(trx, { planId: plan.id, callId: call.id, operatorId: call.operatorId, specialistUserId: o.specialistUserId, priority: 1, status: 'new', origin: 'added', carriedFromId: null, purpose: 'on_request' }, now);
    await audit(trx, { userId: o.actor.id, action: 'plan.addCall', entityType: 'assignment', entityId: id, details: { planId: plan.id, callId: call.id, specialistUserId: o.specialistUserId } }, deps.clock);
  });
  if (call.recordingId !== null) {
    try {
      await ensureRecordingPrepared(deps, call.recordingId);
    } catch (e) {
      deps.logger.warn({ err: e }, 'plan: queuing media preparation failed');
    }
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Page models

export interface SpecialistProgress {
  userId: number;
  name: string;
  capacity: number | null;
  planned: number;
  inProgress: number;
  done: number;
}

export interface OperatorProgress {
  operatorId: number;
  name: string;
  code: string;
  eligible: number | null;
  quota: number | null;
  planned: number;
  done: number;
}

/** Folds status counts per key into planned / in progress / done. Pure. */
export function tally(counts: readonly repo.StatusCount[]): Map<number | null, { planned: number; inProgress: number; done: number; unassigned: number }> {
  const out = new Map<number | null, { planned: number; inProgress: number; done: number; unassigned: number }>();
  for (const c of counts) {
    const e = out.get(c.key) ?? { planned: 0, inProgress: 0, done: 0, unassigned: 0 };
    if (c.status === 'new' || c.status === 'in_progress' || c.status === 'done') e.planned += c.n;
    if (c.status === 'in_progress') e.inProgress += c.n;
    if (c.status === 'done') e.done += c.n;
    if (c.status === 'unassigned') e.unassigned += c.n;
    out.set(c.key, e);
  }
  return out;
}

/** Sums the per-operator draw figures of a day's plan rows (one per rule set). Pure. */
export function mergePerOperator(plans: readonly Pick<repo.PlanRow, 'details'>[]): Map<number, { eligible: number; quota: number; picked: number }> {
  const out = new Map<number, { eligible: number; quota: number; picked: number }>();
  for (const p of plans) {
    for (const o of p.details?.perOperator ?? []) {
      const e = out.get(o.operatorId) ?? { eligible: 0, quota: 0, picked: 0 };
      e.eligible += o.eligible;
      e.quota += o.quota;
      e.picked += o.picked;
      out.set(o.operatorId, e);
    }
  }
  return out;
}

export interface PlanPageQuery {
  planDate?: string;
  planId?: number;
  specialistUserId?: number;
  status?: repo.AssignmentStatus;
  page: number;
}

export const ASSIGNMENTS_PER_PAGE = 50;
/** How many of the calls left out for want of a usable recording the plan page lists. */
export const NO_RECORDING_LISTED = 100;

export async function planPage(deps: Pick<AppDeps, 'db' | 'clock'>, q: PlanPageQuery, viewer: Viewer) {
  const { db } = deps;
  const today = tashkentToday(deps.clock);
  let plans: repo.PlanRow[];
  let planDate: string;
  if (q.planId) {
    const p = await repo.findPlan(db, q.planId);
    if (!p) throw new NotFoundError();
    plans = [p];
    planDate = p.planDate;
  } else {
    planDate = q.planDate ?? today;
    plans = await repo.activePlansForDate(db, planDate);
  }
  const planIds = plans.map((p) => p.id);
  const teamIds = await teamScope(deps, viewer);
  const [bySpecialist, byOperator, assignments, recent, duty, startedWork, carriedOut] = await Promise.all([
    repo.countsBySpecialist(db, planIds),
    repo.countsByOperator(db, planIds, teamIds),
    repo.listAssignments(db, planIds, { teamIds, specialistUserId: q.specialistUserId, status: q.status }, { limit: ASSIGNMENTS_PER_PAGE, offset: (q.page - 1) * ASSIGNMENTS_PER_PAGE }),
    repo.recentPlans(db, 10),
    repo.listSpecialistDuty(db),
    repo.countStartedWork(db, planIds),
    repo.countCarriedOut(db, planIds),
  ]);

  // Specialists: everyone in the snapshot (capacity) plus anyone given work since.
  const snap = new Map<number, repo.SpecialistSnapshot>();
  for (const p of plans) for (const s of p.specialists) snap.set(s.userId, s);
  const spTally = tally(bySpecialist);
  const spIds = [...new Set([...snap.keys(), ...[...spTally.keys()].filter((k): k is number => k !== null)])];
  const names = await repo.userNames(db, spIds);
  const specialists: SpecialistProgress[] = spIds
    .map((id) => ({ userId: id, name: names.get(id) ?? snap.get(id)?.displayName ?? String(id), capacity: snap.get(id)?.capacity ?? null, planned: spTally.get(id)?.planned ?? 0, inProgress: spTally.get(id)?.inProgress ?? 0, done: spTally.get(id)?.done ?? 0 }))
    .sort((a, b) => a.name.localeCompare(b.name));

  // Operators: the draw's figures with what was assigned and done, in the viewer's teams.
  const drawn = mergePerOperator(plans);
  const opTally = tally(byOperator);
  const opIds = [...new Set([...drawn.keys(), ...[...opTally.keys()].filter((k): k is number => k !== null)])];
  const opInfo = await repo.operatorsByIds(db, opIds);
  const operators: OperatorProgress[] = opIds
    .filter((id) => opInfo.has(id) && inScope(teamIds, opInfo.get(id)!.teamId))
    .map((id) => {
      const d = drawn.get(id);
      const t = opTally.get(id);
      return { operatorId: id, name: opInfo.get(id)!.fullName, code: opInfo.get(id)!.employeeCode, eligible: d?.eligible ?? null, quota: d?.quota ?? null, planned: (t?.planned ?? 0) + (t?.unassigned ?? 0), done: t?.done ?? 0 };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const underQuota = operators.filter((o) => o.quota !== null && o.eligible !== null && o.eligible < o.quota);

  const unassigned = (await repo.listAssignments(db, planIds, { teamIds, status: 'unassigned' }, { limit: 200, offset: 0 })).rows;
  const reasons = new Map<number, string>();
  for (const p of plans) for (const u of p.unassigned) reasons.set(u.callId, u.reason);

  const totals = specialists.reduce((s, x) => ({ planned: s.planned + x.planned, done: s.done + x.done, inProgress: s.inProgress + x.inProgress }), { planned: 0, done: 0, inProgress: 0 });
  const unassignedTotal = [...spTally.entries()].reduce((s, [k, v]) => s + (k === null ? v.unassigned : 0), 0);
  const warnings = plans.flatMap((p) => p.details?.warnings ?? []);
  const noRecording = [...new Set(plans.flatMap((p) => p.details?.noRecordingCallIds ?? []))].sort((a, b) => a - b);
  return {
    today,
    planDate,
    plans,
    byId: !!q.planId,
    isActive: plans.some((p) => p.status === 'active'),
    canRedraw: plans.length > 0 && plans.every((p) => p.status === 'active') && startedWork === 0 && planDate <= today,
    startedWork,
    carriedOut,
    totals: { ...totals, unassigned: unassignedTotal },
    specialists,
    operators,
    underQuota,
    unassigned: unassigned.map((u) => ({ ...u, reason: reasons.get(u.callId) ?? null })),
    assignments: assignments.rows,
    assignmentsTotal: assignments.total,
    quotaShortfalls: warnings.filter((w) => w.key === 'plans.draw.quotaAboveEligible').length,
    otherWarnings: warnings.filter((w) => w.key !== 'plans.draw.quotaAboveEligible'),
    /** window calls the draw left out because they could not be heard (no usable recording) */
    noRecording: { count: noRecording.length, callIds: noRecording.slice(0, NO_RECORDING_LISTED) },
    recent,
    duty: duty.filter((d) => d.onDuty),
    allSpecialists: duty,
    scopedToTeams: teamIds !== null,
  };
}

/** A specialist's queue for today: their assignments in today's plan, in working order. */
export async function todayPage(deps: Pick<AppDeps, 'db' | 'clock'>, userId: number) {
  const today = tashkentToday(deps.clock);
  const items = await repo.specialistQueue(deps.db, userId, today);
  const done = items.filter((i) => i.status === 'done').length;
  const inProgress = items.filter((i) => i.status === 'in_progress').length;
  return { today, items, total: items.length, done, inProgress, left: items.length - done };
}

// ---------------------------------------------------------------------------------------------
// Sizing

export const SIZING_CONFIDENCES = ['0.9', '0.95', '0.99'] as const;

export async function sizingDefaults(deps: Pick<AppDeps, 'db' | 'clock'>): Promise<SizingFormValues> {
  const to = addDays(tashkentToday(deps.clock), -1);
  const from = addDays(to, -29);
  const duty = onDuty(await repo.listSpecialistDuty(deps.db));
  return {
    from,
    to,
    estimate: 'mean',
    margin: '5',
    confidence: '0.95',
    sigma: '',
    overheadMinutes: '5',
    hoursPerDay: '6',
    specialists: String(duty.length),
    workingDays: String(countWorkingDays(from, to)),
  };
}

export interface SizingPage {
  values: SizingFormValues;
  errors: FieldError[];
  result: SizingResult | null;
  sigma: { value: number; source: 'evaluations' | 'default' | 'input'; count: number } | null;
  avgCallDurationSec: number | null;
  operators: { operatorId: number; name: string; teamId: number | null }[];
  dailyCapacityCalls: number;
  dutyCount: number;
  scopedToTeams: boolean;
  visibleOperatorIds: number[] | null;
}

/** The sizing page: volumes from the calls table over the period, σ from past scores, capacity from duty. */
export async function sizingPage(deps: Pick<AppDeps, 'db' | 'clock'>, values: SizingFormValues, viewer: Viewer): Promise<SizingPage> {
  const duty = onDuty(await repo.listSpecialistDuty(deps.db));
  const teamIds = await teamScope(deps, viewer);
  const base: SizingPage = { values, errors: [], result: null, sigma: null, avgCallDurationSec: null, operators: [], dailyCapacityCalls: duty.reduce((s, d) => s + d.capacity, 0), dutyCount: duty.length, scopedToTeams: teamIds !== null, visibleOperatorIds: null };
  const period = parsePeriod(values.from, values.to);
  if (Array.isArray(period)) return { ...base, errors: period };
  const [volumes, avg] = await Promise.all([repo.operatorVolumes(deps.db, period.fromDate, period.toDate), repo.averageCallDuration(deps.db, period.fromDate, period.toDate)]);
  const operators = volumes.map((v) => ({ operatorId: v.operatorId, name: v.fullName, teamId: v.teamId }));
  const visibleOperatorIds = teamIds === null ? null : operators.filter((o) => inScope(teamIds, o.teamId)).map((o) => o.operatorId);

  // σ: typed in, or from the last 180 days of scores, or the default.
  const typedSigma = sizingNumber(values.sigma);
  let sigma: SizingPage['sigma'] = null;
  if (values.estimate !== 'proportion') {
    if (typedSigma !== undefined) sigma = { value: typedSigma, source: 'input', count: 0 };
    else {
      const scores = await repo.evaluationScores(deps.db, addDays(period.toDate, -179), period.toDate);
      const est = estimateScoreStdDev(scores);
      sigma = { value: est.sigma, source: est.source, count: est.count };
    }
  }
  // A proportion's margin may be typed as per cent (5) or as a fraction (0.05).
  let margin = sizingNumber(values.margin);
  if (values.estimate === 'proportion' && margin !== undefined && margin >= 1 && margin < 100) margin = margin / 100;
  try {
    const result = sizePlan({
      operators: volumes.map((v) => ({ operatorId: v.operatorId, callVolume: v.calls, avgDurationSec: v.avgDurationSec })),
      estimate: values.estimate as 'mean' | 'proportion',
      margin: margin as number,
      confidence: sizingNumber(values.confidence) as number,
      scoreStdDev: sigma && sigma.source !== 'default' ? sigma.value : undefined,
      avgCallDurationSec: avg ?? 0,
      overheadMinutesPerCall: sizingNumber(values.overheadMinutes) ?? 0,
      workingDays: sizingNumber(values.workingDays) as number,
      specialists: sizingNumber(values.specialists) as number,
      hoursPerDay: sizingNumber(values.hoursPerDay) as number,
    });
    return { ...base, result, sigma, avgCallDurationSec: avg, operators, visibleOperatorIds };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const fieldMap: Record<string, string> = { scoreStdDev: 'sigma', overheadMinutesPerCall: 'overheadMinutes', avgCallDurationSec: 'from' };
    return { ...base, errors: e.fields.map((f) => ({ ...f, field: fieldMap[f.field] ?? f.field })), sigma, avgCallDurationSec: avg, operators, visibleOperatorIds };
  }
}

/** Tashkent wall-clock instant of a day's scheduled draw: the clock the demo seed draws past days with. */
export function drawInstant(planDate: string, drawTime: string): Date {
  return tashkentToUtc(planDate, drawTime);
}
