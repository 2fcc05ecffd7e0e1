// Each bad input the issue names: a clear error, and nothing accepted is lost (across a restart too).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/app';
import type { AppDeps } from '../../../src/app-context';
import { createDbFromUrl, migrate } from '../../../src/db';
import { JobQueue } from '../../../src/jobs/queue';
import { buildBoard } from '../../../src/features/live/board';
import { createTestApp, signIn, testConfig, type TestApp } from '../../helpers/app';
import { at, count, ids, makeFloor, postEvents } from './events-fixtures';

describe('call events API: bad input', () => {
  let t: TestApp;
  let floor: Awaited<ReturnType<typeof makeFloor>>;
  let clockNow = new Date('2026-12-07T06:00:00.000Z');

  before(async () => {
    const base = testConfig();
    t = await createTestApp({ clock: () => clockNow, config: { events: { ...base.events, maxBatch: 5, ratePerSecond: 1, rateBurst: 3 } } });
    floor = await makeFloor(t.db);
  });
  after(() => t.close());
  // Each test gets a fresh token bucket by moving the clock? Buckets use real time: use a new token where it matters.
  async function freshToken(): Promise<string> {
    return (await makeFloor(t.db)).token;
  }

  it('malformed JSON is a 400 with a clear message, and nothing is stored', async () => {
    const before = await count(t.db, 'call_events');
    const res = await request(t.app).post('/api/v1/events').set('Authorization', `Bearer ${await freshToken()}`).set('content-type', 'application/json').send('{"events": [ {"id": "x", ');
    expect(res.status).to.equal(400);
    expect(res.body.error.key).to.equal('http.badJson.text');
    expect(await count(t.db, 'call_events')).to.equal(before);
  });

  it('a batch over EVENTS_MAX_BATCH is a 413 naming the limit, and nothing is stored', async () => {
    const id = ids();
    const before = await count(t.db, 'call_events');
    const events = Array.from({ length: 6 }, () => ({ id: id.event(), type: 'call.offered', at: clockNow.toISOString(), callId: id.call() }));
    const res = await postEvents(t.app, await freshToken(), { events });
    expect(res.status).to.equal(413);
    expect(res.body.error.key).to.equal('events.api.batchTooLarge');
    expect(res.body.error.message).to.contain('5');
    expect(await count(t.db, 'call_events')).to.equal(before);
  });

  it('one invalid event refuses its batch with the event and field named, nothing stored', async () => {
    const id = ids();
    const before = await count(t.db, 'call_events');
    const res = await postEvents(t.app, await freshToken(), { events: [{ id: id.event(), type: 'call.offered', at: clockNow.toISOString(), callId: id.call() }, { id: id.event(), type: 'call.ended', at: 'yesterday', callId: id.call(), reason: 'lost' }] });
    expect(res.status).to.equal(400);
    const fields = res.body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).to.include.members(['events[1].at', 'events[1].reason']);
    expect(await count(t.db, 'call_events')).to.equal(before);
  });

  it('a flood from one token gets 429 with Retry-After; another token is not slowed', async () => {
    const token = await freshToken();
    const id = ids();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await postEvents(t.app, token, { events: [{ id: id.event(), type: 'call.offered', at: clockNow.toISOString(), callId: id.call(String(i)) }] });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'];
    }
    expect(statuses.slice(0, 3)).to.deep.equal([201, 201, 201]);
    expect(statuses).to.include(429);
    expect(Number(retryAfter)).to.be.at.least(1);
    expect((await postEvents(t.app, await freshToken(), { events: [{ id: id.event(), type: 'call.offered', at: clockNow.toISOString(), callId: id.call('other') }] })).status).to.equal(201);
  });

  it('a platform clock minutes ahead is corrected by the batch\'s sentAt, so the call is not "in the future"', async () => {
    const id = ids();
    const ref = id.call();
    const ahead = 4 * 60 * 1000;
    const platformNow = new Date(clockNow.getTime() + ahead).toISOString();
    const res = await postEvents(t.app, await freshToken(), { sentAt: platformNow, events: [{ id: id.event(), type: 'call.offered', at: at(platformNow, -20), callId: ref }, { id: id.event(), type: 'call.answered', at: at(platformNow, -12), callId: ref, operatorCode: floor.operatorCode }] });
    expect(res.status).to.equal(201);
    expect(res.body.clockOffsetSec).to.equal(-240);
    const c = await t.db('calls').where({ external_id: ref }).first();
    expect(c.started_at).to.equal(at(clockNow.toISOString(), -20));
    expect(c.answered_at).to.equal(at(clockNow.toISOString(), -12));
    const ev = await t.db('call_events').where({ call_ref: ref, type: 'call.offered' }).first();
    expect(ev.platform_at).to.equal(at(platformNow, -20));
  });

  it('events for a call never received are held, then listed on /admin/events after EVENTS_HOLD_MINUTES', async () => {
    const id = ids('held');
    const ref = id.call();
    const eventId = id.event();
    const res = await postEvents(t.app, await freshToken(), { events: [{ id: eventId, type: 'call.answered', at: clockNow.toISOString(), callId: ref, operatorCode: floor.operatorCode }] });
    expect(res.body.held).to.equal(1);
    const { agent } = await signIn(t.app, floor.admin.username, floor.admin.password);
    expect((await agent.get('/admin/events')).text).not.to.contain(eventId);
    clockNow = new Date(clockNow.getTime() + (t.config.events.holdMinutes + 1) * 60000);
    const page = await agent.get('/admin/events');
    expect(page.text).to.contain(eventId);
    expect(page.text).to.contain(ref);
  });

  it('a stream that stops: the board says "no events since …"', () => {
    const lastEventAt = '2026-12-07T06:00:00.000Z';
    const settings = { callbackWithinMinutes: 5, cardIncompleteMinutes: 10, serviceLevelTarget: 90, abandonedAlertPercent: 10, queueAlert: 5, staleSeconds: 120 };
    const base = { settings, open: [], recent: [], dropped: [], callbacks: [], cards: [], complex: [], requests: [], states: [], directory: new Map(), lastEventAt, followupsOpen: 0, visibleOperatorIds: null, aggregatesOnly: false };
    expect(buildBoard({ ...base, now: new Date('2026-12-07T06:01:00.000Z') }).alerts.map((a) => a.key)).not.to.include('live.alert.stale');
    const stale = buildBoard({ ...base, now: new Date('2026-12-07T06:03:00.000Z') });
    expect(stale.stale).to.equal(true);
    expect(stale.alerts[0]).to.deep.include({ key: 'live.alert.stale', params: { since: lastEventAt } });
  });

  it('the board page shows "no events since" when the platform has gone quiet', async () => {
    const { agent } = await signIn(t.app, floor.admin.username, floor.admin.password);
    clockNow = new Date(clockNow.getTime() + 60 * 60000);
    const page = await agent.get('/live');
    expect(page.text).to.match(/No events since/);
  });
});

