import { expect } from 'chai';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall, makeOperator, makeTeam, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { featuresWithPortal, postForm, submittedEvaluation } from './fixtures';

describe('training: frequent shortcomings and training plans', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T08:00:00Z');
  let sup1: { id: number; username: string };
  let sup2: { id: number; username: string };
  let spec: { id: number; username: string };
  let leadership: { username: string };
  let operatorUser: { username: string };
  let op1: number;
  let op2: number;
  let op3: number;
  let voidedErrorId: number;

  before(async () => {
    t = await createTestApp({ clock: () => now, features: featuresWithPortal() });
    sup1 = await makeUser(t.db, { role: 'supervisor' });
    sup2 = await makeUser(t.db, { role: 'supervisor' });
    spec = await makeUser(t.db, { role: 'specialist' });
    leadership = await makeUser(t.db, { role: 'leadership' });
    const team1 = await makeTeam(t.db, { supervisorUserId: sup1.id, name: 'Team One' });
    const team2 = await makeTeam(t.db, { supervisorUserId: sup2.id, name: 'Team Two' });
    op1 = await makeOperator(t.db, { teamId: team1, name: 'Oybek One' });
    op2 = await makeOperator(t.db, { teamId: team1, name: 'Odina Two' });
    op3 = await makeOperator(t.db, { teamId: team2, name: 'Otabek Three' });
    operatorUser = await makeUser(t.db, { role: 'operator', operatorId: op1 });
    // Failed criteria over the last days: INFO-2 ×3 for op1, INFO-2 ×1 and CARD-2 ×2 for op2, INFO-2 ×2 for op3.
    const plan: [number, Record<string, number>][] = [
      [op1, { 'INFO-2': 0 }], [op1, { 'INFO-2': 0 }], [op1, { 'INFO-2': 0 }],
      [op2, { 'INFO-2': 0, 'CARD-2': 0 }], [op2, { 'CARD-2': 0 }],
      [op3, { 'INFO-2': 0 }], [op3, { 'INFO-2': 0 }],
      [op1, {}],
    ];
    let day = 10;
    for (const [operatorId, overrides] of plan) {
      const callId = await makeCall(t.db, { operatorId, startedAt: `2026-11-${day}T05:00:00Z` });
      await submittedEvaluation(t, { callId, operatorId, specialistId: spec.id, overrides, submittedAt: new Date(`2026-11-${day}T07:00:00Z`) });
      day++;
    }
    // One more INFO-2 error for op2, voided (its evaluation was reopened and changed): it must not count.
    const callId = await makeCall(t.db, { operatorId: op2, startedAt: '2026-11-18T05:00:00Z' });
    const e = await submittedEvaluation(t, { callId, operatorId: op2, specialistId: spec.id, overrides: { 'INFO-2': 0 }, submittedAt: new Date('2026-11-18T07:00:00Z') });
    const err = await t.db('errors').where({ evaluation_id: e, criterion_code: 'INFO-2' }).first();
    voidedErrorId = Number(err.id);
    await t.db('errors').where({ id: voidedErrorId }).update({ voided_at: now.toISOString() });
  });
  after(() => t.close());

  function rowOf(html: string, code: string): string {
    const i = html.indexOf(`<span class="mono">${code}</span>`, html.indexOf('<tbody>'));
    return i < 0 ? '' : html.slice(i, html.indexOf('</tr>', i));
  }

  it('counts failed criteria from the error records, voided ones left out, over the whole centre for a specialist', async () => {
    const { agent } = await signIn(t.app, spec.username, TEST_PASSWORD);
    const res = await agent.get('/training/shortcomings?from=2026-11-01&to=2026-11-20');
    expect(res.status).to.equal(200);
    const info2 = rowOf(res.text, 'INFO-2');
    expect(info2).to.contain('<strong>6</strong>'); // 3 + 1 + 2; the voided one is not counted
    expect(rowOf(res.text, 'CARD-2')).to.contain('<strong>2</strong>');
    // Most often on INFO-2: op1 with 3 of them, op3 with 2.
    expect(info2).to.match(/Oybek One<\/a> <span class="muted">\(3\)/).and.match(/Otabek Three<\/a> <span class="muted">\(2\)/);
    // A specialist reads but does not plan.
    expect(res.text).to.not.contain('/training/new?criteria=');
  });

  it('a supervisor sees only their teams’ shortcomings; a team or operator filter narrows further', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const res = await agent.get('/training/shortcomings?from=2026-11-01&to=2026-11-20');
    expect(rowOf(res.text, 'INFO-2')).to.contain('<strong>4</strong>');
    expect(res.text).to.not.contain('Otabek Three');
    const one = await agent.get(`/training/shortcomings?from=2026-11-01&to=2026-11-20&operator=${op2}`);
    expect(rowOf(one.text, 'INFO-2')).to.contain('<strong>1</strong>');
    expect(rowOf(one.text, 'CARD-2')).to.contain('<strong>2</strong>');
    const bad = await agent.get('/training/shortcomings?from=2026-11-20&to=2026-11-01');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('The start is after the end.');
  });

  it('planning from a shortcoming pre-ticks the operators with those errors (and offers only the supervisor’s operators)', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const res = await agent.get('/training/new?criteria=INFO-2&from=2026-11-01&to=2026-11-20');
    expect(res.status).to.equal(200);
    expect(res.text).to.match(new RegExp(`name="participantIds" value="${op1}" id="op-${op1}" checked\\s+data-suggested`));
    expect(res.text).to.match(new RegExp(`name="participantIds" value="${op2}" id="op-${op2}" checked\\s+data-suggested`));
    expect(res.text).to.not.contain(`value="${op3}"`);
    expect(res.text).to.match(/name="criteria" value="INFO-2" checked/);
    expect(res.text).to.contain('value="Training: ');
  });

  it('a supervisor creates a training plan: topic, criteria, participants (suggested flagged), date, trainer — audited', async () => {
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    const res = await postForm(agent, '/training', { topic: 'Checking the location', description: 'Map drill', trainingDate: '2026-11-27', trainer: 'Bobur', location: 'Room 2', criteria: ['INFO-2'], participantIds: [String(op1), String(op2)], suggestedIds: [String(op1)] });
    expect(res.status).to.equal(303);
    const id = Number(/\/training\/(\d+)$/.exec(res.headers.location)![1]);
    expect(await t.db('trainings').where({ id }).first()).to.include({ kind: 'training', topic: 'Checking the location', training_date: '2026-11-27', trainer: 'Bobur', status: 'planned', created_by: sup1.id });
    expect((await t.db('training_criteria').where({ training_id: id })).map((r) => r.criterion_code)).to.deep.equal(['INFO-2']);
    const people = await t.db('training_participants').where({ training_id: id }).orderBy('operator_id');
    expect(people.map((p) => [Number(p.operator_id), Boolean(p.suggested)])).to.deep.equal([[op1, true], [op2, false]]);
    expect(await t.db('audit_log').where({ action: 'training.create', entity_id: String(id) })).to.have.length(1);
    const page = await agent.get(`/training/${id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Checking the location').and.contain('Oybek One').and.contain('Effect on scores');
  });

  for (const [name, patch, message] of [
    ['with an operator of another team', { participantIds: ['OP3'] }, 'You can only take in active operators of your teams.'],
    ['with an unknown criterion', { criteria: ['ZZZ-9'] }, 'One of the criteria is in no rubric.'],
    ['without participants', { participantIds: [] }, 'Tick at least one operator.'],
    ['without a topic', { topic: '' }, 'Enter the topic.'],
    ['with an impossible date', { trainingDate: '2026-02-30' }, 'Enter a valid date.'],
  ] as const) {
    it(`a plan ${name} is refused with the reason, and nothing is stored`, async () => {
      const before = Number((await t.db('trainings').count({ n: '*' }).first())?.n);
      const beforePeople = Number((await t.db('training_participants').count({ n: '*' }).first())?.n);
      const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
      const body: Record<string, unknown> = { topic: 'Kept topic', description: '', trainingDate: '2026-11-27', trainer: '', location: '', criteria: ['INFO-2'], participantIds: [String(op1)], ...patch };
      if (Array.isArray(body.participantIds)) body.participantIds = (body.participantIds as string[]).map((p) => (p === 'OP3' ? String(op3) : p));
      const res = await postForm(agent, '/training', body);
      expect(res.status).to.equal(400);
      expect(res.text).to.contain(message);
      if (patch !== null && !('topic' in patch)) expect(res.text).to.contain('value="Kept topic"');
      expect(Number((await t.db('trainings').count({ n: '*' }).first())?.n)).to.equal(before);
      expect(Number((await t.db('training_participants').count({ n: '*' }).first())?.n)).to.equal(beforePeople);
    });
  }

  it('role checks: specialists read plans but cannot plan; leadership and operators cannot enter; another team’s supervisor cannot open the plan', async () => {
    const id = Number((await t.db('trainings').where({ topic: 'Checking the location' }).first()).id);
    const s = (await signIn(t.app, spec.username, TEST_PASSWORD)).agent;
    for (const url of ['/training', '/training/shortcomings', `/training/${id}`]) expect((await s.get(url)).status, url).to.equal(200);
    for (const url of ['/training/new', `/training/${id}/edit`, '/training/rule-changes/new', '/training/disputes']) expect((await s.get(url)).status, url).to.equal(403);
    expect((await postForm(s, '/training', { topic: 'x', trainingDate: '2026-11-27', participantIds: [String(op1)] })).status).to.equal(403);
    expect((await postForm(s, `/training/${id}/attendance`, { attended: [String(op1)] })).status).to.equal(403);
    for (const who of [leadership.username, operatorUser.username]) {
      const { agent } = await signIn(t.app, who, TEST_PASSWORD);
      for (const url of ['/training', '/training/shortcomings', `/training/${id}`, '/training/new', '/training/disputes']) expect((await agent.get(url)).status, `${who} ${url}`).to.equal(403);
    }
    const other = (await signIn(t.app, sup2.username, TEST_PASSWORD)).agent;
    expect((await other.get(`/training/${id}`)).status).to.equal(403);
    expect((await other.get('/training')).text).to.not.contain('Checking the location');
    expect((await other.get(`/training/${id}/edit`)).status).to.equal(403);
  });

  it('the planner edits the plan; cancelling keeps it, marked cancelled', async () => {
    const id = Number((await t.db('trainings').where({ topic: 'Checking the location' }).first()).id);
    const { agent } = await signIn(t.app, sup1.username, TEST_PASSWORD);
    expect((await agent.get(`/training/${id}/edit`)).status).to.equal(200);
    const res = await postForm(agent, `/training/${id}`, { topic: 'Checking the location (v2)', description: '', trainingDate: '2026-11-28', trainer: 'Bobur', location: '', criteria: ['INFO-2', 'CARD-2'], participantIds: [String(op2)] });
    expect(res.status).to.equal(303);
    expect((await t.db('trainings').where({ id }).first()).training_date).to.equal('2026-11-28');
    expect((await t.db('training_participants').where({ training_id: id })).map((p) => Number(p.operator_id))).to.deep.equal([op2]);
    expect((await postForm(agent, `/training/${id}/cancel`, {})).status).to.equal(303);
    expect((await t.db('trainings').where({ id }).first()).status).to.equal('cancelled');
    expect((await postForm(agent, `/training/${id}`, { topic: 'again', trainingDate: '2026-11-28', participantIds: [String(op2)] })).status).to.equal(409);
  });
});
