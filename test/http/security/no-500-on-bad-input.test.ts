// No route answers a malformed request with a server error. The routes come from the app's router and
// the parameter names from the code that reads them, so routes and fields added later are covered:
// every route, as every role, gets wrong content types, repeated and overlong parameters, bodies of
// the wrong shape and broken path parameters — and must answer 2xx/3xx/4xx, never 5xx.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { ROOT_DIR } from '../../../src/config';
import { createTestApp, type TestApp, type Agent } from '../../helpers/app';
import { concretePath, headersOnly, listRoutes, seedDemo, signInDemoRoles, STATE_CHANGING, STREAMING_PATHS, type AppRoute } from '../../helpers/routes';

/** Names the code reads from queries, bodies and zod schemas. */
function parameterNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !p.includes(`${path.sep}client${path.sep}`)) {
        const src = fs.readFileSync(p, 'utf8');
        for (const m of src.matchAll(/\b(?:query|body|b|q)\.([a-zA-Z_]\w{0,40})\b/g)) names.add(m[1]!);
        for (const m of src.matchAll(/^\s+([a-zA-Z_]\w{0,40}): z\./gm)) names.add(m[1]!);
      }
    }
  };
  walk(path.join(ROOT_DIR, 'src'));
  for (const n of ['from', 'to', 'page', 'q', 'next', '_csrf']) names.add(n);
  return [...names].filter((n) => !['length', 'then', 'constructor'].includes(n)).sort();
}

const NAMES = parameterNames();
const LONG = 'x'.repeat(20_000);
const ODD = ['', ' ', '\u0000', '-1', '1e309', 'NaN', '2026-02-30', '../../etc/passwd', '<script>', '\u202Eevil', '9'.repeat(40), '%', 'true'];

function repeatedQuery(): string {
  return NAMES.map((n) => `${encodeURIComponent(n)}=a&${encodeURIComponent(n)}=b`).join('&');
}
function oddQuery(i: number): string {
  return NAMES.map((n, k) => `${encodeURIComponent(n)}=${encodeURIComponent(ODD[(k + i) % ODD.length]!)}`).join('&');
}
function longQuery(): string {
  return NAMES.slice(0, 40).map((n) => `${encodeURIComponent(n)}=${LONG.slice(0, 2000)}`).join('&');
}
function nestedQuery(): string {
  return NAMES.map((n) => `${encodeURIComponent(n)}[a]=1&${encodeURIComponent(n)}[]=2`).join('&');
}

/** Bodies of the wrong shape: every known field as an array, an object, a number, an odd or overlong string. */
function wrongShapes(): Record<string, unknown>[] {
  const as = (v: (k: number) => unknown) => Object.fromEntries(NAMES.map((n, k) => [n, v(k)]));
  return [as(() => ['a', 'b']), as(() => ({ a: { b: 1 } })), as((k) => k), as((k) => ODD[k % ODD.length]), as(() => LONG), as(() => null)];
}

const MANY_FIELDS = Array.from({ length: 6000 }, (_, i) => `f${i}=1`).join('&');
const BAD_PARAMS = ['abc', '0', '-1', '1.5', '99999999999999999999', '%E0%A4%A', '1%00', '..%2F..%2Fetc'];

type Send = (agent: Agent, method: string, url: string) => request.Test;
interface Variant {
  name: string;
  url: string;
  send: Send;
  /** Costly to build and refused by the parsers whoever sends it: tried as one role only. */
  oneRole?: boolean;
}

/**
 * Malformed requests for one route. `thorough` adds the ones the body parsers refuse before any
 * route runs (the same for every route, so tried on a few routes only, to keep the test quick).
 */
