import { expect } from 'chai';
import { createTestApp, TestApp, signIn } from '../../helpers/app';
import { syncErrorsForEvaluation } from '../../../src/features/errors/errors.service';
import { makeOrganisation, makeFailedEvaluation, Organisation } from './builders';

describe('the supervisor\'s error inbox', () => {
  let t: TestApp;
  let org: Organisation;
  // A fixed "now": 2026-04-10 12:00 in Tashkent.
  const now = new Date('2026-04-10T07:00:00Z');
  before(async () => {
    t = await createTestApp({ clock: () => now });
    org = await makeOrganisation(t.db);
  });
  after(() => t.close());

  async function errorOf(o: Parameters<typeof makeFailedEvaluation>[2] = {}) {
    const ev = await makeFailedEvaluation(t.db, org, { submittedAt: '2026-04-09T06:00:00Z', ...o });
    await syncErrorsForEvaluation(t.db, ev.evaluationId, () => now);
    const row = await t.db('errors').where({ evaluation_id: ev.evaluationId }).orderBy('id').first();
    return { ...ev, errorId: Number(row.id) };
  }
  const statusOf = async (id: number) => (await t.db('errors').where({ id }).first()).status as string;
  const as = (u: { username: string; password: string }) => signIn(t.app, u.username, u.password);

  it('a supervisor sees their own team\'s errors and not another team\'s', async () => {
    await errorOf({ failed: ['INFO-2'], comment: 'location never checked' });
    await errorOf({ operatorId: org.otherOperator, failed: ['CARD-1'], comment: 'other team card' });
    const { agent } = await as(org.supervisor);
    const res = await agent.get('/errors');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('location never checked');
    expect(res.text).to.contain('Jasur Yusupov');
    expect(res.text).not.to.contain('other team card');
    expect(res.text).to.match(/href="\/evaluations\/\d+"/);
  });

  it('links each error to its evaluation at the moment in the recording', async () => {
    const { evaluationId } = await errorOf({ failed: ['INFO-4'], marks: [{ startSec: 83.7, criterionCode: 'INFO-4' }] });
    const { agent } = await as(org.supervisor);
    const res = await agent.get('/errors');
    expect(res.text).to.contain(`/evaluations/${evaluationId}?t=83`);
  });

  it('shows a mark\'s moment as the player does: a mark from 0:09.6 reads "▶ 0:09", not 0:10', async () => {
    const { evaluationId } = await errorOf({ failed: ['INFO-3'], marks: [{ startSec: 9.6, criterionCode: 'INFO-3' }] });
    const { agent } = await as(org.supervisor);
    const res = await agent.get('/errors');
    expect(res.text).to.match(new RegExp(`href="/evaluations/${evaluationId}\\?t=9"[^>]*>▶ 0:09<`));
  });

  it('steps go new → acknowledged → action recorded → closed, each by its own form, and are audited', async () => {
    const { errorId } = await errorOf({ failed: ['COMM-2'] });
    const { agent, csrf } = await as(org.supervisor);
    let res = await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(302);
    expect(await statusOf(errorId)).to.equal('acknowledged');
    res = await agent.post(`/errors/${errorId}/action`).type('form').send({ _csrf: await csrf(), actionType: 'training', actionNote: 'confidentiality module', actionDue: '2026-04-20' });
    expect(res.status).to.equal(302);
    const row = await t.db('errors').where({ id: errorId }).first();
    expect([row.status, row.action_type, row.action_note, row.action_due, Number(row.action_by)]).to.deep.equal(['action_recorded', 'training', 'confidentiality module', '2026-04-20', org.supervisor.id]);
    res = await agent.post(`/errors/${errorId}/close`).type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(302);
    expect(await statusOf(errorId)).to.equal('closed');
    const audits = await t.db('audit_log').where({ entity_type: 'error', entity_id: String(errorId) }).orderBy('id');
    expect(audits.map((a) => a.action)).to.deep.equal(['error.acknowledge', 'error.recordAction', 'error.close']);
  });

  it('refuses a step out of order with 409 and changes nothing', async () => {
    const { errorId } = await errorOf({ failed: ['CLOSE-1'] });
    const { agent, csrf } = await as(org.supervisor);
    const close = await agent.post(`/errors/${errorId}/close`).type('form').send({ _csrf: await csrf() });
    expect(close.status).to.equal(409);
    expect(close.text).to.contain('an error is acknowledged, then an action is recorded, then it is closed');
    const action = await agent.post(`/errors/${errorId}/action`).type('form').send({ _csrf: await csrf(), actionType: 'conversation', actionDue: '2026-04-20' });
    expect(action.status).to.equal(409);
    expect(await statusOf(errorId)).to.equal('new');
    await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    const again = await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    expect(again.status).to.equal(409);
    expect(await statusOf(errorId)).to.equal('acknowledged');
  });

  it('a supervisor cannot act on another team\'s error: 403 and nothing changed', async () => {
    const { errorId } = await errorOf({ operatorId: org.otherOperator, failed: ['INFO-1'] });
    const { agent, csrf } = await as(org.supervisor);
    const res = await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(403);
    expect(await statusOf(errorId)).to.equal('new');
    expect((await agent.get(`/errors/${errorId}`)).status).to.equal(403);
    const json = await agent.post(`/errors/${errorId}/acknowledge`).set('accept', 'application/json').send({ _csrf: await csrf() });
    expect(json.status).to.equal(403);
    expect(json.body.error.key).to.equal('errors.forbidden.notYourTeam');
    expect(await t.db('audit_log').where({ entity_type: 'error', entity_id: String(errorId) })).to.have.length(0);
  });

  it('a bulk acknowledgement with one foreign error is refused as a whole', async () => {
    const mine = await errorOf({ failed: ['INFO-3'] });
    const foreign = await errorOf({ operatorId: org.otherOperator, failed: ['INFO-3'] });
    const { agent, csrf } = await as(org.supervisor);
    const res = await agent.post('/errors/acknowledge').type('form').send({ _csrf: await csrf(), ids: [String(mine.errorId), String(foreign.errorId)] });
    expect(res.status).to.equal(403);
    expect(await statusOf(mine.errorId)).to.equal('new');
    const ok = await agent.post('/errors/acknowledge').type('form').send({ _csrf: await csrf(), ids: String(mine.errorId) });
    expect(ok.status).to.equal(302);
    expect(await statusOf(mine.errorId)).to.equal('acknowledged');
  });

  it('a bad corrective action is shown on the form with field messages, and nothing is stored', async () => {
    const { errorId } = await errorOf({ failed: ['HELP-2'] });
    const { agent, csrf } = await as(org.supervisor);
    await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    const missing = await agent.post(`/errors/${errorId}/action`).type('form').send({ _csrf: await csrf(), actionType: '', actionNote: 'kept text', actionDue: 'soon' });
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain('Choose the kind of action');
    expect(missing.text).to.contain('Enter the due date as a date');
    expect(missing.text).to.contain('kept text');
    const past = await agent.post(`/errors/${errorId}/action`).type('form').send({ _csrf: await csrf(), actionType: 'other', actionNote: '', actionDue: '2026-04-01' });
    expect(past.status).to.equal(400);
    expect(past.text).to.contain('The due date cannot be before today');
    expect(past.text).to.contain('Describe the action when you choose');
    const row = await t.db('errors').where({ id: errorId }).first();
    expect([row.status, row.action_type, row.action_due]).to.deep.equal(['acknowledged', null, null]);
  });

  it('an action past its due date stands out as overdue in the inbox', async () => {
    const { errorId } = await errorOf({ failed: ['CARD-2'], comment: 'overdue one' });
    await t.db('errors').where({ id: errorId }).update({ status: 'action_recorded', action_type: 'conversation', action_due: '2026-04-05', action_by: org.supervisor.id, action_at: now.toISOString() });
    const { agent } = await as(org.supervisor);
    const res = await agent.get('/errors?overdue=1');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('overdue one');
    expect(res.text).to.match(/badge badge-danger">Overdue/);
  });

  it('a specialist sees only the errors they found, read-only', async () => {
    const found = await errorOf({ failed: ['INFO-5'], comment: 'found by the main specialist' });
    await errorOf({ failed: ['INFO-5'], comment: 'found by someone else', specialistId: org.otherSpecialist.id });
    const { agent, csrf } = await as(org.specialist);
    const res = await agent.get('/errors');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('found by the main specialist');
    expect(res.text).not.to.contain('found by someone else');
    expect(res.text).not.to.contain('action="/errors/acknowledge"');
    const detail = await agent.get(`/errors/${found.errorId}`);
    expect(detail.status).to.equal(200);
    expect(detail.text).not.to.contain(`action="/errors/${found.errorId}/acknowledge"`);
    const post = await agent.post(`/errors/${found.errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    expect(post.status).to.equal(403);
    expect(await statusOf(found.errorId)).to.equal('new');
  });

  it('an admin sees every team\'s errors and may act on them', async () => {
    const { errorId } = await errorOf({ operatorId: org.otherOperator, failed: ['OPEN-1'], comment: 'admin can see this' });
    const { agent, csrf } = await as(org.admin);
    expect((await agent.get('/errors')).text).to.contain('admin can see this');
    const res = await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(302);
    expect(await statusOf(errorId)).to.equal('acknowledged');
  });

  it('leadership has no access to the error list; nav shows Errors only to the roles that have it', async () => {
    const { agent } = await as(org.leadership);
    expect((await agent.get('/errors')).status).to.equal(403);
    expect((await agent.get('/errors/analysis')).status).to.equal(403);
    expect((await agent.get('/')).text).not.to.contain('href="/errors"');
    const sup = await as(org.supervisor);
    expect((await sup.agent.get('/')).text).to.contain('href="/errors"');
  });

  it('a voided error takes no action', async () => {
    const { errorId } = await errorOf({ failed: ['INFO-1'] });
    await t.db('errors').where({ id: errorId }).update({ voided_at: now.toISOString() });
    const { agent, csrf } = await as(org.supervisor);
    const res = await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('withdrawn');
    expect(await statusOf(errorId)).to.equal('new');
  });

  it('a form without the CSRF token is refused', async () => {
    const { errorId } = await errorOf({ failed: ['INFO-1'] });
    const { agent } = await as(org.supervisor);
    const res = await agent.post(`/errors/${errorId}/acknowledge`).type('form').send({});
    expect(res.status).to.equal(403);
    expect(await statusOf(errorId)).to.equal('new');
  });
});
