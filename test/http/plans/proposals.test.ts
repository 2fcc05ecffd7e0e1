// Monitoring specialists prepare the listening plan (B2.01.4 #2): they propose rule sets, a
// supervisor or an administrator approves (or turns them down); a setting may let their rules
// apply at once. Every step is audited; a bad proposal is refused field by field and stores nothing.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { TEST_PASSWORD } from '../../helpers/builders';
import { makePeople } from './plan-fixtures';

const form = (o: Record<string, unknown> = {}) => ({
  name: 'Proposed rules', isActive: '1', 'eligibility.daysBack': '1', 'eligibility.excludeEvaluated': '1', 'eligibility.excludeInactiveOperators': '1',
  'quota.mode': 'perDay', 'quota.calls': '4', 'priority.suicideRisk': '3', 'priority.line1146': '2', 'priority.dropped': '1.5', 'priority.longCall': '1.5', 'priority.longCallSec': '600', ...o,
});

describe('plan rules proposed by specialists', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof makePeople>>;
  const as = (u: { username: string }) => signIn(t.app, u.username, TEST_PASSWORD);
  const audits = async (action: string) => t.db('audit_log').where({ action });

  beforeEach(async () => {
    t = await createTestApp();
    people = await makePeople(t.db);
  });
  afterEach(() => t.close());

  it('a specialist’s rule set waits as a proposal; a supervisor approves it and it is saved; every step audited', async () => {
    const s = await as(people.specialistA);
    const res = await s.agent.post('/plans/rules').type('form').send({ _csrf: await s.csrf(), ...form() });
    expect(res.status).to.equal(303);
    expect(await t.db('plan_rules')).to.have.length(0);
    const [p] = await t.db('plan_rule_proposals');
    expect(p).to.include({ status: 'pending', name: 'Proposed rules', proposed_by: people.specialistA.id });
    expect(await audits('plan.rules.propose')).to.have.length(1);
    expect((await s.agent.get('/plans/rules')).text).to.contain('Waiting').and.not.contain(`/plans/rules/proposals/${p.id}/approve`);
    // The specialist cannot approve their own proposal.
    expect((await s.agent.post(`/plans/rules/proposals/${p.id}/approve`).type('form').send({ _csrf: await s.csrf() })).status).to.equal(403);

    const sup = await as(people.supervisor);
    const page = await sup.agent.get('/plans/rules');
    expect(page.text).to.contain(`/plans/rules/proposals/${p.id}/approve`);
    const ok = await sup.agent.post(`/plans/rules/proposals/${p.id}/approve`).type('form').send({ _csrf: await sup.csrf(), note: 'Mos keladi' });
    expect(ok.status).to.equal(303);
    const [rule] = await t.db('plan_rules');
    expect(rule.name).to.equal('Proposed rules');
    expect(JSON.parse(rule.rules).quota).to.deep.equal({ mode: 'perDay', calls: 4 });
    expect(await t.db('plan_rule_proposals').where({ id: p.id }).first()).to.include({ status: 'approved', decided_by: people.supervisor.id, decision_note: 'Mos keladi', applied_rule_id: rule.id });
    const create = (await audits('plan.rules.create'))[0];
    expect(create.user_id).to.equal(people.supervisor.id);
    expect(JSON.parse(create.details)).to.include({ proposalId: p.id, proposedBy: people.specialistA.id });
    expect(await audits('plan.rules.approve')).to.have.length(1);
    // Deciding twice is refused.
    expect((await sup.agent.post(`/plans/rules/proposals/${p.id}/reject`).type('form').send({ _csrf: await sup.csrf() }).set('accept', 'application/json')).status).to.equal(409);
  });

  it('a supervisor turns a proposal down with a note; nothing changes in the rule sets', async () => {
    const s = await as(people.specialistA);
    await s.agent.post('/plans/rules').type('form').send({ _csrf: await s.csrf(), ...form() });
    const [p] = await t.db('plan_rule_proposals');
    const a = await as(people.admin);
    expect((await a.agent.post(`/plans/rules/proposals/${p.id}/reject`).type('form').send({ _csrf: await a.csrf(), note: 'Too many calls' })).status).to.equal(303);
    expect(await t.db('plan_rules')).to.have.length(0);
    expect(await t.db('plan_rule_proposals').where({ id: p.id }).first()).to.include({ status: 'rejected', decision_note: 'Too many calls' });
    expect(await audits('plan.rules.reject')).to.have.length(1);
    expect((await s.agent.get('/plans/rules')).text).to.contain('Turned down').and.contain('Too many calls');
  });

  it('a bad proposal is refused field by field and stores nothing', async () => {
    const s = await as(people.specialistA);
    const res = await s.agent.post('/plans/rules').type('form').send({ _csrf: await s.csrf(), ...form({ 'quota.calls': '-2' }) });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('aria-invalid="true"');
    expect(await t.db('plan_rule_proposals')).to.have.length(0);
    expect(await audits('plan.rules.propose')).to.have.length(0);
  });

  it('with SPECIALIST_RULES_APPLY on, a specialist’s rule set applies at once (audited as theirs)', async () => {
    await t.close();
    t = await createTestApp({ config: { specialistRulesApply: true } });
    people = await makePeople(t.db);
    const s = await as(people.specialistA);
    expect((await s.agent.get('/plans/rules')).text).to.contain('Save (applies at once)');
    expect((await s.agent.post('/plans/rules').type('form').send({ _csrf: await s.csrf(), ...form() })).status).to.equal(303);
    const [rule] = await t.db('plan_rules');
    expect(rule.updated_by).to.equal(people.specialistA.id);
    expect((await t.db('plan_rule_proposals').first()).status).to.equal('applied');
    expect(JSON.parse((await audits('plan.rules.create'))[0].details)).to.include({ proposedBySpecialist: true, appliedAtOnce: true });
  });
});
