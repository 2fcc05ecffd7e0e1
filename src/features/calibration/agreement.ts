// Agreement among specialists in a calibration session: Krippendorff's alpha and a report.
//
// Alpha is computed from the coincidence matrix as in Krippendorff (2011), "Computing
// Krippendorff's Alpha-Reliability": every unit with m_u ≥ 2 values contributes each ordered
// pair of its values with weight 1/(m_u − 1); then α = 1 − D_o/D_e with
//   D_o = (1/n) Σ_ck o_ck δ²_ck,   D_e = 1/(n(n − 1)) Σ_ck n_c n_k δ²_ck.
// Pure functions only: the calibration service loads evaluations and passes them in.

import { mean, sampleSd } from '../../stats';

export type AlphaMetric = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** A coded value; null or undefined means the coder gave no value for that unit. */
export type CodedValue = number | string | null | undefined;

export interface AlphaResult {
  /** null when undefined: fewer than 2 pairable values, or no variation at all (D_e = 0) */
  alpha: number | null;
  /** n: values in units that have at least 2 values (the only ones that can be paired) */
  pairableValues: number;
  /** units with at least 2 values */
  units: number;
}

/** Krippendorff's thresholds: ≥ 0.800 reliable, ≥ 0.667 tentative conclusions, below that poor. */
export const ALPHA_RELIABLE = 0.8;
export const ALPHA_TENTATIVE = 0.667;

/**
 * Krippendorff's alpha for a reliability data matrix: one row per coder, one column per unit.
 * Rows may differ in length (missing trailing cells are missing values). Nominal accepts
 * numbers or strings (1 and '1' are different categories); the other metrics need numbers.
 */
export function krippendorffAlpha(
  data: ReadonlyArray<ReadonlyArray<CodedValue>>,
  metric: AlphaMetric = 'nominal',
): AlphaResult {
  const unitCount = data.reduce((max, row) => Math.max(max, row.length), 0);
  const units: CodedValue[][] = [];
  for (let u = 0; u < unitCount; u++) {
    const values: CodedValue[] = [];
    for (const row of data) {
      const v = row[u];
      if (v !== null && v !== undefined) values.push(v);
    }
    units.push(values);
  }
  return alphaFromUnits(units, metric);
}

/**
 * The same alpha from the values of each unit (who coded them does not matter to alpha).
 * Handy when data come as "answers per call" rather than a coder × unit grid.
 */
export function alphaFromUnits(units: ReadonlyArray<ReadonlyArray<CodedValue>>, metric: AlphaMetric = 'nominal'): AlphaResult {
  // Index the distinct values; for numeric metrics sort them, which ordinal needs.
  const pairable = units
    .map((values) => values.filter((v): v is number | string => v !== null && v !== undefined))
    .filter((values) => values.length >= 2);
  const distinct = new Map<number | string, number>();
  for (const values of pairable) {
    for (const v of values) {
      if (metric !== 'nominal' && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new TypeError(`${metric} alpha needs finite numbers, got ${String(v)}`);
      }
      if (typeof v === 'number' && Number.isNaN(v)) throw new TypeError('NaN is not a value; use null for missing');
      if (metric === 'ratio' && (v as number) < 0) throw new RangeError('ratio alpha needs values >= 0');
      if (!distinct.has(v)) distinct.set(v, distinct.size);
    }
  }
  let categories = [...distinct.keys()];
  if (metric !== 'nominal') {
    categories = (categories as number[]).sort((x, y) => x - y);
    categories.forEach((v, i) => distinct.set(v, i));
  }
  const V = categories.length;

  // Coincidence matrix.
  const o: number[][] = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  for (const values of pairable) {
    const counts = new Map<number, number>();
    for (const v of values) {
      const i = distinct.get(v) as number;
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const weight = 1 / (values.length - 1);
    for (const [c, nc] of counts) {
      for (const [k, nk] of counts) {
        o[c][k] += (c === k ? nc * (nc - 1) : nc * nk) * weight;
      }
    }
  }
  const marginals = o.map((row) => row.reduce((s, x) => s + x, 0));
  const pairableValues = pairable.reduce((s, values) => s + values.length, 0);
  const result = { pairableValues, units: pairable.length };
  if (pairableValues < 2) return { alpha: null, ...result };

  const delta = differenceFunction(metric, categories, marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      if (c === k) continue; // δ²_cc = 0 for every metric
      const d = delta(c, k);
      observed += o[c][k] * d;
      expected += marginals[c] * marginals[k] * d;
    }
  }
  if (expected === 0) return { alpha: null, ...result };
  // α = 1 − D_o/D_e = 1 − (n − 1) Σ o δ² / Σ n_c n_k δ²
  return { alpha: 1 - ((pairableValues - 1) * observed) / expected, ...result };
}

