import { expect } from 'chai';
import { createTestApp, TestApp, signIn } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { syncErrorsForEvaluation } from '../../../src/features/errors/errors.service';
import { makeOrganisation, makeFailedEvaluation, Organisation } from './builders';

describe('error analysis, complex cases and operator pages', () => {
  let t: TestApp;
  let org: Organisation;
  const now = new Date('2026-04-30T07:00:00Z');
  let complexEvaluation: number;
  let otherComplex: number;
  before(async () => {
    t = await createTestApp({ clock: () => now });
    org = await makeOrganisation(t.db);
    const on = async (day: string, o: Parameters<typeof makeFailedEvaluation>[2]) => {
      const submittedAt = `${day}T06:00:00.000Z`;
      const ev = await makeFailedEvaluation(t.db, org, { submittedAt, ...o });
      await syncErrorsForEvaluation(t.db, ev.evaluationId, () => new Date(submittedAt));
      return ev;
    };
    // This period (2026-04-01 … 04-30): 3 information + 1 routing for our operator, 1 card for the other team.
    await on('2026-04-03', { failed: ['INFO-2', 'INFO-3'], score: 70, result: 'partial' });
    await on('2026-04-20', { failed: ['INFO-2', 'ROUTE-1'], score: 40, result: 'critical_fail', criticalFailure: true });
    await on('2026-04-21', { operatorId: org.otherOperator, failed: ['CARD-1'] });
    // The previous 30 days: 1 information.
    await on('2026-03-10', { failed: ['INFO-1'], score: 95, result: 'high' });
    complexEvaluation = (await on('2026-04-22', { failed: [], isComplexCase: true, complexReason: 'Caller reported a gas leak and an injured child', score: 90, result: 'high' })).evaluationId;
    otherComplex = (await on('2026-04-23', { operatorId: org.otherOperator, failed: [], isComplexCase: true, complexReason: 'other team case' })).evaluationId;
  });
  after(() => t.close());

  it('analysis shows counts by category against the previous period of the same length, with charts', async () => {
    const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
    const res = await agent.get('/errors/analysis?from=2026-04-01&to=2026-04-30');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('src="/public/build/errors.js"');
    expect(res.text).to.contain('data-chart="chart-category"');
    const json = JSON.parse(/<script type="application\/json" id="chart-category">([^<]*)<\/script>/.exec(res.text)![1]);
    // Specialists analyse the whole centre: information 3 (was 1), routing 1, card 1.
    expect(json.labels).to.deep.equal(['Information gathering', 'Call card', 'Routing to services']);
    expect(json.datasets[0].data).to.deep.equal([3, 1, 1]);
    expect(json.datasets[1].data).to.deep.equal([1, 0, 0]);
    expect(res.text).to.contain('compared with 02.03.2026 – 31.03.2026');
  });

  it('a supervisor\'s analysis covers their teams only', async () => {
    const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const res = await agent.get('/errors/analysis?from=2026-04-01&to=2026-04-30');
    const json = JSON.parse(/<script type="application\/json" id="chart-category">([^<]*)<\/script>/.exec(res.text)![1]);
    expect(json.labels).to.deep.equal(['Information gathering', 'Routing to services']);
    expect(res.text).not.to.contain('Madina Saidova');
  });

  it('a period whose end is before its start is refused with a clear message on the field', async () => {
    const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const res = await agent.get('/errors/analysis?from=2026-04-30&to=2026-04-01');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('The end of the period cannot be before its start');
    expect(res.text).not.to.contain('data-chart=');
  });

  it('complex cases reach the team\'s supervisor, who records the resolution once', async () => {
    const { agent, csrf } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const list = await agent.get('/errors/complex');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain('Caller reported a gas leak and an injured child');
    expect(list.text).not.to.contain('other team case');
    const empty = await agent.post(`/errors/complex/${complexEvaluation}/resolve`).type('form').send({ _csrf: await csrf(), resolution: '   ' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Describe the resolution');
    expect((await t.db('evaluations').where({ id: complexEvaluation }).first()).complex_resolved_at).to.equal(null);
    const ok = await agent.post(`/errors/complex/${complexEvaluation}/resolve`).type('form').send({ _csrf: await csrf(), resolution: 'Routed to 104 and 103 together; explained to the operator.' });
    expect(ok.status).to.equal(302);
    const row = await t.db('evaluations').where({ id: complexEvaluation }).first();
    expect([row.complex_resolution, Number(row.complex_resolved_by), row.complex_resolved_at]).to.deep.equal(['Routed to 104 and 103 together; explained to the operator.', org.supervisor.id, now.toISOString()]);
    const again = await agent.post(`/errors/complex/${complexEvaluation}/resolve`).set('accept', 'application/json').send({ _csrf: await csrf(), resolution: 'changed my mind' });
    expect(again.status).to.equal(409);
    expect((await t.db('evaluations').where({ id: complexEvaluation }).first()).complex_resolution).to.contain('Routed to 104');
    expect((await agent.get('/errors/complex?show=resolved')).text).to.contain('Routed to 104 and 103 together');
  });

  it('a supervisor cannot resolve another team\'s complex case', async () => {
    const { agent, csrf } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const res = await agent.post(`/errors/complex/${otherComplex}/resolve`).type('form').send({ _csrf: await csrf(), resolution: 'not mine' });
    expect(res.status).to.equal(403);
    expect((await t.db('evaluations').where({ id: otherComplex }).first()).complex_resolution).to.equal(null);
  });

  it('an operator\'s page lists evaluations, scores over time, errors and corrective actions', async () => {
    const err = await t.db('errors').where({ operator_id: org.operator, criterion_code: 'ROUTE-1' }).first();
    await t.db('errors').where({ id: err.id }).update({ status: 'action_recorded', action_type: 'written_warning', action_note: 'Second routing error this month', action_due: '2026-04-25', action_by: org.supervisor.id, action_at: now.toISOString() });
    const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const res = await agent.get(`/operators/${org.operator}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Jasur Yusupov');
    expect(res.text).to.contain('data-chart="chart-scores"');
    const chart = JSON.parse(/<script type="application\/json" id="chart-scores">([^<]*)<\/script>/.exec(res.text)![1]);
    expect(chart.datasets[0].data).to.deep.equal([95, 70, 40, 90]);
    expect(res.text).to.contain('Second routing error this month');
    expect(res.text).to.contain('Written warning');
    expect(res.text).to.match(/text-danger">25\.04\.2026/); // overdue due date stands out
    expect(res.text).to.match(/href="\/evaluations\/\d+"/);
  });

  it('operator pages: supervisors only their teams, leadership none, specialists and admins all, an operator account its own', async () => {
    const sup = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    expect((await sup.agent.get(`/operators/${org.otherOperator}`)).status).to.equal(403);
    const lead = await signIn(t.app, org.leadership.username, org.leadership.password);
    expect((await lead.agent.get(`/operators/${org.operator}`)).status).to.equal(403);
    for (const u of [org.specialist, org.admin]) {
      const s = await signIn(t.app, u.username, u.password);
      expect((await s.agent.get(`/operators/${org.otherOperator}`)).status).to.equal(200);
    }
    const own = await makeUser(t.db, { role: 'operator', operatorId: org.operator });
    const op = await signIn(t.app, own.username, own.password);
    const mine = await op.agent.get(`/operators/${org.operator}`);
    expect(mine.status).to.equal(200);
    expect(mine.text).not.to.match(/href="\/evaluations\//); // no audio for operator accounts
    expect((await op.agent.get(`/operators/${org.otherOperator}`)).status).to.equal(403);
    expect((await op.agent.get('/operators/999999')).status).to.equal(404);
  });
});
