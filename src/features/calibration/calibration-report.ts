// From a closed session's stored evaluations to what the results page shows: the inputs of
// agreementReport (agreement.ts) and the side-by-side table per call. Pure: the service loads rows.
import { flattenCriteria, type Criterion, type LocalizedText, type RubricDefinition } from '../rubrics/rubric.model';
import { agreementReport, type AgreementReport, type CalibrationAnswer, type CalibrationCriterion, type CalibrationEvaluation } from './agreement';

export interface ReportCriterion {
  code: string;
  text: LocalizedText;
  answerType: Criterion['answerType'];
  maxValue: number;
  critical: boolean;
}

/**
 * The criteria of the session in rubric order. Calls of different categories may be scored on
 * different rubrics: the union by code is taken, each code once, in the order first seen.
 */
export function reportCriteria(definitions: readonly RubricDefinition[]): ReportCriterion[] {
  const out = new Map<string, ReportCriterion>();
  for (const definition of definitions) {
    for (const c of flattenCriteria(definition)) {
      if (out.has(c.code)) continue;
      out.set(c.code, { code: c.code, text: c.text, answerType: c.answerType, maxValue: c.answerType === 'scale' ? (c.scaleMax ?? 1) : 1, critical: c.critical });
    }
  }
  return [...out.values()];
}

export function toCalibrationCriteria(criteria: readonly ReportCriterion[]): CalibrationCriterion[] {
  return criteria.map((c) => (c.answerType === 'scale' ? { code: c.code, kind: 'scale', maxValue: c.maxValue } : { code: c.code, kind: 'yesNo' }));
}

/** A stored answer as agreementReport reads it: 'na', the value, or null when unanswered. */
export function toCalibrationAnswer(a: { value: number | null; na: boolean } | undefined): CalibrationAnswer {
  if (!a) return null;
  if (a.na) return 'na';
  return a.value;
}

export interface CountedEvaluation {
  id: number;
  callId: number;
  specialistUserId: number;
  status: string;
  score: number | null;
  submittedAt: string | null;
}

/**
 * Which evaluations count in the results: handed in, and before the session closed. An answer
 * handed in after the close (a draft finished once the results were visible) would not be blind.
 */
export function countsInResults(e: Pick<CountedEvaluation, 'status' | 'submittedAt'>, closedAt: string | null): boolean {
  if (e.status !== 'submitted' || !e.submittedAt) return false;
  return closedAt === null || e.submittedAt <= closedAt;
}

export interface AnswerCell {
  value: number | null;
  na: boolean;
  comment: string | null;
  failed: boolean;
}

export interface SideBySideRow {
  criterion: ReportCriterion;
  /** participant user id → their answer (absent: not answered / not handed in) */
  cells: Record<number, AnswerCell | undefined>;
  /** the participants did not all give the same answer */
  disagreement: boolean;
}

export interface SideBySideCall {
  callId: number;
  rows: SideBySideRow[];
  /** participant → total score / result of their handed-in evaluation */
  totals: Record<number, { score: number | null; result: string | null; evaluationId: number } | undefined>;
}

function cellKey(c: AnswerCell | undefined): string | null {
  if (!c) return null;
  return c.na ? 'na' : c.value === null ? null : String(c.value);
}

/** Per call, each criterion with every participant's answer beside the others. */
export function sideBySide(input: {
  callIds: readonly number[];
  criteria: readonly ReportCriterion[];
  /** per call, the codes of its rubric version; a call without an entry shows every criterion */
  callCodes?: ReadonlyMap<number, ReadonlySet<string>>;
  evaluations: readonly (CountedEvaluation & { result: string | null })[];
  answers: ReadonlyMap<number, ReadonlyMap<string, AnswerCell>>;
}): SideBySideCall[] {
  return input.callIds.map((callId) => {
    const evaluations = input.evaluations.filter((e) => e.callId === callId);
    const totals: SideBySideCall['totals'] = {};
    for (const e of evaluations) totals[e.specialistUserId] = { score: e.score, result: e.result, evaluationId: e.id };
    const codes = input.callCodes?.get(callId);
    // Calls of another category may be scored on another rubric: only this call's criteria.
    const rows = input.criteria.filter((c) => !codes || codes.has(c.code)).map((criterion) => {
      const cells: SideBySideRow['cells'] = {};
      const keys = new Set<string>();
      for (const e of evaluations) {
        const cell = input.answers.get(e.id)?.get(criterion.code);
        cells[e.specialistUserId] = cell;
        const k = cellKey(cell);
        if (k !== null) keys.add(k);
      }
      return { criterion, cells, disagreement: keys.size > 1 };
    });
    return { callId, rows, totals };
  });
}

export interface SessionReport {
  criteria: ReportCriterion[];
  counted: CountedEvaluation[];
  report: AgreementReport;
  table: SideBySideCall[];
}

/** Everything the results page and JSON show, from the session's rows. */
export function buildSessionReport(input: {
  /** the session's calls in their order, each with the rubric version its evaluations use */
  calls: readonly { callId: number; definition: RubricDefinition | null }[];
  expertUserId: number | null;
  closedAt: string | null;
  evaluations: readonly (CountedEvaluation & { result: string | null })[];
  answers: readonly { evaluationId: number; criterionCode: string; value: number | null; na: boolean; comment: string | null; failed: boolean }[];
}): SessionReport {
  const criteria = reportCriteria(input.calls.flatMap((c) => (c.definition ? [c.definition] : [])));
  const callCodes = new Map(input.calls.filter((c) => c.definition).map((c) => [c.callId, new Set(flattenCriteria(c.definition!).map((x) => x.code))]));
  const counted = input.evaluations.filter((e) => countsInResults(e, input.closedAt));
  const countedIds = new Set(counted.map((e) => e.id));
  const byEvaluation = new Map<number, Map<string, AnswerCell>>();
  for (const a of input.answers) {
    if (!countedIds.has(a.evaluationId)) continue;
    let m = byEvaluation.get(a.evaluationId);
    if (!m) byEvaluation.set(a.evaluationId, (m = new Map()));
    m.set(a.criterionCode, { value: a.value, na: a.na, comment: a.comment, failed: a.failed });
  }
  const calibrationEvaluations: CalibrationEvaluation[] = counted.map((e) => ({
    participantId: e.specialistUserId,
    callId: e.callId,
    score: e.score,
    answers: Object.fromEntries(criteria.map((c) => [c.code, toCalibrationAnswer(byEvaluation.get(e.id)?.get(c.code))])),
  }));
  const expertCounted = input.expertUserId !== null && counted.some((e) => e.specialistUserId === input.expertUserId);
  const report = agreementReport({
    criteria: toCalibrationCriteria(criteria),
    evaluations: calibrationEvaluations,
    expertId: expertCounted ? input.expertUserId : null,
  });
  const table = sideBySide({ callIds: input.calls.map((c) => c.callId), criteria, callCodes, evaluations: counted as (CountedEvaluation & { result: string | null })[], answers: byEvaluation });
  return { criteria, counted, report, table };
}
