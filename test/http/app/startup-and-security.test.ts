import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { ROOT_DIR } from '../../../src/config';
import { createTestApp, TestApp, signIn } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';

describe('starting the server', () => {
  it('refuses to start with a malformed DATABASE_URL, says which setting, and exits non-zero', function () {
    this.timeout(30000);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'src/server.ts')], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://nope', PORT: '0' },
      encoding: 'utf8',
      timeout: 25000,
    });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('DATABASE_URL');
    expect(r.stdout).not.to.contain('running at');
  });
});

describe('security basics', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('/healthz says the process is alive and /readyz that the database is reachable', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
    expect((await request(t.app).get('/readyz')).body.checks.database).to.equal('ok');
  });

  it('sends security headers, with a Content-Security-Policy that allows only our own scripts', async () => {
    const res = await request(t.app).get('/login');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });

  it('an unknown page is a localised 404 page with status 404 and no stack trace', async () => {
    const u = await makeUser(t.db, { role: 'specialist', language: 'ru' });
    const { agent } = await signIn(t.app, u.username, u.password);
    const res = await agent.get('/no/such/page');
    expect(res.status).to.equal(404);
    expect(res.text).to.contain('Страница не найдена');
    expect(res.text).not.to.match(/at .*\.ts:\d+/);
  });

  it('under /api a refusal is JSON with the status', async () => {
    const res = await request(t.app).get('/api/v1/nothing-here').set('accept', 'application/json');
    expect(res.status).to.equal(404);
    expect(res.body.error.status).to.equal(404);
  });

  it('an oversized form body is refused with 413 and changes nothing', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const { agent, csrf } = await signIn(t.app, admin.username, admin.password);
    const before = await t.db('users').count({ n: '*' }).first();
    const res = await agent.post('/admin/users').type('form').send({ _csrf: await csrf(), username: 'bigbody', displayName: 'x'.repeat(400 * 1024), role: 'specialist', language: 'uz', password: 'long-enough-password' });
    expect(res.status).to.equal(413);
    const after = await t.db('users').count({ n: '*' }).first();
    expect(Number(after!.n)).to.equal(Number(before!.n));
  });

  it('a state-changing request without the CSRF token is refused and changes nothing', async () => {
    const admin = await makeUser(t.db, { role: 'admin' });
    const { agent } = await signIn(t.app, admin.username, admin.password);
    const res = await agent.post('/admin/users').type('form').send({ username: 'nocsrf', displayName: 'No Csrf', role: 'specialist', language: 'uz', password: 'long-enough-password' });
    expect(res.status).to.equal(403);
    expect(await t.db('users').where({ username: 'nocsrf' }).first()).to.equal(undefined);
  });
});
