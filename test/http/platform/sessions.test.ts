// Sessions: stored only once there is something to keep, purged when expired, and a database that
// fails while a session is read costs that request a 503 — never the process.
import { expect } from 'chai';
import request from 'supertest';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { SESSION_PURGE_JOB } from '../../../src/http/session-store';
import { sessionPurgeTick } from '../../../src/features/platform';
import { Router } from 'express';
import { FEATURES } from '../../../src/features';

describe('sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());
  const sessions = async () => Number((await t.db('sessions').count({ n: '*' }).first())!.n);

  it('showing the sign-in page stores no session; signing in with its token stores one', async () => {
    await t.db('sessions').del();
    const agent = request.agent(t.app);
    for (let i = 0; i < 5; i++) {
      const page = await agent.get('/login');
      expect(page.status).to.equal(200);
      expect(String(page.headers['set-cookie'] ?? '')).not.to.contain('sifat.sid');
    }
    expect(await sessions()).to.equal(0);
    expect((await request(t.app).get('/no/such/page')).status).to.equal(404);
    expect(await sessions(), 'an anonymous error page stores none either').to.equal(0);
    const u = await makeUser(t.db, { role: 'specialist' });
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ username: u.username, password: u.password, _csrf: csrfFrom(page.text) });
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/');
    expect(await sessions()).to.equal(1);
    expect((await agent.get('/')).status).to.equal(200);
  });

  it("the sign-in form's token works only with the browser cookie it was made for", async () => {
    const u = await makeUser(t.db, { role: 'specialist' });
    const mine = request.agent(t.app);
    const token = csrfFrom((await mine.get('/login')).text);
    const other = request.agent(t.app);
    await other.get('/login'); // a cookie of its own
    const before = await sessions();
    expect((await other.post('/login').type('form').send({ username: u.username, password: u.password, _csrf: token })).status).to.equal(403);
    expect((await request(t.app).post('/login').type('form').send({ username: u.username, password: u.password, _csrf: token })).status, 'no cookie at all').to.equal(403);
    expect((await mine.post('/login').type('form').send({ username: u.username, password: u.password, _csrf: `${token.slice(0, -2)}xx` })).status, 'a forged token').to.equal(403);
    expect(await sessions()).to.equal(before);
    expect((await mine.post('/login').type('form').send({ username: u.username, password: u.password, _csrf: token })).status).to.equal(302);
  });

  it('a signed-in user must use the session token: the anonymous one is not accepted any more', async () => {
    const u = await makeUser(t.db, { role: 'specialist' });
    const agent = request.agent(t.app);
    const anonymous = csrfFrom((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ username: u.username, password: u.password, _csrf: anonymous });
    expect((await agent.post('/language').type('form').send({ language: 'ru', _csrf: anonymous })).status).to.equal(403);
    const signedIn = csrfFrom((await agent.get('/')).text);
    expect(signedIn).not.to.equal(anonymous);
    expect((await agent.post('/language').type('form').send({ language: 'ru', _csrf: signedIn })).status).to.equal(302);
  });

  it('an anonymous visitor choosing a language gets a session, since now there is something to keep', async () => {
    await t.db('sessions').del();
    const agent = request.agent(t.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const res = await agent.post('/language').type('form').send({ language: 'ru', back: '/login', _csrf: token });
    expect(res.status).to.equal(302);
    expect(await sessions()).to.equal(1);
    expect((await agent.get('/login')).text).to.contain('lang="ru"');
  });

  it('expired sessions are deleted by the hourly purge job, live ones kept, one job per hour whatever the instances', async () => {
    await t.db('sessions').del();
    const past = new Date(Date.now() - 3600_000).toISOString();
    const future = new Date(Date.now() + 3600_000).toISOString();
    const sess = JSON.stringify({ cookie: { originalMaxAge: 1000 } });
    await t.db('sessions').insert([
      { sid: 'old-1', sess, expired: past },
      { sid: 'old-2', sess, expired: past },
      { sid: 'live', sess, expired: future },
    ]);
    const now = new Date();
    await sessionPurgeTick(t)(now);
    await sessionPurgeTick(t)(new Date(now.getTime() + 1000)); // a second instance, same hour
    expect(await t.db('jobs').where({ type: SESSION_PURGE_JOB })).to.have.length(1);
    await t.jobs.drain();
    expect((await t.db('sessions').pluck('sid')).sort()).to.deep.equal(['live']);
    expect(JSON.parse((await t.db('jobs').where({ type: SESSION_PURGE_JOB }).first()).result)).to.deep.equal({ purged: 2 });
  });

  it('a database error while a signed-in session is read answers 503 in the language of the service, and the process keeps serving', async () => {
    const u = await makeUser(t.db, { role: 'specialist' });
    const { agent } = await signIn(t.app, u.username, u.password);
    const proto = ConnectSessionKnexStore.prototype as unknown as { get: (sid: unknown, cb?: (e: unknown) => void) => Promise<unknown> };
    const original = proto.get;
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    // What the library does when PostgreSQL is gone: report the error to the callback, then rethrow it.
    proto.get = async function (_sid: unknown, cb?: (e: unknown) => void) {
      const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      cb?.(err);
      throw err;
    };
    try {
      const res = await agent.get('/');
      expect(res.status).to.equal(503);
      expect(res.headers['retry-after']).to.equal('5');
      expect(res.text).to.contain("ma'lumotlar bazasiga ulana olmayapti");
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections, 'no unhandled rejection (Node would exit on it)').to.have.length(0);
    } finally {
      proto.get = original;
      process.off('unhandledRejection', onRejection);
    }
    expect((await agent.get('/')).status, 'the same session works once the database is back').to.equal(200);
  });
});

describe('a database that goes away in the middle of a page', () => {
  let t: TestApp;
  before(async () => {
    const failing = {
      name: 'test-outage',
      routes: () =>
        Router().get('/test/outage', () => {
          throw Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
        }),
    };
    t = await createTestApp({ features: [...FEATURES, failing] });
  });
  after(() => t.close());

  it('answers a finished 503 page in the user\'s language with Retry-After, not a 500', async () => {
    const u = await makeUser(t.db, { role: 'specialist', language: 'ru' });
    const { agent } = await signIn(t.app, u.username, u.password);
    const res = await agent.get('/test/outage');
    expect(res.status).to.equal(503);
    expect(res.headers['retry-after']).to.equal('5');
    expect(res.text).to.contain('<h1>Временно недоступно</h1>').and.contain('не может связаться со своей базой данных');
    const json = await agent.get('/test/outage').set('accept', 'application/json');
    expect(json.status).to.equal(503);
    expect(json.body.error.key).to.equal('platform.unavailable.text');
  });
});
