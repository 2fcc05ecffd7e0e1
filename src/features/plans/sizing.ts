// Plan sizing (B2.01.4 #1): how many calls of each operator must be listened to over a period to
// estimate the operator's mean score (or a proportion, e.g. the share of calls with an error) within
// a margin of error at a confidence level — and whether the specialists have the hours for it.
//
//   n0 = (z·σ / E)²                      for a mean score (σ = score standard deviation, in points)
//   n0 = z²·p(1 − p) / E²                for a proportion (p = 0.5 is the worst case)
//   n  = n0 / (1 + (n0 − 1) / N)         finite-population correction for an operator with N calls
//
// z is the two-sided normal quantile: z = Φ⁻¹(1 − (1 − confidence) / 2).
import { z } from 'zod';
import { ValidationError, fieldErrorsFromZod } from '../../http/errors';
import type { PlanMessage } from './plan-rules';

/** The formulas, for display beside the numbers. */
export const SIZING_FORMULA =
  'n₀ = (z·σ / E)²  (proportion: n₀ = z²·p(1−p) / E², p = 0.5);  n = n₀ / (1 + (n₀ − 1) / N)';

/** σ when there are too few past evaluations to estimate it: 15 points on the 0–100 score. */
export const DEFAULT_SCORE_STD_DEV = 15;

/** Fewest past scores from which we trust a sample standard deviation. */
export const MIN_SCORES_FOR_STD_DEV = 30;

// Rounding that must not turn an exact 8 into 9 because of 8.000000000001.
const EPS = 1e-9;

/**
 * Inverse of the standard normal CDF, Φ⁻¹(p) for 0 < p < 1.
 * Wichura's algorithm AS 241 (PPND16, Applied Statistics 37:477, 1988): about 16 significant digits.
 */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability out of (0, 1): ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
          133.14166789178437745) * r + 3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
        42.313330701600911252) * r + 1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
        4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
        2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
        5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
        0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -val : val;
}

