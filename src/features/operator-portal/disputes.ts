// Disputes of a criterion by the evaluated operator: the window they may be raised in, who
// decides them, and the answers an accepted dispute leaves. Pure functions.
import type { Role } from '../../auth/roles';
import type { Criterion } from '../rubrics/rubric.model';

/**
 * Days after an evaluation is handed in during which its operator may dispute a criterion.
 * A constant until the lead adds the DISPUTE_WINDOW_DAYS setting to src/config.ts; the service
 * takes the number as an argument, so only the caller changes then.
 */
export const DISPUTE_WINDOW_DAYS = 7;

export const DISPUTE_STATUSES = ['open', 'accepted', 'rejected'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** The last instant a dispute may be raised: submitted_at + the window. */
export function disputeDeadline(submittedAt: string, windowDays: number = DISPUTE_WINDOW_DAYS): Date {
  return new Date(Date.parse(submittedAt) + windowDays * 86_400_000);
}

/** Whether the window is still open at `now` (the deadline itself included). */
export function isDisputeWindowOpen(submittedAt: string | null, now: Date, windowDays: number = DISPUTE_WINDOW_DAYS): boolean {
  if (!submittedAt) return false;
  return now.getTime() <= disputeDeadline(submittedAt, windowDays).getTime();
}

/** Only the supervisor of the operator's team, or an administrator, decides a dispute. */
export function canDecideDispute(viewer: { id: number; role: Role }, teamSupervisorId: number | null): boolean {
  return viewer.role === 'admin' || (viewer.role === 'supervisor' && teamSupervisorId === viewer.id);
}

/** The passing answer of a criterion: yes for yes/no, the top of the scale for a scale. */
export function passingValue(criterion: Pick<Criterion, 'answerType' | 'scaleMax'>): number {
  return criterion.answerType === 'scale' ? (criterion.scaleMax ?? 1) : 1;
}

/**
 * The answers after an accepted dispute: the disputed criterion passes (its top value), every
 * other answer as it was.
 */
export function answersAfterDispute<A extends { value: number | null; na: boolean }>(
  answers: Readonly<Record<string, A>>,
  criterion: Pick<Criterion, 'code' | 'answerType' | 'scaleMax'>,
): Record<string, { value: number | null; na: boolean }> {
  const out: Record<string, { value: number | null; na: boolean }> = {};
  for (const [code, a] of Object.entries(answers)) out[code] = { value: a.value, na: a.na };
  out[criterion.code] = { value: passingValue(criterion), na: false };
  return out;
}
