// A browser follows a redirect as soon as its headers arrive. The session the redirecting request
// changed (a flash message, the language) must be saved before then, or a slow save lets the next
// page load the old session: the flash then shows a page late (seen under load on PostgreSQL).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';

type SetFn = (sid: string, sess: unknown, cb?: (err?: unknown) => void) => unknown;

describe('the session is saved before a redirect leaves', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('the redirect after switching language is sent only once the flash is stored, and the next page shows it', async () => {
    const u = await makeUser(t.db, { role: 'specialist', language: 'en' });
    const { agent, csrf } = await signIn(t.app, u.username, u.password);
    const token = await csrf();
    const home = await agent.get('/');
    const cookie = String(home.headers['set-cookie']?.[0] ?? '').split(';')[0];
    expect(cookie).to.match(/^sifat\.sid=/);

    // A slow session store: every save takes 300 ms.
    const proto = ConnectSessionKnexStore.prototype as unknown as { set: SetFn };
    const original = proto.set;
    let savedAt = 0;
    proto.set = function (this: unknown, sid, sess, cb) {
      setTimeout(() => void original.call(this, sid, sess, (err) => {
        savedAt = performance.now();
        cb?.(err);
      }), 300);
    };
    const server = t.app.listen(0, '127.0.0.1');
    try {
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as AddressInfo;
      const body = new URLSearchParams({ language: 'ru', back: '/', _csrf: token }).toString();
      const response = await new Promise<{ status: number; location: string; headersAt: number }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/language', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
          resolve({ status: res.statusCode ?? 0, location: String(res.headers.location), headersAt: performance.now() });
          res.resume();
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(response.status).to.equal(302);
      expect(response.location).to.equal('/');
      expect(savedAt, 'the session was saved').to.be.greaterThan(0);
      expect(response.headersAt, 'the redirect left after the save').to.be.greaterThan(savedAt);
    } finally {
      proto.set = original;
      await new Promise((r) => server.close(r));
    }
    const next = await agent.get('/');
    expect(next.text).to.contain('flash-success').and.contain('lang="ru"');
  });

  it('an anonymous visitor\'s redirect to the sign-in page stores no session', async () => {
    const before = await t.db('sessions').count({ n: '*' }).first().then((r) => Number(r?.n));
    const res = await (await import('supertest')).default(t.app).get('/calls');
    expect(res.status).to.equal(302);
    expect(await t.db('sessions').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(before);
  });
});
