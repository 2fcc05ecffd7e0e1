// The plans pages: who may open what, the specialist's queue, reassigning and adding calls, the
// rules and duty forms (field errors, overlaps, audit) and the sizing page.
import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { TEST_PASSWORD, makeOperator } from '../../helpers/builders';
import { drawDay } from '../../../src/features/plans/plans.service';
import { TODAY, YESTERDAY, at, makeCallsOn, makeOperators, makePeople, makeRules, putOnDuty } from './plan-fixtures';

describe('plans pages', () => {
  let t: TestApp;
  let people: Awaited<ReturnType<typeof makePeople>>;
  let operators: number[];
  let foreignOperator: number;

  beforeEach(async () => {
    const now = at(TODAY, '10:00');
    t = await createTestApp({ clock: () => now });
    people = await makePeople(t.db);
    operators = await makeOperators(t.db, people.team, 2);
    foreignOperator = await makeOperator(t.db, { teamId: people.otherTeam });
    await putOnDuty(t.db, people.specialistA.id, 10, ['uz', 'ru']);
    await putOnDuty(t.db, people.specialistB.id, 10, ['uz']);
  });
  afterEach(() => t.close());

  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);
  const as = (u: { username: string }) => signIn(t.app, u.username, TEST_PASSWORD);

  async function drawnPlan() {
    await makeRules(t.db, { quota: { mode: 'perDay', calls: 3 } });
    for (const op of [...operators, foreignOperator]) await makeCallsOn(t.db, op, YESTERDAY, 4);
    return drawDay(t, { planDate: TODAY, actorId: people.admin.id, source: 'manual' });
  }

  describe('roles', () => {
    it('leadership is refused every plans page (403)', async () => {
      const { agent } = await as(people.leadership);
      for (const url of ['/plans', '/plans/today', '/plans/rules', '/plans/sizing']) {
        expect((await agent.get(url)).status, url).to.equal(403);
      }
    });

    it('a specialist sees their queue, the plan, the rules and sizing (B2.01.4), but drawing, duty and reassigning are 403', async () => {
      const { agent, csrf } = await as(people.specialistA);
      for (const url of ['/plans/today', '/plans', '/plans/rules', '/plans/sizing']) expect((await agent.get(url)).status, url).to.equal(200);
      expect((await agent.post('/plans/draw').type('form').send({ _csrf: await csrf(), date: TODAY })).status).to.equal(403);
      expect((await agent.post('/plans/duty').type('form').send({ _csrf: await csrf() })).status).to.equal(403);
      expect(await count('plans')).to.equal(0);
      const r = await drawnPlan();
      const page = await agent.get(`/plans?date=${TODAY}`);
      expect(page.text).not.to.contain('action="/plans/draw"').and.not.to.contain('/reassign"');
      const [a] = await t.db('assignments').where({ plan_id: r.planIds[0] });
      expect((await agent.post(`/plans/assignments/${a.id}/reassign`).type('form').send({ _csrf: await csrf(), specialistUserId: people.specialistB.id })).status).to.equal(403);
      expect((await agent.get(`/plans/${r.planIds[0]}/verify`)).status).to.equal(200);
    });

    it('supervisors and administrators reach every page, translated throughout; someone signed out is sent to sign in', async () => {
      await drawnPlan();
      const untranslated = /(?<![\/\w])(plans|common|nav)\.[a-zA-Z]+\.[a-zA-Z]/;
      for (const u of [people.supervisor, people.admin]) {
        const { agent } = await as(u);
        for (const url of ['/plans', '/plans/rules', '/plans/sizing', '/plans/today', `/plans?date=${YESTERDAY}`]) {
          const page = await agent.get(url);
          expect(page.status, `${u.username} ${url}`).to.equal(200);
          expect(untranslated.exec(page.text)?.[0], `${u.username} ${url}`).to.equal(undefined);
        }
      }
      const anon = await request(t.app).get('/plans');
      expect(anon.status).to.equal(302);
      expect(anon.headers.location).to.match(/^\/login/);
    });

    it('the navigation shows “Today” and “Daily plan” to specialists and “Daily plan” to supervisors', async () => {
      const s = await as(people.specialistA);
      const home = (await s.agent.get('/')).text;
      expect(home).to.contain('href="/plans/today"').and.contain('href="/plans"');
      const sup = await as(people.supervisor);
      expect((await sup.agent.get('/')).text).to.contain('href="/plans"');
    });
  });

  describe('the specialist’s queue', () => {
    it('lists their calls of today’s plan, each opening the evaluation with a CSRF form, with a progress bar', async () => {
      const r = await drawnPlan();
      const mine = await t.db('assignments').where({ plan_id: r.planIds[0], specialist_user_id: people.specialistA.id }).orderBy('id');
      expect(mine.length).to.be.greaterThan(0);
      await t.db('assignments').where({ id: mine[0].id }).update({ status: 'in_progress' });
      const { agent } = await as(people.specialistA);
      const page = await agent.get('/plans/today');
      expect(page.status).to.equal(200);
      for (const a of mine) expect(page.text).to.contain(`action="/calls/${a.call_id}/evaluate"`);
      const forms = page.text.match(/<form method="post" action="\/calls\/\d+\/evaluate"[\s\S]*?<\/form>/g) ?? [];
      expect(forms).to.have.length(mine.length);
      expect(forms.every((f) => /name="_csrf" value="[^"]+"/.test(f))).to.equal(true);
      expect(page.text).to.contain('role="progressbar"').and.contain('Continue');
      const others = await t.db('assignments').where({ plan_id: r.planIds[0], specialist_user_id: people.specialistB.id });
      for (const a of others) expect(page.text).to.not.contain(`action="/calls/${a.call_id}/evaluate"`);
    });

    it('with nothing assigned it says what to do', async () => {
      const { agent } = await as(people.specialistA);
      const page = await agent.get('/plans/today');
      expect(page.text).to.contain('No calls are assigned to you today');
    });
  });

  describe('changing a drawn plan', () => {
    it('a reassignment changes the specialist and is audited', async () => {
      const r = await drawnPlan();
      const a = await t.db('assignments').where({ plan_id: r.planIds[0], specialist_user_id: people.specialistB.id }).whereIn('operator_id', operators).first();
      const { agent, csrf } = await as(people.supervisor);
      const res = await agent.post(`/plans/assignments/${a.id}/reassign`).type('form').send({ _csrf: await csrf(), specialistUserId: people.specialistA.id, back: `/plans?date=${TODAY}` });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/plans?date=${TODAY}`);
      expect(Number((await t.db('assignments').where({ id: a.id }).first()).specialist_user_id)).to.equal(people.specialistA.id);
      const log = await t.db('audit_log').where({ action: 'plan.reassign', entity_id: String(a.id) });
      expect(log).to.have.length(1);
      expect(JSON.parse(log[0].details)).to.include({ from: people.specialistB.id, to: people.specialistA.id, callId: Number(a.call_id) });
      expect(Number(log[0].user_id)).to.equal(people.supervisor.id);
    });

    it('a supervisor cannot reassign another team’s call (403), and nothing changes', async () => {
      const r = await drawnPlan();
      const a = await t.db('assignments').where({ plan_id: r.planIds[0], operator_id: foreignOperator }).first();
      const { agent, csrf } = await as(people.supervisor);
      const other = a.specialist_user_id === people.specialistA.id ? people.specialistB.id : people.specialistA.id;
      const res = await agent.post(`/plans/assignments/${a.id}/reassign`).type('form').send({ _csrf: await csrf(), specialistUserId: other });
      expect(res.status).to.equal(403);
      expect(Number((await t.db('assignments').where({ id: a.id }).first()).specialist_user_id)).to.equal(Number(a.specialist_user_id));
      expect(await count('audit_log', { action: 'plan.reassign' })).to.equal(0);
    });

    it('a started call, or a specialist without the call’s language, is refused with a clear message', async () => {
      const r = await drawnPlan();
      const [a, b] = await t.db('assignments').where({ plan_id: r.planIds[0] }).orderBy('id');
      await t.db('assignments').where({ id: a.id }).update({ status: 'in_progress' });
      const { agent, csrf } = await as(people.admin);
      const started = await agent.post(`/plans/assignments/${a.id}/reassign`).type('form').send({ _csrf: await csrf(), specialistUserId: people.specialistB.id, back: `/plans?date=${TODAY}` });
      expect(started.status).to.equal(409);
      expect(started.text).to.contain('Work on this call has started or finished');
      await t.db('calls').where({ id: b.call_id }).update({ language: 'ru' });
      await t.db('assignments').where({ id: b.id }).update({ specialist_user_id: people.specialistA.id });
      const mismatch = await agent.post(`/plans/assignments/${b.id}/reassign`).type('form').send({ _csrf: await csrf(), specialistUserId: people.specialistB.id, back: `/plans?date=${TODAY}` });
      expect(mismatch.status).to.equal(400);
      expect(mismatch.text).to.contain('does not evaluate calls in this language (ru)');
      expect(Number((await t.db('assignments').where({ id: b.id }).first()).specialist_user_id)).to.equal(people.specialistA.id);
      expect(await count('audit_log', { action: 'plan.reassign' })).to.equal(0);
    });

    it('a call can be added to the plan by hand: origin “added”, audited; adding it twice is refused', async () => {
      const r = await drawnPlan();
      const [extra] = await makeCallsOn(t.db, operators[0], TODAY, 1);
      const { agent, csrf } = await as(people.admin);
      const res = await agent.post(`/plans/${r.planIds[0]}/assignments`).type('form').send({ _csrf: await csrf(), callId: extra, specialistUserId: people.specialistA.id });
      expect(res.status).to.equal(303);
      const row = await t.db('assignments').where({ call_id: extra }).first();
      expect(row).to.include({ origin: 'added', status: 'new' });
      expect(await count('audit_log', { action: 'plan.addCall' })).to.equal(1);
      const twice = await agent.post(`/plans/${r.planIds[0]}/assignments`).type('form').send({ _csrf: await csrf(), callId: extra, specialistUserId: people.specialistA.id });
      expect(twice.status).to.equal(400);
      expect(twice.text).to.contain(`Call #${extra} is already in this day&#39;s plan.`);
      expect(await count('assignments', { call_id: extra })).to.equal(1);
      const missing = await agent.post(`/plans/${r.planIds[0]}/assignments`).type('form').send({ _csrf: await csrf(), callId: '', specialistUserId: people.specialistA.id });
      expect(missing.status).to.equal(400);
      expect(missing.text).to.contain('Enter the call&#39;s number.');
    });

    it('a form posted without its CSRF token is refused and changes nothing', async () => {
      const r = await drawnPlan();
      const a = await t.db('assignments').where({ plan_id: r.planIds[0] }).first();
      const { agent } = await as(people.admin);
      const res = await agent.post(`/plans/assignments/${a.id}/reassign`).type('form').send({ specialistUserId: people.specialistA.id });
      expect(res.status).to.equal(403);
      expect(await count('audit_log', { action: 'plan.reassign' })).to.equal(0);
    });

    it('the plan page shows planned against done per specialist and per operator, scoped to the supervisor’s teams', async () => {
      const r = await drawnPlan();
      const [first] = await t.db('assignments').where({ plan_id: r.planIds[0] }).whereIn('operator_id', operators).orderBy('id');
      await t.db('assignments').where({ id: first.id }).update({ status: 'done' });
      const { agent } = await as(people.supervisor);
      const page = await agent.get(`/plans?date=${TODAY}`);
      expect(page.text).to.contain('Planned and done per specialist').and.contain('Specialist A');
      const foreign = await t.db('operators').where({ id: foreignOperator }).first();
      const mine = await t.db('operators').where({ id: operators[0] }).first();
      expect(page.text).to.contain(mine.full_name);
      expect(page.text).to.not.contain(foreign.full_name);
      expect(page.text).to.contain('Only your teams&#39; operators are shown.');
    });
  });

  describe('rules and duty', () => {
    const form = (o: Record<string, unknown> = {}) => ({
      name: 'Main rules',
      isActive: '1',
      'eligibility.daysBack': '1',
      'eligibility.excludeEvaluated': '1',
      'eligibility.excludeInactiveOperators': '1',
      'quota.mode': 'perDay',
      'quota.calls': '3',
      'priority.suicideRisk': '3',
      'priority.line1146': '2',
      'priority.dropped': '1.5',
      'priority.longCall': '1.5',
      'priority.longCallSec': '600',
      ...o,
    });

    it('a rule set is saved from the form and the change is audited', async () => {
      const { agent, csrf } = await as(people.supervisor);
      const res = await agent.post('/plans/rules').type('form').send({ _csrf: await csrf(), ...form({ 'eligibility.languages': ['uz', 'ru'], carryOver: '1' }) });
      expect(res.status).to.equal(303);
      const row = await t.db('plan_rules').first();
      const rules = JSON.parse(row.rules);
      expect(rules.quota).to.deep.equal({ mode: 'perDay', calls: 3 });
      expect(rules.eligibility.languages).to.deep.equal(['uz', 'ru']);
      expect(rules.carryOver).to.equal(true);
      const log = await t.db('audit_log').where({ action: 'plan.rules.create' });
      expect(log).to.have.length(1);
      const upd = await agent.post(`/plans/rules/${row.id}`).type('form').send({ _csrf: await csrf(), ...form({ 'quota.calls': '5' }) });
      expect(upd.status).to.equal(303);
      const after = await t.db('audit_log').where({ action: 'plan.rules.update' });
      expect(after).to.have.length(1);
      expect(JSON.parse(after[0].details).before.rules.quota.calls).to.equal(3);
    });

    it('a quota below zero is a field error; nothing is stored and the input is kept', async () => {
      const { agent, csrf } = await as(people.admin);
      const res = await agent.post('/plans/rules').type('form').send({ _csrf: await csrf(), ...form({ 'quota.calls': '-1', name: 'Kept name' }) });
      expect(res.status).to.equal(400);
      expect(res.text).to.match(/<p class="field-error" id="f-quota-calls-err">The quota cannot be below zero.<\/p>/);
      expect(res.text).to.contain('value="Kept name"');
      expect(await count('plan_rules')).to.equal(0);
    });

    it('other bad values come back as field errors too (share out of range, min above max, weight below one)', async () => {
      const { agent, csrf } = await as(people.admin);
      const res = await agent
        .post('/plans/rules')
        .type('form')
        .send({ _csrf: await csrf(), ...form({ 'quota.mode': 'share', 'quota.sharePercent': '150', 'quota.min': '4', 'quota.max': '2', 'priority.dropped': '0.5', 'eligibility.minDurationSec': '60', 'eligibility.maxDurationSec': '30' }) });
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('id="f-quota-sharePercent-err">The share must be more than 0 % and at most 100 %.');
      expect(res.text).to.contain('id="f-priority-dropped-err">A weight cannot be less than 1.');
      expect(res.text).to.contain('id="f-eligibility-maxDurationSec-err">The longest duration must not be shorter than the shortest.');
      expect(await count('plan_rules')).to.equal(0);
    });

    it('an active rule set that overlaps another active one is refused (409); a non-overlapping one is accepted', async () => {
      await makeRules(t.db, { quota: { mode: 'perDay', calls: 3 }, eligibility: { languages: ['uz', 'ru'] } }, { name: 'Uzbek and Russian' });
      const { agent, csrf } = await as(people.admin);
      const overlapping = await agent.post('/plans/rules').type('form').send({ _csrf: await csrf(), ...form({ name: 'Russian only', 'eligibility.languages': ['ru'] }) });
      expect(overlapping.status).to.equal(409);
      expect(overlapping.text).to.contain('Active rule sets “Uzbek and Russian” and “Russian only” would both draw the same calls.');
      expect(await count('plan_rules')).to.equal(1);
      const inactive = await agent.post('/plans/rules').type('form').send({ _csrf: await csrf(), ...form({ name: 'Russian only', isActive: '', 'eligibility.languages': ['ru'] }) });
      expect(inactive.status).to.equal(303);
      const separate = await agent.post('/plans/rules').type('form').send({ _csrf: await csrf(), ...form({ name: 'Sign language', 'eligibility.languages': ['sign'] }) });
      expect(separate.status).to.equal(303);
      expect(await count('plan_rules', { is_active: true })).to.equal(2);
    });

    it('duty is saved for every specialist and audited; a bad capacity is a field error and nothing changes', async () => {
      const { agent, csrf } = await as(people.admin);
      const a = people.specialistA.id;
      const b = people.specialistB.id;
      const bad = await agent.post('/plans/duty').type('form').send({ _csrf: await csrf(), [`duty.${a}.onDuty`]: '1', [`duty.${a}.capacity`]: '-3', [`duty.${a}.languages`]: ['uz'], [`duty.${b}.capacity`]: '5', [`duty.${b}.languages`]: ['uz'] });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.contain('A whole number from 0 to 500.');
      expect(Number((await t.db('specialist_duty').where({ user_id: a }).first()).daily_capacity)).to.equal(10);
      const good = await agent
        .post('/plans/duty')
        .type('form')
        .send({ _csrf: await csrf(), [`duty.${a}.onDuty`]: '1', [`duty.${a}.capacity`]: '25', [`duty.${a}.languages`]: ['uz', 'kaa'], [`duty.${b}.capacity`]: '5', [`duty.${b}.languages`]: ['uz'] });
      expect(good.status).to.equal(303);
      const rowA = await t.db('specialist_duty').where({ user_id: a }).first();
      expect(Number(rowA.daily_capacity)).to.equal(25);
      expect(rowA.languages).to.equal('uz,kaa');
      expect([0, false]).to.include((await t.db('specialist_duty').where({ user_id: b }).first()).on_duty); // unticked: off duty
      const log = await t.db('audit_log').where({ action: 'plan.duty.update' });
      expect(log).to.have.length(1);
      expect(JSON.parse(log[0].details).changes).to.have.length(2);
    });
  });

  describe('sizing', () => {
    it('shows the formula, the sample per operator from the calls table, hours against capacity and a recommended quota', async () => {
      await makeCallsOn(t.db, operators[0], YESTERDAY, 40, { durationSec: 120 });
      await makeCallsOn(t.db, operators[1], YESTERDAY, 10, { durationSec: 120 });
      const { agent } = await as(people.supervisor);
      const res = await agent.get(`/plans/sizing?from=${YESTERDAY}&to=${YESTERDAY}&estimate=mean&margin=5&confidence=0.95&overheadMinutes=0&workingDays=1&specialists=2&hoursPerDay=6`);
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('n₀ = (z·σ / E)²');
      // σ = 15 (default), E = 5, z = 1.96: n0 = 34.57; N = 40 → n = 18.9 → 19; N = 10 → 7.8 → 8
      expect(res.text).to.match(/<td class="num">40<\/td>\s*<td class="num">34[.,]6<\/td>\s*<td class="num">19<\/td>/);
      expect(res.text).to.match(/<td class="num">10<\/td>\s*<td class="num">34[.,]6<\/td>\s*<td class="num">8<\/td>/);
      expect(res.text).to.contain('Recommended daily quota');
      expect(res.text).to.contain('id="sizing-chart"');
      expect(res.text).to.contain('Too few past scores to measure their spread');
    });

    it('a bad margin or period is a field error with status 400', async () => {
      const { agent } = await as(people.admin);
      const res = await agent.get(`/plans/sizing?from=${YESTERDAY}&to=${YESTERDAY}&margin=0&confidence=0.95&workingDays=1&specialists=2&hoursPerDay=6`);
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('id="f-margin-err">The margin of error must be more than 0.');
      const period = await agent.get(`/plans/sizing?from=${TODAY}&to=${YESTERDAY}`);
      expect(period.status).to.equal(400);
      expect(period.text).to.contain('The end must not be before the start.');
    });
  });
});
