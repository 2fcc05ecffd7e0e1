import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, postForm, submittedEvaluation } from './fixtures';
import { createTraining } from '../../../src/features/training/training.service';
import { computeTrainingEffect } from '../../../src/features/training/training-effect';

describe('training: attendance, feedback and the effect on scores', () => {
  let t: TestApp;
  let now = new Date('2026-11-20T08:00:00Z');
  let sup1: { id: number; username: string };
  let sup2: { id: number; username: string };
  let spec: { id: number; username: string };
  let op1: number;
  let op2: number;
  let futureId: number;
  let pastId: number;

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    sup1 = await makeUser(t.db, { role: 'supervisor' });
    sup2 = await makeUser(t.db, { role: 'supervisor' });
    spec = await makeUser(t.db, { role: 'specialist' });
    const team = await makeTeam(t.db, { supervisorUserId: sup1.id });
    await makeTeam(t.db, { supervisorUserId: sup2.id });
    op1 = await makeOperator(t.db, { teamId: team, name: 'Present Operator' });
    op2 = await makeOperator(t.db, { teamId: team, name: 'Absent Operator' });
    const actor = { id: sup1.id, role: 'supervisor' as const };
    futureId = await createTraining(t, actor, { topic: 'Future one', description: '', trainingDate: '2026-11-22', trainer: '', location: '', criteria: ['INFO-2'], participantIds: [op1, op2], suggestedIds: [] });
    pastId = await createTraining(t, actor, { topic: 'Effect one', description: '', trainingDate: '2026-11-10', trainer: '', location: '', criteria: ['INFO-2'], participantIds: [op1, op2], suggestedIds: [op1, op2] });
    // Around 2026-11-10 (window 7): INFO-2 failed in 8 of 10 evaluations of op1 before, 1 of 10 after.
    for (let i = 0; i < 20; i++) {
      const before = i < 10;
      const day = before ? 3 + (i % 7) : 11 + ((i - 10) % 7);
      const callId = await makeCall(t.db, { operatorId: op1, startedAt: `2026-11-${String(day).padStart(2, '0')}T04:00:00Z` });
      const failed = before ? i < 8 : i === 10;
      await submittedEvaluation(t, { callId, operatorId: op1, specialistId: spec.id, overrides: failed ? { 'INFO-2': 0 } : {}, submittedAt: new Date(`2026-11-${String(day).padStart(2, '0')}T06:00:00Z`) });
    }
    // op2 was absent: their evaluations must not count once attendance is recorded.
    for (const day of ['05', '12']) {
      const callId = await makeCall(t.db, { operatorId: op2, startedAt: `2026-11-${day}T04:00:00Z` });
      await submittedEvaluation(t, { callId, operatorId: op2, specialistId: spec.id, overrides: { 'ROUTE-1': 0 }, submittedAt: new Date(`2026-11-${day}T06:00:00Z`) });
    }
  });
  after(() => t.close());

  it('attendance cannot be recorded before the training day, and nothing changes', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const res = await postForm(agent, `/training/${futureId}/attendance`, { attended: [String(op1)] });
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('attendance can be recorded from that day');
    expect((await t.db('trainings').where({ id: futureId }).first()).status).to.equal('planned');
    expect((await t.db('training_participants').where({ training_id: futureId })).map((p) => p.attended)).to.deep.equal([null, null]);
  });

  it('on or after the day, ticked participants attended and the others did not; the training is held', async () => {
    now = new Date('2026-11-22T12:00:00Z');
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const res = await postForm(agent, `/training/${futureId}/attendance`, { attended: [String(op1)] });
    expect(res.status).to.equal(303);
    const people = await t.db('training_participants').where({ training_id: futureId }).orderBy('operator_id');
    expect(people.map((p) => [Number(p.operator_id), Boolean(p.attended)])).to.deep.equal([[op1, true], [op2, false]]);
    const training = await t.db('trainings').where({ id: futureId }).first();
    expect(training.status).to.equal('held');
    expect(training.held_at).to.equal(now.toISOString());
    // A supervisor of another team may not record it.
    const other = (await signIn(t.app, sup2.username, TEST_PASSWORD)).agent;
    expect((await postForm(other, `/training/${futureId}/attendance`, { attended: [String(op2)] })).status).to.equal(403);
    expect(Boolean((await t.db('training_participants').where({ training_id: futureId, operator_id: op2 }).first()).attended)).to.equal(false);
  });

  it('the supervisor enters the questionnaire for an operator without an account; bad ratings are refused and nothing is stored', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const bad = await postForm(agent, `/training/${futureId}/feedback/${op1}`, { relevance: '7', clarity: '', improve: 'More practice' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Choose a rating from 1 to 5.');
    expect(bad.text).to.contain('More practice'); // what was typed is kept
    expect((await t.db('training_participants').where({ training_id: futureId, operator_id: op1 }).first()).feedback_at).to.equal(null);
    const ok = await postForm(agent, `/training/${futureId}/feedback/${op1}`, { relevance: '5', clarity: '4', improve: 'More practice' });
    expect(ok.status).to.equal(303);
    expect(await t.db('training_participants').where({ training_id: futureId, operator_id: op1 }).first()).to.include({ feedback_relevance: 5, feedback_clarity: 4, feedback_improve: 'More practice', feedback_by: sup1.id });
    const absent = await postForm(agent, `/training/${futureId}/feedback/${op2}`, { relevance: '3', clarity: '3', improve: '' });
    expect(absent.status).to.equal(409);
    expect(absent.text).to.contain('only from those who attended');
    expect((await t.db('training_participants').where({ training_id: futureId, operator_id: op2 }).first()).feedback_at).to.equal(null);
    const page = await agent.get(`/training/${futureId}`);
    expect(page.text).to.contain('relevance 5.0 · clarity 4.0 (of 5)');
  });

  it('the effect compares the attended participants’ scores and the linked criterion’s failure rate before and after, and states the tests', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    expect((await postForm(agent, `/training/${pastId}/attendance`, { attended: [String(op1)] })).status).to.equal(303);
    const page = await agent.get(`/training/${pastId}?window=7`);
    expect(page.status).to.equal(200);
    // The same computation over the same rows, done here from the database.
    const rows = await t.db('evaluations').where({ operator_id: op1, kind: 'regular', status: 'submitted' }).select('id', 'operator_id', 'evaluation_date', 'score');
    const answers = await t.db('evaluation_answers').whereIn('evaluation_id', rows.map((r) => r.id)).andWhere('criterion_code', 'INFO-2').select('evaluation_id', 'criterion_code', 'failed', 'is_na');
    const expected = computeTrainingEffect({
      trainingDate: '2026-11-10', windowDays: 7, criteriaCodes: ['INFO-2'],
      evaluations: rows.map((r) => ({ id: Number(r.id), operatorId: Number(r.operator_id), evaluationDate: r.evaluation_date, score: Number(r.score) })),
      answers: answers.map((a) => ({ evaluationId: Number(a.evaluation_id), criterionCode: a.criterion_code, failed: Boolean(a.failed), na: Boolean(a.is_na) })),
    });
    expect(expected.failures.before).to.deep.equal({ failed: 8, answered: 10, rate: 0.8 });
    expect(expected.failures.after).to.deep.equal({ failed: 1, answered: 10, rate: 0.1 });
    expect(expected.failures.verdict).to.equal('stats.change.significantImprovement');
    expect(expected.scores.change.verdict).to.equal('stats.change.significantImprovement');
    const fmt1 = (x: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(x);
    expect(page.text).to.contain('10 evaluations').and.contain('8 failed of 10 answers').and.contain('1 failed of 10 answers');
    expect(page.text).to.contain(`${fmt1(expected.scores.before.mean!)}</div>`).and.contain(`${fmt1(expected.scores.after.mean!)}</div>`);
    expect(page.text).to.contain('data-verdict="scores">Improved — more than chance would explain');
    expect(page.text).to.contain('data-verdict="failures">Improved — more than chance would explain');
    expect(page.text).to.contain('Welch&#39;s t-test (two-sided): t = ').and.contain('Two-proportion z-test (two-sided): z = ');
    expect(page.text).to.contain('Measured on the operators who attended.');
    expect(page.text).to.contain('Before: 03.11.2026 – 09.11.2026; after: 11.11.2026 – 17.11.2026');
  });
});
