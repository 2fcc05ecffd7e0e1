// Putting a plan day together from its parts: the draw's picks (one draw per active rule set) and
// yesterday's unfinished work carried over, handed to the specialists on duty. Pure: the service
// loads the inputs and stores what comes out.
import { assignCalls, type CallToAssign, type SpecialistOnDuty, type UnassignedReason } from './assign';

export interface Pick {
  /** Which of the day's draws (rule sets, in id order) picked it: the plan row it belongs to. */
  drawIndex: number;
  callId: number;
  operatorId: number;
  priority: number;
  rank: number;
  language: string | null;
}

export interface CarryCandidate {
  assignmentId: number;
  callId: number;
  operatorId: number | null;
  specialistUserId: number | null;
  priority: number;
  language: string | null;
}

export interface ComposedAssignment {
  drawIndex: number;
  callId: number;
  operatorId: number | null;
  specialistUserId: number | null;
  priority: number;
  status: 'new' | 'unassigned';
  origin: 'draw' | 'carried';
  carriedFromId: number | null;
  reason: UnassignedReason | null;
}

export interface ComposedPlan {
  assignments: ComposedAssignment[];
  /** Earlier assignments now carried into this day (they are cancelled where they were). */
  carriedSourceIds: number[];
  /** Per specialist: capacity, calls kept from yesterday, calls assigned in all. */
  load: { userId: number; capacity: number; carried: number; assigned: number }[];
}

const ANY_LANGUAGE = new Set(['', 'other']);
const norm = (l: string | null | undefined) => (l ?? '').trim().toLowerCase();

/** Whether a specialist can take a call in this language (unknown / other: anyone). */
export function takesLanguage(languages: readonly string[], language: string | null): boolean {
  const l = norm(language);
  return ANY_LANGUAGE.has(l) || languages.some((x) => norm(x) === l);
}

/**
 * Composes a plan day.
 * - A carried call the draw picked again is not doubled: the draw's assignment stands and records
 *   where it was carried from.
 * - Other carried calls stay with their specialist when that specialist is on duty, takes the
 *   language and has room (higher priority first); their count comes off that day's capacity.
 * - Everything else (the picks, carried calls whose specialist is away or full) goes through
 *   assignCalls with the capacity that is left. Carried calls join the first draw's plan row.
 * Throws plans.assign.noSpecialists when nobody is on duty.
 */
export function composePlan(picks: readonly Pick[], carried: readonly CarryCandidate[], specialists: readonly SpecialistOnDuty[]): ComposedPlan {
  const picked = new Map<number, Pick>();
  for (const p of picks) if (!picked.has(p.callId)) picked.set(p.callId, p); // rule sets do not overlap; a duplicate would be a bug upstream
  const room = new Map(specialists.map((s) => [s.userId, s.capacity]));
  const carriedBy = new Map<number, number>(specialists.map((s) => [s.userId, 0]));
  const byId = new Map(specialists.map((s) => [s.userId, s]));

  const carriedFrom = new Map<number, number>(); // callId → assignment id it was carried from
  const kept: ComposedAssignment[] = [];
  const pool: CallToAssign[] = [];
  const poolCarried = new Map<number, CarryCandidate>();
  const seen = new Set<number>();
  const order = [...carried].sort((a, b) => b.priority - a.priority || a.assignmentId - b.assignmentId);
  for (const c of order) {
    if (seen.has(c.callId)) continue;
    seen.add(c.callId);
    if (picked.has(c.callId)) {
      carriedFrom.set(c.callId, c.assignmentId);
      continue;
    }
    const s = c.specialistUserId === null ? undefined : byId.get(c.specialistUserId);
    if (s && takesLanguage(s.languages, c.language) && (room.get(s.userId) ?? 0) > 0) {
      room.set(s.userId, room.get(s.userId)! - 1);
      carriedBy.set(s.userId, carriedBy.get(s.userId)! + 1);
      kept.push({ drawIndex: 0, callId: c.callId, operatorId: c.operatorId, specialistUserId: s.userId, priority: c.priority, status: 'new', origin: 'carried', carriedFromId: c.assignmentId, reason: null });
      continue;
    }
    poolCarried.set(c.callId, c);
    pool.push({ callId: c.callId, operatorId: c.operatorId ?? 0, priority: c.priority, language: c.language });
  }
  for (const p of picked.values()) pool.push({ callId: p.callId, operatorId: p.operatorId, priority: p.priority, rank: p.rank, language: p.language });

  const result = assignCalls(
    pool,
    specialists.map((s) => ({ userId: s.userId, capacity: room.get(s.userId)!, languages: s.languages })),
  );
  const out: ComposedAssignment[] = [...kept];
  const place = (callId: number, specialistUserId: number | null, reason: UnassignedReason | null) => {
    const c = poolCarried.get(callId);
    const status = specialistUserId === null ? 'unassigned' : 'new';
    if (c) {
      out.push({ drawIndex: 0, callId, operatorId: c.operatorId, specialistUserId, priority: c.priority, status, origin: 'carried', carriedFromId: c.assignmentId, reason });
      return;
    }
    const p = picked.get(callId)!;
    out.push({ drawIndex: p.drawIndex, callId, operatorId: p.operatorId, specialistUserId, priority: p.priority, status, origin: 'draw', carriedFromId: carriedFrom.get(callId) ?? null, reason });
  };
  for (const a of result.assignments) place(a.callId, a.specialistUserId, null);
  for (const u of result.unassigned) place(u.callId, null, u.reason);

  const assignedBy = new Map<number, number>();
  for (const a of out) if (a.specialistUserId !== null) assignedBy.set(a.specialistUserId, (assignedBy.get(a.specialistUserId) ?? 0) + 1);
  const carriedSourceIds = [...kept.map((k) => k.carriedFromId!), ...[...poolCarried.values()].map((c) => c.assignmentId), ...carriedFrom.values()].sort((a, b) => a - b);
  return {
    assignments: out,
    carriedSourceIds,
    load: [...specialists]
      .sort((a, b) => a.userId - b.userId)
      .map((s) => ({ userId: s.userId, capacity: s.capacity, carried: carriedBy.get(s.userId) ?? 0, assigned: assignedBy.get(s.userId) ?? 0 })),
  };
}
