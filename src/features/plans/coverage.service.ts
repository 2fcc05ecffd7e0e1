// Review coverage of a period against a named standard, for the sizing and plan pages.
import type { AppDeps } from '../../app-context';
import type { FieldError } from '../../http/errors';
import { evaluateCoverage, parseStandard, type CoverageFacts, type CoverageResult } from './coverage';
import * as repo from './coverage.repository';
import { operatorsByIds } from './plans.repository';
import { inScope, teamScope, type Viewer } from './plans.service';

export interface CoveragePage {
  period: { fromDate: string; toDate: string };
  result: CoverageResult;
  standardValues: Record<string, string>;
  errors: FieldError[];
  overdue: { rows: repo.OverdueReview[]; total: number };
  operatorNames: Map<number, string>;
  highAcuityCategories: readonly string[];
}

/**
 * Review coverage of a period against the standard asked for (APCO/NENA ANS 1.107.1 unless told),
 * with the overdue reviews and the under-covered operators (a supervisor: their teams' only).
 */
export async function coveragePage(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  period: { fromDate: string; toDate: string },
  query: Record<string, unknown>,
  highAcuityCategories: readonly string[],
  viewer: Viewer,
): Promise<CoveragePage> {
  const { db } = deps;
  const { standard, values, errors } = parseStandard(query);
  const lagSec = standard.maxLagDays === null ? null : standard.maxLagDays * 86_400;
  const [byCategory, reviews, months, teamIds] = await Promise.all([
    repo.callsByCategory(db, period.fromDate, period.toDate),
    repo.reviewCounts(db, period.fromDate, period.toDate, lagSec),
    repo.operatorMonths(db, period.fromDate, period.toDate),
    teamScope(deps, viewer),
  ]);
  const overdue = lagSec === null ? { rows: [], total: 0 } : await repo.overdueReviews(db, period, new Date(deps.clock().getTime() - lagSec * 1000).toISOString());
  const reviewedByCategory = new Map<string, number>();
  for (const r of reviews) reviewedByCategory.set(r.category, (reviewedByCategory.get(r.category) ?? 0) + r.calls);
  const facts: CoverageFacts = {
    calls: [...byCategory.values()].reduce((s, n) => s + n, 0),
    randomReviewed: reviews.filter((r) => r.purpose === 'random').reduce((s, r) => s + r.calls, 0),
    reviews: reviews.reduce((s, r) => s + r.reviews, 0),
    lateReviews: reviews.reduce((s, r) => s + r.late, 0),
    callsByCategory: byCategory,
    reviewedByCategory,
    operatorMonths: months,
    overdue: overdue.total,
  };
  const result = evaluateCoverage(facts, standard, highAcuityCategories);
  const ops = await operatorsByIds(db, result.underCovered.map((u) => u.operatorId));
  result.underCovered = result.underCovered.filter((u) => inScope(teamIds, ops.get(u.operatorId)?.teamId ?? null));
  return {
    period, result, standardValues: values, errors, overdue, highAcuityCategories,
    operatorNames: new Map([...ops.values()].map((o) => [o.id, o.fullName])),
  };
}

