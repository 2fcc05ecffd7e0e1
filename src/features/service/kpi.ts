// The Service KPIs as sums, and the KPIs derived from them. Every figure the Service page shows is
// a count or a sum, or is computed from counts and sums, so a period's figures are its days'
// sums added up. Two figures are not plain sums — the average of the longest 10 % of answer
// times (EU 112 / COCOM) and the median review lag — and come from histograms, with the error
// that costs stated (see topShareMean). Pure: no database here.

/** Positions in a KPI sum vector (one vector per day and part, and per row of every breakdown). */
export const K = {
  /** inbound calls with facts (callbacks are attempts, not offered calls) */
  offered: 0,
  answered: 1,
  abandoned: 2,
  /** offered, neither answered nor ended yet */
  unfinished: 3,
  /** answered calls with a valid answer time, and the sum of those times */
  delayN: 4,
  delaySum: 5,
  /** answered, answer time impossible (before the offer, over 24 h): left out */
  delayBad: 6,
  /** answered, no answer time sent: left out */
  delayMissing: 7,
  /** answered within each configured threshold (up to four) */
  within: 8,
  dropped: 12,
  /** dropped calls whose caller was reached by a callback within the window in ≤ MAX attempts */
  cbReached: 13,
  /** dropped calls with a first callback attempt within the window */
  cbAttempted: 14,
  cardPresent: 15,
  cardComplete: 16,
  /** connected time known (ended − answered, or the stated duration) */
  durN: 17,
  durSum: 18,
  /** connected time impossible (negative, over 24 h, ended before answered): left out */
  durBad: 19,
  /** recording measured: talk, hold and silence known */
  measured: 20,
  talkSum: 21,
  holdCalls: 22,
  holdSum: 23,
  silenceSum: 24,
  /** stereo recordings: talk-over known */
  overN: 25,
  overSum: 26,
  greetN: 27,
  greetSum: 28,
  /** answered calls with a submitted regular evaluation, and those reviewed within 5 days */
  reviewed: 29,
  reviewedIn5d: 30,
  /** offered calls some of whose data was impossible (any bad-input flag of the facts) */
  badInput: 31,
  /** calls whose facts are not computed yet: in no other figure */
  noFacts: 32,
} as const;
export const VECTOR_LENGTH = 33;
export const MAX_THRESHOLDS = 4;
/** Sums as a typed vector: a national year adds up some 150,000 of them per view. */
export type Vec = Float64Array;

export function emptyVec(): Vec {
  return new Float64Array(VECTOR_LENGTH);
}

/** Adds b (from position `from` on: stored rows carry their key first) into a; b may be shorter (stored vectors drop trailing zeros). */
export function addVec(a: Vec, b: ArrayLike<number>, from = 0): void {
  const n = Math.min(b.length - from, a.length);
  for (let i = 0; i < n; i++) a[i] += b[i + from] as number;
}

/** A vector without its trailing zeros, and with sums rounded to the millisecond, for storing. */
export function trimVec(v: ArrayLike<number>): number[] {
  let end = v.length;
  while (end > 0 && !v[end - 1]) end--;
  return Array.from({ length: end }, (_, i) => Math.round(v[i]! * 1000) / 1000);
}

// ---- histograms -------------------------------------------------------------------------------

/**
 * The answer-time histogram's buckets: 0 s exactly; one-second buckets (k − 1, k] up to 120 s;
 * ten-second ones up to 10 minutes; minutes up to an hour; then one bucket up to 24 h (longer
 * answer times are impossible and never counted). Fine where 112 answer times are — the 90th
 * percentile of a centre is tens of seconds — so the longest-10 % mean is off by well under a
 * second there, and its exact bound is reported with it.
 */
export function answerBucket(sec: number): number {
  if (sec <= 0) return 0;
  if (sec <= 120) return Math.ceil(sec);
  if (sec <= 600) return 120 + Math.ceil((sec - 120) / 10);
  if (sec <= 3600) return 168 + Math.ceil((sec - 600) / 60);
  return 219;
}

