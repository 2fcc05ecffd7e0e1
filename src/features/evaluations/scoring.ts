// Scoring an evaluation against a rubric version: pure, so the draft's live score, the submitted
// score, reports and tests all compute it the same way.
import type { Criterion, RubricDefinition } from '../rubrics/rubric.model';

// The browser imports this module for the live score. rubric.model's runtime pulls in zod (about
// 450 kB minified), so the two tiny readers it would give us are restated here, type-only imports
// above; test/unit/evaluations/scoring.test.ts checks they agree with rubric.model's
// flattenCriteria and criterionMaxValue.

/** What scoring reads of a criterion: the page sends only this to the browser. */
export type ScorableCriterion = Pick<Criterion, 'code' | 'points' | 'answerType' | 'scaleMax' | 'naAllowed' | 'critical'>;
/** A rubric definition as far as scoring is concerned (a RubricDefinition is one). */
export interface ScorableDefinition {
  sections: ReadonlyArray<{ criteria: readonly ScorableCriterion[] }>;
}

/** The scoring fields of a definition, without texts: what the evaluation page embeds. */
export function scorableDefinition(definition: RubricDefinition): ScorableDefinition {
  return {
    sections: definition.sections.map((section) => ({
      criteria: section.criteria.map((c) => ({
        code: c.code, points: c.points, answerType: c.answerType, naAllowed: c.naAllowed, critical: c.critical,
        ...(c.scaleMax !== undefined ? { scaleMax: c.scaleMax } : {}),
      })),
    })),
  };
}

/** The criteria in display order (rubric.model's flattenCriteria, without zod). */
export function criteriaInOrder<C extends ScorableCriterion>(definition: { sections: ReadonlyArray<{ criteria: readonly C[] }> }): C[] {
  const out: C[] = [];
  for (const section of definition.sections) for (const criterion of section.criteria) out.push(criterion);
  return out;
}

/** Highest answer value: 1 for yes/no, scaleMax for a scale (rubric.model's criterionMaxValue). */
export function maxAnswerValue(criterion: Pick<Criterion, 'answerType' | 'scaleMax'>): number {
  return criterion.answerType === 'scale' ? (criterion.scaleMax ?? 1) : 1;
}

/** One criterion's answer: yes/no is 1/0, a scale 0..scaleMax; value null with na=false means
 *  not answered yet. With na=true the value is ignored. */
export interface Answer {
  value: number | null;
  na: boolean;
}
/** Answers keyed by criterion code. */
export type Answers = Readonly<Record<string, Answer | undefined>>;

/** Lower bounds of the bands, as in Config.scoreBands. */
export interface ScoreBands {
  high: number;
  compliant: number;
  partial: number;
}
export type Band = 'high' | 'compliant' | 'partial' | 'low';
export type EvaluationResult = Band | 'critical_fail';

export interface CriterionScore {
  earned: number;
  /** The criterion's points when it counts, 0 when N/A or not answered yet. */
  possible: number;
  failed: boolean;
  na: boolean;
  answered: boolean;
}

export interface EvaluationScore {
  pointsEarned: number;
  pointsPossible: number;
  /** earned ÷ possible × 100, one decimal; null when no criterion counts (all N/A or unanswered). */
  score: number | null;
  band: Band | null;
  /** The band, or 'critical_fail' whenever a critical criterion failed; null with no score. */
  result: EvaluationResult | null;
  criticalFailure: boolean;
  /** Codes of failed criteria, in rubric order; each becomes an error record on submit. */
  failedCodes: string[];
  perCriterion: Record<string, CriterionScore>;
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Rounds away floating-point dust (5 × 2/3 …) without hiding real differences. */
function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f + 1e-9) / f;
}

/**
 * Whether an answered value counts as a failure (an error record; a critical one fails the
 * evaluation). Yes/no fails on "no". A scale criterion fails when the value is below half of the
 * scale: falling one step short of the top still loses points, but only a mostly-absent behaviour
 * is worth a supervisor's attention as an error (on 0..3, 0 and 1 fail, 2 and 3 pass).
 */
export function isCriterionFailed(criterion: Pick<Criterion, 'answerType' | 'scaleMax'>, value: number): boolean {
  if (criterion.answerType === 'yesno') return value < 1;
  return value < maxAnswerValue(criterion) / 2;
}

/** The band of a score: at or above a band's lower bound puts it in that band. */
export function bandFor(score: number, bands: ScoreBands): Band {
  if (score >= bands.high) return 'high';
  if (score >= bands.compliant) return 'compliant';
  if (score >= bands.partial) return 'partial';
  return 'low';
}