function variants(route: AppRoute, thorough: boolean): Variant[] {
  const url = concretePath(route.path);
  const out: Variant[] = [];
  const badParams = thorough ? BAD_PARAMS : ['abc', '%E0%A4%A'];
  const withParam = (p: string) => concretePath(route.path, p).replace(encodeURIComponent(p), p);
  if (!STATE_CHANGING.includes(route.method)) {
    const get = (name: string, u: string, headers: Record<string, string> = {}) => out.push({ name, url: u, send: (a, m, x) => a[m.toLowerCase() as 'get'](x).set(headers) });
    get('repeated query parameters', `${url}?${repeatedQuery()}`);
    get('odd query values, JSON wanted', `${url}?${oddQuery(0)}`, { accept: 'application/json' });
    get('overlong query values and bracketed names, a Range past the end', `${url}?${longQuery()}&${nestedQuery()}`, { range: 'bytes=99999999-' });
    if (thorough) {
      get('odd query values (shifted)', `${url}?${oddQuery(5)}`, { range: 'bytes=5-2,x' });
      get('bracketed query names', `${url}?${nestedQuery()}`);
    }
    if (route.path.includes(':')) for (const p of badParams) get(`path parameter ${p}`, withParam(p));
    return out;
  }
  const post = (name: string, u: string, build: (r: request.Test) => request.Test) => out.push({ name, url: u, send: (a, m, x) => build(a[m.toLowerCase() as 'post'](x)) });
  const shapes = wrongShapes();
  post('text/plain body', url, (r) => r.set('content-type', 'text/plain').send('username=a&password=b'));
  post('JSON array body', url, (r) => r.type('json').send(JSON.stringify([1, 2, 3])));
  for (const [i, body] of shapes.slice(0, thorough ? shapes.length : 3).entries()) post(`JSON fields of the wrong shape #${i}`, url, (r) => r.type('json').send(body as object));
  post('urlencoded repeated fields', url, (r) => r.type('form').send(repeatedQuery()));
  post('multipart fields', url, (r) => NAMES.slice(0, 30).reduce((acc, n) => acc.field(n, 'x'), r));
  if (route.path.includes(':')) for (const p of badParams) post(`path parameter ${p}`, withParam(p), (r) => r.type('form').send({}));
  if (thorough) {
    post('XML body', url, (r) => r.set('content-type', 'application/xml').send('<a><b/></a>'));
    post('no body at all', url, (r) => r);
    post('JSON with a bad charset', url, (r) => r.set('content-type', 'application/json; charset=koi8-r').send('{}'));
    post('broken JSON', url, (r) => r.set('content-type', 'application/json').send('{"a":'));
    post('urlencoded bracketed names', url, (r) => r.type('form').send(nestedQuery()));
    post('urlencoded odd values', url, (r) => r.type('form').send(oddQuery(3)));
    out.push({ name: 'urlencoded with more than 5,000 fields', url, oneRole: true, send: (a, m, x) => a[m.toLowerCase() as 'post'](x).type('form').send(MANY_FIELDS) });
    out.push({ name: 'multipart with more than 5,000 fields', url, oneRole: true, send: (a, m, x) => MANY_FIELDS.split('&').slice(0, 5100).reduce((acc, kv) => acc.field(kv.split('=')[0]!, '1'), a[m.toLowerCase() as 'post'](x)) });
  }
  return out;
}

function isRefusal(res: request.Response): boolean {
  return res.status === 401 || (res.status === 403 && !String(res.text).includes('csrf')) || (res.status === 302 && String(res.headers.location).startsWith('/login'));
}

/** Routes that get every variant: the upload routes (they parse multipart themselves) and a few plain forms. */
function isThorough(route: AppRoute): boolean {
  return ['/calls/upload', '/rubrics/import', '/admin/imports', '/training/:id/materials', '/api/v1/calls', '/login', '/admin/users', '/errors/analysis', '/calls/:id/audio'].includes(route.path);
}

describe('no server error on bad input, on any route, as any role', function () {
  this.timeout(300_000);
  let t: TestApp;
  let agents: Awaited<ReturnType<typeof signInDemoRoles>>;
  before(async () => {
    t = await createTestApp();
    // Thousands of page renders: compile each template once, as production does.
    t.app.set('view cache', true);
    await seedDemo(t);
    agents = await signInDemoRoles(t.app);
  });
  after(() => t.close());

  it('reads parameter names from the code (so new fields are tried too)', () => {
    expect(NAMES).to.include.members(['from', 'to', 'username', 'password']);
    expect(NAMES.length).to.be.greaterThan(80);
  });

  it('every route answers malformed requests without a 5xx, for every role and none', async () => {
    // Signing out last, so the other requests keep their sessions.
    const routes = listRoutes(t.app).sort((a, b) => Number(a.path === '/logout') - Number(b.path === '/logout'));
    const failures: string[] = [];
    for (const route of routes) {
      for (const [role, who] of [...Object.entries(agents), ['anonymous', null]] as [string, { agent: Agent; csrf: () => Promise<string> } | null][]) {
        const agent = who?.agent ?? (request(t.app) as unknown as Agent);
        for (const v of variants(route, isThorough(route))) {
          if (v.oneRole && role !== 'admin') continue;
          // An event stream answers 200 and stays open: only its status matters here.
          if (route.method === 'GET' && STREAMING_PATHS.has(route.path)) {
            const res = await headersOnly(v.send(agent, route.method, v.url));
            if (res.status >= 500) failures.push(`${route.method} ${v.url.slice(0, 80)} — ${v.name} as ${role}: ${res.status}`);
            continue;
          }
          let test = v.send(agent, route.method, v.url);
          if (who && STATE_CHANGING.includes(route.method)) test = test.set('x-csrf-token', await csrfOf(role, who));
          const res = await test;
          if (res.status >= 500) failures.push(`${route.method} ${v.url.slice(0, 80)} — ${v.name} as ${role}: ${res.status}`);
          // A role the route refuses is refused before anything reads the request: one try is enough
          // (what the body parsers do before routing is tried on the thorough routes).
          if (!isThorough(route) && isRefusal(res)) break;
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  const tokens = new Map<string, string>();
  async function csrfOf(role: string, who: { csrf: () => Promise<string> }): Promise<string> {
    if (!tokens.has(role)) tokens.set(role, await who.csrf());
    return tokens.get(role)!;
  }
});
