import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { insertReturningId } from '../../../src/db';
import { featuresWithPortal, fullAnswers, makeRecording, submitInput, tokenFor, versionFor } from '../training/fixtures';
import { createSession } from '../../../src/features/calibration/calibration.service';

describe('calibration evaluations do not count as the operator’s evaluations', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T08:00:00Z');
  let supervisor: { id: number; username: string };
  let admin: { id: number; username: string };
  let a: { id: number; username: string };
  let b: { id: number; username: string };
  let callId: number;
  let sessionId: number;
  let assignmentId: number;

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    supervisor = await makeUser(t.db, { role: 'supervisor' });
    admin = await makeUser(t.db, { role: 'admin' });
    a = await makeUser(t.db, { role: 'specialist', displayName: 'Alpha Specialist' });
    b = await makeUser(t.db, { role: 'specialist', displayName: 'Bravo Specialist' });
    const team = await makeTeam(t.db, { supervisorUserId: supervisor.id });
    const op = await makeOperator(t.db, { teamId: team });
    callId = await makeCall(t.db, { operatorId: op, recordingId: await makeRecording(t), startedAt: '2026-11-19T06:00:00Z' });
    // The same call is also in A's listening plan for today.
    const planId = await insertReturningId(t.db, 'plans', { plan_date: '2026-11-20', status: 'active', seed: 's', rules: '{}', algorithm_version: 'v1', population_fingerprint: 'f', population_count: 1, created_at: now.toISOString() });
    assignmentId = await insertReturningId(t.db, 'assignments', { plan_id: planId, call_id: callId, operator_id: op, specialist_user_id: a.id, status: 'new', created_at: now.toISOString(), updated_at: now.toISOString() });
    ({ sessionId } = await createSession(t, { id: supervisor.id, role: 'supervisor' }, { title: 'Side effects', notes: '', deadline: '2026-11-25', callIds: [callId], participantIds: [a.id, b.id], expertUserId: null }));
  });
  after(() => t.close());

  it('handing in a calibration evaluation with failed criteria creates no error records, leaves the call unevaluated and the plan assignment alone, and changes no report figure', async () => {
    const { agent } = await signIn(t.app, b.username, TEST_PASSWORD);
    const adminAgent = (await signIn(t.app, admin.username, TEST_PASSWORD)).agent;
    const reports = () => Promise.all(['summary', 'operators', 'criteria', 'errors'].map(async (table) => {
      const r = await adminAgent.get(`/reports/${table}.csv?from=2026-11-01&to=2026-11-30`);
      expect(r.status, table).to.equal(200);
      return r.text;
    }));
    const reportsBefore = await reports();
    const own = await t.db('evaluations').where({ calibration_session_id: sessionId, specialist_user_id: b.id }).first();
    const version = await versionFor(t.db);
    const res = await agent.post(`/evaluations/${own.id}/submit`).set('x-csrf-token', await tokenFor(agent))
      .send(submitInput(fullAnswers(version.definition, { 'INFO-2': 0, 'ROUTE-1': 0, 'CARD-2': 0 }), 60, 0));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.criticalFailure).to.equal(true);
    expect(await t.db('errors').where({ evaluation_id: own.id })).to.have.length(0);
    expect(await t.db('errors')).to.have.length(0);
    expect((await t.db('calls').where({ id: callId }).first()).evaluated_at).to.equal(null);
    expect((await t.db('assignments').where({ id: assignmentId }).first()).status).to.equal('new');
    const reportsAfter = await reports();
    expect(reportsAfter).to.deep.equal(reportsBefore);
    // Nor is it in anyone's list of evaluations.
    expect((await agent.get('/evaluations')).text).to.not.contain(`/evaluations/${own.id}"`);
  });

  // KNOWN PROBLEM in the evaluations feature (not fixed here: reported to the lead).
  // loadEvaluationPage() calls repo.startAssignment() for any draft its owner opens, whatever its
  // kind: opening a calibration draft moves the participant's plan assignment of the same call to
  // 'in_progress' and points it at the calibration evaluation.
  it('opening a calibration draft on the evaluation page leaves the participant’s plan assignment of that call alone', async () => {
    const { agent } = await signIn(t.app, a.username, TEST_PASSWORD);
    const own = await t.db('evaluations').where({ calibration_session_id: sessionId, specialist_user_id: a.id }).first();
    expect((await agent.get(`/evaluations/${own.id}`)).status).to.equal(200);
    const assignment = await t.db('assignments').where({ id: assignmentId }).first();
    expect({ status: assignment.status, evaluationId: assignment.evaluation_id }).to.deep.equal({ status: 'new', evaluationId: null });
  });

  // KNOWN PROBLEM in the calls feature (not fixed here: reported to the lead).
  // The call page lists every evaluation of the call with its specialist and score
  // (calls.repository listCallEvaluations has no kind filter), so a participant opening the call
  // page sees the other participants' calibration scores before the session is closed.
  it('the call page does not show a participant the other participants’ calibration scores', async () => {
    const { agent } = await signIn(t.app, a.username, TEST_PASSWORD);
    const bEval = await t.db('evaluations').where({ calibration_session_id: sessionId, specialist_user_id: b.id }).first();
    expect(bEval.status).to.equal('submitted');
    const page = await agent.get(`/calls/${callId}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.not.contain(`/evaluations/${bEval.id}"`);
    expect(page.text).to.not.contain('Bravo Specialist');
  });
});
