// Coverage on the sizing and plan pages: the period's calls and their reviews against APCO/NENA ANS
// 1.107.1 (2 % at random, within 5 days, every high-acuity category), one review per operator per
// month, or a custom mix; overdue reviews and under-covered operators listed.
import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { TEST_PASSWORD } from '../../helpers/builders';
import { drawDay } from '../../../src/features/plans/plans.service';
import { TODAY, YESTERDAY, at, makeCallsOn, makeOperators, makePeople, makeRules, putOnDuty } from './plan-fixtures';
import { addDays } from '../../../src/time';

describe('review coverage on the sizing and plan pages', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof makePeople>>;
  let operators: number[];
  let now: Date;

  before(async () => {
    now = at(TODAY, '10:00');
    t = await createTestApp({ clock: () => now });
    people = await makePeople(t.db);
    operators = await makeOperators(t.db, people.team, 2);
    await putOnDuty(t.db, people.specialistA.id, 20);
    // 100 calls a week ago: 60 medical, 40 fire, of the first operator; none of the second.
    const weekAgo = addDays(TODAY, -7);
    const medical = await makeCallsOn(t.db, operators[0], weekAgo, 60, { category: 'medical' });
    await makeCallsOn(t.db, operators[0], weekAgo, 40, { category: 'fire' });
    await makeCallsOn(t.db, operators[1], YESTERDAY, 5, { category: 'information' });
    // Three medical calls reviewed at random, one of them 6 days after the call.
    const v = await t.db('rubric_versions').first('id');
    for (const [i, callId] of medical.slice(0, 3).entries()) {
      await t.db('evaluations').insert({ call_id: callId, operator_id: operators[0], rubric_version_id: v.id, specialist_user_id: people.specialistA.id, kind: 'regular', purpose: 'random', status: 'submitted', revision: 1, score: 90, started_at: now.toISOString(), submitted_at: now.toISOString(), evaluation_date: TODAY, review_lag_sec: i === 0 ? 6 * 86400 : 3600, created_at: now.toISOString(), updated_at: now.toISOString() });
    }
  });
  after(() => t.close());

  it('sizing shows APCO/NENA: 3 % at random met, one late review and fire never reviewed not met', async () => {
    const { agent } = await signIn(t.app, people.specialistA.username, TEST_PASSWORD);
    const res = await agent.get(`/plans/sizing?from=${addDays(TODAY, -30)}&to=${YESTERDAY}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('data-coverage-pass="0"');
    expect(res.text).to.match(/data-check="share"[\s\S]*?2\.9% of the 105 calls reviewed at random \(3\)/);
    expect(res.text).to.match(/class="fail" data-check="lag"[\s\S]*?Reviews later than 5 days after the call: 1 of 3/);
    expect(res.text).to.match(/Not reviewed at all:<\/strong> Fire/);
  });

  it('one review per operator per month lists the operator without any; a custom standard is read from the form', async () => {
    const { agent } = await signIn(t.app, people.supervisor.username, TEST_PASSWORD);
    const monthly = await agent.get(`/plans/sizing?from=${addDays(TODAY, -30)}&to=${YESTERDAY}&coverage=monthly`);
    expect(monthly.text).to.contain('Under-covered operators (1)');
    const custom = await agent.get(`/plans/sizing?from=${addDays(TODAY, -30)}&to=${YESTERDAY}&coverage=custom&covShare=2&covLag=7`);
    expect(custom.text).to.contain('data-coverage-pass="1"');
    const bad = await agent.get(`/plans/sizing?from=${addDays(TODAY, -30)}&to=${YESTERDAY}&coverage=custom&covShare=abc`);
    expect(bad.status).to.equal(400);
  });

  it('the plan page lists the drawn calls overdue for review', async () => {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 2 }, eligibility: { daysBack: 8 } });
    await drawDay(t, { planDate: TODAY, actorId: null, source: 'manual' });
    const { agent } = await signIn(t.app, people.supervisor.username, TEST_PASSWORD);
    const res = await agent.get('/plans');
    expect(res.text).to.match(/Overdue reviews \(\d+\)/);
    expect(res.text).to.contain('id="coverage"');
  });
});
