import { expect } from 'chai';
import { createTestApp, TestApp } from '../../helpers/app';
import { assign, bestAnswers, callOf, listen, makeWorld, openEvaluation, revisionOf, saveDraft, snapshot, submit, World } from './eval-builders';

// 20:30 UTC is 01:30 the next day in Tashkent: the evaluation day must be the Tashkent one.
const NOW = new Date('2026-11-20T20:30:00Z');

describe('submitting and reopening an evaluation', () => {
  let t: TestApp;
  let w: World;
  before(async () => {
    t = await createTestApp({ clock: () => NOW });
    w = await makeWorld(t);
  });
  after(() => t.close());

  async function draft(o: { withRecording?: boolean; dropped?: boolean } = {}) {
    const callId = await callOf(t, w.operatorId, o);
    return { callId, id: await openEvaluation(w.specialist, callId) };
  }

  it('stores the scores per answer and in all, the Tashkent day, the call, the assignment and the error records, in one go', async () => {
    const { callId, id } = await draft({ withRecording: true });
    const assignmentId = await assign(t.db, callId, w.specialist.id);
    await t.db('assignments').where({ id: assignmentId }).update({ status: 'in_progress', evaluation_id: id });
    await listen(t, w.specialist, callId);
    const answers = { ...bestAnswers(), 'CARD-2': { value: 0, na: false, comment: 'Karta matni tushunarsiz' }, 'INFO-5': { value: 2, na: false } };
    const res = await submit(w.specialist, id, {
      revision: 0,
      answers,
      marks: [
        { key: 'e1', startSec: 30, endSec: 34, note: 'Gapini bo\'ldi', criterionCode: 'COMM-1', severity: 'minor', isError: true },
        { key: 'n1', startSec: 50, endSec: 52, note: 'Yaxshi', isError: false },
      ],
      played: [[0, 95]],
    });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ status: 'submitted', score: 92.6, result: 'high', criticalFailure: false, heardShare: 1, redirect: `/evaluations/${id}` });
    const e = await t.db('evaluations').where({ id }).first();
    expect(e).to.include({ status: 'submitted', score: 92.6, result: 'high', evaluation_date: '2026-11-21', submitted_at: NOW.toISOString(), heard_share: 1 });
    expect(e.points_earned).to.be.closeTo(83.3333, 1e-4);
    expect(e.points_possible).to.equal(90);
    const card2 = await t.db('evaluation_answers').where({ evaluation_id: id, criterion_code: 'CARD-2' }).first();
    expect(card2).to.include({ points_earned: 0, points_possible: 5, comment: 'Karta matni tushunarsiz' });
    expect(Boolean(card2.failed)).to.equal(true);
    const info5 = await t.db('evaluation_answers').where({ evaluation_id: id, criterion_code: 'INFO-5' }).first();
    expect(info5.points_earned).to.be.closeTo(3.3333, 1e-4);
    const na = await t.db('evaluation_answers').where({ evaluation_id: id, criterion_code: 'HELP-3' }).first();
    expect(na).to.include({ points_earned: null, points_possible: null });
    expect((await t.db('calls').where({ id: callId }).first()).evaluated_at).to.equal(NOW.toISOString());
    expect(await t.db('assignments').where({ id: assignmentId }).first()).to.include({ status: 'done', evaluation_id: id });
    const errors = await t.db('errors').where({ evaluation_id: id }).orderBy('id');
    expect(errors.map((x) => [x.source, x.criterion_code, x.severity, x.error_date])).to.deep.equal([
      ['criterion', 'CARD-2', 'minor', '2026-11-21'],
      ['mark', 'COMM-1', 'minor', '2026-11-21'],
    ]);
    expect(await t.db('audit_log').where({ action: 'evaluation.submit', entity_id: String(id) })).to.have.length(1);
    const page = await w.specialist.agent.get(`/evaluations/${id}`);
    expect(page.text).to.contain('band-high');
  });

  it('a failed critical criterion fails the evaluation whatever the points', async () => {
    const { id } = await draft();
    const res = await submit(w.specialist, id, { revision: 0, answers: { ...bestAnswers(), 'ROUTE-1': { value: 0, na: false } } });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ result: 'critical_fail', criticalFailure: true });
    const e = await t.db('evaluations').where({ id }).first();
    expect(e.result).to.equal('critical_fail');
    expect(Boolean(e.critical_failure)).to.equal(true);
    expect((await t.db('errors').where({ evaluation_id: id, criterion_code: 'ROUTE-1' }).first()).severity).to.equal('critical');
  });

  it('an incomplete form is refused with every missing criterion named, and nothing is stored', async () => {
    const { id } = await draft();
    const answers = bestAnswers();
    delete answers['INFO-3'];
    delete answers['COMM-2'];
    const before = await snapshot(t.db, id);
    const res = await submit(w.specialist, id, { revision: 0, answers });
    expect(res.status).to.equal(400);
    expect(res.body.error.key).to.equal('evaluations.submit.incomplete');
    const f = res.body.error.fields.find((x: { field: string }) => x.field === 'answers');
    expect(f.key).to.equal('evaluations.answers.incomplete');
    expect(f.message).to.contain('INFO-3').and.contain('COMM-2');
    expect(await snapshot(t.db, id)).to.deep.equal(before);
  });

  it('after hearing less than the minimum share, submitting needs a confirmation; the share is stored', async () => {
    const { id, callId } = await draft({ withRecording: true });
    await listen(t, w.specialist, callId);
    const before = await snapshot(t.db, id);
    const refused = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), played: [[0, 40]] });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.key).to.equal('evaluations.submit.lowHeardShare');
    expect(refused.body.error.message).to.match(/42 %/).and.match(/90 %/);
    expect(await snapshot(t.db, id)).to.deep.equal(before);
    const ok = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), played: [[0, 40]], confirmLowHeard: true });
    expect(ok.status).to.equal(200);
    const e = await t.db('evaluations').where({ id }).first();
    expect(e.heard_share).to.be.closeTo(40 / 95, 0.001);
    expect(e.heard_seconds).to.equal(40);
  });

  it('the heard share counts what earlier sessions played too', async () => {
    const { id, callId } = await draft({ withRecording: true });
    await listen(t, w.specialist, callId);
    expect((await saveDraft(w.specialist, id, { revision: 0, played: [[0, 50]] })).status).to.equal(200);
    const res = await submit(w.specialist, id, { revision: 1, answers: bestAnswers(), played: [[48, 95]] });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.heardShare).to.equal(1);
  });

  it('a complex case needs its reason to be submitted; with it, the flag and reason are stored', async () => {
    const { id } = await draft();
    const refused = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), complexCase: true, complexReason: '  ' });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.fields.map((f: { field: string }) => f.field)).to.include('complexReason');
    expect((await t.db('evaluations').where({ id }).first()).status).to.equal('draft');
    const ok = await submit(w.specialist, id, { revision: 0, answers: bestAnswers(), complexCase: true, complexReason: "Nostandart holat: supervayzer qarori kerak" });
    expect(ok.status).to.equal(200);
    const e = await t.db('evaluations').where({ id }).first();
    expect(Boolean(e.is_complex_case)).to.equal(true);
    expect(e.complex_reason).to.equal('Nostandart holat: supervayzer qarori kerak');
    // The supervisor finds it among the complex cases of their team.
    const list = await w.supervisor.agent.get('/evaluations?complex=1');
    expect(list.text).to.contain(`/evaluations/${id}"`);
  });

  it('a submitted evaluation cannot be edited or submitted again: 409 with a clear message, nothing changes', async () => {
    const { id } = await draft();
    expect((await submit(w.specialist, id, { revision: 0, answers: bestAnswers() })).status).to.equal(200);
    const before = await snapshot(t.db, id);
    const edit = await saveDraft(w.specialist, id, { revision: 1, answers: { 'OPEN-1': { value: 0, na: false } } });
    expect(edit.status).to.equal(409);
    expect(edit.body.error.key).to.equal('evaluations.edit.notEditable');
    const again = await submit(w.specialist, id, { revision: 1, answers: bestAnswers() });
    expect(again.status).to.equal(409);
    expect(await snapshot(t.db, id)).to.deep.equal(before);
  });

  it('a stale submit (the draft was saved elsewhere meanwhile) is refused and stores nothing', async () => {
    const { id } = await draft();
    expect((await saveDraft(w.specialist, id, { revision: 0, answers: { 'OPEN-1': { value: 1, na: false } } })).status).to.equal(200);
    const before = await snapshot(t.db, id);
    const res = await submit(w.specialist, id, { revision: 0, answers: bestAnswers() });
    expect(res.status).to.equal(409);
    expect(res.body.error.key).to.equal('evaluations.save.stale');
    expect(await snapshot(t.db, id)).to.deep.equal(before);
  });

  describe('reopening', () => {
    async function submitted(o: { errorMark?: boolean } = {}) {
      const { id, callId } = await draft();
      const answers = { ...bestAnswers(), 'CARD-1': { value: 0, na: false } };
      const marks = o.errorMark ? [{ key: 'err', startSec: 10, endSec: 12, note: 'Xato', isError: true, severity: 'major' }] : [];
      expect((await submit(w.specialist, id, { revision: 0, answers, marks })).status).to.equal(200);
      return { id, callId, answers, marks };
    }
    async function reopen(p: World['supervisor'], id: number, reason: string) {
      return p.agent.post(`/evaluations/${id}/reopen`).type('form').send({ _csrf: await p.csrf(), reason });
    }

    it("the operator's supervisor reopens it with a reason (audited); the specialist corrects and resubmits, and errors that no longer hold are voided", async () => {
      const { id, answers, marks } = await submitted({ errorMark: true });
      const res = await reopen(w.supervisor, id, 'CARD-1 ni qayta tekshiring');
      expect(res.status).to.equal(303);
      const e = await t.db('evaluations').where({ id }).first();
      expect(e).to.include({ status: 'reopened', reopened_by: w.supervisor.id, reopen_reason: 'CARD-1 ni qayta tekshiring' });
      const log = await t.db('audit_log').where({ action: 'evaluation.reopen', entity_id: String(id) }).first();
      expect(JSON.parse(log.details).reason).to.equal('CARD-1 ni qayta tekshiring');
      const page = await w.specialist.agent.get(`/evaluations/${id}`);
      expect(page.text).to.contain('CARD-1 ni qayta tekshiring');
      const state = JSON.parse(/id="evaluation-state">([^<]*)<\/script>/.exec(page.text)![1]!);
      expect(state.editable).to.equal(true);
      expect(page.text).to.contain('data-action="submit"');

      // The specialist fixes CARD-1 and removes the error mark, then hands it in again.
      expect((await t.db('errors').where({ evaluation_id: id }).whereNull('voided_at')).length).to.equal(2);
      const rev = await revisionOf(t.db, id);
      expect(marks).to.have.length(1);
      const again = await submit(w.specialist, id, { revision: rev, answers: { ...answers, 'CARD-1': { value: 1, na: false } }, marks: [] });
      expect(again.status, again.text).to.equal(200);
      expect((await t.db('evaluations').where({ id }).first()).status).to.equal('submitted');
      expect(await t.db('errors').where({ evaluation_id: id }).whereNull('voided_at')).to.have.length(0);
      expect(await t.db('errors').where({ evaluation_id: id }).whereNotNull('voided_at')).to.have.length(2);
      // The removed mark is kept (an error record points at it) but no longer shown.
      expect(await t.db('evaluation_marks').where({ evaluation_id: id }).whereNull('deleted_at')).to.have.length(0);
      expect(await t.db('evaluation_marks').where({ evaluation_id: id })).to.have.length(1);
      expect(await t.db('audit_log').where({ action: 'evaluation.resubmit', entity_id: String(id) })).to.have.length(1);
    });

    it('an administrator may reopen too', async () => {
      const { id } = await submitted();
      expect((await reopen(w.admin, id, 'Tekshiruv')).status).to.equal(303);
      expect((await t.db('evaluations').where({ id }).first()).status).to.equal('reopened');
    });

    it('a reason is required: the page comes back with the field error and nothing changes', async () => {
      const { id } = await submitted();
      const before = await snapshot(t.db, id);
      const res = await reopen(w.supervisor, id, '   ');
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('field-error');
      expect(res.text).to.contain('id="reopen-reason-err"');
      expect(await snapshot(t.db, id)).to.deep.equal(before);
    });

    it("another team's supervisor, a specialist and leadership cannot reopen; a draft cannot be reopened", async () => {
      const { id } = await submitted();
      const before = await snapshot(t.db, id);
      expect((await reopen(w.otherSupervisor, id, 'x')).status).to.equal(403);
      expect((await reopen(w.specialist, id, 'x')).status).to.equal(403);
      expect((await reopen(w.leadership, id, 'x')).status).to.equal(403);
      expect(await snapshot(t.db, id)).to.deep.equal(before);
      const { id: draftId } = await draft();
      expect((await reopen(w.admin, draftId, 'x')).status).to.equal(409);
      expect((await t.db('evaluations').where({ id: draftId }).first()).status).to.equal('draft');
    });
  });
});
