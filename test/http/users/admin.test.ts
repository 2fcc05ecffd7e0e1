import { expect } from 'chai';
import { createTestApp, TestApp, signIn } from '../../helpers/app';
import { makeUser, makeOperator } from '../../helpers/builders';
import { audit } from '../../../src/audit/audit';

describe('administration of users, teams and operators', () => {
  let t: TestApp;
  let admin: { agent: Awaited<ReturnType<typeof signIn>>['agent']; csrf: () => Promise<string>; id: number };
  before(async () => {
    t = await createTestApp();
    const u = await makeUser(t.db, { role: 'admin' });
    admin = { ...(await signIn(t.app, u.username, u.password)), id: u.id };
  });
  after(() => t.close());

  for (const role of ['specialist', 'supervisor', 'leadership'] as const) {
    it(`a ${role} is refused the user administration with a 403 page`, async () => {
      const u = await makeUser(t.db, { role });
      const { agent } = await signIn(t.app, u.username, u.password);
      const res = await agent.get('/admin/users');
      expect(res.status).to.equal(403);
    });
  }

  it('an anonymous visitor is sent to sign in', async () => {
    const request = (await import('supertest')).default;
    const res = await request(t.app).get('/admin/users');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/login?next=%2Fadmin%2Fusers');
  });

  it('creates a user who can then sign in, and writes the audit log', async () => {
    const res = await admin.agent.post('/admin/users').type('form').send({ _csrf: await admin.csrf(), username: 'n.karimova', displayName: 'Nodira Karimova', role: 'supervisor', language: 'ru', password: 'a-long-password' });
    expect(res.status).to.equal(302);
    const { agent } = await signIn(t.app, 'n.karimova', 'a-long-password');
    expect((await agent.get('/')).text).to.contain('Nodira Karimova');
    const log = await t.db('audit_log').where({ action: 'user.create' }).first();
    expect(log).to.not.equal(undefined);
    expect(String(log.details)).not.to.contain('a-long-password');
  });

  it('re-renders the form with field errors and the input kept, and stores nothing, on bad input', async () => {
    const res = await admin.agent.post('/admin/users').type('form').send({ _csrf: await admin.csrf(), username: 'x', displayName: 'Kept Name', role: 'wizard', language: 'fr', password: 'short' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('value="Kept Name"');
    expect(res.text).to.contain('3–64');
    expect(res.text).to.contain('field-error');
    expect(await t.db('users').where({ display_name: 'Kept Name' }).first()).to.equal(undefined);
  });

  it('refuses a user name that is taken', async () => {
    await makeUser(t.db, { username: 'taken.name' });
    const res = await admin.agent.post('/admin/users').type('form').send({ _csrf: await admin.csrf(), username: 'taken.name', displayName: 'Second', role: 'specialist', language: 'uz', password: 'a-long-password' });
    expect(res.status).to.equal(400);
    expect(await t.db('users').where({ display_name: 'Second' }).first()).to.equal(undefined);
  });

  it('disables a user and resets a password; an administrator cannot disable themself', async () => {
    const u = await makeUser(t.db, { role: 'specialist' });
    let res = await admin.agent.post(`/admin/users/${u.id}`).type('form').send({ _csrf: await admin.csrf(), displayName: 'Disabled One', role: 'specialist', language: 'uz' });
    expect(res.status).to.equal(302);
    expect((await t.db('users').where({ id: u.id }).first()).is_active).to.satisfy((v: unknown) => v === 0 || v === false);
    res = await admin.agent.post(`/admin/users/${u.id}/password`).type('form').send({ _csrf: await admin.csrf(), password: 'brand-new-password' });
    expect(res.status).to.equal(302);
    res = await admin.agent.post(`/admin/users/${admin.id}`).type('form').send({ _csrf: await admin.csrf(), displayName: 'Me', role: 'admin', language: 'uz' });
    expect(res.status).to.equal(400);
    expect((await t.db('users').where({ id: admin.id }).first()).is_active).to.satisfy((v: unknown) => v === 1 || v === true);
  });

  it('creates a team with its supervisor and an operator in it; a duplicate employee code is refused', async () => {
    const sup = await makeUser(t.db, { role: 'supervisor' });
    let res = await admin.agent.post('/admin/teams').type('form').send({ _csrf: await admin.csrf(), name: 'Night shift', supervisorUserId: String(sup.id) });
    expect(res.status).to.equal(302);
    const team = await t.db('teams').where({ name: 'Night shift' }).first();
    expect(team.supervisor_user_id).to.equal(sup.id);
    res = await admin.agent.post('/admin/operators').type('form').send({ _csrf: await admin.csrf(), employeeCode: 'OP-900', fullName: 'Aziza Qodirova', teamId: String(team.id), category: 'A1', languages: ['uz', 'kaa'] });
    expect(res.status).to.equal(302);
    const op = await t.db('operators').where({ employee_code: 'OP-900' }).first();
    expect(op.languages).to.equal('uz,kaa');
    await makeOperator(t.db, { code: 'OP-901' });
    res = await admin.agent.post('/admin/operators').type('form').send({ _csrf: await admin.csrf(), employeeCode: 'OP-901', fullName: 'Dup', languages: 'uz' });
    expect(res.status).to.equal(400);
    expect(await t.db('operators').where({ full_name: 'Dup' }).first()).to.equal(undefined);
  });

  it('lists the 14 regions of Uzbekistan', async () => {
    const res = await admin.agent.get('/admin/regions');
    expect(res.status).to.equal(200);
    expect((await t.db('regions').count({ n: '*' }).first())!.n).to.satisfy((n: unknown) => Number(n) === 14);
    expect(res.text).to.contain('Tashkent City'); // the admin's language is English
  });
});

describe('the audit log page (/admin/audit)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('reads as sentences: translated action names in a select, display names and calls as links, details as text', async () => {
    const u = await makeUser(t.db, { role: 'admin', language: 'en' });
    const specialist = await makeUser(t.db, { role: 'specialist', displayName: 'Dilnoza Rahimova' });
    const { agent } = await signIn(t.app, u.username, u.password);
    await audit(t.db, { userId: specialist.id, action: 'recording.play', entityType: 'call', entityId: 42, ip: '10.0.0.5', details: { recordingId: 7, rendition: false } });
    await audit(t.db, { userId: specialist.id, action: 'evaluation.submit', entityType: 'evaluation', entityId: 9, details: { callId: 42, score: 94.4, heardShare: 0.8, complexCase: false } });
    const res = await agent.get('/admin/audit');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('<select id="action" name="action"').and.contain('<option value="recording.play" >Recording listened to</option>');
    expect(res.text).to.contain(`<a href="/admin/users/${specialist.id}/edit">Dilnoza Rahimova</a>`);
    expect(res.text).to.contain('<a href="/calls/42">Call #42</a>').and.contain('<a href="/evaluations/9">Evaluation #9</a>');
    expect(res.text).to.contain('Call: 42; Score: 94.4; Heard: 80 %; Complex case: No');
    expect(res.text).not.to.contain('{&#34;');
    const filtered = await agent.get('/admin/audit?action=evaluation.submit');
    expect(filtered.text).to.contain('Evaluation submitted').and.not.contain('<a href="/calls/42">');
  });
});
