import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, makeRecording, postForm, submittedEvaluation } from '../training/fixtures';
import { createTraining, recordAttendance } from '../../../src/features/training/training.service';

describe('operators’ own view: only their own data', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T08:00:00Z');
  let sup: { id: number; username: string };
  let spec: { id: number; username: string };
  let mine: { id: number; username: string };
  let opMine: number;
  let opOther: number;
  let myCall: number;
  let otherCall: number;
  let myEval: number;
  let otherEval: number;

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    sup = await makeUser(t.db, { role: 'supervisor' });
    spec = await makeUser(t.db, { role: 'specialist', displayName: 'Dilnoza Specialist' });
    const team = await makeTeam(t.db, { supervisorUserId: sup.id });
    opMine = await makeOperator(t.db, { teamId: team, name: 'Jasur Mine' });
    opOther = await makeOperator(t.db, { teamId: team, name: 'Other Person' });
    mine = await makeUser(t.db, { role: 'operator', operatorId: opMine, displayName: 'Jasur Mine' });
    myCall = await makeCall(t.db, { operatorId: opMine, recordingId: await makeRecording(t), startedAt: '2026-11-19T05:00:00Z' });
    otherCall = await makeCall(t.db, { operatorId: opOther, recordingId: await makeRecording(t), startedAt: '2026-11-19T06:00:00Z' });
    myEval = await submittedEvaluation(t, { callId: myCall, operatorId: opMine, specialistId: spec.id, overrides: { 'INFO-2': 0 }, comments: { 'INFO-2': 'Location not confirmed on the map' }, submittedAt: new Date('2026-11-19T09:00:00Z') });
    otherEval = await submittedEvaluation(t, { callId: otherCall, operatorId: opOther, specialistId: spec.id, submittedAt: new Date('2026-11-19T09:30:00Z') });
  });
  after(() => t.close());

  it('an operator lists and opens their own evaluations: score, band, comments, the audio of their call', async () => {
    const { agent } = await signIn(t.app, mine.username, TEST_PASSWORD);
    const list = await agent.get('/my/evaluations');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(`/my/evaluations/${myEval}`).and.contain('badge-info">new');
    expect(list.text).to.not.contain(`/my/evaluations/${otherEval}`);
    const page = await agent.get(`/my/evaluations/${myEval}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Location not confirmed on the map').and.contain('Dilnoza Specialist').and.contain(`src="/calls/${myCall}/audio"`);
    const audio = await agent.get(`/calls/${myCall}/audio`);
    expect(audio.status).to.equal(200);
    expect(audio.headers['content-type']).to.equal('audio/wav');
  });

  it('another operator’s evaluation, call audio and operator page are refused', async () => {
    const { agent } = await signIn(t.app, mine.username, TEST_PASSWORD);
    expect((await agent.get(`/my/evaluations/${otherEval}`)).status).to.equal(404);
    expect((await postForm(agent, `/my/evaluations/${otherEval}/acknowledge`, {}, '/my/evaluations')).status).to.equal(404);
    expect((await postForm(agent, `/my/evaluations/${otherEval}/disputes`, { criterionCode: 'INFO-2', comment: 'not mine' }, '/my/evaluations')).status).to.equal(404);
    expect((await agent.get(`/calls/${otherCall}/audio`)).status).to.equal(403);
    expect((await agent.get(`/operators/${opOther}`)).status).to.equal(403);
    expect((await agent.get(`/operators/${opMine}`)).status).to.equal(200);
    // The specialists' evaluation pages are not theirs either, not even for their own call.
    expect((await agent.get(`/evaluations/${myEval}`)).status).to.equal(403);
    expect((await agent.get('/evaluations')).status).to.equal(403);
    expect(await t.db('evaluation_disputes')).to.have.length(0);
    expect((await t.db('evaluations').where({ id: otherEval }).first()).acknowledged_at).to.equal(null);
  });

  it('acknowledging sets acknowledged_at once and is audited', async () => {
    const { agent } = await signIn(t.app, mine.username, TEST_PASSWORD);
    expect((await postForm(agent, `/my/evaluations/${myEval}/acknowledge`, {}, '/my/evaluations')).status).to.equal(303);
    expect((await t.db('evaluations').where({ id: myEval }).first()).acknowledged_at).to.equal(now.toISOString());
    expect((await postForm(agent, `/my/evaluations/${myEval}/acknowledge`, {}, '/my/evaluations')).status).to.equal(303);
    expect(await t.db('audit_log').where({ action: 'evaluation.acknowledge', entity_id: String(myEval) })).to.have.length(1);
    expect((await agent.get('/my/evaluations')).text).to.contain('acknowledged');
  });

  it('role checks: the portal is for operator accounts only', async () => {
    for (const who of [sup.username, spec.username]) {
      const { agent } = await signIn(t.app, who, TEST_PASSWORD);
      for (const url of ['/my/evaluations', `/my/evaluations/${myEval}`, '/my/trainings']) expect((await agent.get(url)).status, `${who} ${url}`).to.equal(403);
    }
    const { agent } = await signIn(t.app, mine.username, TEST_PASSWORD);
    expect((await agent.get('/')).text).to.contain('href="/my/evaluations"');
  });

  it('an operator gives feedback on a training they attended, in their own view; not on one they missed', async () => {
    const actor = { id: sup.id, role: 'supervisor' as const };
    const attended = await createTraining({ ...t, clock: () => new Date('2026-11-10T08:00:00Z') }, actor, { topic: 'Held and attended', description: '', trainingDate: '2026-11-15', trainer: '', location: '', criteria: [], participantIds: [opMine, opOther], suggestedIds: [] });
    await recordAttendance({ ...t, clock: () => new Date('2026-11-15T12:00:00Z') }, actor, attended, [opMine]);
    const missed = await createTraining({ ...t, clock: () => new Date('2026-11-10T08:00:00Z') }, actor, { topic: 'Held and missed', description: '', trainingDate: '2026-11-16', trainer: '', location: '', criteria: [], participantIds: [opMine], suggestedIds: [] });
    await recordAttendance({ ...t, clock: () => new Date('2026-11-16T12:00:00Z') }, actor, missed, []);
    const { agent } = await signIn(t.app, mine.username, TEST_PASSWORD);
    const page = await agent.get('/my/trainings');
    expect(page.text).to.contain('Held and attended').and.contain(`action="/my/trainings/${attended}/feedback"`);
    expect(page.text).to.not.contain(`action="/my/trainings/${missed}/feedback"`);
    const bad = await postForm(agent, `/my/trainings/${attended}/feedback`, { relevance: '4', improve: 'x' }, '/my/trainings');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Choose a rating from 1 to 5.');
    expect((await t.db('training_participants').where({ training_id: attended, operator_id: opMine }).first()).feedback_at).to.equal(null);
    expect((await postForm(agent, `/my/trainings/${attended}/feedback`, { relevance: '4', clarity: '5', improve: 'More role play' }, '/my/trainings')).status).to.equal(303);
    expect(await t.db('training_participants').where({ training_id: attended, operator_id: opMine }).first()).to.include({ feedback_relevance: 4, feedback_clarity: 5, feedback_improve: 'More role play', feedback_by: mine.id });
    const refused = await postForm(agent, `/my/trainings/${missed}/feedback`, { relevance: '4', clarity: '5' }, '/my/trainings');
    expect(refused.status).to.equal(409);
    // A training the operator is not in is as good as absent.
    const notMine = await createTraining(t, actor, { topic: 'Not mine', description: '', trainingDate: '2026-11-15', trainer: '', location: '', criteria: [], participantIds: [opOther], suggestedIds: [] });
    expect((await postForm(agent, `/my/trainings/${notMine}/acknowledge`, {}, '/my/trainings')).status).to.equal(404);
  });
});