/** [lower, upper] seconds of an answer-time bucket (lower exclusive except for bucket 0). */
export function answerBucketBounds(b: number): [number, number] {
  if (b <= 0) return [0, 0];
  if (b <= 120) return [b - 1, b];
  if (b <= 168) return [120 + (b - 121) * 10, 120 + (b - 120) * 10];
  if (b <= 218) return [600 + (b - 169) * 60, 600 + (b - 168) * 60];
  return [3600, 86400];
}

/** Review lag in whole hours (k − 1, k], up to 60 days; beyond, one bucket. */
export const LAG_BUCKET_CAP = 24 * 60;
export function lagBucket(sec: number): number {
  if (sec <= 0) return 0;
  return Math.min(LAG_BUCKET_CAP + 1, Math.ceil(sec / 3600));
}
export function lagBucketBounds(b: number): [number, number] {
  if (b <= 0) return [0, 0];
  if (b > LAG_BUCKET_CAP) return [LAG_BUCKET_CAP * 3600, Number.POSITIVE_INFINITY];
  return [(b - 1) * 3600, b * 3600];
}

/** bucket → [count, sum of the values in it] */
export type Histogram = Map<number, [number, number]>;

export function addToHistogram(h: Histogram, bucket: number, n: number, sum: number): void {
  const cell = h.get(bucket);
  if (cell) {
    cell[0] += n;
    cell[1] += sum;
  } else h.set(bucket, [n, sum]);
}

export function mergeHistograms(into: Histogram, from: Iterable<readonly [number, number, number]>): void {
  for (const [b, n, sum] of from) addToHistogram(into, b, n, sum);
}

/** Buckets of the answer-time and review-lag histograms (see answerBucket, lagBucket). */
export const ANSWER_BUCKETS = 220;
export const LAG_BUCKETS = 24 * 60 + 2;

/** A histogram as a dense typed array ([count, sum] per bucket): how a period adds its days' up. */
export function denseHistogram(buckets: number): Float64Array {
  return new Float64Array(buckets * 2);
}

/** Adds stored [bucket, count, sum] rows into a dense histogram. */
export function addStoredBuckets(into: Float64Array, rows: readonly (readonly number[])[]): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const b = row[0]! * 2;
    if (b + 1 >= into.length) continue;
    into[b] += row[1]!;
    into[b + 1] += row[2]!;
  }
}

/** A dense histogram as a Map of its non-empty buckets. */
export function histogramOfDense(d: Float64Array): Histogram {
  const out: Histogram = new Map();
  for (let b = 0; b * 2 < d.length; b++) if (d[b * 2]) out.set(b, [d[b * 2]!, d[b * 2 + 1]!]);
  return out;
}

/** The share of values that makes the EU 112 "longest 10 %". */
export const LONGEST_SHARE = 0.1;

export interface TopMean {
  /** the estimate: midway between the bounds */
  value: number;
  /** the true mean lies within value ± maxError */
  maxError: number;
  /** how many values it averages: ⌈10 % of n⌉ */
  k: number;
  n: number;
}

/**
 * The mean of the largest ⌈share × n⌉ values, from a histogram whose buckets keep their count and
 * sum. Whole buckets above the cut add exactly; in the bucket the cut falls in, the r largest of
 * its c values have a sum between r × (its mean) — the largest r of a set average at least the set
 * — and min(r × upper edge, its sum − (c − r) × lower edge). So the result is exact when the cut
 * falls on a bucket edge, and otherwise off by at most half of that range divided by k.
 * Why a histogram and not each day's own top list: a period's longest 10 % is not made of its
 * days' longest 10 % (a bad day gives more than its tenth), so per-day lists could not be added.
 */
export function topShareMean(h: Histogram, bounds: (b: number) => [number, number], share = LONGEST_SHARE): TopMean | null {
  let n = 0;
  for (const [count] of h.values()) n += count;
  if (n <= 0) return null;
  const k = Math.max(1, Math.ceil(share * n - 1e-9));
  let remaining = k;
  let low = 0;
  let high = 0;
  for (const b of [...h.keys()].sort((x, y) => y - x)) {
    if (remaining <= 0) break;
    const [count, sum] = h.get(b)!;
    if (count <= 0) continue;
    if (count <= remaining) {
      low += sum;
      high += sum;
      remaining -= count;
      continue;
    }
    const [lo, hi] = bounds(b);
    const r = remaining;
    low += (r * sum) / count;
    high += Math.min(r * hi, sum - (count - r) * lo);
    remaining = 0;
  }
  return { value: (low + high) / 2 / k, maxError: Math.max(0, (high - low) / 2 / k), k, n };
}

