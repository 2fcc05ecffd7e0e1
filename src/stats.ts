// Small, dependency-free statistics for reports and the training-effect check.
//
// Everything here is a pure function. The special functions (log-gamma, regularized incomplete
// gamma and beta) are the classic Lanczos / series / continued-fraction forms (Numerical
// Recipes §6.1–6.4); they are accurate to about 1e-13 relative, far beyond what a report shows.

// ---------------------------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------------------------

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the approximation in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_G + 2; i++) sum += LANCZOS_COEFFICIENTS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const MAX_ITERATIONS = 100_000;
const EPSILON = 1e-15;
const TINY = 1e-300;

/** Upper regularized incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularizedGammaQ needs a > 0, x >= 0`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logPrefix) * h;
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/**
 * I_x(a, b), with y = 1 − x passed separately so callers that know 1 − x exactly
 * (the t distribution does) do not lose the small tail to cancellation.
 */
function incompleteBeta(a: number, b: number, x: number, y: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, y)) / b;
}

/** Regularized incomplete beta I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError('regularizedIncompleteBeta needs a > 0, b > 0');
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedIncompleteBeta needs 0 <= x <= 1, got ${x}`);
  return incompleteBeta(a, b, x, 1 - x);
}

// ---------------------------------------------------------------------------------------------
// Normal distribution
// ---------------------------------------------------------------------------------------------

/** Upper tail of the standard normal, P(Z > z), accurate far into the tail. */
function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 1 - normalUpperTail(-z);
  // P(Z > z) = ½·erfc(z/√2) = ½·Q(½, z²/2)
  return 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
}

/** Standard normal cumulative distribution Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z < 0 ? normalUpperTail(-z) : 1 - normalUpperTail(z);
}

/** Standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Φ⁻¹(p): Acklam's rational approximation as a starting point, then Newton steps against
 * normalCdf, so the result is as accurate as normalCdf itself.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile needs 0 <= p <= 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  if (p === 0.5) return 0;
  let z = acklamLowerHalf(p);
  for (let i = 0; i < 8; i++) {
    // Newton on the lower tail, which is P itself here (z < 0).
    const step = (normalUpperTail(-z) - p) / normalPdf(z);
    z -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

function acklamLowerHalf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// ---------------------------------------------------------------------------------------------
// Student's t distribution (df may be fractional, as Welch's df is; Infinity means normal)
// ---------------------------------------------------------------------------------------------

function checkDf(df: number): void {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
}

/** P(T > t) for t ≥ 0, computed directly so small p-values keep their precision. */
function studentTUpperTail(t: number, df: number): number {
  if (df === Infinity) return normalUpperTail(t);
  if (t === Infinity) return 0;
  const t2 = t * t;
  // P(|T| > t) = I_{df/(df+t²)}(df/2, ½)
  return 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/** Student's t cumulative distribution P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  return t < 0 ? studentTUpperTail(-t, df) : 1 - studentTUpperTail(t, df);
}

/** Student's t density. */
export function studentTPdf(t: number, df: number): number {
  checkDf(df);
  if (df === Infinity) return normalPdf(t);
  const logDensity =
    logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df);
  return Math.exp(logDensity);
}

/** Student's t quantile: the t with P(T ≤ t) = p. */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`studentTQuantile needs 0 <= p <= 1, got ${p}`);
  if (df === Infinity) return normalQuantile(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -upperTailQuantile(p, df);
  return upperTailQuantile(1 - p, df);
}

