// The automatic checks an administrator can bind to a rubric criterion, and their parameters
// (thresholds) with the range each may take. A leaf module — no database, no other feature's
// code — because the rubric model validates bindings against it.

export const CHECK_IDS = ['answerAndGreeting', 'answeredWithin', 'greetingWithin', 'callback', 'cardComplete', 'silence', 'talkOver', 'hold'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface CheckParamSpec {
  name: string;
  /** what the number counts: seconds, minutes or attempts (checks.param.unit.<unit>) */
  unit: 'sec' | 'min' | 'count';
  min: number;
  max: number;
  default: number;
  /** whole numbers only */
  integer: boolean;
}

const sec = (name: string, dflt: number, min: number, max: number): CheckParamSpec => ({ name, unit: 'sec', min, max, default: dflt, integer: false });

/**
 * Every check with its parameters, in the order they are written in a binding key. Defaults are
 * the default rubric's: OPEN-1 answered ≤ 10 s (NFPA 1225) with the greeting ≤ 3 s; CLOSE-2 a
 * dropped call called back within 10 minutes in at most 3 attempts (A1.03.3); INFO-5 no silence
 * over 15 s; COMM-1 under 10 s of talk-over in the call.
 */
export const CHECKS: Record<CheckId, { params: CheckParamSpec[] }> = {
  answerAndGreeting: { params: [sec('answerSec', 10, 1, 600), sec('greetingSec', 3, 0.5, 60)] },
  answeredWithin: { params: [sec('answerSec', 10, 1, 600)] },
  greetingWithin: { params: [sec('greetingSec', 3, 0.5, 60)] },
  callback: {
    params: [
      { name: 'withinMin', unit: 'min', min: 1, max: 1440, default: 10, integer: true },
      { name: 'maxAttempts', unit: 'count', min: 1, max: 10, default: 3, integer: true },
    ],
  },
  cardComplete: { params: [] },
  silence: { params: [sec('maxSec', 15, 3, 600)] },
  talkOver: { params: [sec('maxSec', 10, 0.5, 600)] },
  hold: { params: [sec('maxSec', 120, 30, 3600)] },
};

export function isCheckId(v: unknown): v is CheckId {
  return typeof v === 'string' && (CHECK_IDS as readonly string[]).includes(v);
}

/** The i18n keys of binding errors (a test checks each has a translation). */
export const CHECK_BINDING_ERROR_KEYS = {
  unknownCheck: 'checks.binding.unknownCheck',
  paramOutOfRange: 'checks.binding.paramOutOfRange',
} as const;
