// The effect of a training: the participants' scores and the linked criteria's failure rate in a
// window before the training day against the same window after it, with the number of
// evaluations behind each figure and whether the change is larger than chance.
// Pure: the service loads the evaluations and answers; the unit tests use hand-checked data.
import { describeChange, mean, twoProportionTest, type ChangeDescription, type ChangeVerdict, type TwoProportionTest } from '../../stats';
import { addDays } from '../../time';

export const DEFAULT_EFFECT_WINDOW_DAYS = 30;
export const MIN_EFFECT_WINDOW_DAYS = 7;
export const MAX_EFFECT_WINDOW_DAYS = 180;
/** Significance level of both tests. */
export const EFFECT_ALPHA = 0.05;
/** Fewest evaluations on each side before scores are compared (Welch needs at least 2). */
export const MIN_EVALUATIONS_PER_SIDE = 3;
/**
 * Fewest answers of the linked criteria on each side before failure rates are compared: the
 * two-proportion z-test rests on a normal approximation that small counts do not support.
 */
export const MIN_ANSWERS_PER_SIDE = 10;

export interface EffectEvaluation {
  id: number;
  operatorId: number;
  /** Asia/Tashkent day the evaluation was handed in */
  evaluationDate: string;
  score: number | null;
}

export interface EffectAnswer {
  evaluationId: number;
  criterionCode: string;
  failed: boolean;
  na: boolean;
}

export interface Window {
  from: string;
  to: string;
}

export interface Proportion {
  failed: number;
  answered: number;
  /** failed ÷ answered; null with no answers */
  rate: number | null;
}

export interface ProportionChange {
  before: Proportion;
  after: Proportion;
  /** after − before in rate; null when either side is empty */
  difference: number | null;
  test: TwoProportionTest | null;
  verdict: ChangeVerdict;
}

export interface TrainingEffect {
  windowDays: number;
  before: Window;
  after: Window;
  scores: {
    before: { n: number; mean: number | null };
    after: { n: number; mean: number | null };
    change: ChangeDescription;
  };
  failures: ProportionChange;
  perCriterion: ({ code: string } & ProportionChange)[];
  perOperator: { operatorId: number; before: { n: number; mean: number | null }; after: { n: number; mean: number | null } }[];
}

/**
 * The two windows around a training day: before = [day − W, day − 1], after = [day + 1, day + W].
 * The training day itself belongs to neither: on that day some calls came before and some after.
 */
export function effectWindows(trainingDate: string, windowDays: number): { before: Window; after: Window } {
  return {
    before: { from: addDays(trainingDate, -windowDays), to: addDays(trainingDate, -1) },
    after: { from: addDays(trainingDate, 1), to: addDays(trainingDate, windowDays) },
  };
}

export function clampWindow(days: unknown): number {
  const n = Math.round(Number(days));
  if (!Number.isFinite(n)) return DEFAULT_EFFECT_WINDOW_DAYS;
  return Math.min(MAX_EFFECT_WINDOW_DAYS, Math.max(MIN_EFFECT_WINDOW_DAYS, n));
}

function within(date: string, w: Window): boolean {
  return date >= w.from && date <= w.to;
}

function proportion(failed: number, answered: number): Proportion {
  return { failed, answered, rate: answered ? failed / answered : null };
}

/**
 * Is the failure rate's change larger than chance? A two-proportion z-test (pooled, two-sided).
 * Fewer failures after the training is the improvement.
 */
export function compareFailureRates(before: Proportion, after: Proportion, opts: { alpha?: number; minAnswers?: number } = {}): ProportionChange {
  const alpha = opts.alpha ?? EFFECT_ALPHA;
  const minAnswers = opts.minAnswers ?? MIN_ANSWERS_PER_SIDE;
  const difference = before.rate !== null && after.rate !== null ? after.rate - before.rate : null;
  if (before.answered < minAnswers || after.answered < minAnswers) {
    return { before, after, difference, test: null, verdict: 'stats.change.tooFewData' };
  }
  const test = twoProportionTest(after.failed, after.answered, before.failed, before.answered);
  let verdict: ChangeVerdict = 'stats.change.notSignificant';
  if (test && test.p < alpha) verdict = test.p1 < test.p2 ? 'stats.change.significantImprovement' : 'stats.change.significantWorsening';
  return { before, after, difference, test, verdict };
}

/**
 * The effect of a training from the participants' submitted evaluations. `evaluations` may hold
 * any dates: those outside the two windows (and on the training day) are left out here.
 * `answers` are those of the linked criteria; N/A answers are not counted (the criterion did not
 * apply, so it could neither pass nor fail).
 */
export function computeTrainingEffect(input: {
  trainingDate: string;
  windowDays: number;
  criteriaCodes: readonly string[];
  evaluations: readonly EffectEvaluation[];
  answers: readonly EffectAnswer[];
  alpha?: number;
}): TrainingEffect {
  const alpha = input.alpha ?? EFFECT_ALPHA;
  const { before, after } = effectWindows(input.trainingDate, input.windowDays);
  const side = new Map<number, 'before' | 'after'>();
  for (const e of input.evaluations) {
    if (within(e.evaluationDate, before)) side.set(e.id, 'before');
    else if (within(e.evaluationDate, after)) side.set(e.id, 'after');
  }
  const scoresOf = (s: 'before' | 'after') => input.evaluations.filter((e) => side.get(e.id) === s && e.score !== null).map((e) => e.score as number);
  const beforeScores = scoresOf('before');
  const afterScores = scoresOf('after');
  const change = describeChange({ before: beforeScores, after: afterScores, alpha, higherIsBetter: true, minN: MIN_EVALUATIONS_PER_SIDE });

  const codes = new Set(input.criteriaCodes);
  const counts = new Map<string, { before: [number, number]; after: [number, number] }>();
  for (const code of input.criteriaCodes) counts.set(code, { before: [0, 0], after: [0, 0] });
  for (const a of input.answers) {
    const s = side.get(a.evaluationId);
    if (!s || a.na || !codes.has(a.criterionCode)) continue;
    const c = counts.get(a.criterionCode)!;
    c[s][1]++;
    if (a.failed) c[s][0]++;
  }
  const total = { before: [0, 0], after: [0, 0] };
  const perCriterion = input.criteriaCodes.map((code) => {
    const c = counts.get(code)!;
    total.before[0] += c.before[0];
    total.before[1] += c.before[1];
    total.after[0] += c.after[0];
    total.after[1] += c.after[1];
    return { code, ...compareFailureRates(proportion(c.before[0], c.before[1]), proportion(c.after[0], c.after[1]), { alpha }) };
  });
  const failures = compareFailureRates(proportion(total.before[0], total.before[1]), proportion(total.after[0], total.after[1]), { alpha });

  const operators = [...new Set(input.evaluations.filter((e) => side.has(e.id)).map((e) => e.operatorId))].sort((a, b) => a - b);
  const perOperator = operators.map((operatorId) => {
    const of = (s: 'before' | 'after') => input.evaluations.filter((e) => e.operatorId === operatorId && side.get(e.id) === s && e.score !== null).map((e) => e.score as number);
    const b = of('before');
    const a = of('after');
    return { operatorId, before: { n: b.length, mean: mean(b) }, after: { n: a.length, mean: mean(a) } };
  });

  return {
    windowDays: input.windowDays,
    before,
    after,
    scores: { before: { n: beforeScores.length, mean: mean(beforeScores) }, after: { n: afterScores.length, mean: mean(afterScores) }, change },
    failures,
    perCriterion,
    perOperator,
  };
}
