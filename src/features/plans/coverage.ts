// Review coverage against a named standard (pure): is the service listening to enough calls, soon
// enough, of the right kinds, of every operator?
// - APCO/NENA ANS 1.107.1 (Quality Assurance / Quality Improvement for public safety answering
//   points): at least 2 % of calls reviewed at random, each review within 5 days of the call, and
//   every high-acuity event category reviewed;
// - "at least one review per operator per month";
// - a custom mix of the same four checks.
// The share counts the random sample (it is about sampling); the per-operator and high-acuity
// checks count every review that judges the operator (random, targeted, on request).
import type { FieldError } from '../../http/errors';

export const COVERAGE_PRESETS = ['apco', 'monthly', 'custom'] as const;
export type CoveragePreset = (typeof COVERAGE_PRESETS)[number];

export interface CoverageStandard {
  preset: CoveragePreset;
  /** share of the period's calls reviewed at random (0..1); null: not checked */
  minShare: number | null;
  /** days from the call's end within which every review must come; null: not checked */
  maxLagDays: number | null;
  /** every high-acuity category with calls has at least one review */
  highAcuity: boolean;
  /** reviews per operator per calendar month (of the call), for operators who took calls that month; null: not checked */
  minPerOperatorMonth: number | null;
}

export const PRESET_STANDARDS: Record<Exclude<CoveragePreset, 'custom'>, CoverageStandard> = {
  apco: { preset: 'apco', minShare: 0.02, maxLagDays: 5, highAcuity: true, minPerOperatorMonth: null },
  monthly: { preset: 'monthly', minShare: null, maxLagDays: null, highAcuity: false, minPerOperatorMonth: 1 },
};

/** The standard from a page's query (coverage=apco|monthly|custom and the custom fields), or field errors. */
export function parseStandard(q: Record<string, unknown>): { standard: CoverageStandard; values: Record<string, string>; errors: FieldError[] } {
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).trim() : '');
  const preset = (COVERAGE_PRESETS as readonly string[]).includes(s('coverage')) ? (s('coverage') as CoveragePreset) : 'apco';
  const values = { coverage: preset, covShare: s('covShare'), covLag: s('covLag'), covPerOperator: s('covPerOperator'), covHighAcuity: s('covHighAcuity') };
  if (preset !== 'custom') {
    const p = PRESET_STANDARDS[preset];
    return {
      standard: p,
      values: { coverage: preset, covShare: p.minShare === null ? '' : String(p.minShare * 100), covLag: p.maxLagDays === null ? '' : String(p.maxLagDays), covPerOperator: p.minPerOperatorMonth === null ? '' : String(p.minPerOperatorMonth), covHighAcuity: p.highAcuity ? '1' : '' },
      errors: [],
    };
  }
  const errors: FieldError[] = [];
  const num = (field: string, raw: string, ok: (n: number) => boolean): number | null => {
    if (!raw) return null;
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) {
      errors.push({ field, key: 'plans.coverage.invalid' });
      return null;
    }
    return n;
  };
  const share = num('covShare', values.covShare, (n) => n > 0 && n <= 100);
  const lag = num('covLag', values.covLag, (n) => Number.isInteger(n) && n >= 1 && n <= 366);
  const per = num('covPerOperator', values.covPerOperator, (n) => Number.isInteger(n) && n >= 1 && n <= 1000);
  return { standard: { preset, minShare: share === null ? null : share / 100, maxLagDays: lag, highAcuity: values.covHighAcuity === '1', minPerOperatorMonth: per }, values, errors };
}

/** What coverage is judged on, counted by the repository over a period. */
export interface CoverageFacts {
  calls: number;
  /** distinct calls of the period reviewed in the random sample */
  randomReviewed: number;
  /** reviews (judging the operator) of the period's calls, and how many came later than the lag allows */
  reviews: number;
  lateReviews: number;
  /** calls per category, and reviewed calls per category (judging the operator) */
  callsByCategory: Map<string, number>;
  reviewedByCategory: Map<string, number>;
  /** per operator and month of the call: calls taken and reviews of them */
  operatorMonths: { operatorId: number; month: string; calls: number; reviews: number }[];
  /** drawn calls still waiting for their review past the lag (open assignments), counted */
  overdue: number;
}

export type CoverageCheckKey = 'share' | 'lag' | 'highAcuity' | 'perOperator';

export interface CoverageCheck {
  key: CoverageCheckKey;
  pass: boolean;
  /** i18n params of plans.coverage.check.<key> */
  params: Record<string, number | string>;
}

export interface CoverageResult {
  standard: CoverageStandard;
  checks: CoverageCheck[];
  pass: boolean;
  missingCategories: string[];
  underCovered: { operatorId: number; month: string; calls: number; reviews: number; missing: number }[];
}

/** Judges the facts against a standard. Only the standard's own checks are made. Pure. */
export function evaluateCoverage(facts: CoverageFacts, standard: CoverageStandard, highAcuityCategories: readonly string[]): CoverageResult {
  const checks: CoverageCheck[] = [];
  if (standard.minShare !== null) {
    const share = facts.calls ? facts.randomReviewed / facts.calls : 0;
    checks.push({ key: 'share', pass: facts.calls === 0 || share >= standard.minShare - 1e-12, params: { share: round1(share * 100), target: round1(standard.minShare * 100), reviewed: facts.randomReviewed, calls: facts.calls, needed: Math.ceil(standard.minShare * facts.calls - 1e-9) } });
  }
  if (standard.maxLagDays !== null) {
    checks.push({ key: 'lag', pass: facts.lateReviews === 0 && facts.overdue === 0, params: { days: standard.maxLagDays, late: facts.lateReviews, reviews: facts.reviews, overdue: facts.overdue } });
  }
  const missingCategories = standard.highAcuity
    ? highAcuityCategories.filter((c) => (facts.callsByCategory.get(c) ?? 0) > 0 && (facts.reviewedByCategory.get(c) ?? 0) === 0)
    : [];
  if (standard.highAcuity) {
    const present = highAcuityCategories.filter((c) => (facts.callsByCategory.get(c) ?? 0) > 0);
    checks.push({ key: 'highAcuity', pass: missingCategories.length === 0, params: { covered: present.length - missingCategories.length, categories: present.length } });
  }
  const underCovered = standard.minPerOperatorMonth === null ? [] : facts.operatorMonths
    .filter((o) => o.calls > 0 && o.reviews < standard.minPerOperatorMonth!)
    .map((o) => ({ ...o, missing: Math.min(o.calls, standard.minPerOperatorMonth!) - o.reviews }))
    .filter((o) => o.missing > 0)
    .sort((a, b) => a.month.localeCompare(b.month) || b.missing - a.missing || a.operatorId - b.operatorId);
  if (standard.minPerOperatorMonth !== null) {
    const pairs = facts.operatorMonths.filter((o) => o.calls > 0).length;
    checks.push({ key: 'perOperator', pass: underCovered.length === 0, params: { min: standard.minPerOperatorMonth, covered: pairs - underCovered.length, pairs } });
  }
  return { standard, checks, pass: checks.every((c) => c.pass), missingCategories, underCovered };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
