// Evaluating the evaluator. Pure functions: the service loads evaluations, these decide.
//
// Leniency: how much higher (or lower) a specialist scores than their peers would on comparable
// calls. For each of the specialist's evaluations on the random sample, the difference between
// its score and the mean score other specialists gave in the same stratum (same rubric, same call
// category) over the period; the specialist's leniency is the mean of those differences, with a
// Student-t 95 % interval and n. The same differences grouped by the month of the evaluation show
// drift. Evaluations in a stratum no peer scored are not comparable and are left out (n says how
// many were compared). Calibration alignment uses the same measure with the call itself as the
// stratum: how far a specialist's score of a calibration call is from the others' scores of it.
import { meanCI, mean, type MeanCI } from '../../stats';
import { alphaFromUnits, type AlphaResult, type CodedValue } from '../calibration/agreement';

export interface ScoredEvaluation {
  id: number;
  specialistUserId: number;
  /** what makes calls comparable: "rubric|category" for leniency, the call for calibration */
  stratum: string;
  /** Tashkent month of the evaluation, YYYY-MM */
  month: string;
  score: number;
}

export interface Leniency {
  specialistUserId: number;
  /** the specialist's evaluations in the input (comparable or not) */
  evaluations: number;
  /** evaluations with at least one peer score in their stratum */
  n: number;
  /** mean of (score − peers' mean): positive = more lenient than the peers */
  meanDifference: number | null;
  ci: MeanCI | null;
  /** the same per month of the evaluation, oldest first */
  byMonth: { month: string; n: number; meanDifference: number; ci: MeanCI | null }[];
}

/** Per specialist, their scores against their peers' on comparable calls. Ordered by specialist id. */
export function leniencyReport(evaluations: readonly ScoredEvaluation[]): Leniency[] {
  const stratum = new Map<string, { n: number; sum: number }>();
  const own = new Map<string, { n: number; sum: number }>();
  for (const e of evaluations) {
    add(stratum, e.stratum, e.score);
    add(own, `${e.stratum}\u0000${e.specialistUserId}`, e.score);
  }
  type Diffs = { all: number[]; months: Map<string, number[]>; evaluations: number };
  const diffs = new Map<number, Diffs>();
  for (const e of evaluations) {
    const entry: Diffs = diffs.get(e.specialistUserId) ?? { all: [], months: new Map(), evaluations: 0 };
    diffs.set(e.specialistUserId, entry);
    entry.evaluations++;
    const s = stratum.get(e.stratum)!;
    const o = own.get(`${e.stratum}\u0000${e.specialistUserId}`)!;
    const peers = s.n - o.n;
    if (peers <= 0) continue;
    const d = e.score - (s.sum - o.sum) / peers;
    entry.all.push(d);
    const m = entry.months.get(e.month) ?? [];
    m.push(d);
    entry.months.set(e.month, m);
  }
  return [...diffs.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([specialistUserId, d]) => ({
      specialistUserId,
      evaluations: d.evaluations,
      n: d.all.length,
      meanDifference: mean(d.all),
      ci: meanCI(d.all),
      byMonth: [...d.months.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([month, xs]) => ({ month, n: xs.length, meanDifference: mean(xs)!, ci: meanCI(xs) })),
    }));
}

function add(map: Map<string, { n: number; sum: number }>, key: string, score: number): void {
  const v = map.get(key) ?? { n: 0, sum: 0 };
  v.n++;
  v.sum += score;
  map.set(key, v);
}

// ---------------------------------------------------------------------------------------------
// Blind second reviews

export interface ReviewedPair {
  /** the specialist whose evaluation was reviewed */
  specialistUserId: number;
  original: { score: number | null; answers: Readonly<Record<string, number | 'na' | null>> };
  review: { score: number | null; answers: Readonly<Record<string, number | 'na' | null>> };
}

export interface SecondReviewAgreement {
  specialistUserId: number;
  pairs: number;
  /** Krippendorff's alpha (nominal) over every criterion answer of every pair, N/A an answer of its own */
  answers: AlphaResult;
  /** Krippendorff's alpha (interval) over the two total scores of each pair */
  scores: AlphaResult;
  /** mean (review − original) score: positive = the original was stricter than the second review */
  meanScoreDifference: number | null;
}

/** Per reviewed specialist, how far the blind second reviews agree with their evaluations. Ordered by specialist id. */
export function secondReviewAgreement(pairs: readonly ReviewedPair[]): SecondReviewAgreement[] {
  const by = new Map<number, ReviewedPair[]>();
  for (const p of pairs) by.set(p.specialistUserId, [...(by.get(p.specialistUserId) ?? []), p]);
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([specialistUserId, xs]) => {
      const answerUnits: CodedValue[][] = [];
      for (const p of xs) {
        for (const code of new Set([...Object.keys(p.original.answers), ...Object.keys(p.review.answers)])) {
          answerUnits.push([p.original.answers[code], p.review.answers[code]].map((v) => (v === null || v === undefined ? null : String(v))));
        }
      }
      const scored = xs.filter((p) => p.original.score !== null && p.review.score !== null);
      return {
        specialistUserId,
        pairs: xs.length,
        answers: alphaFromUnits(answerUnits, 'nominal'),
        scores: alphaFromUnits(scored.map((p) => [p.original.score, p.review.score]), 'interval'),
        meanScoreDifference: mean(scored.map((p) => p.review.score! - p.original.score!)),
      };
    });
}

/**
 * Which evaluations of each specialist get a blind second review: `share` of each specialist's
 * candidates (rounded up, at least one when they have any), those with the smallest uniform
 * numbers from the request's seed — reproducible from the stored seed, and no one picks them.
 */
export function pickForSecondReview<T extends { id: number; specialistUserId: number }>(candidates: readonly T[], share: number, uniform: (id: number) => number): T[] {
  const by = new Map<number, T[]>();
  for (const c of candidates) by.set(c.specialistUserId, [...(by.get(c.specialistUserId) ?? []), c]);
  const out: T[] = [];
  for (const [, xs] of [...by.entries()].sort((a, b) => a[0] - b[0])) {
    const take = Math.max(1, Math.ceil(xs.length * share - 1e-9));
    out.push(...xs.map((x) => ({ x, u: uniform(x.id) })).sort((a, b) => a.u - b.u || a.x.id - b.x.id).slice(0, take).map((p) => p.x));
  }
  return out;
}

/**
 * The reviewer of each picked evaluation: another specialist (never its author, nor someone who
 * already evaluated the call), the least loaded first (open reviews, then the ones given here),
 * ties by user id. Null when no one else can.
 */
export function assignReviewers<T extends { id: number; specialistUserId: number; callId: number }>(
  picked: readonly T[],
  reviewers: readonly { userId: number; openReviews: number }[],
  evaluatedCall: (userId: number, callId: number) => boolean,
): { item: T; reviewerUserId: number | null }[] {
  const load = new Map(reviewers.map((r) => [r.userId, r.openReviews]));
  return picked.map((item) => {
    const able = reviewers.filter((r) => r.userId !== item.specialistUserId && !evaluatedCall(r.userId, item.callId));
    if (!able.length) return { item, reviewerUserId: null };
    const chosen = able.reduce((best, r) => (load.get(r.userId)! < load.get(best.userId)! || (load.get(r.userId)! === load.get(best.userId)! && r.userId < best.userId) ? r : best));
    load.set(chosen.userId, load.get(chosen.userId)! + 1);
    return { item, reviewerUserId: chosen.userId };
  });
}
