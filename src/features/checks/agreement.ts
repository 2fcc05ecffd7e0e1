// How well a check agrees with the specialists who answered its criterion on evaluated calls:
// percent agreement, Cohen's kappa, and Krippendorff's alpha (nominal, from the calibration
// feature's agreement module), each with its n. Pure. Pairs where the machine could not tell are
// counted apart, never as disagreements: "cannot tell" is not an answer.
import { alphaFromUnits } from '../calibration/agreement';
import type { CheckOutcome } from './rules';

/** What a specialist answered, in the check's terms. */
export type HumanOutcome = 'pass' | 'fail' | 'na';
export const AGREEMENT_CATEGORIES: readonly HumanOutcome[] = ['pass', 'fail', 'na'];

/** A specialist's answer to a criterion as pass / fail / N/A; null when it was left unanswered. */
export function humanOutcome(answer: { isNa: boolean; value: number | null; failed: boolean }): HumanOutcome | null {
  if (answer.isNa) return 'na';
  if (answer.value === null) return null;
  return answer.failed ? 'fail' : 'pass';
}

export interface PairCount {
  machine: CheckOutcome;
  human: HumanOutcome;
  n: number;
}

export interface CheckAgreement {
  /** pairs where the machine gave an answer (pass, fail or N/A) */
  n: number;
  /** pairs where the machine could not tell: left out of every figure below */
  unknown: number;
  agreed: number;
  percent: number | null;
  kappa: number | null;
  alpha: number | null;
  /** machine × human counts over pass, fail, N/A */
  matrix: Record<HumanOutcome, Record<HumanOutcome, number>>;
}

/** Cohen's kappa from a square table of counts (rows: one rater, columns: the other); null when undefined. */
export function cohenKappa(table: readonly (readonly number[])[]): number | null {
  const k = table.length;
  const total = table.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  if (!total) return null;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    observed += table[i]![i]!;
    const row = table[i]!.reduce((a, b) => a + b, 0);
    const col = table.reduce((s, r) => s + r[i]!, 0);
    expected += (row / total) * (col / total);
  }
  const po = observed / total;
  if (expected >= 1 - 1e-12) return null;
  return (po - expected) / (1 - expected);
}

/** Agreement of one check with the specialists, from the counts of (machine, human) pairs. */
export function checkAgreement(pairs: readonly PairCount[]): CheckAgreement {
  const matrix = Object.fromEntries(AGREEMENT_CATEGORIES.map((m) => [m, Object.fromEntries(AGREEMENT_CATEGORIES.map((h) => [h, 0]))])) as CheckAgreement['matrix'];
  let unknown = 0;
  for (const p of pairs) {
    if (p.machine === 'unknown') unknown += p.n;
    else matrix[p.machine][p.human] += p.n;
  }
  const table = AGREEMENT_CATEGORIES.map((m) => AGREEMENT_CATEGORIES.map((h) => matrix[m][h]));
  const n = table.flat().reduce((a, b) => a + b, 0);
  const agreed = AGREEMENT_CATEGORIES.reduce((s, c) => s + matrix[c][c], 0);
  // Alpha treats the machine and the specialist as two coders of each call (a unit of two values).
  const units: string[][] = [];
  for (const m of AGREEMENT_CATEGORIES) for (const h of AGREEMENT_CATEGORIES) for (let i = 0; i < matrix[m][h]; i++) units.push([m, h]);
  return {
    n,
    unknown,
    agreed,
    percent: n ? agreed / n : null,
    kappa: cohenKappa(table),
    alpha: n ? alphaFromUnits(units, 'nominal').alpha : null,
    matrix,
  };
}
