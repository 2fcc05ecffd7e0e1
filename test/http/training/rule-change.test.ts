import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, postForm } from './fixtures';

describe('rule changes: a topic for everyone, acknowledged per operator', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T08:00:00Z');
  let sup1: { id: number; username: string };
  let sup2: { id: number; username: string };
  let op1: number;
  let op2: number;
  let op3: number;
  let opUser: { id: number; username: string };
  let ruleId: number;

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    sup1 = await makeUser(t.db, { role: 'supervisor' });
    sup2 = await makeUser(t.db, { role: 'supervisor' });
    const team1 = await makeTeam(t.db, { supervisorUserId: sup1.id });
    const team2 = await makeTeam(t.db, { supervisorUserId: sup2.id });
    op1 = await makeOperator(t.db, { teamId: team1, name: 'First Op' });
    op2 = await makeOperator(t.db, { teamId: team1, name: 'Second Op' });
    op3 = await makeOperator(t.db, { teamId: team2, name: 'Third Op' });
    await makeOperator(t.db, { teamId: team1, name: 'Gone Op', isActive: false });
    opUser = await makeUser(t.db, { role: 'operator', operatorId: op2 });
  });
  after(() => t.close());

  it('a rule change takes in every active operator (inactive ones left out); without its text it is refused', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const bad = await postForm(agent, '/training/rule-changes', { topic: 'New greeting', description: ' ', trainingDate: '2026-12-01', criteria: ['OPEN-1'] });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Write the new rule.');
    expect(await t.db('trainings')).to.have.length(0);
    const res = await postForm(agent, '/training/rule-changes', { topic: 'New greeting', description: 'Say the service name and your name.', trainingDate: '2026-12-01', criteria: ['OPEN-1'] });
    expect(res.status).to.equal(303);
    ruleId = Number(/\/training\/(\d+)$/.exec(res.headers.location)![1]);
    expect((await t.db('trainings').where({ id: ruleId }).first()).kind).to.equal('rule_change');
    expect((await t.db('training_participants').where({ training_id: ruleId })).map((p) => Number(p.operator_id)).sort((a, b) => a - b)).to.deep.equal([op1, op2, op3]);
  });

  it('a supervisor marks their own operators acknowledged, not another team’s', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const refused = await postForm(agent, `/training/${ruleId}/acknowledge`, { operatorIds: [String(op1), String(op3)] });
    expect(refused.status).to.equal(403);
    expect((await t.db('training_participants').where({ training_id: ruleId }).whereNotNull('acknowledged_at'))).to.have.length(0);
    const ok = await postForm(agent, `/training/${ruleId}/acknowledge`, { operatorIds: [String(op1)] });
    expect(ok.status).to.equal(303);
    expect(await t.db('training_participants').where({ training_id: ruleId, operator_id: op1 }).first()).to.include({ acknowledged_at: now.toISOString(), acknowledged_by: sup1.id });
    // The page shows sup1 their two operators; the other team's one only as a count.
    const page = await agent.get(`/training/${ruleId}`);
    expect(page.text).to.contain('First Op').and.contain('Second Op').and.contain('and 1 from other teams');
    expect(page.text).to.not.contain('Third Op');
  });

  it('an operator acknowledges in their own view, once', async () => {
    const { agent } = await signIn(t.app, opUser.username, TEST_PASSWORD);
    const page = await agent.get('/my/trainings');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('New greeting').and.contain('Say the service name and your name.');
    const res = await postForm(agent, `/my/trainings/${ruleId}/acknowledge`, {}, '/my/trainings');
    expect(res.status).to.equal(303);
    expect(await t.db('training_participants').where({ training_id: ruleId, operator_id: op2 }).first()).to.include({ acknowledged_by: opUser.id });
    const again = await postForm(agent, `/my/trainings/${ruleId}/acknowledge`, {}, '/my/trainings');
    expect(again.status).to.equal(303);
    expect(await t.db('audit_log').where({ action: 'training.acknowledgeOwn' })).to.have.length(1);
    const sup = (await signIn(t.app, sup1.username, TEST_PASSWORD)).agent;
    expect((await sup.get(`/training/${ruleId}`)).text).to.contain('by the operator');
  });
});
