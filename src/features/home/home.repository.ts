// The figures each role's home page starts from.
import type { Knex } from 'knex';
import { num } from '../../db';

export async function specialistToday(db: Knex, userId: number, today: string) {
  const rows = await db('assignments as a')
    .join('plans as p', 'p.id', 'a.plan_id')
    .where('p.plan_date', today)
    .andWhere('p.status', 'active')
    .andWhere('a.specialist_user_id', userId)
    .select('a.status')
    .count({ n: '*' })
    .groupBy('a.status');
  const by: Record<string, number> = {};
  for (const r of rows as { status: string; n: unknown }[]) by[r.status] = num(r.n);
  const drafts = await db('evaluations').where({ specialist_user_id: userId, kind: 'regular' }).whereIn('status', ['draft', 'reopened']).count({ n: '*' }).first();
  return { new: by.new ?? 0, inProgress: by.in_progress ?? 0, done: by.done ?? 0, drafts: num(drafts?.n) };
}

export async function supervisorInbox(db: Knex, userId: number, today: string) {
  const teamIds = (await db('teams').where({ supervisor_user_id: userId }).select('id')).map((r) => Number(r.id));
  if (!teamIds.length) return { teams: 0, newErrors: 0, overdue: 0, complexOpen: 0 };
  const base = () => db('errors as e').join('operators as o', 'o.id', 'e.operator_id').whereIn('o.team_id', teamIds).whereNull('e.voided_at');
  const newErrors = await base().where('e.status', 'new').count({ n: '*' }).first();
  const overdue = await base().where('e.status', 'action_recorded').andWhere('e.action_due', '<', today).count({ n: '*' }).first();
  const complex = await db('evaluations as v').join('operators as o', 'o.id', 'v.operator_id').whereIn('o.team_id', teamIds).where('v.is_complex_case', true).where('v.status', 'submitted').whereNull('v.complex_resolved_at').count({ n: '*' }).first();
  return { teams: teamIds.length, newErrors: num(newErrors?.n), overdue: num(overdue?.n), complexOpen: num(complex?.n) };
}

export async function adminSummary(db: Knex) {
  const [users, operators, calls, failedJobs, queuedJobs] = await Promise.all([
    db('users').where('is_active', true).count({ n: '*' }).first(),
    db('operators').where('is_active', true).count({ n: '*' }).first(),
    db('calls').whereNull('deleted_at').count({ n: '*' }).first(),
    db('jobs').where('status', 'failed').count({ n: '*' }).first(),
    db('jobs').whereIn('status', ['queued', 'running']).count({ n: '*' }).first(),
  ]);
  return { users: num(users?.n), operators: num(operators?.n), calls: num(calls?.n), failedJobs: num(failedJobs?.n), queuedJobs: num(queuedJobs?.n) };
}

/** An operator's own handed-in evaluations: how many, how many wait for their acknowledgement, the average. */
export async function operatorSummary(db: Knex, operatorId: number) {
  const r = await db('evaluations').where({ operator_id: operatorId, status: 'submitted', kind: 'regular' })
    .count({ n: '*' }).avg({ avg: 'score' })
    .select(db.raw('sum(case when acknowledged_at is null then 1 else 0 end) as unacknowledged'))
    .first();
  return { evaluations: num(r?.n), unacknowledged: num((r as { unacknowledged?: unknown } | undefined)?.unacknowledged), averageScore: r?.avg == null ? null : Number(r.avg) };
}
