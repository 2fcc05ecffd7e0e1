import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, fullAnswers, postForm, submittedEvaluation, versionFor } from '../training/fixtures';
import { scoreEvaluation } from '../../../src/features/evaluations/scoring';

describe('disputes: raised by the operator within the window, decided by their supervisor', () => {
  let t: TestApp;
  let now = new Date('2026-11-20T08:00:00Z');
  let sup: { id: number; username: string };
  let sup2: { id: number; username: string };
  let spec: { id: number; username: string };
  let opUser: { id: number; username: string };
  let op: number;
  let evalId: number;
  let oldEvalId: number;

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    sup = await makeUser(t.db, { role: 'supervisor' });
    sup2 = await makeUser(t.db, { role: 'supervisor' });
    spec = await makeUser(t.db, { role: 'specialist' });
    const team = await makeTeam(t.db, { supervisorUserId: sup.id });
    await makeTeam(t.db, { supervisorUserId: sup2.id });
    op = await makeOperator(t.db, { teamId: team, name: 'Disputing Operator' });
    opUser = await makeUser(t.db, { role: 'operator', operatorId: op });
    // Handed in on 2026-11-18 09:00 UTC: the window runs to 2026-11-25 09:00 UTC.
    evalId = await submittedEvaluation(t, { callId: await makeCall(t.db, { operatorId: op, startedAt: '2026-11-18T05:00:00Z' }), operatorId: op, specialistId: spec.id, overrides: { 'ROUTE-1': 0, 'INFO-2': 0 }, submittedAt: new Date('2026-11-18T09:00:00Z') });
    oldEvalId = await submittedEvaluation(t, { callId: await makeCall(t.db, { operatorId: op, startedAt: '2026-11-01T05:00:00Z' }), operatorId: op, specialistId: spec.id, overrides: { 'CARD-2': 0 }, submittedAt: new Date('2026-11-01T09:00:00Z') });
  });
  after(() => t.close());

  async function disputes() {
    return t.db('evaluation_disputes').orderBy('id');
  }

  it('after the window the dispute is refused with a clear reason, and nothing is stored', async () => {
    const { agent } = await signIn(t.app, opUser.username, TEST_PASSWORD);
    const page = await agent.get(`/my/evaluations/${oldEvalId}`);
    expect(page.text).to.contain('The time for disputes has passed.').and.not.contain('name="criterionCode"');
    const res = await postForm(agent, `/my/evaluations/${oldEvalId}/disputes`, { criterionCode: 'CARD-2', comment: 'I did fill it in' }, '/my/evaluations');
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('Disputes are accepted for 7 days after the evaluation; the time ran out on 08.11.2026');
    expect(await disputes()).to.have.length(0);
    expect(await t.db('audit_log').where({ action: 'evaluation.dispute' })).to.have.length(0);
  });

  it('inside the window: only a failed criterion, only with a comment, only once', async () => {
    const { agent } = await signIn(t.app, opUser.username, TEST_PASSWORD);
    const page = await agent.get(`/my/evaluations/${evalId}`);
    expect(page.text).to.contain('name="criterionCode" value="ROUTE-1"').and.contain('name="criterionCode" value="INFO-2"');
    expect(page.text).to.not.contain('name="criterionCode" value="OPEN-1"');
    const notFailed = await postForm(agent, `/my/evaluations/${evalId}/disputes`, { criterionCode: 'OPEN-1', comment: 'it passed anyway' }, '/my/evaluations');
    expect(notFailed.status).to.equal(400);
    expect(notFailed.text).to.contain('Only a failed criterion can be disputed (OPEN-1).');
    const empty = await postForm(agent, `/my/evaluations/${evalId}/disputes`, { criterionCode: 'ROUTE-1', comment: '   ' }, '/my/evaluations');
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Write why you disagree.');
    expect(await disputes()).to.have.length(0);

    const ok = await postForm(agent, `/my/evaluations/${evalId}/disputes`, { criterionCode: 'ROUTE-1', comment: 'I sent it to 103 as well, listen at 1:10' }, '/my/evaluations');
    expect(ok.status).to.equal(303);
    const [d] = await disputes();
    expect(d).to.include({ evaluation_id: evalId, operator_id: op, criterion_code: 'ROUTE-1', status: 'open', raised_by: opUser.id, comment: 'I sent it to 103 as well, listen at 1:10' });
    const twice = await postForm(agent, `/my/evaluations/${evalId}/disputes`, { criterionCode: 'ROUTE-1', comment: 'again' }, '/my/evaluations');
    expect(twice.status).to.equal(409);
    expect(twice.text).to.contain('You have already disputed ROUTE-1 in this evaluation.');
    expect(await disputes()).to.have.length(1);
  });

  it('the supervisor of another team cannot decide; the operator cannot reach the review page', async () => {
    const [d] = await disputes();
    const other = (await signIn(t.app, sup2.username, TEST_PASSWORD)).agent;
    expect((await other.get('/training/disputes')).text).to.not.contain('I sent it to 103');
    expect((await postForm(other, `/training/disputes/${d.id}/accept`, {})).status).to.equal(403);
    const operatorAgent = (await signIn(t.app, opUser.username, TEST_PASSWORD)).agent;
    expect((await operatorAgent.get('/training/disputes')).status).to.equal(403);
    expect((await postForm(operatorAgent, `/training/disputes/${d.id}/accept`, {}, '/my/evaluations')).status).to.equal(403);
    expect((await t.db('evaluation_disputes').where({ id: d.id }).first()).status).to.equal('open');
  });

  it('accepting re-scores the evaluation: the criterion passes, score and result are recomputed, its error is voided — audited', async () => {
    const [d] = await disputes();
    const version = await versionFor(t.db);
    const before = await t.db('evaluations').where({ id: evalId }).first();
    expect(before.result).to.equal('critical_fail');
    const liveBefore = await t.db('errors').where({ evaluation_id: evalId }).whereNull('voided_at').select('criterion_code');
    expect(liveBefore.map((e) => e.criterion_code).sort()).to.deep.equal(['INFO-2', 'ROUTE-1']);

    const { agent } = await signIn(t.app, sup.username, TEST_PASSWORD);
    const review = await agent.get('/training/disputes');
    expect(review.status).to.equal(200);
    expect(review.text).to.contain('I sent it to 103 as well, listen at 1:10').and.contain('Disputing Operator');
    now = new Date('2026-11-20T10:00:00Z');
    const res = await postForm(agent, `/training/disputes/${d.id}/accept`, { note: 'Listened again: 103 was added.' });
    expect(res.status).to.equal(303);

    const expected = scoreEvaluation(version.definition, fullAnswers(version.definition, { 'INFO-2': 0 }), t.config.scoreBands);
    const after = await t.db('evaluations').where({ id: evalId }).first();
    expect(Number(after.score)).to.equal(expected.score);
    expect(after.result).to.equal(expected.result);
    expect(Boolean(after.critical_failure)).to.equal(false);
    expect(Number(after.points_earned)).to.equal(expected.pointsEarned);
    expect(after.status).to.equal('submitted');
    const answer = await t.db('evaluation_answers').where({ evaluation_id: evalId, criterion_code: 'ROUTE-1' }).first();
    expect({ value: Number(answer.value), failed: Boolean(answer.failed), earned: Number(answer.points_earned) }).to.deep.equal({ value: 1, failed: false, earned: 10 });
    const live = await t.db('errors').where({ evaluation_id: evalId }).whereNull('voided_at').select('criterion_code');
    expect(live.map((e) => e.criterion_code)).to.deep.equal(['INFO-2']);
    expect((await t.db('errors').where({ evaluation_id: evalId, criterion_code: 'ROUTE-1' }).first()).voided_at).to.equal(now.toISOString());
    expect(await t.db('evaluation_disputes').where({ id: d.id }).first()).to.include({ status: 'accepted', decided_by: sup.id, decision_note: 'Listened again: 103 was added.', decided_at: now.toISOString() });
    const [row] = await t.db('audit_log').where({ action: 'evaluation.disputeAccepted', entity_id: String(evalId) });
    expect(JSON.parse(row.details)).to.include({ disputeId: Number(d.id), criterionCode: 'ROUTE-1', scoreBefore: Number(before.score), scoreAfter: expected.score, resultBefore: 'critical_fail', resultAfter: expected.result });
    // Decided once.
    expect((await postForm(agent, `/training/disputes/${d.id}/reject`, { note: 'no' })).status).to.equal(409);
    // The operator sees the outcome.
    const op = (await signIn(t.app, opUser.username, TEST_PASSWORD)).agent;
    expect((await op.get(`/my/evaluations/${evalId}`)).text).to.contain('dispute accepted').and.contain('Listened again: 103 was added.');
  });

  it('rejecting needs a reason the operator will read; the evaluation stays as it was', async () => {
    const { agent: opAgent } = await signIn(t.app, opUser.username, TEST_PASSWORD);
    expect((await postForm(opAgent, `/my/evaluations/${evalId}/disputes`, { criterionCode: 'INFO-2', comment: 'The map was checked' }, '/my/evaluations')).status).to.equal(303);
    const d = await t.db('evaluation_disputes').where({ criterion_code: 'INFO-2' }).first();
    const scoreBefore = (await t.db('evaluations').where({ id: evalId }).first()).score;
    const { agent } = await signIn(t.app, sup.username, TEST_PASSWORD);
    const bad = await postForm(agent, `/training/disputes/${d.id}/reject`, { note: '' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Write the reason the operator will read.');
    expect((await t.db('evaluation_disputes').where({ id: d.id }).first()).status).to.equal('open');
    expect((await postForm(agent, `/training/disputes/${d.id}/reject`, { note: 'The coordinates were never read back.' })).status).to.equal(303);
    expect(await t.db('evaluation_disputes').where({ id: d.id }).first()).to.include({ status: 'rejected', decision_note: 'The coordinates were never read back.' });
    expect((await t.db('evaluations').where({ id: evalId }).first()).score).to.equal(scoreBefore);
    expect(await t.db('errors').where({ evaluation_id: evalId, criterion_code: 'INFO-2' }).whereNull('voided_at')).to.have.length(1);
  });
});
