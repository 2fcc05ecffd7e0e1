// A PostgreSQL restart, failover or timeout must not take the app down: an app process talks to
// PostgreSQL through a TCP proxy, the proxy is stopped during requests (each answers 503, the
// process stays up) and started again (the same session works). Needs a PostgreSQL server: on a
// SQLite-only run (TEST_DATABASE_URL=sqlite…) it is skipped, as there is no server to cut off.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { isPgRun } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { createSharedDb, fetchWith, signInOver, sleep, startApp, tcpProxy, type AppProcess, type SharedDb, type TcpProxy } from '../../helpers/processes';
import { parseDatabaseUrl, loadConfig } from '../../../src/config';

describe('a database outage while signed-in users browse (PostgreSQL behind a proxy that is stopped and started)', function () {
  this.timeout(120_000);
  let shared: SharedDb;
  let proxy: TcpProxy;
  let app: AppProcess | null = null;
  let recordings = '';

  before(async function () {
    if (!isPgRun()) {
      // eslint-disable-next-line no-console
      console.log('      (skipped: needs PostgreSQL — run with TEST_DATABASE_URL=postgres://…)');
      this.skip();
    }
    shared = await createSharedDb();
    const pg = new URL((parseDatabaseUrl(loadConfig().testDatabaseUrl) as { connectionString: string }).connectionString);
    proxy = await tcpProxy(Number(pg.port || 5432), pg.hostname);
    recordings = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-outage-'));
    app = await startApp({ DATABASE_URL: shared.urlVia('127.0.0.1', proxy.port), JOBS_ENABLED: 'false', DB_POOL_MAX: '4', RECORDINGS_DIR: recordings });
  });
  after(async () => {
    await app?.stop();
    await proxy?.stop();
    await shared?.destroy();
    if (recordings) fs.rmSync(recordings, { recursive: true, force: true });
  });

  it('answers 503 while PostgreSQL is unreachable, keeps running, and serves the same session once it is back', async () => {
    const u = await makeUser(shared.db, { role: 'specialist', language: 'en' });
    const jar = await signInOver(app!.baseUrl, u.username, u.password);
    expect((await fetchWith(jar, `${app!.baseUrl}/`)).status).to.equal(200);

    await proxy.stop();
    const during: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetchWith(jar, `${app!.baseUrl}/`);
      during.push(res.status);
      if (i === 0) expect(res.headers.get('retry-after')).to.equal('5');
      await sleep(100);
    }
    expect(during.every((s) => s === 503), `answers while the database is away: ${during}`).to.equal(true);
    expect((await fetch(`${app!.baseUrl}/healthz`)).status, 'alive').to.equal(200);
    expect((await fetch(`${app!.baseUrl}/readyz`)).status, 'not ready').to.equal(503);
    await sleep(500);
    expect(app!.alive(), `the process is still running:\n${app!.output()}`).to.equal(true);

    await proxy.start();
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await fetchWith(jar, `${app!.baseUrl}/`)).status;
      if (back !== 200) await sleep(200);
    }
    expect(back, 'the same session works again').to.equal(200);
    expect((await fetch(`${app!.baseUrl}/readyz`)).status).to.equal(200);
    expect(app!.alive()).to.equal(true);
  });
});
