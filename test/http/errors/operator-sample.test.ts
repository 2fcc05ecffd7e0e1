// An operator's page judges the operator on the random sample: a hand-picked call (often picked
// because it went wrong) is listed, marked as such and shown beside the average, not mixed into it.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeFailedEvaluation, makeOrganisation, type Organisation } from './builders';

describe('an operator’s page: scores from the random sample, the others beside them', () => {
  let t: TestApp;
  let org: Organisation;
  before(async () => {
    t = await createTestApp();
    org = await makeOrganisation(t.db);
    for (const score of [90, 80]) await makeFailedEvaluation(t.db, org, { score, result: 'compliant' });
    const { evaluationId } = await makeFailedEvaluation(t.db, org, { score: 20, result: 'low', criticalFailure: true });
    await t.db('evaluations').where({ id: evaluationId }).update({ purpose: 'on_request' });
  });
  after(() => t.close());

  it('gives the average, count and critical failures of the random sample, and the hand-picked call beside them', async () => {
    const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
    const res = await agent.get(`/operators/${org.operator}`);
    expect(res.status).to.equal(200);
    const tile = (label: string) => new RegExp(`${label}</div><div class="stat-value"[^>]*>([^<]*)<`).exec(res.text)?.[1];
    expect(tile('Evaluations')).to.equal('2');
    expect(tile('Average score')).to.equal('85.0');
    expect(tile('Critical failures')).to.equal('0');
    expect(res.text).to.match(/Beside it:[\s\S]*?On request<\/span> 1, average 20\.0/);
    expect((res.text.match(/class="purpose purpose-on_request"/g) ?? []).length).to.equal(2);
  });
});
