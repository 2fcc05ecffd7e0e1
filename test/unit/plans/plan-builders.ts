// Builders for the plan tests: plain objects, a fresh one on every call.
import type { EligibleCall } from '../../../src/features/plans/draw';
import type { PlanRulesInput } from '../../../src/features/plans/plan-rules';

export function makeEligibleCall(o: Partial<EligibleCall> & { id: number }): EligibleCall {
  return {
    operatorId: 1,
    durationSec: 120,
    language: 'uz',
    category: 'medical',
    services: ['103'],
    dropped: false,
    suicideRisk: false,
    ...o,
  };
}

/** `count` calls of one operator with consecutive ids from `firstId`. */
export function makeOperatorCalls(operatorId: number, count: number, firstId: number, o: Partial<EligibleCall> = {}): EligibleCall[] {
  return Array.from({ length: count }, (_, k) => makeEligibleCall({ ...o, id: firstId + k, operatorId }));
}

export function perDayRules(calls: number, o: Partial<PlanRulesInput> = {}): PlanRulesInput {
  return { quota: { mode: 'perDay', calls }, ...o };
}

/** A deterministic shuffle (Fisher–Yates driven by a tiny LCG), so tests never depend on Math.random. */
export function shuffled<T>(xs: readonly T[], salt = 1): T[] {
  const out = [...xs];
  let state = (salt * 2654435761) >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * P(X ≥ x) for X ~ χ²(df): the regularized upper incomplete gamma Q(df/2, x/2), by the series for
 * the lower one (fine for the moderate df and x the tests use).
 */
export function chiSquareSurvival(x: number, df: number): number {
  const a = df / 2;
  const h = x / 2;
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 500; n++) {
    term *= h / (a + n);
    sum += term;
    if (term < sum * 1e-15) break;
  }
  const lower = Math.exp(a * Math.log(h) - h - logGamma(a)) * sum;
  return 1 - lower;
}

/** ln Γ(x) by Lanczos (g = 7, n = 9). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xx = x - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (xx + i);
  const t = xx + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Pearson's χ² statistic of observed counts against one expected count per cell. */
export function chiSquareStatistic(observed: readonly number[], expected: number): number {
  return observed.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
}
