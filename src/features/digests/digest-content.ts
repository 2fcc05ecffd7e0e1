// What a digest (ma'lumotnoma) says, frozen when it is made: a header, a summary and the errors
// by operator, each with a link that opens the recording at the error's moment. Pure: the service
// gathers rows, this shapes them; the page, the workbook and the e-mail all render this snapshot.
import type { LocalizedText } from '../rubrics/rubric.model';

export const SCOPE_TYPES = ['supervisor', 'team', 'centre'] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

export interface DigestScope {
  type: ScopeType;
  /** users.id of the supervisor, teams.id of the team, null for the whole centre */
  id: number | null;
  /** the supervisor's or team's name at the time */
  name: string | null;
}

export interface DigestError {
  id: number;
  evaluationId: number;
  callId: number;
  callStartedAt: string | null;
  errorDate: string;
  criterionCode: string | null;
  category: string;
  severity: string;
  comment: string | null;
  atSec: number | null;
  status: string;
  /** APP_BASE_URL/evaluations/:id?t=<sec>: opens the recording at the error's moment */
  link: string;
}

export interface DigestOperator {
  operatorId: number | null;
  name: string | null;
  code: string | null;
  teamName: string | null;
  errors: DigestError[];
}

export interface DigestContent {
  version: 1;
  header: {
    scope: DigestScope;
    periodStart: string;
    periodEnd: string;
    /** who prepared it; null when the schedule did */
    preparedBy: string | null;
    /** who it is for */
    recipientName: string | null;
    generatedAt: string;
  };
  summary: {
    evaluations: number;
    averageScore: number | null;
    criticalFailures: number;
    errors: number;
    operatorsWithErrors: number;
    byCategory: { category: string; count: number }[];
    bySeverity: Record<'minor' | 'major' | 'critical', number>;
  };
  operators: DigestOperator[];
  /** Criterion texts by code, once per digest rather than once per error. */
  criteria: Record<string, LocalizedText>;
}

export interface DigestErrorRow {
  id: number;
  evaluationId: number;
  callId: number;
  callStartedAt: string | null;
  operatorId: number | null;
  operatorName: string | null;
  operatorCode: string | null;
  teamName: string | null;
  errorDate: string;
  criterionCode: string | null;
  criterionText: LocalizedText | null;
  category: string;
  severity: string;
  comment: string | null;
  atSec: number | null;
  status: string;
}

/** The address that opens an evaluation's recording at a moment (whole seconds), per the contract. */
export function recordingLink(appBaseUrl: string, evaluationId: number, atSec: number | null): string {
  const base = appBaseUrl.replace(/\/+$/, '');
  return atSec == null ? `${base}/evaluations/${evaluationId}` : `${base}/evaluations/${evaluationId}?t=${Math.max(0, Math.floor(atSec))}`;
}

/**
 * Shapes a digest. Operators with the most errors come first (then by name); within an operator,
 * errors follow the calls in time. Categories are counted most frequent first. An empty period
 * gives a digest with zero errors and no operators, which the renderers say in words.
 */
export function buildDigestContent(input: {
  scope: DigestScope;
  periodStart: string;
  periodEnd: string;
  preparedBy: string | null;
  recipientName: string | null;
  generatedAt: string;
  evaluations: { count: number; averageScore: number | null; criticalFailures: number };
  errors: readonly DigestErrorRow[];
  appBaseUrl: string;
}): DigestContent {
  const byOperator = new Map<string, DigestOperator>();
  const categories = new Map<string, number>();
  const bySeverity = { minor: 0, major: 0, critical: 0 };
  const criteria: Record<string, LocalizedText> = {};
  for (const e of input.errors) {
    if (e.criterionCode && e.criterionText && !criteria[e.criterionCode]) criteria[e.criterionCode] = e.criterionText;
    const key = e.operatorId == null ? 'none' : String(e.operatorId);
    let op = byOperator.get(key);
    if (!op) {
      op = { operatorId: e.operatorId, name: e.operatorName, code: e.operatorCode, teamName: e.teamName, errors: [] };
      byOperator.set(key, op);
    }
    op.errors.push({
      id: e.id, evaluationId: e.evaluationId, callId: e.callId, callStartedAt: e.callStartedAt, errorDate: e.errorDate,
      criterionCode: e.criterionCode, category: e.category, severity: e.severity,
      comment: e.comment, atSec: e.atSec, status: e.status, link: recordingLink(input.appBaseUrl, e.evaluationId, e.atSec),
    });
    categories.set(e.category, (categories.get(e.category) ?? 0) + 1);
    if (e.severity in bySeverity) bySeverity[e.severity as keyof typeof bySeverity]++;
  }
  const operators = [...byOperator.values()]
    .map((op) => ({ ...op, errors: op.errors.sort((a, b) => (a.callStartedAt ?? '').localeCompare(b.callStartedAt ?? '') || (a.atSec ?? 0) - (b.atSec ?? 0) || a.id - b.id) }))
    .sort((a, b) => b.errors.length - a.errors.length || (a.name ?? '').localeCompare(b.name ?? ''));
  return {
    version: 1,
    header: {
      scope: input.scope,
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      preparedBy: input.preparedBy,
      recipientName: input.recipientName,
      generatedAt: input.generatedAt,
    },
    summary: {
      evaluations: input.evaluations.count,
      averageScore: input.evaluations.averageScore == null ? null : Math.round(input.evaluations.averageScore * 10) / 10,
      criticalFailures: input.evaluations.criticalFailures,
      errors: input.errors.length,
      operatorsWithErrors: operators.filter((o) => o.operatorId != null).length,
      byCategory: [...categories].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
      bySeverity,
    },
    operators,
    criteria,
  };
}
