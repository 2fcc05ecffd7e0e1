// Why a call was heard. Statistics about operators come from the random sample (calls a plan drew
// at random); the other purposes are shown beside it and never mixed in silently (DESIGN.md).
// Pure, browser-safe constants and decisions shared by evaluations, plans, reports and errors.

/** evaluations.purpose: random (a plan's random draw), targeted (a targeted stratum of a plan), on
 *  request (picked by hand: complaint, incident, request), calibration (practice and second reviews). */
export const PURPOSES = ['random', 'targeted', 'on_request', 'calibration'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** assignments.purpose: what an evaluation made from the assignment is for. */
export type AssignmentPurpose = Exclude<Purpose, 'calibration'>;

/** The sample a statistic is taken over: one purpose, or all of them together (shown as such). */
export const SAMPLES = [...PURPOSES, 'all'] as const;
export type Sample = (typeof SAMPLES)[number];

/** The default sample of every operator statistic. */
export const DEFAULT_SAMPLE: Sample = 'random';

export function isPurpose(v: unknown): v is Purpose {
  return typeof v === 'string' && (PURPOSES as readonly string[]).includes(v);
}

export function isSample(v: unknown): v is Sample {
  return typeof v === 'string' && (SAMPLES as readonly string[]).includes(v);
}

/** The purposes a sample covers. */
export function purposesOf(sample: Sample): Purpose[] {
  return sample === 'all' ? [...PURPOSES] : [sample];
}

/**
 * The purpose of an evaluation made by a specialist on a call: the purpose of their open
 * assignment of the call when a plan gave it to them (a random draw beats a targeted stratum beats
 * a hand-added call), else on request — the call was picked by hand. Calibration evaluations are
 * made by the calibration features and never pass here.
 */
export function purposeFromAssignments(purposes: readonly string[]): Purpose {
  for (const p of ['random', 'targeted', 'on_request'] as const) if (purposes.includes(p)) return p;
  return 'on_request';
}
