import { expect } from 'chai';
import { createTestApp, TestApp } from '../../helpers/app';
import { bestAnswers, callOf, makeWorld, openEvaluation, submit, World } from './eval-builders';

/** Evaluation ids in the order the list shows them. */
function idsOf(html: string): number[] {
  return [...html.matchAll(/<tr class="row-link" data-href="\/evaluations\/(\d+)"/g)].map((m) => Number(m[1]));
}

describe('the evaluations list', () => {
  let t: TestApp;
  let w: World;
  let mySubmitted: number;
  let myDraft: number;
  let otherTeamSubmitted: number;
  let otherSpecialists: number;
  before(async () => {
    t = await createTestApp();
    w = await makeWorld(t);
    mySubmitted = await openEvaluation(w.specialist, await callOf(t, w.operatorId));
    expect((await submit(w.specialist, mySubmitted, { revision: 0, answers: bestAnswers() })).status).to.equal(200);
    otherTeamSubmitted = await openEvaluation(w.specialist, await callOf(t, w.otherOperatorId));
    expect((await submit(w.specialist, otherTeamSubmitted, { revision: 0, answers: bestAnswers() })).status).to.equal(200);
    // Opened last but listed first: work still open comes before what is handed in.
    myDraft = await openEvaluation(w.specialist, await callOf(t, w.operatorId));
    otherSpecialists = await openEvaluation(w.otherSpecialist, await callOf(t, w.operatorId));
    await t.db('evaluations').where({ id: myDraft }).update({ updated_at: '2000-01-01T00:00:00.000Z' });
  });
  after(() => t.close());

  it('a specialist sees only their own evaluations, drafts first', async () => {
    const res = await w.specialist.agent.get('/evaluations');
    expect(res.status).to.equal(200);
    const ids = idsOf(res.text);
    expect(ids[0]).to.equal(myDraft);
    expect(ids).to.have.members([myDraft, mySubmitted, otherTeamSubmitted]);
    expect(ids).not.to.include(otherSpecialists);
  });

  it('filters by status and by period', async () => {
    expect(idsOf((await w.specialist.agent.get('/evaluations?status=submitted')).text)).to.have.members([mySubmitted, otherTeamSubmitted]);
    expect(idsOf((await w.specialist.agent.get('/evaluations?status=open')).text)).to.deep.equal([myDraft]);
    expect(idsOf((await w.specialist.agent.get('/evaluations?status=submitted&from=2000-01-01&to=2000-01-02')).text)).to.deep.equal([]);
    const empty = await w.specialist.agent.get('/evaluations?status=submitted&from=2000-01-01&to=2000-01-02');
    expect(empty.text).to.contain('empty-state');
  });

  it('ignores filter values it does not understand instead of failing', async () => {
    const res = await w.specialist.agent.get('/evaluations?status=bogus&from=yesterday&page=-4');
    expect(res.status).to.equal(200);
    expect(idsOf(res.text)).to.have.length(3);
  });

  it("a supervisor sees the handed-in evaluations of their team's operators only", async () => {
    const ids = idsOf((await w.supervisor.agent.get('/evaluations')).text);
    expect(ids).to.deep.equal([mySubmitted]);
    expect(idsOf((await w.otherSupervisor.agent.get('/evaluations')).text)).to.deep.equal([otherTeamSubmitted]);
  });

  it('an administrator sees them all', async () => {
    expect(idsOf((await w.admin.agent.get('/evaluations')).text)).to.have.members([myDraft, mySubmitted, otherTeamSubmitted, otherSpecialists]);
  });

  it('the navigation offers the list to specialists, supervisors and admins, not to leadership', async () => {
    for (const p of [w.specialist, w.supervisor, w.admin]) expect((await p.agent.get('/')).text).to.contain('href="/evaluations"');
    expect((await w.leadership.agent.get('/')).text).not.to.contain('href="/evaluations"');
  });
});