/** The median of a histogram's values, interpolated within its bucket; null without values. */
export function histogramMedian(h: Histogram, bounds: (b: number) => [number, number]): number | null {
  let n = 0;
  for (const [count] of h.values()) n += count;
  if (n <= 0) return null;
  const half = n / 2;
  let below = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    const [count, sum] = h.get(b)!;
    if (below + count >= half) {
      const [lo, hi] = bounds(b);
      if (!Number.isFinite(hi) || hi === lo) return count ? sum / count : lo;
      return lo + ((half - below) / count) * (hi - lo);
    }
    below += count;
  }
  return null;
}

// ---- derived KPIs -----------------------------------------------------------------------------

export interface Kpis {
  offered: number;
  answered: number;
  abandoned: number;
  unfinished: number;
  /** abandoned ÷ offered */
  abandonment: number | null;
  avgAnswerSec: number | null;
  /** answered within each threshold ÷ answered calls with a valid answer time */
  serviceLevels: (number | null)[];
  /** answered calls left out of the answer-time figures: impossible times, and none sent */
  delayBad: number;
  delayMissing: number;
  dropped: number;
  /** dropped calls reached by a callback in time ÷ dropped */
  callbackEffectiveness: number | null;
  /** dropped calls with a first attempt in time ÷ dropped */
  callbackAttempted: number | null;
  cardPresent: number;
  /** cards with every mandatory field ÷ cards */
  cardCompleteness: number | null;
  avgDurationSec: number | null;
  durBad: number;
  measured: number;
  avgTalkSec: number | null;
  avgHoldSec: number | null;
  holdShare: number | null;
  avgSilenceSec: number | null;
  avgTalkOverSec: number | null;
  avgGreetingSec: number | null;
  reviewed: number;
  /** reviewed ÷ answered */
  reviewCoverage: number | null;
  /** reviewed within 5 days ÷ reviewed */
  reviewedWithin5d: number | null;
  badInput: number;
  noFacts: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Everything derived from one vector. No division by zero: a figure without a base is null. */
export function kpisOf(v: ArrayLike<number>, thresholds: number): Kpis {
  const g = (i: number) => v[i] ?? 0;
  return {
    offered: g(K.offered),
    answered: g(K.answered),
    abandoned: g(K.abandoned),
    unfinished: g(K.unfinished),
    abandonment: ratio(g(K.abandoned), g(K.offered)),
    avgAnswerSec: ratio(g(K.delaySum), g(K.delayN)),
    serviceLevels: Array.from({ length: thresholds }, (_, i) => ratio(g(K.within + i), g(K.delayN))),
    delayBad: g(K.delayBad),
    delayMissing: g(K.delayMissing),
    dropped: g(K.dropped),
    callbackEffectiveness: ratio(g(K.cbReached), g(K.dropped)),
    callbackAttempted: ratio(g(K.cbAttempted), g(K.dropped)),
    cardPresent: g(K.cardPresent),
    cardCompleteness: ratio(g(K.cardComplete), g(K.cardPresent)),
    avgDurationSec: ratio(g(K.durSum), g(K.durN)),
    durBad: g(K.durBad),
    measured: g(K.measured),
    avgTalkSec: ratio(g(K.talkSum), g(K.measured)),
    avgHoldSec: ratio(g(K.holdSum), g(K.measured)),
    holdShare: ratio(g(K.holdCalls), g(K.measured)),
    avgSilenceSec: ratio(g(K.silenceSum), g(K.measured)),
    avgTalkOverSec: ratio(g(K.overSum), g(K.overN)),
    avgGreetingSec: ratio(g(K.greetSum), g(K.greetN)),
    reviewed: g(K.reviewed),
    reviewCoverage: ratio(g(K.reviewed), g(K.answered)),
    reviewedWithin5d: ratio(g(K.reviewedIn5d), g(K.reviewed)),
    badInput: g(K.badInput),
    noFacts: g(K.noFacts),
  };
}
