import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, signIn, testConfig, type TestApp } from '../../helpers/app';
import { makeUser, makeOperator, makeTeam } from '../../helpers/builders';
import { openStream, signInCookie, type SseMessage } from '../../../src/features/live/sse-client';
import { at, ids, makeFloor, postEvents } from '../events/events-fixtures';

function listen(app: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) })));
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('live board (/live, /live/stream)', () => {
  let t: TestApp;
  let floor: Awaited<ReturnType<typeof makeFloor>>;
  let server: { url: string; close(): Promise<void> };
  let specialist: { username: string; password: string };
  const now = () => new Date();

  before(async () => {
    t = await createTestApp({ config: { live: { ...testConfig().live, pollMs: 200 } } });
    floor = await makeFloor(t.db);
    specialist = await makeUser(t.db, { role: 'specialist' });
    server = await listen(t.app);
  });
  after(async () => {
    await server.close();
    await t.close();
  });

  it('shows the floor to supervisors and specialists; leadership sees figures without operators or calls; operators are refused', async () => {
    const id = ids('page');
    const ref = id.call();
    const T = new Date(Date.now() - 30000).toISOString();
    await postEvents(t.app, floor.token, { events: [
      { id: id.event(), type: 'operator.state', at: T, operatorCode: floor.operatorCode, state: 'ready' },
      { id: id.event(), type: 'call.offered', at: T, callId: ref },
      { id: id.event(), type: 'call.answered', at: at(T, 4), callId: ref, operatorCode: floor.operatorCode },
    ] });
    const sup = await signIn(t.app, floor.supervisor.username, floor.supervisor.password);
    const page = await sup.agent.get('/live');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(floor.operatorCode);
    expect(page.text).to.contain(ref);
    const lead = await makeUser(t.db, { role: 'leadership' });
    const l = await signIn(t.app, lead.username, lead.password);
    const lp = await l.agent.get('/live');
    expect(lp.status).to.equal(200);
    expect(lp.text).not.to.contain(floor.operatorCode);
    expect(lp.text).not.to.contain(ref);
    const opUser = await makeUser(t.db, { role: 'operator' });
    const o = await signIn(t.app, opUser.username, opUser.password);
    expect((await o.agent.get('/live')).status).to.equal(403);
    expect((await request(t.app).get('/live/stream').set('accept', 'application/json')).status).to.equal(401);
  });

  it('a supervisor sees only their own teams\' operators on the board', async () => {
    const otherTeam = await makeTeam(t.db, {});
    const stranger = await makeOperator(t.db, { teamId: otherTeam, code: `ZZ-${Date.now() % 100000}` });
    const code = (await t.db('operators').where({ id: stranger }).first()).employee_code as string;
    const id = ids('vis');
    await postEvents(t.app, floor.token, { events: [{ id: id.event(), type: 'operator.state', at: new Date(Date.now() - 5000).toISOString(), operatorCode: code, state: 'ready' }] });
    const sup = await signIn(t.app, floor.supervisor.username, floor.supervisor.password);
    expect((await sup.agent.get('/live')).text).not.to.contain(code);
    const spec = await signIn(t.app, specialist.username, specialist.password);
    expect((await spec.agent.get('/live')).text).to.contain(code);
  });

  it('an event accepted reaches an open board as an item with its sequence, and a board update follows', async () => {
    const cookie = await signInCookie(server.url, specialist.username, specialist.password);
    const got: SseMessage[] = [];
    const conn = openStream(`${server.url}/live/stream`, cookie, (m) => got.push(m));
    await until(() => got.some((m) => m.event === 'board'));
    const id = ids('sse');
    const eventId = id.event();
    await postEvents(t.app, floor.token, { events: [{ id: eventId, type: 'call.offered', at: now().toISOString(), callId: id.call() }] });
    await until(() => got.some((m) => m.event === 'item' && JSON.parse(m.data).eventId === eventId));
    const item = got.find((m) => m.event === 'item' && JSON.parse(m.data).eventId === eventId)!;
    const seq = (await t.db('call_events').where({ event_id: eventId }).first()).id;
    expect(item.id).to.equal(String(seq));
    const boardsBefore = got.filter((m) => m.event === 'board').length;
    await until(() => got.filter((m) => m.event === 'board').length > boardsBefore);
    conn.close();
  });

  it('after a dropped connection a board catches up from Last-Event-ID: every missed item once, nothing repeated', async () => {
    const cookie = await signInCookie(server.url, specialist.username, specialist.password);
    const first: SseMessage[] = [];
    const c1 = openStream(`${server.url}/live/stream`, cookie, (m) => first.push(m));
    await until(() => first.some((m) => m.event === 'board'));
    const id = ids('gap');
    const before = id.event();
    await postEvents(t.app, floor.token, { events: [{ id: before, type: 'call.offered', at: now().toISOString(), callId: id.call('a') }] });
    await until(() => first.some((m) => m.event === 'item' && JSON.parse(m.data).eventId === before));
    const lastId = [...first].reverse().find((m) => m.id)!.id;
    c1.close();
    await c1.closed;
    const missed = [id.event(), id.event(), id.event()];
    for (const [i, eid] of missed.entries()) await postEvents(t.app, floor.token, { events: [{ id: eid, type: 'call.offered', at: now().toISOString(), callId: id.call(`m${i}`) }] });
    const second: SseMessage[] = [];
    const c2 = openStream(`${server.url}/live/stream`, cookie, (m) => second.push(m), lastId);
    await until(() => second.some((m) => m.event === 'board'));
    const items = second.filter((m) => m.event === 'item').map((m) => JSON.parse(m.data).eventId as string);
    expect(items).to.deep.equal(missed);
    c2.close();
  });

  it('a supervisor takes a complex case from the board; it is audited and shown as taken', async () => {
    const id = ids('cx');
    const ref = id.call();
    const T = new Date(Date.now() - 60000).toISOString();
    await postEvents(t.app, floor.token, { events: [
      { id: id.event(), type: 'call.offered', at: T, callId: ref },
      { id: id.event(), type: 'call.answered', at: at(T, 3), callId: ref, operatorCode: floor.operatorCode },
      { id: id.event(), type: 'complex.raised', at: at(T, 20), callId: ref, operatorCode: floor.operatorCode, note: 'Garov holati' },
    ] });
    const sup = await signIn(t.app, floor.supervisor.username, floor.supervisor.password);
    const page = await sup.agent.get('/live');
    expect(page.text).to.contain('Garov holati');
    const caseId = (await t.db('complex_cases as x').join('calls as c', 'c.id', 'x.call_id').where('c.external_id', ref).first('x.id')).id;
    const res = await sup.agent.post(`/live/complex/${caseId}/take`).type('form').send({ _csrf: await sup.csrf() });
    expect(res.status).to.equal(302);
    const row = await t.db('complex_cases').where({ id: caseId }).first();
    expect(Number(row.taken_by)).to.equal(floor.supervisor.id);
    expect(await t.db('audit_log').where({ action: 'complexCase.take' }).first()).to.not.equal(undefined);
    const spec = await signIn(t.app, specialist.username, specialist.password);
    expect((await spec.agent.post(`/live/complex/${caseId}/take`).type('form').send({ _csrf: await spec.csrf() })).status).to.equal(403);
  });
});
