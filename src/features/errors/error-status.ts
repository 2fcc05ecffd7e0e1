// The supervisor's follow-up of an error, as a state machine: new → acknowledged → action
// recorded → closed, one step at a time and only forwards. Pure, so the rule lives in one place.

export const ERROR_STATUSES = ['new', 'acknowledged', 'action_recorded', 'closed'] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

export const ERROR_TRANSITIONS = ['acknowledge', 'recordAction', 'close'] as const;
export type ErrorTransition = (typeof ERROR_TRANSITIONS)[number];

/** Kinds of corrective action (D2.01.4). */
export const ACTION_TYPES = ['conversation', 'training', 'written_warning', 'other'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** The one status each transition starts from, and where it leads. */
const STEPS: Record<ErrorTransition, { from: ErrorStatus; to: ErrorStatus }> = {
  acknowledge: { from: 'new', to: 'acknowledged' },
  recordAction: { from: 'acknowledged', to: 'action_recorded' },
  close: { from: 'action_recorded', to: 'closed' },
};

export type TransitionDecision =
  | { ok: true; to: ErrorStatus }
  | { ok: false; key: 'errors.transition.voided' | 'errors.transition.notAllowed' | 'errors.transition.unknownStatus'; params?: Record<string, unknown> };

export function isErrorStatus(v: unknown): v is ErrorStatus {
  return typeof v === 'string' && (ERROR_STATUSES as readonly string[]).includes(v);
}

/**
 * Whether an error in `status` may take `transition`. A voided error (its evaluation was reopened
 * and the failure withdrawn) takes none: there is nothing left to act on.
 */
export function decideTransition(status: string, transition: ErrorTransition, voided = false): TransitionDecision {
  if (voided) return { ok: false, key: 'errors.transition.voided' };
  if (!isErrorStatus(status)) return { ok: false, key: 'errors.transition.unknownStatus', params: { status } };
  const step = STEPS[transition];
  if (status !== step.from) return { ok: false, key: 'errors.transition.notAllowed', params: { from: status, transition } };
  return { ok: true, to: step.to };
}

/** The transition an error in this status waits for, or null when it is closed (or voided). */
export function nextTransition(status: string, voided = false): ErrorTransition | null {
  if (voided) return null;
  for (const t of ERROR_TRANSITIONS) if (STEPS[t].from === status) return t;
  return null;
}

/** Open = still waiting for the supervisor: anything not closed. */
export function isOpenStatus(status: string): boolean {
  return status !== 'closed';
}

/**
 * A corrective action is overdue when it was recorded with a due date that has passed (Tashkent
 * days compare as strings) and the error is not closed yet. The due day itself is not overdue.
 */
export function isOverdue(e: { status: string; actionDue: string | null; voided?: boolean }, today: string): boolean {
  return !e.voided && e.status === 'action_recorded' && !!e.actionDue && e.actionDue < today;
}
