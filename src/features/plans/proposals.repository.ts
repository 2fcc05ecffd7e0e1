// The SQL of plan rule sets proposed by specialists (plan_rule_proposals).
import type { Knex } from 'knex';
import { insertReturningId, parseJson, toBool } from '../../db';

type Conn = Knex | Knex.Transaction;

export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'applied';

export interface ProposalRow {
  id: number;
  planRuleId: number | null;
  ruleSetName: string | null;
  name: string;
  rules: unknown;
  isActive: boolean;
  status: ProposalStatus;
  proposedBy: number;
  proposedByName: string;
  proposedAt: string;
  decidedBy: number | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  appliedRuleId: number | null;
}

function proposalsQuery(db: Conn) {
  return db('plan_rule_proposals as p')
    .join('users as u', 'u.id', 'p.proposed_by')
    .leftJoin('users as d', 'd.id', 'p.decided_by')
    .leftJoin('plan_rules as r', 'r.id', 'p.plan_rule_id')
    .select('p.*', 'u.display_name as proposed_by_name', 'd.display_name as decided_by_name', 'r.name as rule_set_name');
}

function mapProposal(r: Record<string, unknown>): ProposalRow {
  return {
    id: Number(r.id),
    planRuleId: r.plan_rule_id == null ? null : Number(r.plan_rule_id),
    ruleSetName: (r.rule_set_name as string | null) ?? null,
    name: r.name as string,
    rules: parseJson<unknown>(r.rules, null),
    isActive: toBool(r.is_active),
    status: r.status as ProposalStatus,
    proposedBy: Number(r.proposed_by),
    proposedByName: r.proposed_by_name as string,
    proposedAt: r.proposed_at as string,
    decidedBy: r.decided_by == null ? null : Number(r.decided_by),
    decidedByName: (r.decided_by_name as string | null) ?? null,
    decidedAt: (r.decided_at as string | null) ?? null,
    decisionNote: (r.decision_note as string | null) ?? null,
    appliedRuleId: r.applied_rule_id == null ? null : Number(r.applied_rule_id),
  };
}

/** Proposals, pending first then the newest; a specialist's own only when `proposedBy` is given. */
export async function listProposals(db: Conn, o: { proposedBy?: number; limit?: number } = {}): Promise<ProposalRow[]> {
  const q = proposalsQuery(db).orderByRaw("case p.status when 'pending' then 0 else 1 end").orderBy('p.id', 'desc').limit(o.limit ?? 30);
  if (o.proposedBy !== undefined) q.where('p.proposed_by', o.proposedBy);
  return (await q).map(mapProposal);
}

export async function findProposal(db: Conn, id: number): Promise<ProposalRow | null> {
  const r = await proposalsQuery(db).where('p.id', id).first();
  return r ? mapProposal(r) : null;
}

export async function insertProposal(db: Conn, p: { planRuleId: number | null; name: string; rules: unknown; isActive: boolean; status: ProposalStatus; proposedBy: number; appliedRuleId?: number | null }, now: string): Promise<number> {
  return insertReturningId(db, 'plan_rule_proposals', {
    plan_rule_id: p.planRuleId, name: p.name, rules: JSON.stringify(p.rules), is_active: p.isActive, status: p.status, proposed_by: p.proposedBy, proposed_at: now,
    applied_rule_id: p.appliedRuleId ?? null, decided_at: p.status === 'applied' ? now : null,
  });
}

/** Records a decision on a pending proposal; false when it was decided already (nothing changed). */
export async function decideProposal(db: Conn, id: number, d: { status: 'approved' | 'rejected'; by: number; note: string | null; appliedRuleId: number | null }, now: string): Promise<boolean> {
  const n = await db('plan_rule_proposals').where({ id, status: 'pending' }).update({ status: d.status, decided_by: d.by, decided_at: now, decision_note: d.note, applied_rule_id: d.appliedRuleId });
  return Number(n) === 1;
}

