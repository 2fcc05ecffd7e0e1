// Every state-changing route, whatever the body's content type, refuses a request without a valid
// CSRF token and changes nothing. The routes come from the app's router, so a route added later is
// covered without touching this file.
import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, type TestApp, type Agent } from '../../helpers/app';
import { changedTables, concretePath, fingerprint, listRoutes, seedDemo, signInDemoRoles, STATE_CHANGING, type DemoRole } from '../../helpers/routes';
import { createApiToken } from '../../../src/features/calls/api-tokens.service';
import { synthesizeCallWav } from '../../../src/features/media/synth';

const makeWav = (o: { seconds: number }) => synthesizeCallWav({ seed: 5, durationSec: o.seconds });

const FIELDS = { username: 'csrf-probe', displayName: 'CSRF probe', password: 'csrf-probe-password', role: 'admin', language: 'en', name: 'CSRF probe', reason: 'probe', note: 'probe', isActive: '1' };
const FILE_FIELDS = ['recording', 'file', 'manifest', 'recordings', 'material', 'card'];

type Kind = 'urlencoded' | 'json' | 'multipart';

function send(agent: Agent | ReturnType<typeof request>, method: string, url: string, kind: Kind, csrf?: string) {
  const verb = method.toLowerCase() as 'post' | 'put' | 'patch' | 'delete';
  const req = (agent as Agent)[verb](url);
  const fields = csrf ? { ...FIELDS, _csrf: csrf } : FIELDS;
  if (kind === 'urlencoded') return req.type('form').send(fields);
  if (kind === 'json') return req.type('json').send(fields);
  let r = req;
  for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
  for (const name of FILE_FIELDS) r = r.attach(name, makeWav({ seconds: 0.5 }), { filename: `${name}.wav`, contentType: 'audio/wav' });
  return r;
}

describe('CSRF on every state-changing route, whatever the content type', function () {
  this.timeout(120_000);
  let t: TestApp;
  let agents: Awaited<ReturnType<typeof signInDemoRoles>>;
  let tokenId: number;
  let apiToken: string;
  let adminId: number;
  before(async () => {
    t = await createTestApp();
    await seedDemo(t);
    agents = await signInDemoRoles(t.app);
    const admin = await t.db('users').where({ username: 'admin' }).first('id');
    adminId = admin.id;
    const created = await createApiToken(t, { name: 'telephony' }, { userId: adminId });
    tokenId = created.id;
    apiToken = created.token;
  });
  after(() => t.close());

  it('finds the state-changing routes to check in the router (also those added later)', () => {
    const routes = listRoutes(t.app).filter((r) => STATE_CHANGING.includes(r.method));
    expect(routes.length).to.be.greaterThan(60);
    expect(routes.map((r) => `${r.method} ${r.path}`)).to.include('POST /admin/api-tokens/:id/revoke');
  });

  it('POST /admin/api-tokens/:id/revoke sent as multipart without a token is refused and the token stays valid', async () => {
    const res = await agents.admin.agent.post(`/admin/api-tokens/${tokenId}/revoke`).field('confirm', '1');
    expect(res.status).to.equal(403);
    const row = await t.db('api_tokens').where({ id: tokenId }).first();
    expect(row.revoked_at).to.equal(null);
  });

  it('every POST/PUT/PATCH/DELETE, sent urlencoded, JSON or multipart without a token, by any role or none, is refused with 403 and changes nothing', async () => {
    const routes = listRoutes(t.app).filter((r) => STATE_CHANGING.includes(r.method) && !r.path.startsWith('/api/v1/'));
    const before = await fingerprint(t.db);
    const wrong: string[] = [];
    const who: [DemoRole | 'anonymous', Agent | null][] = [['anonymous', null], ...(Object.entries(agents) as [DemoRole, { agent: Agent }][]).map(([role, a]) => [role, a.agent] as [DemoRole, Agent])];
    for (const route of routes) {
      const url = concretePath(route.path);
      for (const kind of ['urlencoded', 'json', 'multipart'] as Kind[]) {
        for (const [role, agent] of who) {
          const res = await send(agent ?? request(t.app), route.method, url, kind);
          // Without a session the role guard may answer first: sent to sign in, which is a refusal too.
          const refused = res.status === 403 || (role === 'anonymous' && res.status === 302 && String(res.headers.location).startsWith('/login'));
          if (!refused) wrong.push(`${route.method} ${url} ${kind} as ${role}: ${res.status}`);
        }
      }
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    expect(changedTables(before, await fingerprint(t.db))).to.deep.equal([]);
  });

  it('with a valid token in the header, a multipart body on a route that takes no files is refused (415) before anything runs', async () => {
    const csrf = await agents.admin.csrf();
    const res = await agents.admin.agent.post(`/admin/api-tokens/${tokenId}/revoke`).set('x-csrf-token', csrf).field('x', '1');
    expect(res.status).to.equal(415);
    expect((await t.db('api_tokens').where({ id: tokenId }).first()).revoked_at).to.equal(null);
  });

  it('a form with its token still works (the check refuses only what it should)', async () => {
    const other = await createApiToken(t, { name: 'to revoke' }, { userId: adminId });
    const res = await agents.admin.agent.post(`/admin/api-tokens/${other.id}/revoke`).type('form').send({ _csrf: await agents.admin.csrf() });
    expect(res.status).to.equal(302);
    expect((await t.db('api_tokens').where({ id: other.id }).first()).revoked_at).to.not.equal(null);
  });

  it('token-authenticated /api/v1 routes take no CSRF token but refuse a cookie session without an API token (401), changing nothing', async () => {
    const routes = listRoutes(t.app).filter((r) => STATE_CHANGING.includes(r.method) && r.path.startsWith('/api/v1/'));
    expect(routes.length).to.be.greaterThan(0);
    const before = await fingerprint(t.db);
    for (const route of routes) {
      for (const kind of ['urlencoded', 'json', 'multipart'] as Kind[]) {
        for (const { agent } of Object.values(agents)) {
          const res = await send(agent, route.method, concretePath(route.path), kind);
          expect(res.status, `${route.method} ${route.path} ${kind}`).to.equal(401);
        }
      }
    }
    expect(changedTables(before, await fingerprint(t.db))).to.deep.equal([]);
    // The same door with the API token opens (the refusal was about the missing token).
    const ok = await request(t.app).post('/api/v1/calls').set('authorization', `Bearer ${apiToken}`).field('metadata', JSON.stringify({ externalId: 'csrf-api-1', startedAt: '2026-11-20T10:00:00Z', operatorCode: 'OP-101', language: 'uz' })).attach('recording', makeWav({ seconds: 1 }), { filename: 'a.wav' });
    expect(ok.status).to.equal(201);
  });
});