describe('call events: nothing accepted is lost across a restart', () => {
  it('held and applied events are still there after the app restarts, and a held event is applied when its call arrives', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-restart-'));
    const file = path.join(dir, 'restart.db');
    const logger = pino({ level: 'silent' });
    const boot = async () => {
      const db = createDbFromUrl(`sqlite:${file}`);
      await migrate(db);
      const deps: AppDeps = { config: testConfig(), db, logger, clock: () => new Date(), jobs: new JobQueue(db, { concurrency: 1, logger }) };
      return { db, app: createApp(deps, { sessionSecret: 'restart-secret-restart-secret-restart' }) };
    };
    try {
      const first = await boot();
      const floor = await makeFloor(first.db);
      const id = ids('restart');
      const ref = id.call();
      const T = '2026-12-07T05:00:00.000Z';
      const r = await postEvents(first.app, floor.token, { events: [{ id: id.event(), type: 'call.answered', at: at(T, 5), callId: ref, operatorCode: floor.operatorCode }, { id: id.event(), type: 'operator.state', at: T, operatorCode: floor.operatorCode, state: 'ready' }] });
      expect(r.body).to.include({ stored: 2, held: 1 });
      await first.db.destroy();

      const second = await boot();
      expect(await count(second.db, 'call_events')).to.equal(2);
      expect(await count(second.db, 'operator_states')).to.equal(1);
      await postEvents(second.app, floor.token, { events: [{ id: id.event(), type: 'call.offered', at: T, callId: ref }] });
      const c = await second.db('calls').where({ external_id: ref }).first();
      expect(c.answered_at).to.equal(at(T, 5));
      await second.db.destroy();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
