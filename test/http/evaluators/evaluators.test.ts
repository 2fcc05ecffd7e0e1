// Evaluating the evaluator through the app: the leniency report on the random sample (a constructed
// example with one lenient specialist), and blind second reviews — asked by a supervisor for a share
// of each specialist's evaluations, done by another specialist who cannot see the first one, and
// their agreement shown per specialist.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import { criterion, definition, makeEvaluation, makeRubricVersion } from '../reports/report-builders';
import { submit } from '../evaluations/eval-builders';

const NOW = new Date('2026-11-20T07:00:00Z');

describe('evaluating the evaluators', () => {
  let t: TestApp;
  let sup: Awaited<ReturnType<typeof makeUser>>;
  let specs: Awaited<ReturnType<typeof makeUser>>[];

  before(async () => {
    t = await createTestApp({ clock: () => NOW });
    sup = await makeUser(t.db, { role: 'supervisor' });
    specs = [await makeUser(t.db, { role: 'specialist', displayName: 'Alisher Lenient' }), await makeUser(t.db, { role: 'specialist', displayName: 'Bekzod Even' }), await makeUser(t.db, { role: 'specialist', displayName: 'Charos Even' })];
    const operator = await makeOperator(t.db, { teamId: await makeTeam(t.db, { supervisorUserId: sup.id }) });
    const v = await makeRubricVersion(t.db, definition(['Q-1', 'Q-2', 'Q-3', 'Q-4', 'Q-5'].map((c) => criterion(c))));
    const yes = (n: number) => Object.fromEntries(['Q-1', 'Q-2', 'Q-3', 'Q-4', 'Q-5'].map((c, i) => [c, i < n ? 1 : 0]));
    // Alisher gives every call of a category one more "yes" (20 points) than Bekzod and Charos.
    for (const [category, base] of [['medical', 3], ['fire', 2]] as const) {
      for (const date of ['2026-10-20', '2026-11-10']) {
        await makeEvaluation(t.db, { operatorId: operator, specialistId: specs[0].id, version: v, date, category, answers: yes(base + 1) });
        await makeEvaluation(t.db, { operatorId: operator, specialistId: specs[1].id, version: v, date, category, answers: yes(base) });
        await makeEvaluation(t.db, { operatorId: operator, specialistId: specs[2].id, version: v, date, category, answers: yes(base) });
      }
    }
    // A hand-picked call Alisher scored harshly: not the random sample, not in the leniency.
    await makeEvaluation(t.db, { operatorId: operator, specialistId: specs[0].id, version: v, date: '2026-11-11', category: 'medical', answers: yes(0), purpose: 'on_request' });
  });
  after(() => t.close());

  it('shows the lenient specialist +20 points on the random sample, with n and interval, the others −10', async () => {
    const { agent } = await signIn(t.app, sup.username, sup.password);
    const res = await agent.get('/evaluators?from=2026-10-01&to=2026-11-20');
    expect(res.status).to.equal(200);
    const row = (id: number) => new RegExp(`data-specialist="${id}">[\\s\\S]*?</tr>`).exec(res.text)![0];
    expect(row(specs[0].id)).to.contain('<strong class="lenient-high">+20.0</strong>').and.contain('4<span class="muted small"> / 4</span>');
    expect(row(specs[1].id)).to.match(/<strong[^>]*>-10\.0<\/strong>/);
    expect(row(specs[0].id)).to.contain('2026-10').and.contain('2026-11');
  });

  it('is for supervisors and administrators; specialists and leadership are refused', async () => {
    for (const u of [specs[0], await makeUser(t.db, { role: 'leadership' })]) {
      const { agent } = await signIn(t.app, u.username, u.password);
      expect((await agent.get('/evaluators')).status).to.equal(403);
    }
  });

  it('a supervisor asks for blind second reviews; another specialist does them without seeing the first; agreement is shown', async () => {
    const s = await signIn(t.app, sup.username, sup.password);
    const bad = await s.agent.post('/evaluators/second-reviews').type('form').send({ _csrf: await s.csrf(), sharePercent: '0', from: '2026-10-01', to: '2026-11-20' });
    expect(bad.status).to.equal(400);
    expect(await t.db('second_review_requests')).to.have.length(0);
    const res = await s.agent.post('/evaluators/second-reviews').type('form').send({ _csrf: await s.csrf(), sharePercent: '25', from: '2026-10-01', to: '2026-11-20' });
    expect(res.status).to.equal(303);
    const [request] = await t.db('second_review_requests');
    expect(request.seed).to.match(/^[0-9a-f]{32}$/);
    const reviews = await t.db('second_reviews as sr').join('evaluations as o', 'o.id', 'sr.original_evaluation_id').select('sr.*', 'o.purpose', 'o.call_id');
    // 25 % of each specialist's four random evaluations: one each; never the author reviewing, never the hand-picked call.
    expect(reviews).to.have.length(3);
    for (const r of reviews) {
      expect(r.reviewer_user_id).to.not.equal(r.specialist_user_id);
      expect(r.purpose).to.equal('random');
    }
    expect(await t.db('audit_log').where({ action: 'secondReview.request' })).to.have.length(1);

    // The reviewer does one: their page lists it; the call page does not show the first evaluation.
    const mine = reviews.find((r) => r.specialist_user_id === specs[0].id)!;
    const reviewer = specs.find((u) => u.id === mine.reviewer_user_id)!;
    const rv = await signIn(t.app, reviewer.username, reviewer.password);
    expect((await rv.agent.get('/evaluators/mine')).text).to.contain(`/evaluators/second-reviews/${mine.id}/start`);
    const callPage = await rv.agent.get(`/calls/${mine.call_id}`);
    expect(callPage.text).not.to.contain(`/evaluations/${mine.original_evaluation_id}"`);
    const started = await rv.agent.post(`/evaluators/second-reviews/${mine.id}/start`).type('form').send({ _csrf: await rv.csrf() });
    expect(started.status).to.equal(303);
    const reviewId = Number(/\/evaluations\/(\d+)$/.exec(started.headers.location)![1]);
    const review = await t.db('evaluations').where({ id: reviewId }).first();
    expect(review).to.include({ kind: 'second_review', purpose: 'calibration', specialist_user_id: reviewer.id });
    // Someone else cannot start it.
    const other = specs.find((u) => u.id !== reviewer.id)!;
    const o = await signIn(t.app, other.username, other.password);
    expect((await o.agent.post(`/evaluators/second-reviews/${mine.id}/start`).type('form').send({ _csrf: await o.csrf() })).status).to.equal(403);

    // Handing it in with the same answers as the original: perfect agreement for that specialist.
    const answers = Object.fromEntries((await t.db('evaluation_answers').where({ evaluation_id: mine.original_evaluation_id })).map((a) => [a.criterion_code, { value: a.value, na: Boolean(a.is_na) }]));
    const person = { id: reviewer.id, username: reviewer.username, agent: rv.agent, csrf: rv.csrf };
    const done = await submit(person, reviewId, { revision: 0, answers });
    expect(done.status, done.text).to.equal(200);
    // A second review judges the evaluator: no error records, the call is not marked evaluated again.
    expect(await t.db('errors').where({ evaluation_id: reviewId })).to.have.length(0);
    const page = await s.agent.get('/evaluators?from=2026-10-01&to=2026-11-20');
    expect(new RegExp(`data-specialist="${specs[0].id}">[\\s\\S]*?1 pair\\b`).test(page.text)).to.equal(true);
  });
});
