// The SQL behind review coverage (coverage.ts): a period's calls and their reviews, counted.
import type { Knex } from 'knex';
import { num } from '../../db';

type Conn = Knex | Knex.Transaction;

/** The month of a call_date column (YYYY-MM), the same text on both databases. */
const MONTH_SQL = 'substr(c.call_date, 1, 7)';

/** Calls of a period (not deleted) per category. */
export async function callsByCategory(db: Conn, fromDate: string, toDate: string): Promise<Map<string, number>> {
  const rows = await db('calls as c').whereBetween('c.call_date', [fromDate, toDate]).whereNull('c.deleted_at').select('c.category').count({ n: '*' }).groupBy('c.category');
  return new Map(rows.map((r: Record<string, unknown>) => [String(r.category ?? ''), num(r.n)]));
}

export interface ReviewCountRow {
  purpose: string;
  category: string;
  /** distinct calls reviewed */
  calls: number;
  reviews: number;
  /** reviews submitted later than the lag allows */
  late: number;
}

/** Submitted reviews judging the operator (regular evaluations) of a period's calls, per purpose and category. */
export async function reviewCounts(db: Conn, fromDate: string, toDate: string, maxLagSec: number | null): Promise<ReviewCountRow[]> {
  const q = db('evaluations as v')
    .join('calls as c', 'c.id', 'v.call_id')
    .whereBetween('c.call_date', [fromDate, toDate])
    .whereNull('c.deleted_at')
    .where({ 'v.status': 'submitted', 'v.kind': 'regular' })
    .select('v.purpose', 'c.category')
    .select(db.raw('count(distinct v.call_id) as calls'))
    .count({ n: '*' })
    .groupBy('v.purpose', 'c.category');
  if (maxLagSec !== null) q.select(db.raw('sum(case when v.review_lag_sec > ? then 1 else 0 end) as late', [maxLagSec]));
  const rows = await q;
  return rows.map((r: Record<string, unknown>) => ({ purpose: String(r.purpose), category: String(r.category ?? ''), calls: num(r.calls), reviews: num(r.n), late: num(r.late) }));
}

/** Per operator and month of the call: calls taken and reviews of them (judging the operator). */
export async function operatorMonths(db: Conn, fromDate: string, toDate: string): Promise<{ operatorId: number; month: string; calls: number; reviews: number }[]> {
  const calls = await db('calls as c').whereBetween('c.call_date', [fromDate, toDate]).whereNull('c.deleted_at').whereNotNull('c.operator_id')
    .select('c.operator_id', db.raw(`${MONTH_SQL} as month`)).count({ n: '*' }).groupBy('c.operator_id', db.raw(MONTH_SQL));
  const reviews = await db('evaluations as v').join('calls as c', 'c.id', 'v.call_id').whereBetween('c.call_date', [fromDate, toDate]).whereNull('c.deleted_at').whereNotNull('c.operator_id')
    .where({ 'v.status': 'submitted', 'v.kind': 'regular' })
    .select('c.operator_id', db.raw(`${MONTH_SQL} as month`)).count({ n: '*' }).groupBy('c.operator_id', db.raw(MONTH_SQL));
  const key = (r: Record<string, unknown>) => `${Number(r.operator_id)}|${String(r.month)}`;
  const reviewed = new Map(reviews.map((r: Record<string, unknown>) => [key(r), num(r.n)]));
  return calls.map((r: Record<string, unknown>) => ({ operatorId: Number(r.operator_id), month: String(r.month), calls: num(r.n), reviews: reviewed.get(key(r)) ?? 0 }));
}

export interface OverdueReview {
  assignmentId: number;
  callId: number;
  planDate: string;
  operatorId: number | null;
  operatorName: string | null;
  specialistName: string | null;
  callStartedAt: string;
}

/**
 * Calls drawn into active plans whose review is still open (not started, in progress, unassigned)
 * although the call (of the period) started before `startedBefore` (the lag target ago): overdue. The first `limit`,
 * oldest call first, and how many there are.
 */
export async function overdueReviews(db: Conn, period: { fromDate: string; toDate: string }, startedBefore: string, limit = 50): Promise<{ rows: OverdueReview[]; total: number }> {
  const base = () => db('assignments as a')
    .join('plans as p', 'p.id', 'a.plan_id')
    .join('calls as c', 'c.id', 'a.call_id')
    .whereBetween('c.call_date', [period.fromDate, period.toDate])
    .where('p.status', 'active')
    .whereIn('a.status', ['new', 'in_progress', 'unassigned'])
    .whereNull('c.deleted_at')
    .where('c.started_at', '<', startedBefore);
  const total = num((await base().count({ n: '*' }).first())?.n);
  const rows = await base().leftJoin('operators as o', 'o.id', 'a.operator_id').leftJoin('users as u', 'u.id', 'a.specialist_user_id')
    .select('a.id', 'a.call_id', 'p.plan_date', 'a.operator_id', 'o.full_name', 'u.display_name', 'c.started_at').orderBy('c.started_at').limit(limit);
  return {
    total,
    rows: rows.map((r: Record<string, unknown>) => ({
      assignmentId: Number(r.id), callId: Number(r.call_id), planDate: String(r.plan_date), operatorId: r.operator_id == null ? null : Number(r.operator_id),
      operatorName: (r.full_name as string | null) ?? null, specialistName: (r.display_name as string | null) ?? null, callStartedAt: String(r.started_at),
    })),
  };
}

