import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { assign, bestAnswers, callOf, makeWorld, openEvaluation, recordingRow, submit, World } from './eval-builders';
import { makeCall } from '../../helpers/builders';

describe('opening and viewing an evaluation', () => {
  let t: TestApp;
  let w: World;
  before(async () => {
    t = await createTestApp();
    w = await makeWorld(t);
  });
  after(() => t.close());

  it('POST /calls/:id/evaluate makes a draft on the published rubric version, moves the assignment along, and reopens the same draft next time', async () => {
    const callId = await callOf(t, w.operatorId);
    const assignmentId = await assign(t.db, callId, w.specialist.id);
    const id = await openEvaluation(w.specialist, callId);
    const row = await t.db('evaluations').where({ id }).first();
    const version = await t.db('rubric_versions').where({ id: row.rubric_version_id }).first();
    expect(version.status).to.equal('published');
    expect(row).to.include({ status: 'draft', call_id: callId, operator_id: w.operatorId, specialist_user_id: w.specialist.id, revision: 0 });
    const assignment = await t.db('assignments').where({ id: assignmentId }).first();
    expect(assignment).to.include({ status: 'in_progress', evaluation_id: id });
    expect(await openEvaluation(w.specialist, callId)).to.equal(id);
    expect(await t.db('evaluations').where({ call_id: callId })).to.have.length(1);
    expect(await t.db('audit_log').where({ action: 'evaluation.start', entity_id: String(id) })).to.have.length(1);
  });

  it('another specialist opening the same call gets an evaluation of their own', async () => {
    const callId = await callOf(t, w.operatorId);
    const a = await openEvaluation(w.specialist, callId);
    const b = await openEvaluation(w.otherSpecialist, callId);
    expect(a).to.not.equal(b);
  });

  for (const role of ['supervisor', 'admin', 'leadership'] as const) {
    it(`someone with the ${role} role cannot start an evaluation (403) and none is made`, async () => {
      const callId = await callOf(t, w.operatorId);
      const res = await w[role].agent.post(`/calls/${callId}/evaluate`).type('form').send({ _csrf: await w[role].csrf() });
      expect(res.status).to.equal(403);
      expect(await t.db('evaluations').where({ call_id: callId })).to.have.length(0);
    });
  }

  it('an unknown call is a 404, and a start without the CSRF token is refused', async () => {
    const missing = await w.specialist.agent.post('/calls/999999/evaluate').type('form').send({ _csrf: await w.specialist.csrf() });
    expect(missing.status).to.equal(404);
    const callId = await callOf(t, w.operatorId);
    const noToken = await w.specialist.agent.post(`/calls/${callId}/evaluate`).type('form').send({});
    expect(noToken.status).to.equal(403);
    expect(await t.db('evaluations').where({ call_id: callId })).to.have.length(0);
  });

  it('the page shows the call, the player, every criterion of the version and the state for the script', async () => {
    const callId = await callOf(t, w.operatorId);
    const id = await openEvaluation(w.specialist, callId);
    const res = await w.specialist.agent.get(`/evaluations/${id}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('id="evaluation-state"');
    expect(res.text).to.contain('data-code="ROUTE-1"');
    expect(res.text).to.contain('data-code="CLOSE-2"');
    expect(res.text).to.contain('/public/build/evaluation.js');
    const state = JSON.parse(/<script type="application\/json" id="evaluation-state">([^<]*)<\/script>/.exec(res.text)![1]!);
    expect(state).to.include({ evaluationId: id, revision: 0, editable: true, status: 'draft', durationSec: 95 });
    expect(state.definition.sections.length).to.be.greaterThan(0);
    // The recording-less call says so instead of drawing a player.
    expect(state.audioUrl).to.equal(null);
  });

  it('warns on the evaluation page and the call page when the recording is much shorter than the call (2:31 listed, 0:32 recorded)', async () => {
    const short = await makeCall(t.db, { operatorId: w.operatorId, durationSec: 151, recordingId: await recordingRow(t.db, 32) });
    const whole = await makeCall(t.db, { operatorId: w.operatorId, durationSec: 40, recordingId: await recordingRow(t.db, 40) });
    const page = await w.specialist.agent.get(`/evaluations/${await openEvaluation(w.specialist, short)}`);
    expect(page.text).to.contain('The recording is shorter than the call').and.contain('The call lasted 2:31, the recording holds 0:32: 1:59 of it was not recorded.');
    expect((await w.specialist.agent.get(`/calls/${short}`)).text).to.contain('The call lasted 2:31, the recording holds 0:32');
    expect((await w.specialist.agent.get(`/evaluations/${await openEvaluation(w.specialist, whole)}`)).text).not.to.contain('The recording is shorter than the call');
  });

  it('?t= in the address is handed to the player to seek there', async () => {
    const id = await openEvaluation(w.specialist, await callOf(t, w.operatorId));
    const res = await w.specialist.agent.get(`/evaluations/${id}?t=42.5`);
    const state = JSON.parse(/id="evaluation-state">([^<]*)<\/script>/.exec(res.text)![1]!);
    expect(state.startAt).to.equal(42.5);
  });

  describe('who may see it', () => {
    let draftId: number;
    let submittedId: number;
    before(async () => {
      draftId = await openEvaluation(w.specialist, await callOf(t, w.operatorId));
      submittedId = await openEvaluation(w.specialist, await callOf(t, w.operatorId));
      const res = await submit(w.specialist, submittedId, { revision: 0, answers: bestAnswers() });
      expect(res.status, res.text).to.equal(200);
    });

    it('its specialist and an administrator see it', async () => {
      expect((await w.specialist.agent.get(`/evaluations/${draftId}`)).status).to.equal(200);
      expect((await w.admin.agent.get(`/evaluations/${draftId}`)).status).to.equal(200);
    });

    it('another specialist is refused with the 403 page', async () => {
      const res = await w.otherSpecialist.agent.get(`/evaluations/${draftId}`);
      expect(res.status).to.equal(403);
      expect(res.text).to.contain('error-page');
    });

    it("the operator's supervisor sees it once handed in, not while it is a draft; another team's supervisor never", async () => {
      expect((await w.supervisor.agent.get(`/evaluations/${submittedId}`)).status).to.equal(200);
      expect((await w.supervisor.agent.get(`/evaluations/${draftId}`)).status).to.equal(403);
      expect((await w.otherSupervisor.agent.get(`/evaluations/${submittedId}`)).status).to.equal(403);
    });

    it('leadership is refused (aggregates only), also the list', async () => {
      expect((await w.leadership.agent.get(`/evaluations/${submittedId}`)).status).to.equal(403);
      expect((await w.leadership.agent.get('/evaluations')).status).to.equal(403);
    });

    it('a submitted evaluation is read-only on the page, with the form disabled', async () => {
      const res = await w.specialist.agent.get(`/evaluations/${submittedId}`);
      const state = JSON.parse(/id="evaluation-state">([^<]*)<\/script>/.exec(res.text)![1]!);
      expect(state.editable).to.equal(false);
      expect(res.text).to.match(/<fieldset class="criterion[^"]*" data-code="OPEN-1"[^>]*disabled/);
      expect(res.text).not.to.contain('data-action="submit"');
    });

    it('an anonymous visitor is sent to sign in; an unknown evaluation is a 404', async () => {
      const res = await request(t.app).get(`/evaluations/${draftId}`);
      expect(res.status).to.equal(302);
      expect(res.headers.location).to.match(/^\/login/);
      expect((await w.admin.agent.get('/evaluations/987654')).status).to.equal(404);
      expect((await w.admin.agent.get('/evaluations/abc')).status).to.equal(404);
    });
  });
});