/**
 * Scores answers against a definition. Score = points earned ÷ points applicable × 100; N/A takes
 * a criterion out of both; a yes/no criterion earns all or nothing; a scale earns
 * points × value ÷ scaleMax. Unanswered criteria are left out too, so a draft shows the score of
 * what has been answered so far (submitting requires every answer: see validateAnswers).
 * The band is decided on the rounded score, so the band always agrees with the number shown.
 * Answers for codes the rubric lacks are ignored here; validateAnswers reports them.
 */
export function scoreEvaluation(definition: ScorableDefinition, answers: Answers, bands: ScoreBands): EvaluationScore {
  const perCriterion: Record<string, CriterionScore> = {};
  const failedCodes: string[] = [];
  let earnedSum = 0;
  let possibleSum = 0;
  let criticalFailure = false;

  for (const criterion of criteriaInOrder(definition)) {
    const answer = hasOwn(answers, criterion.code) ? answers[criterion.code] : undefined;
    const na = answer?.na === true;
    const raw = answer?.value;
    const answered = na || (typeof raw === 'number' && Number.isFinite(raw));
    if (na || !answered || typeof raw !== 'number') {
      perCriterion[criterion.code] = { earned: 0, possible: 0, failed: false, na, answered };
      continue;
    }
    const max = maxAnswerValue(criterion);
    // Clamped so an unvalidated value can never push the score outside 0..100.
    const value = Math.min(Math.max(raw, 0), max);
    const earned = criterion.answerType === 'yesno' ? (value >= 1 ? criterion.points : 0) : (criterion.points * value) / max;
    const failed = isCriterionFailed(criterion, value);
    earnedSum += earned;
    possibleSum += criterion.points;
    if (failed) {
      failedCodes.push(criterion.code);
      if (criterion.critical) criticalFailure = true;
    }
    perCriterion[criterion.code] = { earned: roundTo(earned, 4), possible: criterion.points, failed, na: false, answered: true };
  }

  const score = possibleSum > 0 ? Math.min(100, roundTo((earnedSum / possibleSum) * 100, 1)) : null;
  const band = score === null ? null : bandFor(score, bands);
  return {
    pointsEarned: roundTo(earnedSum, 4),
    pointsPossible: roundTo(possibleSum, 4),
    score,
    band,
    result: criticalFailure ? 'critical_fail' : band,
    criticalFailure,
    failedCodes,
    perCriterion,
  };
}

// ---------------------------------------------------------------------------------------------
// Validating answers

export const ANSWER_ERROR_KEYS = {
  unknownCriterion: 'evaluations.answers.unknownCriterion',
  outOfRange: 'evaluations.answers.outOfRange',
  naNotAllowed: 'evaluations.answers.naNotAllowed',
  incomplete: 'evaluations.answers.incomplete',
} as const;

/** A field error: `path` is `answers.<code>` for one criterion, `answers` for the whole set. */
export interface AnswerError {
  path: string;
  key: string;
  params?: Record<string, unknown>;
}

/**
 * Checks answers against the rubric version they belong to. Drafts pass requireComplete: false
 * (autosave keeps half-done work); submitting passes true, which adds one `incomplete` error
 * listing every unanswered code in rubric order. Returns [] when all is well.
 */
export function validateAnswers(definition: ScorableDefinition, answers: Answers, options: { requireComplete: boolean }): AnswerError[] {
  const errors: AnswerError[] = [];
  const criteria = criteriaInOrder(definition);
  const known = new Set(criteria.map((c) => c.code));
  const missing: string[] = [];

  for (const criterion of criteria) {
    const code = criterion.code;
    const answer = hasOwn(answers, code) ? answers[code] : undefined;
    const na = answer?.na === true;
    const value = answer?.value ?? null;
    if (na && !criterion.naAllowed) {
      errors.push({ path: `answers.${code}`, key: ANSWER_ERROR_KEYS.naNotAllowed, params: { code } });
      continue;
    }
    if (na) continue; // the value is ignored under N/A
    if (value === null) {
      missing.push(code);
      continue;
    }
    const max = maxAnswerValue(criterion);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      errors.push({ path: `answers.${code}`, key: ANSWER_ERROR_KEYS.outOfRange, params: { code, min: 0, max } });
    }
  }

  for (const code of Object.keys(answers)) {
    if (!known.has(code)) errors.push({ path: `answers.${code}`, key: ANSWER_ERROR_KEYS.unknownCriterion, params: { code } });
  }
  if (options.requireComplete && missing.length) {
    errors.push({ path: 'answers', key: ANSWER_ERROR_KEYS.incomplete, params: { codes: missing, count: missing.length } });
  }
  return errors;
}
