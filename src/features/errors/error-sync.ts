// Which error records an evaluation should have, and how to get from the records it has to those.
// Pure: the service loads rows, these functions decide, the repository writes.
import type { ErrorCategory, FlatCriterion, Severity } from '../rubrics/rubric.model';

/** What an error record says, before it is stored. */
export interface DesiredError {
  source: 'criterion' | 'mark';
  criterionCode: string | null;
  markId: number | null;
  category: ErrorCategory | string;
  severity: Severity;
  comment: string | null;
  atSec: number | null;
}

/** An error record already stored for the evaluation and not voided. */
export interface ExistingError extends DesiredError {
  id: number;
}

export interface FailedAnswer {
  criterionCode: string;
  comment: string | null;
}

export interface EvaluationMark {
  id: number;
  startSec: number;
  criterionCode: string | null;
  severity: string | null;
  isError: boolean;
  note: string | null;
}

const SEVERITY_SET: ReadonlySet<string> = new Set(['minor', 'major', 'critical']);

/** The severity of a failed criterion: a critical criterion always makes a critical error. */
export function severityForCriterion(criterion: Pick<FlatCriterion, 'critical' | 'defaultSeverity'> | undefined): Severity {
  if (!criterion) return 'major';
  return criterion.critical ? 'critical' : criterion.defaultSeverity;
}

/**
 * The error records a submitted evaluation calls for — one fault, one error:
 * - one per failed criterion. A mark linked to that criterion IS that error, not another one: the
 *   earliest such mark gives the error its moment (and the link to the mark), and the marks' notes
 *   join the answer's comment;
 * - one per mark flagged as an error that no failed criterion covers (no criterion, or one that
 *   passed or was N/A).
 * Only a regular evaluation judges the operator: calibration practice and second reviews (which
 * judge the evaluator) call for none.
 */
export function desiredErrors(input: {
  kind: string;
  criteria: readonly FlatCriterion[];
  failedAnswers: readonly FailedAnswer[];
  marks: readonly EvaluationMark[];
}): DesiredError[] {
  if (input.kind !== 'regular') return [];
  const byCode = new Map(input.criteria.map((c) => [c.code, c]));
  const position = (code: string) => byCode.get(code)?.position ?? Number.MAX_SAFE_INTEGER;
  const failedCodes = new Set(input.failedAnswers.map((a) => a.criterionCode));
  const byTime = [...input.marks].sort((a, b) => a.startSec - b.startSec || a.id - b.id);
  const marksOf = new Map<string, EvaluationMark[]>();
  for (const mark of byTime) {
    if (!mark.criterionCode) continue;
    const list = marksOf.get(mark.criterionCode) ?? [];
    list.push(mark);
    marksOf.set(mark.criterionCode, list);
  }

  const out: DesiredError[] = [];
  const failed = [...input.failedAnswers].sort((a, b) => position(a.criterionCode) - position(b.criterionCode));
  for (const answer of failed) {
    const criterion = byCode.get(answer.criterionCode);
    const linked = marksOf.get(answer.criterionCode) ?? [];
    const notes = [answer.comment, ...linked.map((m) => m.note)].map(blankToNull).filter((n): n is string => n !== null);
    out.push({
      source: 'criterion',
      criterionCode: answer.criterionCode,
      markId: linked[0]?.id ?? null,
      category: criterion?.errorCategory ?? 'other',
      severity: severityForCriterion(criterion),
      comment: notes.length ? [...new Set(notes)].join('\n') : null,
      atSec: linked[0]?.startSec ?? null,
    });
  }
  for (const mark of byTime) {
    if (!mark.isError || (mark.criterionCode && failedCodes.has(mark.criterionCode))) continue;
    const criterion = mark.criterionCode ? byCode.get(mark.criterionCode) : undefined;
    // The specialist's own severity on the mark wins; else the linked criterion's; else minor.
    const severity: Severity = mark.severity && SEVERITY_SET.has(mark.severity) ? (mark.severity as Severity)
      : criterion ? severityForCriterion(criterion) : 'minor';
    out.push({
      source: 'mark',
      criterionCode: mark.criterionCode,
      markId: mark.id,
      category: criterion?.errorCategory ?? 'other',
      severity,
      comment: blankToNull(mark.note),
      atSec: mark.startSec,
    });
  }
  return out;
}

/** The identity of an error within its evaluation: the criterion it failed, or the mark. */
export function errorIdentity(e: Pick<DesiredError, 'source' | 'criterionCode' | 'markId'>): string {
  return e.source === 'mark' ? `mark:${e.markId}` : `criterion:${e.criterionCode}`;
}

export interface SyncPlan {
  create: DesiredError[];
  /** ids to mark voided: the criterion passes now, or the mark is gone or no longer an error */
  void: number[];
  /** kept records (status untouched), with the details to refresh when the specialist edited them */
  keep: { id: number; changes: Partial<Pick<DesiredError, 'category' | 'severity' | 'comment' | 'atSec' | 'criterionCode' | 'markId'>> }[];
}

/**
 * From the records an evaluation has to the ones it should have. A record that still holds is kept
 * with its status (a supervisor may already be acting on it); only its details are refreshed.
 * Records that no longer hold are voided, never deleted: they are evidence. Calling it again with
 * the result applied yields nothing to create and nothing to void, which is what makes sync idempotent.
 */
export function planErrorSync(existing: readonly ExistingError[], desired: readonly DesiredError[]): SyncPlan {
  const plan: SyncPlan = { create: [], void: [], keep: [] };
  const current = new Map<string, ExistingError>();
  for (const e of existing) {
    const key = errorIdentity(e);
    // Two live records with one identity cannot come from this code; void the extra one if found.
    if (current.has(key)) plan.void.push(e.id);
    else current.set(key, e);
  }
  const wanted = new Set<string>();
  for (const d of desired) {
    const key = errorIdentity(d);
    if (wanted.has(key)) continue;
    wanted.add(key);
    const have = current.get(key);
    if (!have) {
      plan.create.push(d);
      continue;
    }
    const changes: SyncPlan['keep'][number]['changes'] = {};
    if (have.category !== d.category) changes.category = d.category;
    if (have.severity !== d.severity) changes.severity = d.severity;
    if ((have.comment ?? null) !== (d.comment ?? null)) changes.comment = d.comment;
    if ((have.atSec ?? null) !== (d.atSec ?? null)) changes.atSec = d.atSec;
    if ((have.criterionCode ?? null) !== (d.criterionCode ?? null)) changes.criterionCode = d.criterionCode;
    if ((have.markId ?? null) !== (d.markId ?? null)) changes.markId = d.markId;
    plan.keep.push({ id: have.id, changes });
  }
  for (const [key, e] of current) if (!wanted.has(key)) plan.void.push(e.id);
  return plan;
}

function blankToNull(s: string | null | undefined): string | null {
  const v = (s ?? '').trim();
  return v ? v : null;
}