/** Two-sided z for a confidence level: 0.90 → 1.645, 0.95 → 1.960, 0.99 → 2.576. */
export function zForConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence out of (0, 1): ${confidence}`);
  return inverseNormalCdf(1 - (1 - confidence) / 2);
}

/** n0 before the finite-population correction. */
export function initialSampleSize(args: { z: number; margin: number } & ({ sigma: number } | { proportion: number })): number {
  const { z: zv, margin } = args;
  if ('sigma' in args) return ((zv * args.sigma) / margin) ** 2;
  return (zv * zv * args.proportion * (1 - args.proportion)) / (margin * margin);
}

/** n = n0 / (1 + (n0 − 1) / N); 0 when the operator has no calls. Never above N. */
export function correctForPopulation(n0: number, population: number): number {
  if (population <= 0) return 0;
  return Math.min(population, n0 / (1 + (n0 - 1) / population));
}

/**
 * σ from past evaluation scores (sample standard deviation, n − 1), or the default when there are
 * fewer than MIN_SCORES_FOR_STD_DEV scores or they do not vary (σ = 0 would size every sample at 1).
 */
export function estimateScoreStdDev(
  scores: readonly number[],
  fallback = DEFAULT_SCORE_STD_DEV,
): { sigma: number; source: 'evaluations' | 'default'; count: number } {
  const count = scores.length;
  if (count < MIN_SCORES_FOR_STD_DEV) return { sigma: fallback, source: 'default', count };
  let mean = 0;
  for (const s of scores) mean += s;
  mean /= count;
  let ss = 0;
  for (const s of scores) ss += (s - mean) ** 2;
  const sigma = Math.sqrt(ss / (count - 1));
  if (!(sigma > 0) || !Number.isFinite(sigma)) return { sigma: fallback, source: 'default', count };
  return { sigma, source: 'evaluations', count };
}

const positive = (key: string) => z.number({ error: key }).refine((v) => Number.isFinite(v) && v > 0, { error: key });
const nonNegative = (key: string) => z.number({ error: key }).refine((v) => Number.isFinite(v) && v >= 0, { error: key });

export const sizingInputSchema = z
  .object({
    operators: z.array(
      z.object({
        operatorId: z.number({ error: 'plans.sizing.operatorInvalid' }).int({ error: 'plans.sizing.operatorInvalid' }),
        /** N: the operator's calls over the period. */
        callVolume: z
          .number({ error: 'plans.sizing.volumeInvalid' })
          .int({ error: 'plans.sizing.volumeInvalid' })
          .min(0, { error: 'plans.sizing.volumeInvalid' }),
        /** The operator's own average call duration; the overall one when absent. */
        avgDurationSec: nonNegative('plans.sizing.durationInvalid').nullish(),
        /** The operator's own σ (e.g. from their past scores); the overall one when absent. */
        scoreStdDev: positive('plans.sizing.sigmaPositive').nullish(),
      }),
      { error: 'plans.sizing.operatorsInvalid' },
    ),
    /** What is estimated: an operator's mean score (default) or a proportion. */
    estimate: z.enum(['mean', 'proportion'], { error: 'plans.sizing.estimateInvalid' }).default('mean'),
    /** E: score points for a mean (e.g. 5), a fraction for a proportion (e.g. 0.05). */
    margin: positive('plans.sizing.marginPositive'),
    /** Two-sided confidence, e.g. 0.9, 0.95, 0.99. */
    confidence: z
      .number({ error: 'plans.sizing.confidenceOutOfRange' })
      .gt(0, { error: 'plans.sizing.confidenceOutOfRange' })
      .lt(1, { error: 'plans.sizing.confidenceOutOfRange' }),
    /** σ in score points; DEFAULT_SCORE_STD_DEV when absent. */
    scoreStdDev: positive('plans.sizing.sigmaPositive').optional(),
    /** p for a proportion; 0.5 (the worst case) when absent. */
    proportion: z
      .number({ error: 'plans.sizing.proportionOutOfRange' })
      .gt(0, { error: 'plans.sizing.proportionOutOfRange' })
      .lt(1, { error: 'plans.sizing.proportionOutOfRange' })
      .default(0.5),
    /** The real average call duration over the period, in seconds. */
    avgCallDurationSec: nonNegative('plans.sizing.durationInvalid'),
    /** Scoring time per call on top of listening (rubric, notes), in minutes. */
    overheadMinutesPerCall: nonNegative('plans.sizing.overheadInvalid').default(0),
    /** Working days in the period over which the sample is spread. */
    workingDays: z
      .number({ error: 'plans.sizing.workingDaysInvalid' })
      .int({ error: 'plans.sizing.workingDaysInvalid' })
      .min(1, { error: 'plans.sizing.workingDaysInvalid' }),
    /** Specialists available for listening, and the listening hours each has per working day. */
    specialists: z.number({ error: 'plans.sizing.capacityInvalid' }).int({ error: 'plans.sizing.capacityInvalid' }).min(0, { error: 'plans.sizing.capacityInvalid' }),
    hoursPerDay: z.number({ error: 'plans.sizing.capacityInvalid' }).min(0, { error: 'plans.sizing.capacityInvalid' }).max(24, { error: 'plans.sizing.capacityInvalid' }),
  })
  .superRefine((v, ctx) => {
    // A proportion's margin is a fraction: 5 (meaning 5 %) would size every sample at 1.
    if (v.estimate === 'proportion' && v.margin >= 1) {
      ctx.addIssue({ code: 'custom', path: ['margin'], message: 'plans.sizing.marginOutOfRange' });
    }
  });

export type SizingInput = z.input<typeof sizingInputSchema>;

export interface OperatorSizing {
  operatorId: number;
  /** N */
  callVolume: number;
  /** n0 before the finite-population correction (unrounded). */
  initialSize: number;
  /** n after the correction (unrounded). */
  correctedSize: number;
  /** ⌈n⌉: calls to listen to over the period (never above N). */
  sampleSize: number;
  /** ⌈sampleSize / workingDays⌉ */
  dailyQuota: number;
  /** sampleSize × (average duration + overhead), in hours. */
  hours: number;
}

export interface SizingResult {
  formula: string;
  estimate: 'mean' | 'proportion';
  confidence: number;
  z: number;
  margin: number;
  /** σ used for operators without their own (mean only; null for a proportion). */
  sigma: number | null;
  sigmaSource: 'input' | 'default' | null;
  perOperator: OperatorSizing[];
  /** Σ N */
  totalCallVolume: number;
  /** Σ sampleSize: calls to listen to over the period. */
  totalCalls: number;
  /** Listening plus scoring hours for totalCalls. */
  listeningHours: number;
  /** hoursPerDay × specialists × workingDays */
  capacityHours: number;
  /** listeningHours / capacityHours; null when there is no capacity. */
  utilisation: number | null;
  fitsCapacity: boolean;
  /** Σ dailyQuota: calls per working day if every operator gets their daily quota. */
  dailyCalls: number;
  /** The largest per-operator daily quota: a single perDay quota that covers everyone. */
  maxDailyQuota: number;
  warnings: PlanMessage[];
}

/** Sizes a listening plan. Throws ValidationError (field keys plans.sizing.*) on bad input. */
export function sizePlan(input: SizingInput): SizingResult {
  const parsed = sizingInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error.issues), 'plans.sizing.invalid');
  const v = parsed.data;
  const zv = zForConfidence(v.confidence);
  const isMean = v.estimate === 'mean';
  const sigma = isMean ? v.scoreStdDev ?? DEFAULT_SCORE_STD_DEV : null;
  const overheadHours = v.overheadMinutesPerCall / 60;

  const perOperator: OperatorSizing[] = [...v.operators]
    .sort((a, b) => a.operatorId - b.operatorId)
    .map((op) => {
      const initialSize = isMean
        ? initialSampleSize({ z: zv, margin: v.margin, sigma: op.scoreStdDev ?? (sigma as number) })
        : initialSampleSize({ z: zv, margin: v.margin, proportion: v.proportion });
      const correctedSize = correctForPopulation(initialSize, op.callVolume);
      const sampleSize = Math.max(0, Math.min(op.callVolume, Math.ceil(correctedSize - EPS))); // max(0, …) also turns −0 into 0
      const perCallHours = (op.avgDurationSec ?? v.avgCallDurationSec) / 3600 + overheadHours;
      return {
        operatorId: op.operatorId,
        callVolume: op.callVolume,
        initialSize,
        correctedSize,
        sampleSize,
        dailyQuota: Math.ceil(sampleSize / v.workingDays),
        hours: sampleSize * perCallHours,
      };
    });

  const totalCalls = sum(perOperator.map((o) => o.sampleSize));
  const listeningHours = sum(perOperator.map((o) => o.hours));
  const capacityHours = v.hoursPerDay * v.specialists * v.workingDays;
  const fitsCapacity = listeningHours <= capacityHours + EPS;
  const warnings: PlanMessage[] = [];
  if (!fitsCapacity) {
    warnings.push({
      key: 'plans.sizing.overCapacity',
      params: { listeningHours: round2(listeningHours), capacityHours: round2(capacityHours), shortfallHours: round2(listeningHours - capacityHours) },
    });
  }
  if (isMean && v.scoreStdDev === undefined) warnings.push({ key: 'plans.sizing.defaultSigma', params: { sigma } });

  return {
    formula: SIZING_FORMULA,
    estimate: v.estimate,
    confidence: v.confidence,
    z: zv,
    margin: v.margin,
    sigma,
    sigmaSource: isMean ? (v.scoreStdDev === undefined ? 'default' : 'input') : null,
    perOperator,
    totalCallVolume: sum(perOperator.map((o) => o.callVolume)),
    totalCalls,
    listeningHours,
    capacityHours,
    utilisation: capacityHours > 0 ? listeningHours / capacityHours : null,
    fitsCapacity,
    dailyCalls: sum(perOperator.map((o) => o.dailyQuota)),
    maxDailyQuota: perOperator.reduce((m, o) => Math.max(m, o.dailyQuota), 0),
    warnings,
  };
}

/**
 * Working days from `fromDate` to `toDate` inclusive (YYYY-MM-DD), counting the given weekdays
 * (0 = Sunday … 6 = Saturday; Monday–Friday unless told — 112 runs every day, its specialists may not).
 */
export function countWorkingDays(fromDate: string, toDate: string, workingWeekdays: readonly number[] = [1, 2, 3, 4, 5]): number {
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const to = Date.parse(`${toDate}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new RangeError(`not a date range: ${fromDate}..${toDate}`);
  const days = new Set(workingWeekdays);
  let count = 0;
  for (let t = from; t <= to; t += 86400000) if (days.has(new Date(t).getUTCDay())) count++;
  return count;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
