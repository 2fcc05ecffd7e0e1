// Plan rule sets a specialist proposes and a supervisor or administrator approves (B2.01.4 #2).
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { nowIso } from '../../db';
import { ConflictError, NotFoundError } from '../../http/errors';
import { parsePlanRules, type PlanRules } from './plan-rules';
import { checkRuleSet, saveRuleSet, type RuleSetSave, type Viewer } from './plans.service';
import * as repo from './proposals.repository';

export type ProposalOutcome = { kind: 'proposed'; proposalId: number } | { kind: 'applied'; ruleSetId: number; proposalId: number };

/**
 * A specialist's rule set: checked exactly as a supervisor's save, then kept as a proposal that
 * waits for a supervisor's or administrator's approval — or, when the deployment lets specialists'
 * rules apply at once (Config.specialistRulesApply), saved straight away. Audited either way.
 */
export async function proposeRuleSet(deps: Pick<AppDeps, 'db' | 'clock'>, input: RuleSetSave, actorId: number, o: { applyAtOnce: boolean }): Promise<ProposalOutcome> {
  const { name, rules } = await checkRuleSet(deps, input);
  const now = nowIso(deps.clock);
  if (o.applyAtOnce) {
    const ruleSetId = await saveRuleSet(deps, input, actorId, { proposedBySpecialist: true, appliedAtOnce: true });
    const proposalId = await repo.insertProposal(deps.db, { planRuleId: input.id ?? null, name, rules, isActive: input.isActive, status: 'applied', proposedBy: actorId, appliedRuleId: ruleSetId }, now);
    return { kind: 'applied', ruleSetId, proposalId };
  }
  return deps.db.transaction(async (trx) => {
    const proposalId = await repo.insertProposal(trx, { planRuleId: input.id ?? null, name, rules, isActive: input.isActive, status: 'pending', proposedBy: actorId }, now);
    await audit(trx, { userId: actorId, action: 'plan.rules.propose', entityType: 'plan_rule_proposal', entityId: proposalId, details: { planRuleId: input.id ?? null, name, isActive: input.isActive, rules } }, deps.clock);
    return { kind: 'proposed' as const, proposalId };
  });
}

/**
 * A supervisor or administrator approves a pending proposal: it is checked again against the rule
 * sets as they are now (another set may overlap it by now) and saved; refused (409) when decided
 * already. The save and the decision are both audited.
 */
export async function approveProposal(deps: Pick<AppDeps, 'db' | 'clock'>, id: number, actorId: number, note: string | null): Promise<number> {
  const p = await repo.findProposal(deps.db, id);
  if (!p) throw new NotFoundError();
  if (p.status !== 'pending') throw new ConflictError('plans.proposals.decided');
  const ruleSetId = await saveRuleSet(deps, { id: p.planRuleId ?? undefined, name: p.name, isActive: p.isActive, rules: p.rules }, actorId, { proposalId: p.id, proposedBy: p.proposedBy });
  if (!(await repo.decideProposal(deps.db, id, { status: 'approved', by: actorId, note, appliedRuleId: ruleSetId }, nowIso(deps.clock)))) throw new ConflictError('plans.proposals.decided');
  await audit(deps.db, { userId: actorId, action: 'plan.rules.approve', entityType: 'plan_rule_proposal', entityId: id, details: { ruleSetId, proposedBy: p.proposedBy, note } }, deps.clock);
  return ruleSetId;
}

/** A supervisor or administrator turns a pending proposal down, with a note. Audited. */
export async function rejectProposal(deps: Pick<AppDeps, 'db' | 'clock'>, id: number, actorId: number, note: string | null): Promise<void> {
  const p = await repo.findProposal(deps.db, id);
  if (!p) throw new NotFoundError();
  if (!(await repo.decideProposal(deps.db, id, { status: 'rejected', by: actorId, note, appliedRuleId: null }, nowIso(deps.clock)))) throw new ConflictError('plans.proposals.decided');
  await audit(deps.db, { userId: actorId, action: 'plan.rules.reject', entityType: 'plan_rule_proposal', entityId: id, details: { proposedBy: p.proposedBy, note } }, deps.clock);
}

/** Proposals a viewer sees on the rules page: a specialist their own, planners everyone's. */
export async function listProposals(deps: Pick<AppDeps, 'db'>, viewer: Viewer): Promise<(repo.ProposalRow & { parsed: PlanRules | null })[]> {
  const rows = await repo.listProposals(deps.db, viewer.role === 'specialist' ? { proposedBy: viewer.id } : {});
  return rows.map((r) => {
    let parsed: PlanRules | null = null;
    try {
      parsed = parsePlanRules(r.rules);
    } catch {
      parsed = null;
    }
    return { ...r, parsed };
  });
}