/** The t > 0 with P(T > t) = q, for 0 < q < ½: Newton steps kept inside a shrinking bracket. */
function upperTailQuantile(q: number, df: number): number {
  let low = 0;
  let high = Math.max(1, -normalQuantile(q));
  while (studentTUpperTail(high, df) > q) {
    low = high;
    high *= 2;
    if (!Number.isFinite(high)) return Infinity;
  }
  let t = (low + high) / 2;
  for (let i = 0; i < 200; i++) {
    const excess = studentTUpperTail(t, df) - q; // decreasing in t
    if (excess === 0) return t;
    if (excess > 0) low = t;
    else high = t;
    let next = t + excess / studentTPdf(t, df);
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (Math.abs(next - t) <= 1e-15 * Math.max(1, t) || high - low <= 1e-15 * Math.max(1, high)) return next;
    t = next;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Descriptive statistics and intervals
// ---------------------------------------------------------------------------------------------

function checkFinite(values: ReadonlyArray<number>, what: string): void {
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${what} must hold finite numbers, got ${v}`);
  }
}

export function mean(values: ReadonlyArray<number>): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); null when n < 2. */
export function sampleSd(values: ReadonlyArray<number>): number | null {
  const m = mean(values);
  if (m === null || values.length < 2) return null;
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

export interface MeanCI {
  n: number;
  mean: number;
  /** sample standard deviation */
  sd: number;
  low: number;
  high: number;
  halfWidth: number;
  confidence: number;
}

/**
 * Mean with a Student-t confidence interval (default 95 %). Null when n < 2: one value says
 * nothing about its own uncertainty.
 */
export function meanCI(values: ReadonlyArray<number>, confidence = 0.95): MeanCI | null {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  checkFinite(values, 'meanCI values');
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values) as number;
  const sd = sampleSd(values) as number;
  const halfWidth = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean: m, sd, low: m - halfWidth, high: m + halfWidth, halfWidth, confidence };
}

/** Default minimum number of evaluations before an operator may appear in a ranking. */
export const MIN_N_FOR_RANKING = 5;

/** Rankings on fewer evaluations than this are noise: show such rows apart, not ranked. */
export function isTooFewForRanking(n: number, minN = MIN_N_FOR_RANKING): boolean {
  return n < minN;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

export interface WelchTTest {
  /** (mean of a − mean of b) / standard error */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (fractional) */
  df: number;
  /** two-sided p-value */
  p: number;
  /** mean of a − mean of b */
  meanDifference: number;
  standardError: number;
}

/**
 * Welch's two-sample t-test (unequal variances), two-sided. Null when either sample has fewer
 * than 2 values. When both samples are constant the standard error is 0: equal means give
 * t = 0, p = 1; different means give t = ±Infinity, p = 0 (df then falls back to na + nb − 2).
 */
export function welchTTest(a: ReadonlyArray<number>, b: ReadonlyArray<number>): WelchTTest | null {
  checkFinite(a, 'welchTTest a');
  checkFinite(b, 'welchTTest b');
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return null;
  const ma = mean(a) as number;
  const mb = mean(b) as number;
  const va = (sampleSd(a) as number) ** 2 / na;
  const vb = (sampleSd(b) as number) ** 2 / nb;
  const meanDifference = ma - mb;
  const standardError = Math.sqrt(va + vb);
  if (standardError === 0) {
    const df = na + nb - 2;
    if (meanDifference === 0) return { t: 0, df, p: 1, meanDifference, standardError };
    return { t: meanDifference > 0 ? Infinity : -Infinity, df, p: 0, meanDifference, standardError };
  }
  const t = meanDifference / standardError;
  const df = (va + vb) ** 2 / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  const p = Math.min(1, 2 * studentTUpperTail(Math.abs(t), df));
  return { t, df, p, meanDifference, standardError };
}

export interface TwoProportionTest {
  /** (p1 − p2) / pooled standard error */
  z: number;
  /** two-sided p-value */
  p: number;
  p1: number;
  p2: number;
}

/**
 * Two-proportion z-test with the pooled standard error (equivalent to Pearson's χ² on the 2×2
 * table without continuity correction). Null when a group is empty. When every trial in both
 * groups succeeded (or none did) the proportions are equal: z = 0, p = 1.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTest | null {
  for (const [x, n] of [[x1, n1], [x2, n2]] as const) {
    if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || n < 0 || x > n) {
      throw new RangeError(`twoProportionTest needs whole counts with 0 <= x <= n, got ${x}/${n}`);
    }
  }
  if (n1 === 0 || n2 === 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1, p1, p2 };
  const z = (p1 - p2) / se;
  return { z, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))), p1, p2 };
}

// ---------------------------------------------------------------------------------------------
// Training effect: is the change larger than chance?
// ---------------------------------------------------------------------------------------------

export type ChangeVerdict =
  | 'stats.change.significantImprovement'
  | 'stats.change.significantWorsening'
  | 'stats.change.notSignificant'
  | 'stats.change.tooFewData';

export interface ChangeDescription {
  /** i18n key of the plain-language verdict */
  verdict: ChangeVerdict;
  before: MeanCI | null;
  after: MeanCI | null;
  /** mean(after) − mean(before); null when either side is empty */
  difference: number | null;
  /** confidence interval of the difference at level 1 − alpha (Welch); null when not computable */
  differenceLow: number | null;
  differenceHigh: number | null;
  /** Welch's t of after vs before, its df and two-sided p; null when too few data */
  t: number | null;
  df: number | null;
  p: number | null;
  alpha: number;
}

export interface DescribeChangeInput {
  /** scores (or any measure) before the change, one per evaluation */
  before: ReadonlyArray<number>;
  /** scores after the change */
  after: ReadonlyArray<number>;
  /** significance level, default 0.05 */
  alpha?: number;
  /** true (default) for scores; false for measures where lower is better, such as error counts */
  higherIsBetter?: boolean;
  /** fewest values each side must have; at least 2 (default 2) */
  minN?: number;
}

/**
 * Compares two independent samples with Welch's t-test and says in one key whether the change
 * is larger than chance would explain. Direction comes from the sign of the difference.
 */
export function describeChange(input: DescribeChangeInput): ChangeDescription {
  const alpha = input.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const higherIsBetter = input.higherIsBetter ?? true;
  const minN = Math.max(2, input.minN ?? 2);
  const { before, after } = input;
  checkFinite(before, 'describeChange before');
  checkFinite(after, 'describeChange after');

  const beforeMean = mean(before);
  const afterMean = mean(after);
  const difference = beforeMean !== null && afterMean !== null ? afterMean - beforeMean : null;
  const base = {
    before: meanCI(before, 1 - alpha),
    after: meanCI(after, 1 - alpha),
    difference,
    alpha,
  };
  const test = before.length >= minN && after.length >= minN ? welchTTest(after, before) : null;
  if (test === null) {
    return { ...base, verdict: 'stats.change.tooFewData', differenceLow: null, differenceHigh: null, t: null, df: null, p: null };
  }
  const margin = test.standardError === 0 ? 0 : studentTQuantile(1 - alpha / 2, test.df) * test.standardError;
  let verdict: ChangeVerdict = 'stats.change.notSignificant';
  if (test.p < alpha) {
    const better = higherIsBetter ? test.meanDifference > 0 : test.meanDifference < 0;
    verdict = better ? 'stats.change.significantImprovement' : 'stats.change.significantWorsening';
  }
  return {
    ...base,
    verdict,
    differenceLow: test.meanDifference - margin,
    differenceHigh: test.meanDifference + margin,
    t: test.t,
    df: test.df,
    p: test.p,
  };
}
