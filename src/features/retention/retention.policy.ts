// Retention decisions, as plain functions: which class a call belongs to, how long its recording is
// kept, and whether a recording (content-addressed, possibly shared by several calls) may go now.
// The repository gathers the facts; the service acts on the decisions.

/** Classes of calls, from the least to the most worth keeping. A call belongs to the highest that applies. */
export const RETENTION_CLASSES = ['not_evaluated', 'evaluated', 'flagged', 'training'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

/** Days a recording is kept after its call, per class; null = for ever. Administrators change them. */
export type RetentionPolicies = Record<RetentionClass, number | null>;

/** What a fresh installation starts with (the administrator is expected to set the legal periods). */
export const DEFAULT_RETENTION_DAYS: RetentionPolicies = { not_evaluated: 90, evaluated: 365, flagged: 1825, training: 3650 };

/** Longest period one may enter (about 100 years); longer means "for ever" (leave the field empty). */
export const MAX_RETENTION_DAYS = 36_500;

export interface CallFacts {
  callId: number;
  externalId: string;
  startedAt: string;
  /** A submitted evaluation (or calls.evaluated_at). */
  evaluated: boolean;
  /** Errors, disputes or a complex case on one of its evaluations. */
  flagged: boolean;
  /** Used in a calibration session (or a calibration evaluation). */
  inTraining: boolean;
  /** Under an active legal hold. */
  held: boolean;
}

export function callClass(f: Pick<CallFacts, 'evaluated' | 'flagged' | 'inTraining'>): RetentionClass {
  if (f.inTraining) return 'training';
  if (f.flagged) return 'flagged';
  if (f.evaluated) return 'evaluated';
  return 'not_evaluated';
}

/** The instant the recording of a call started at `startedAt` may go; null = never. */
export function keepUntil(startedAt: string, days: number | null): string | null {
  if (days === null) return null;
  return new Date(Date.parse(startedAt) + days * 86_400_000).toISOString();
}

export type RecordingDecision =
  | { action: 'purge'; callClass: RetentionClass; days: number; dueAt: string }
  | { action: 'keep'; reason: 'held' | 'notDue' | 'forever' | 'noCalls'; callClass: RetentionClass | null; days: number | null; dueAt: string | null; heldCallIds: number[] };

/**
 * Whether a recording may be deleted now. Every call using it must be past its own retention (the
 * call that keeps it longest decides, and names the policy) and none may be under a legal hold.
 */
export function decideRecording(calls: readonly CallFacts[], policies: RetentionPolicies, now: Date): RecordingDecision {
  if (!calls.length) return { action: 'keep', reason: 'noCalls', callClass: null, days: null, dueAt: null, heldCallIds: [] };
  let governing: { callClass: RetentionClass; days: number | null; dueAt: string | null } | null = null;
  for (const c of calls) {
    const cls = callClass(c);
    const days = policies[cls];
    const dueAt = keepUntil(c.startedAt, days);
    if (!governing || (governing.dueAt !== null && (dueAt === null || dueAt > governing.dueAt))) governing = { callClass: cls, days, dueAt };
  }
  const g = governing!;
  const heldCallIds = calls.filter((c) => c.held).map((c) => c.callId);
  if (heldCallIds.length) return { action: 'keep', reason: 'held', ...g, heldCallIds };
  if (g.dueAt === null || g.days === null) return { action: 'keep', reason: 'forever', ...g, heldCallIds };
  if (g.dueAt > now.toISOString()) return { action: 'keep', reason: 'notDue', ...g, heldCallIds };
  return { action: 'purge', callClass: g.callClass, days: g.days, dueAt: g.dueAt };
}

/** The shortest period in force: no call younger than this can be due. null when everything is kept for ever. */
export function shortestRetention(policies: RetentionPolicies): number | null {
  const days = RETENTION_CLASSES.map((c) => policies[c]).filter((d): d is number => d !== null);
  return days.length ? Math.min(...days) : null;
}

export type PolicyFormResult = { ok: true; policies: RetentionPolicies } | { ok: false; fields: { field: string; key: string; params?: Record<string, unknown> }[] };

/**
 * Reads the policies form: one field per class, whole days 1…MAX_RETENTION_DAYS, empty = for ever.
 * A class worth more must not be kept shorter than one worth less (a flagged call shorter than an
 * ordinary evaluated one would be a slip). Pure.
 */
export function parsePolicyForm(body: Record<string, unknown>): PolicyFormResult {
  const fields: { field: string; key: string; params?: Record<string, unknown> }[] = [];
  const policies = {} as RetentionPolicies;
  for (const cls of RETENTION_CLASSES) {
    const raw = body[cls];
    const text = typeof raw === 'string' ? raw.trim() : raw === undefined ? '' : null;
    if (text === null) {
      fields.push({ field: cls, key: 'retention.policies.invalidDays', params: { max: MAX_RETENTION_DAYS } });
      continue;
    }
    if (text === '') {
      policies[cls] = null;
      continue;
    }
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > MAX_RETENTION_DAYS) fields.push({ field: cls, key: 'retention.policies.invalidDays', params: { max: MAX_RETENTION_DAYS } });
    else policies[cls] = n;
  }
  if (fields.length) return { ok: false, fields };
  const longer = (a: number | null, b: number | null) => a === null || (b !== null && a >= b);
  for (let i = 1; i < RETENTION_CLASSES.length; i++) {
    const cls = RETENTION_CLASSES[i]!;
    const below = RETENTION_CLASSES[i - 1]!;
    if (!longer(policies[cls], policies[below])) fields.push({ field: cls, key: 'retention.policies.shorterThanLower', params: { lower: below } });
  }
  return fields.length ? { ok: false, fields } : { ok: true, policies };
}
