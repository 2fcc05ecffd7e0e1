// What an evaluation stores about itself must be the server's to vouch for: the share of the audio
// heard is checked against the audio actually sent to that specialist for that call; the purpose
// (why the call was heard) follows from the plan, never from the page; and a submit whose answer
// was lost can be sent again without a 409.
import { expect } from 'chai';
import { createTestApp, TestApp } from '../../helpers/app';
import { makeCall } from '../../helpers/builders';
import { assign, bestAnswers, callOf, listen, makeWorld, openEvaluation, submit, World } from './eval-builders';

const NOW = new Date('2026-11-20T09:00:00Z');

describe('the heard share is the server’s, the purpose is the plan’s', () => {
  let t: TestApp;
  let w: World;
  before(async () => {
    t = await createTestApp({ clock: () => NOW });
    w = await makeWorld(t);
  });
  after(() => t.close());

  const stored = (id: number) => t.db('evaluations').where({ id }).first();

  it('claiming played: [[0, 95]] for audio never fetched stores 0 %, not 100 % (and asks for confirmation)', async () => {
    const callId = await callOf(t, w.operatorId, { withRecording: true });
    const id = await openEvaluation(w.specialist, callId);
    const refused = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), played: [[0, 95]] });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.key).to.equal('evaluations.submit.lowHeardShare');
    const ok = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), played: [[0, 95]], confirmLowHeard: true });
    expect(ok.status).to.equal(200);
    expect(ok.body.heardShare).to.equal(0);
    expect((await stored(id)).heard_share).to.equal(0);
  });

  it('counts only the part of the claim that lies in the byte ranges the server sent (mapped to time)', async () => {
    const callId = await callOf(t, w.operatorId, { withRecording: true });
    const id = await openEvaluation(w.specialist, callId);
    // 95 s at 100 bytes per second: the first half of the file, then a stretch near the end.
    expect(await listen(t, w.specialist, callId, 'bytes=0-4749')).to.equal(206);
    expect(await listen(t, w.specialist, callId, 'bytes=8500-')).to.equal(206);
    const res = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), played: [[0, 95]], confirmLowHeard: true });
    expect(res.status, res.text).to.equal(200);
    // 0–47.5 s and 85–95 s were sent: 57.5 of 95 s.
    expect(res.body.heardSeconds).to.be.closeTo(57.5, 0.01);
    expect((await stored(id)).heard_share).to.be.closeTo(57.5 / 95, 0.001);
    const sent = await t.db('audio_deliveries').where({ call_id: callId, user_id: w.specialist.id }).orderBy('id');
    expect(sent.map((r) => [Number(r.byte_start), Number(r.byte_end), Number(r.size_bytes)])).to.deep.equal([[0, 4750, 9500], [8500, 9500, 9500]]);
  });

  it('audio another specialist fetched does not count for this one', async () => {
    const callId = await callOf(t, w.operatorId, { withRecording: true });
    await listen(t, w.otherSpecialist, callId);
    const id = await openEvaluation(w.specialist, callId);
    const res = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), played: [[0, 95]], confirmLowHeard: true });
    expect(res.body.heardShare).to.equal(0);
  });

  it('a HEAD request sends no audio and counts for nothing', async () => {
    const callId = await callOf(t, w.operatorId, { withRecording: true });
    await listen(t, w.specialist, callId, 'bytes=0-10');
    await t.db('audio_deliveries').where({ call_id: callId }).del();
    expect((await w.specialist.agent.head(`/calls/${callId}/audio`)).status).to.equal(200);
    expect(await t.db('audio_deliveries').where({ call_id: callId })).to.have.length(0);
  });

  it('a call the plan gave the specialist is heard at random; one they opened by hand is on request', async () => {
    const drawn = await callOf(t, w.operatorId);
    await assign(t.db, drawn, w.specialist.id);
    const picked = await callOf(t, w.operatorId);
    const a = await openEvaluation(w.specialist, drawn);
    const b = await openEvaluation(w.specialist, picked);
    expect((await stored(a)).purpose).to.equal('random');
    expect((await stored(b)).purpose).to.equal('on_request');
    // The page sends no purpose: there is nothing to forge. A submit keeps the plan's.
    expect((await submit(w.specialist, b, { revision: 0, answers: bestAnswers(), purpose: 'random' } as never)).status).to.equal(200);
    expect((await stored(b)).purpose).to.equal('on_request');
    const audit = await t.db('audit_log').where({ action: 'evaluation.start', entity_id: String(b) }).first();
    expect(JSON.parse(audit.details).purpose).to.equal('on_request');
  });

  it('stores the review lag: seconds from the end of the call to the submission', async () => {
    // Started 26 h before NOW, lasting 95 s: it ended 25 h 58 min 25 s before the submission.
    const callId = await makeCall(t.db, { operatorId: w.operatorId, startedAt: new Date(NOW.getTime() - 26 * 3600_000).toISOString() });
    const id = await openEvaluation(w.specialist, callId);
    expect((await submit(w.specialist, id, { revision: 0, answers: bestAnswers() })).status).to.equal(200);
    expect((await stored(id)).review_lag_sec).to.equal(26 * 3600 - 95);
  });

  it('a submit sent again because its answer was lost returns the stored result; a different one still conflicts', async () => {
    const callId = await callOf(t, w.operatorId);
    const id = await openEvaluation(w.specialist, callId);
    const body = { revision: 0, answers: { ...bestAnswers(), 'CARD-2': { value: 0, na: false, comment: ' Tushunarsiz ' } }, marks: [{ key: 'm1', startSec: 3, endSec: 5, note: 'x', criterionCode: 'CARD-2', isError: true }] };
    const first = await submit(w.specialist, id, body);
    expect(first.status).to.equal(200);
    const errorsBefore = await t.db('errors').where({ evaluation_id: id });
    const auditBefore = await t.db('audit_log').where({ entity_id: String(id), action: 'evaluation.submit' });
    const again = await submit(w.specialist, id, body);
    expect(again.status, again.text).to.equal(200);
    expect(again.body).to.include({ status: 'submitted', score: first.body.score, result: first.body.result, revision: first.body.revision });
    expect(again.body.errors).to.deep.equal({ created: 0, voided: 0, kept: 1 });
    expect(await t.db('errors').where({ evaluation_id: id })).to.deep.equal(errorsBefore);
    expect(await t.db('audit_log').where({ entity_id: String(id), action: 'evaluation.submit' })).to.have.length(auditBefore.length);
    const different = await submit(w.specialist, id, { ...body, answers: { ...body.answers, 'CARD-2': { value: 1, na: false } } });
    expect(different.status).to.equal(409);
    expect(different.body.error.key).to.equal('evaluations.edit.notEditable');
    // Someone else replaying it is not the owner's retry.
    expect((await submit(w.otherSpecialist, id, body)).status).to.equal(403);
  });
});
