import { expect } from 'chai';
import { createTestApp, TestApp } from '../../helpers/app';
import { bestAnswers, callOf, listen, makeWorld, openEvaluation, revisionOf, saveDraft, snapshot, World } from './eval-builders';

describe('autosaving a draft', () => {
  let t: TestApp;
  let w: World;
  before(async () => {
    t = await createTestApp();
    w = await makeWorld(t);
  });
  after(() => t.close());

  /** A draft; with a recording, the player has fetched the whole audio (what the heard share is checked against). */
  async function draft(o: { withRecording?: boolean } = {}) {
    const callId = await callOf(t, w.operatorId, o);
    const id = await openEvaluation(w.specialist, callId);
    if (o.withRecording) await listen(t, w.specialist, callId);
    return id;
  }

  it('stores answers, comments, marks, played stretches and flags, and the page brings them all back', async () => {
    const id = await draft({ withRecording: true });
    const res = await saveDraft(w.specialist, id, {
      revision: 0,
      answers: { 'OPEN-1': { value: 1, na: false }, 'INFO-5': { value: 2, na: false, comment: 'Bir savol takrorlandi' }, 'CLOSE-2': { value: null, na: true } },
      marks: [{ key: 'k1', startSec: 12.5, endSec: 17, note: 'Manzil aniqlashtirilmadi', criterionCode: 'INFO-2', severity: 'major', isError: true }],
      played: [[0, 30], [25, 40]],
      complexCase: true,
      complexReason: '',
      summaryComment: 'Yaxshi suhbat',
    });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ revision: 1, heardSeconds: 40 });
    expect(res.body.heardShare).to.be.closeTo(40 / 95, 0.001);
    const answers = await t.db('evaluation_answers').where({ evaluation_id: id }).orderBy('criterion_code');
    expect(answers.map((a) => [a.criterion_code, a.value, Boolean(a.is_na), a.comment])).to.deep.equal([
      ['CLOSE-2', null, true, null], ['INFO-5', 2, false, 'Bir savol takrorlandi'], ['OPEN-1', 1, false, null],
    ]);
    const page = await w.specialist.agent.get(`/evaluations/${id}`);
    const state = JSON.parse(/id="evaluation-state">([^<]*)<\/script>/.exec(page.text)![1]!);
    expect(state.revision).to.equal(1);
    expect(state.marks).to.deep.equal([{ key: 'k1', startSec: 12.5, endSec: 17, note: 'Manzil aniqlashtirilmadi', criterionCode: 'INFO-2', severity: 'major', isError: true }]);
    expect(state.played).to.deep.equal([[0, 40]]);
    expect(page.text).to.match(/name="answer:OPEN-1" value="1" checked/);
    expect(page.text).to.match(/name="answer:CLOSE-2" value="na" checked/);
    expect(page.text).to.contain('Bir savol takrorlandi');
    expect(page.text).to.contain('Yaxshi suhbat');
    expect(page.text).to.match(/name="complexCase" value="1" checked/);
  });

  it('a later save replaces the marks by their keys (update, add, remove) and adds to the heard stretches', async () => {
    const id = await draft({ withRecording: true });
    expect((await saveDraft(w.specialist, id, { revision: 0, marks: [{ key: 'a', startSec: 1, endSec: 2 }, { key: 'b', startSec: 5, endSec: 6 }], played: [[0, 10]] })).status).to.equal(200);
    const firstIds = Object.fromEntries((await t.db('evaluation_marks').where({ evaluation_id: id })).map((m) => [m.client_key, m.id]));
    const res = await saveDraft(w.specialist, id, { revision: 1, marks: [{ key: 'a', startSec: 1.5, endSec: 3, note: 'moved' }, { key: 'c', startSec: 50, endSec: 52 }], played: [[60, 70]] });
    expect(res.status).to.equal(200);
    const marks = await t.db('evaluation_marks').where({ evaluation_id: id }).orderBy('start_sec');
    expect(marks.map((m) => [m.client_key, m.start_sec, m.end_sec, m.note])).to.deep.equal([['a', 1.5, 3, 'moved'], ['c', 50, 52, null]]);
    expect(marks[0].id).to.equal(firstIds.a);
    expect(res.body.heardSeconds).to.equal(20);
  });

  it('a save naming an old revision (another tab saved first) is refused with 409 and a clear message, and nothing is overwritten', async () => {
    const id = await draft();
    expect((await saveDraft(w.specialist, id, { revision: 0, answers: { 'OPEN-1': { value: 1, na: false } } })).status).to.equal(200);
    const before = await snapshot(t.db, id);
    const stale = await saveDraft(w.specialist, id, { revision: 0, answers: { 'OPEN-1': { value: 0, na: false } }, marks: [{ key: 'x', startSec: 1, endSec: 2 }] });
    expect(stale.status).to.equal(409);
    expect(stale.body.error.key).to.equal('evaluations.save.stale');
    expect(stale.body.error.message).to.match(/another tab|boshqa oynada|другой вкладке/);
    expect(await snapshot(t.db, id)).to.deep.equal(before);
  });

  it('of two saves racing on the same revision exactly one wins', async () => {
    const id = await draft();
    const [a, b] = await Promise.all([
      saveDraft(w.specialist, id, { revision: 0, answers: { 'OPEN-1': { value: 1, na: false } } }),
      saveDraft(w.specialist, id, { revision: 0, answers: { 'OPEN-1': { value: 0, na: false } } }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    expect(await revisionOf(t.db, id)).to.equal(1);
    const winner = a.status === 200 ? 1 : 0;
    expect((await t.db('evaluation_answers').where({ evaluation_id: id, criterion_code: 'OPEN-1' }).first()).value).to.equal(winner);
  });

  describe('bad input is refused with a clear field error and nothing changes', () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['an answer for a criterion not in the version', { answers: { 'ZZZ-9': { value: 1, na: false } } }, 'answers.ZZZ-9', 'evaluations.answers.unknownCriterion'],
      ['a yes/no answer of 2', { answers: { 'OPEN-1': { value: 2, na: false } } }, 'answers.OPEN-1', 'evaluations.answers.outOfRange'],
      ['a scale answer above its maximum', { answers: { 'INFO-5': { value: 7, na: false } } }, 'answers.INFO-5', 'evaluations.answers.outOfRange'],
      ['a negative scale answer', { answers: { 'INFO-5': { value: -1, na: false } } }, 'answers.INFO-5', 'evaluations.answers.outOfRange'],
      ['N/A where the criterion does not allow it', { answers: { 'ROUTE-1': { value: null, na: true } } }, 'answers.ROUTE-1', 'evaluations.answers.naNotAllowed'],
      ['a mark past the end of the audio', { marks: [{ key: 'm1', startSec: 90, endSec: 120 }] }, 'marks.0.endSec', 'evaluations.marks.outsideAudio'],
      ['a mark that ends before it starts', { marks: [{ key: 'm1', startSec: 9, endSec: 3 }] }, 'marks.0.startSec', 'evaluations.marks.invalidTimes'],
      ['a mark on a criterion not in the version', { marks: [{ key: 'm1', startSec: 1, endSec: 3, criterionCode: 'NOPE-1' }] }, 'marks.0.criterionCode', 'evaluations.marks.unknownCriterion'],
      ['a mark with an unknown severity', { marks: [{ key: 'm1', startSec: 1, endSec: 3, severity: 'catastrophic' }] }, 'marks.0.severity', 'evaluations.marks.unknownSeverity'],
      ['an answer that is not a number', { answers: { 'OPEN-1': { value: 'yes', na: false } } }, 'answers.OPEN-1.value', 'evaluations.save.invalid'],
      ['a save without a revision', { revision: undefined }, 'revision', 'evaluations.save.revisionRequired'],
    ];
    for (const [what, body, field, key] of cases) {
      it(what, async () => {
        const id = await draft();
        expect((await saveDraft(w.specialist, id, { revision: 0, answers: { 'OPEN-1': { value: 1, na: false } }, marks: [{ key: 'keep', startSec: 1, endSec: 2 }] })).status).to.equal(200);
        const before = await snapshot(t.db, id);
        const res = await saveDraft(w.specialist, id, { revision: 1, ...body });
        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        const f = (res.body.error.fields as Array<{ field: string; key: string; message: string }>).find((x) => x.field === field);
        expect(f, JSON.stringify(res.body.error.fields)).to.not.equal(undefined);
        expect(f!.key).to.equal(key);
        expect(f!.message).to.be.a('string').and.not.equal(key);
        expect(res.body.error.message).to.be.a('string').and.not.match(/^evaluations\./);
        expect(await snapshot(t.db, id)).to.deep.equal(before);
      });
    }
  });

  it('only the specialist who owns it saves it: another specialist 403, a supervisor or admin 403 (route), nothing stored', async () => {
    const id = await draft();
    const before = await snapshot(t.db, id);
    expect((await saveDraft(w.otherSpecialist, id, { revision: 0, answers: bestAnswers() })).status).to.equal(403);
    expect((await saveDraft(w.supervisor, id, { revision: 0, answers: bestAnswers() })).status).to.equal(403);
    expect((await saveDraft(w.admin, id, { revision: 0, answers: bestAnswers() })).status).to.equal(403);
    expect((await saveDraft(w.leadership, id, { revision: 0, answers: bestAnswers() })).status).to.equal(403);
    expect(await snapshot(t.db, id)).to.deep.equal(before);
  });

  it('only the specialist who owns it submits it: everyone else 403, nothing stored', async () => {
    const id = await draft();
    const before = await snapshot(t.db, id);
    for (const p of [w.otherSpecialist, w.supervisor, w.admin, w.leadership]) {
      const res = await p.agent.post(`/evaluations/${id}/submit`).set('accept', 'application/json').set('x-csrf-token', await p.csrf()).send({ revision: 0, answers: bestAnswers() });
      expect(res.status, p.username).to.equal(403);
    }
    expect(await snapshot(t.db, id)).to.deep.equal(before);
  });

  it('a save without the CSRF header is refused', async () => {
    const id = await draft();
    const res = await w.specialist.agent.put(`/evaluations/${id}/draft`).set('accept', 'application/json').send({ revision: 0 });
    expect(res.status).to.equal(403);
    expect(await revisionOf(t.db, id)).to.equal(0);
  });
});