/** δ²_ck between category indices, per Krippendorff (2011). */
function differenceFunction(
  metric: AlphaMetric,
  categories: ReadonlyArray<number | string>,
  marginals: ReadonlyArray<number>,
): (c: number, k: number) => number {
  switch (metric) {
    case 'nominal':
      return (c, k) => (c === k ? 0 : 1);
    case 'interval':
      return (c, k) => ((categories[c] as number) - (categories[k] as number)) ** 2;
    case 'ratio':
      return (c, k) => {
        const x = categories[c] as number;
        const y = categories[k] as number;
        return x + y === 0 ? 0 : ((x - y) / (x + y)) ** 2;
      };
    case 'ordinal': {
      // (Σ_{g=c..k} n_g − (n_c + n_k)/2)², with prefix sums over the sorted values.
      const prefix = [0];
      for (const m of marginals) prefix.push(prefix[prefix.length - 1] + m);
      return (c, k) => {
        const lo = Math.min(c, k);
        const hi = Math.max(c, k);
        return (prefix[hi + 1] - prefix[lo] - (marginals[c] + marginals[k]) / 2) ** 2;
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Calibration session report
// ---------------------------------------------------------------------------------------------

export interface CalibrationCriterion {
  code: string;
  /** yes/no criteria are compared as categories; scale criteria on their numeric scale */
  kind: 'yesNo' | 'scale';
  /** highest value of a scale criterion (required for scale; yes/no is 1): puts answers on 0..1 */
  maxValue?: number;
}

/** A criterion answer: 1/0 for yes/no, 0..max for a scale, 'na' when marked not applicable. */
export type CalibrationAnswer = number | 'na' | null;

export interface CalibrationEvaluation {
  /** the specialist (user id) who scored */
  participantId: number;
  callId: number;
  /** total score 0..100; null when not computed (e.g. not submitted) */
  score: number | null;
  /** criterion code → answer; a missing key or null means unanswered */
  answers: Readonly<Record<string, CalibrationAnswer>>;
}

export type AgreementLevel = 'good' | 'tentative' | 'poor' | 'undetermined';

export interface CriterionAgreement extends AlphaResult {
  code: string;
  // alpha (from AlphaResult) is left null when fewer than 2 calls have pairable answers: over a
  // single unit alpha is 0 for any disagreement and says nothing about the criterion.
  metric: 'nominal' | 'interval';
  /**
   * Share of pairs of answers on the same call that are identical (N/A counts as an answer).
   * Defined whenever some call has 2 answers; the only usable figure in a one-call session.
   */
  observedAgreement: number | null;
  /** how alpha (or, with one call, observedAgreement) was judged */
  basis: 'alpha' | 'observedAgreement' | 'none';
  level: AgreementLevel;
  /** i18n key: calibration.agreement.level.<level> */
  levelKey: string;
  needsGuidance: boolean;
}

export interface ScoreSpread {
  callId: number;
  n: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** sample standard deviation; null when n < 2 */
  sd: number | null;
}

export interface ExpertAlignment {
  participantId: number;
  /** (call, criterion) pairs both answered (N/A included) */
  comparedAnswers: number;
  /** share of those answered exactly as the expert did; null when none compared */
  sameAnswerShare: number | null;
  /** calls where both have a total score */
  comparedScores: number;
  /** mean |participant score − expert score| in score points; null when none compared */
  meanAbsScoreDifference: number | null;
  /** mean (participant − expert): negative = stricter than the expert */
  meanScoreDifference: number | null;
}

export interface AgreementReport {
  participants: number;
  calls: number;
  criteria: CriterionAgreement[];
  overall: {
    /**
     * Interval alpha over every (call, criterion) pair as a unit, each answer scaled to 0..1 of
     * the criterion's maximum (yes = 1, no = 0; N/A left out). Works for a one-call session.
     */
    answers: AlphaResult;
    /** Interval alpha on total scores with calls as units; alpha null with fewer than 2 calls. */
    totalScores: AlphaResult;
    /** share of identical answer pairs over all criteria and calls (N/A counts as an answer) */
    observedAgreement: number | null;
    level: AgreementLevel;
    levelKey: string;
    needsGuidance: boolean;
  };
  scoreSpread: ScoreSpread[];
  /** per participant other than the expert, ordered by participant id; empty without expert */
  expertAlignment: ExpertAlignment[];
  expertId: number | null;
  /** criteria codes flagged needsGuidance, in rubric order */
  criteriaNeedingGuidance: string[];
}

export interface AgreementReportInput {
  criteria: ReadonlyArray<CalibrationCriterion>;
  evaluations: ReadonlyArray<CalibrationEvaluation>;
  /** participant whose answers are the reference; they still count as a coder in alpha */
  expertId?: number | null;
  /**
   * With only one call, alpha cannot judge a criterion (it is 0 for any disagreement); the
   * criterion is then judged by observedAgreement against this share. Default 0.8, the usual
   * rule of thumb for percent agreement.
   */
  minObservedAgreement?: number;
}

const MIN_OBSERVED_AGREEMENT = 0.8;

function levelOfAlpha(alpha: number | null): AgreementLevel {
  if (alpha === null) return 'undetermined';
  if (alpha >= ALPHA_RELIABLE) return 'good';
  if (alpha >= ALPHA_TENTATIVE) return 'tentative';
  return 'poor';
}

function levelKey(level: AgreementLevel): string {
  return `calibration.agreement.level.${level}`;
}

/** Share of identical pairs among all within-unit pairs. */
function pairwiseAgreement(units: ReadonlyArray<ReadonlyArray<string | number>>): number | null {
  let pairs = 0;
  let same = 0;
  for (const values of units) {
    const m = values.length;
    if (m < 2) continue;
    pairs += (m * (m - 1)) / 2;
    const counts = new Map<string | number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (const c of counts.values()) same += (c * (c - 1)) / 2;
  }
  return pairs === 0 ? null : same / pairs;
}

/** Over a single unit alpha is 0 for any disagreement: report it as undetermined instead. */
function withoutSingleUnitAlpha(result: AlphaResult): AlphaResult {
  return result.units >= 2 ? result : { ...result, alpha: null };
}

function isAnswered(answer: CalibrationAnswer | undefined): answer is number | 'na' {
  return answer !== null && answer !== undefined;
}

/**
 * The calibration session report: how far the participants agree per criterion and overall,
 * how widely their total scores spread per call, and how each one lines up with the expert.
 * If a participant has several evaluations of the same call, the last one given wins.
 */
export function agreementReport(input: AgreementReportInput): AgreementReport {
  const minObserved = input.minObservedAgreement ?? MIN_OBSERVED_AGREEMENT;
  const expertId = input.expertId ?? null;
  for (const criterion of input.criteria) {
    if (criterion.kind === 'scale' && !(typeof criterion.maxValue === 'number' && criterion.maxValue > 0)) {
      throw new RangeError(`scale criterion ${criterion.code} needs a maxValue > 0`);
    }
  }

  // call → participant → evaluation
  const byCall = new Map<number, Map<number, CalibrationEvaluation>>();
  for (const evaluation of input.evaluations) {
    let forCall = byCall.get(evaluation.callId);
    if (!forCall) byCall.set(evaluation.callId, (forCall = new Map()));
    forCall.set(evaluation.participantId, evaluation);
  }
  const callIds = [...byCall.keys()].sort((x, y) => x - y);
  const participantIds = [...new Set(input.evaluations.map((e) => e.participantId))].sort((x, y) => x - y);

  const allNominalUnits: (number | string)[][] = [];
  const criteria: CriterionAgreement[] = input.criteria.map((criterion) => {
    // Units are calls. Yes/no: N/A is a category of its own (disagreeing on applicability is a
    // disagreement). Scale: N/A has no place on the scale, so it is left out.
    const metric = criterion.kind === 'yesNo' ? 'nominal' : 'interval';
    const nominalUnits: (number | string)[][] = [];
    const alphaUnits: (number | string)[][] = [];
    for (const callId of callIds) {
      const answers = [...(byCall.get(callId) as Map<number, CalibrationEvaluation>).values()]
        .map((e) => e.answers[criterion.code])
        .filter(isAnswered);
      nominalUnits.push(answers);
      alphaUnits.push(metric === 'nominal' ? answers : answers.filter((a) => a !== 'na'));
    }
    allNominalUnits.push(...nominalUnits);
    const alpha = alphaFromUnits(alphaUnits, metric);
    const observedAgreement = pairwiseAgreement(nominalUnits);

    let basis: CriterionAgreement['basis'];
    let level: AgreementLevel;
    if (alpha.units >= 2) {
      basis = 'alpha';
      level = levelOfAlpha(alpha.alpha);
      // No variation across several calls: everyone agreed everywhere.
      if (alpha.alpha === null && alpha.pairableValues >= 2) level = 'good';
    } else if (observedAgreement !== null) {
      basis = 'observedAgreement';
      level = observedAgreement >= minObserved ? 'good' : 'poor';
    } else {
      basis = 'none';
      level = 'undetermined';
    }
    return {
      code: criterion.code,
      metric,
      ...alpha,
      alpha: basis === 'alpha' ? alpha.alpha : null,
      observedAgreement,
      basis,
      level,
      levelKey: levelKey(level),
      needsGuidance: level === 'poor',
    };
  });

  // Overall: every (call, criterion) as a unit, answers scaled to 0..1.
  const answerUnits: number[][] = [];
  for (const callId of callIds) {
    const evaluations = [...(byCall.get(callId) as Map<number, CalibrationEvaluation>).values()];
    for (const criterion of input.criteria) {
      const max = criterion.kind === 'yesNo' ? 1 : (criterion.maxValue as number);
      const values: number[] = [];
      for (const e of evaluations) {
        const a = e.answers[criterion.code];
        if (typeof a === 'number') values.push(a / max);
      }
      answerUnits.push(values);
    }
  }
  const answersAlpha = alphaFromUnits(answerUnits, 'interval');
  const totalScores = withoutSingleUnitAlpha(alphaFromUnits(
    callIds.map((callId) =>
      [...(byCall.get(callId) as Map<number, CalibrationEvaluation>).values()]
        .map((e) => e.score)
        .filter((s): s is number => s !== null),
    ),
    'interval',
  ));
  // Alpha is chance-corrected: when nearly every answer is the same, one dissent pulls it toward
  // 0. That is Krippendorff's point (no variation, no evidence of discrimination), but the UI
  // should show observedAgreement beside it.
  const overallLevel = levelOfAlpha(answersAlpha.alpha ?? (answersAlpha.pairableValues >= 2 ? 1 : null));

  const scoreSpread: ScoreSpread[] = callIds.map((callId) => {
    const scores = [...(byCall.get(callId) as Map<number, CalibrationEvaluation>).values()]
      .map((e) => e.score)
      .filter((s): s is number => s !== null);
    return {
      callId,
      n: scores.length,
      min: scores.length ? Math.min(...scores) : null,
      max: scores.length ? Math.max(...scores) : null,
      mean: mean(scores),
      sd: sampleSd(scores),
    };
  });

  const expertAlignment: ExpertAlignment[] = [];
  if (expertId !== null) {
    for (const participantId of participantIds) {
      if (participantId === expertId) continue;
      let comparedAnswers = 0;
      let sameAnswers = 0;
      const scoreDifferences: number[] = [];
      for (const callId of callIds) {
        const forCall = byCall.get(callId) as Map<number, CalibrationEvaluation>;
        const mine = forCall.get(participantId);
        const expert = forCall.get(expertId);
        if (!mine || !expert) continue;
        for (const criterion of input.criteria) {
          const a = mine.answers[criterion.code];
          const b = expert.answers[criterion.code];
          if (!isAnswered(a) || !isAnswered(b)) continue;
          comparedAnswers++;
          if (a === b) sameAnswers++;
        }
        if (mine.score !== null && expert.score !== null) scoreDifferences.push(mine.score - expert.score);
      }
      expertAlignment.push({
        participantId,
        comparedAnswers,
        sameAnswerShare: comparedAnswers ? sameAnswers / comparedAnswers : null,
        comparedScores: scoreDifferences.length,
        meanAbsScoreDifference: mean(scoreDifferences.map(Math.abs)),
        meanScoreDifference: mean(scoreDifferences),
      });
    }
  }

  return {
    participants: participantIds.length,
    calls: callIds.length,
    criteria,
    overall: {
      answers: answersAlpha,
      totalScores,
      observedAgreement: pairwiseAgreement(allNominalUnits),
      level: overallLevel,
      levelKey: levelKey(overallLevel),
      needsGuidance: overallLevel === 'poor',
    },
    scoreSpread,
    expertAlignment,
    expertId,
    criteriaNeedingGuidance: criteria.filter((c) => c.needsGuidance).map((c) => c.code),
  };
}
