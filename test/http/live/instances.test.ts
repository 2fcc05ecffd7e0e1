// Two app instances on one database, as a national deployment runs them: an event accepted by one
// reaches a board open on the other. PostgreSQL: through LISTEN/NOTIFY (polling set to a minute, so
// only the notification can deliver in time). SQLite: two handles on one file, through polling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../../src/app';
import type { AppDeps } from '../../../src/app-context';
import { createDbFromUrl, migrate } from '../../../src/db';
import { JobQueue } from '../../../src/jobs/queue';
import { openStream, signInCookie, type SseMessage } from '../../../src/features/live/sse-client';
import { createTestDb, isPgRun, testConfig, type TestDb } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { ids, makeFloor, postEvents } from '../events/events-fixtures';

function instance(db: Knex, pollMs: number) {
  const config = testConfig();
  const logger = pino({ level: 'silent' });
  const deps: AppDeps = { config: { ...config, live: { ...config.live, pollMs } }, db, logger, clock: () => new Date(), jobs: new JobQueue(db, { concurrency: 1, logger }) };
  const server = http.createServer(createApp(deps, { sessionSecret: 'two-instances-secret-two-instances' }));
  return new Promise<{ app: http.Server; url: string; close(): Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ app: server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) }),
    ),
  );
}

describe('live board across two app instances on one database', () => {
  let testDb: TestDb | null = null;
  let dbA: Knex;
  let dbB: Knex;
  let file: string | null = null;

  before(async () => {
    if (isPgRun()) {
      testDb = await createTestDb();
      dbA = testDb.db;
      dbB = knexFactory(testDb.db.client.config as Knex.Config);
    } else {
      file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-live-')), 'two.db');
      dbA = createDbFromUrl(`sqlite:${file}`);
      await migrate(dbA);
      dbB = createDbFromUrl(`sqlite:${file}`);
    }
  });
  after(async () => {
    await dbB.destroy();
    if (testDb) await testDb.destroy();
    else await dbA.destroy();
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('an event accepted by instance B is shown on a board connected to instance A, once', async () => {
    const pollMs = isPgRun() ? 60000 : 200;
    const a = await instance(dbA, pollMs);
    const b = await instance(dbB, pollMs);
    try {
      const floor = await makeFloor(dbA);
      const viewer = await makeUser(dbA, { role: 'specialist' });
      const cookie = await signInCookie(a.url, viewer.username, viewer.password);
      const got: SseMessage[] = [];
      const conn = openStream(`${a.url}/live/stream`, cookie, (m) => got.push(m));
      const deadline = Date.now() + 5000;
      while (!got.some((m) => m.event === 'board') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const id = ids('two');
      const eventId = id.event();
      const res = await postEvents(b.app as unknown as Parameters<typeof postEvents>[0], floor.token, { events: [{ id: eventId, type: 'call.offered', at: new Date().toISOString(), callId: id.call() }] });
      expect(res.status).to.equal(201);
      const sent = Date.now();
      while (!got.some((m) => m.event === 'item' && JSON.parse(m.data).eventId === eventId) && Date.now() - sent < 5000) await new Promise((r) => setTimeout(r, 10));
      const items = got.filter((m) => m.event === 'item' && JSON.parse(m.data).eventId === eventId);
      expect(items, 'the event reached the other instance\'s board').to.have.length(1);
      expect(Date.now() - sent).to.be.below(3000);
      conn.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
