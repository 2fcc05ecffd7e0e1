// Assigning a plan's calls to the specialists on duty: within each one's capacity, only in languages
// they can evaluate, and spreading every operator's calls over several specialists so no operator's
// scores rest on one person's judgement. Deterministic: the same input gives the same assignments,
// whatever order the calls and specialists come in.
import { PlanError } from './plan-rules';

export interface CallToAssign {
  callId: number;
  operatorId: number;
  /** The draw's weight: higher goes first when capacity runs short. */
  priority: number;
  /** The call's position in its operator's random order (drawPlan's rank); absent = last. */
  rank?: number;
  /** uz | kaa | ru | en | other | sign; null / 'other' = anyone can take it; 'sign' only signers. */
  language: string | null;
}

export interface SpecialistOnDuty {
  userId: number;
  /** Calls they can still take today (after any carried-over work). */
  capacity: number;
  languages: readonly string[];
}

export interface Assignment {
  callId: number;
  operatorId: number;
  specialistUserId: number;
  priority: number;
}

export type UnassignedReason = 'plans.assign.noLanguage' | 'plans.assign.capacityExceeded';

export interface UnassignedCall {
  callId: number;
  reason: UnassignedReason;
  params: { operatorId: number; language: string | null };
}

export interface SpecialistLoad {
  userId: number;
  capacity: number;
  assigned: number;
}

export interface AssignResult {
  assignments: Assignment[];
  unassigned: UnassignedCall[];
  /** Per specialist, ordered by user id. */
  load: SpecialistLoad[];
}

/** Languages anyone may take: an unknown or "other" language is not a reason to leave a call. */
const ANY_LANGUAGE = new Set(['', 'other']);

function normaliseLanguage(language: string | null | undefined): string {
  return (language ?? '').trim().toLowerCase();
}

/**
 * Assigns calls to specialists.
 *
 * Order of service: higher priority first; then calls fewer specialists can take (a sign-language
 * call before an "other" one, so flexible calls do not use up the only signer); then by rank, so
 * when capacity runs short every operator loses from the tail of their random order alike; then
 * operator id and call id.
 *
 * Choice of specialist, among those who take the language and have room:
 * - load is measured as a share of capacity (compared exactly by cross-multiplying), so part-timers
 *   are not filled first;
 * - everyone within one call of the least-loaded counts as least-loaded — without that slack the
 *   strict minimum would override the spreading below every time loads are uneven by one;
 * - among those, the one with the fewest calls of this operator, then the least loaded, then the
 *   fewest calls, then the lowest user id.
 *
 * Throws plans.assign.noSpecialists when nobody is on duty.
 */
export function assignCalls(calls: readonly CallToAssign[], specialists: readonly SpecialistOnDuty[]): AssignResult {
  if (specialists.length === 0) throw new PlanError('plans.assign.noSpecialists', {}, 409);
  const seen = new Set<number>();
  for (const s of specialists) {
    if (!Number.isSafeInteger(s.userId)) throw new PlanError('plans.assign.specialistInvalid', { userId: s.userId });
    if (seen.has(s.userId)) throw new PlanError('plans.assign.duplicateSpecialist', { userId: s.userId });
    seen.add(s.userId);
    if (!Number.isInteger(s.capacity) || s.capacity < 0) throw new PlanError('plans.assign.capacityInvalid', { userId: s.userId });
  }
  const staff: Staff[] = [...specialists]
    .sort((a, b) => a.userId - b.userId)
    .map((s) => ({
      userId: s.userId,
      capacity: s.capacity,
      languages: new Set(s.languages.map(normaliseLanguage).filter((l) => l !== '')),
      assigned: 0,
      perOperator: new Map<number, number>(),
    }));
  const takes = (s: Staff, language: string) => ANY_LANGUAGE.has(language) || s.languages.has(language);

  const callIds = new Set<number>();
  for (const c of calls) {
    if (callIds.has(c.callId)) throw new PlanError('plans.assign.duplicateCall', { callId: c.callId });
    callIds.add(c.callId);
  }
  // How many specialists (capacity aside) can take each language: the scarcer, the earlier.
  const reach = new Map<string, number>();
  for (const c of calls) {
    const language = normaliseLanguage(c.language);
    if (!reach.has(language)) reach.set(language, staff.filter((s) => takes(s, language)).length);
  }
  const order = [...calls].sort(
    (a, b) =>
      b.priority - a.priority ||
      reach.get(normaliseLanguage(a.language))! - reach.get(normaliseLanguage(b.language))! ||
      (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
      a.operatorId - b.operatorId ||
      a.callId - b.callId,
  );

  const assignments: Assignment[] = [];
  const unassigned: UnassignedCall[] = [];
  const open: Staff[] = [];
  for (const call of order) {
    const language = normaliseLanguage(call.language);
    open.length = 0;
    let least: Staff | null = null;
    for (const s of staff) {
      if (!takes(s, language) || s.assigned >= s.capacity) continue;
      open.push(s);
      if (least === null || lighter(s, least)) least = s;
    }
    const params = { operatorId: call.operatorId, language: call.language ?? null };
    if (least === null) {
      const reason = reach.get(language)! > 0 ? 'plans.assign.capacityExceeded' : 'plans.assign.noLanguage';
      unassigned.push({ callId: call.callId, reason, params });
      continue;
    }
    const floor = least;
    let best: Staff | null = null;
    let bestOfOperator = 0;
    for (const s of open) {
      // within one call of the least loaded: (assigned − 1) / capacity ≤ floor's share
      if ((s.assigned - 1) * floor.capacity > floor.assigned * s.capacity) continue;
      const ofOperator = s.perOperator.get(call.operatorId) ?? 0;
      if (best === null || ofOperator < bestOfOperator || (ofOperator === bestOfOperator && lighter(s, best))) {
        best = s;
        bestOfOperator = ofOperator;
      }
    }
    const chosen = best as Staff;
    chosen.assigned++;
    chosen.perOperator.set(call.operatorId, bestOfOperator + 1);
    assignments.push({ callId: call.callId, operatorId: call.operatorId, specialistUserId: chosen.userId, priority: call.priority });
  }

  return {
    assignments,
    unassigned,
    load: staff.map((s) => ({ userId: s.userId, capacity: s.capacity, assigned: s.assigned })),
  };
}

interface Staff {
  userId: number;
  capacity: number;
  languages: Set<string>;
  assigned: number;
  perOperator: Map<number, number>;
}

/** a carries a smaller share of its capacity than b (then fewer calls); staff is in user-id order, so a strict "<" keeps the lower id on ties. Both have room, so capacity > 0. */
function lighter(a: Staff, b: Staff): boolean {
  const cmp = a.assigned * b.capacity - b.assigned * a.capacity;
  return cmp < 0 || (cmp === 0 && a.assigned < b.assigned);
}

/** Splits the stored "uz,ru" language list of specialist_duty into a list. */
export function parseLanguageList(stored: string | null | undefined): string[] {
  return (stored ?? '')
    .split(',')
    .map(normaliseLanguage)
    .filter((l) => l !== '');
}
