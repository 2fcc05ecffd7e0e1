// Instances starting together on an empty database (a national deployment after a reboot, or its
// first start): migrations and reference data are made once, by whichever gets the lock first,
// and every process starts instead of exiting on a duplicate key in knex_migrations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { MIGRATIONS_DIR, migrate } from '../../../src/db';
import { createSharedDb, startApp, type AppProcess, type SharedDb } from '../../helpers/processes';

describe('instances starting together on an empty database', function () {
  this.timeout(180_000);
  let shared: SharedDb;
  let procs: AppProcess[] = [];
  let recordings: string;
  before(async () => {
    shared = await createSharedDb({ migrated: false });
    recordings = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-together-'));
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await shared.destroy();
    fs.rmSync(recordings, { recursive: true, force: true });
  });

  it('three connections migrating the same empty database at the same instant all succeed, and apply each migration once', async () => {
    const empty = await createSharedDb({ migrated: false });
    const cfg = empty.db.client.config as Knex.Config;
    const others = [knexFactory(cfg), knexFactory(cfg)];
    try {
      const results = await Promise.allSettled([migrate(empty.db), migrate(others[0]!), migrate(others[1]!)]);
      const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
      expect(errors, errors.join('\n')).to.have.length(0);
      const applied = results.map((r) => (r as PromiseFulfilledResult<string[]>).value.length).sort((a, b) => b - a);
      const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.ts'));
      expect(applied, 'one ran them all, the others found nothing to do').to.deep.equal([files.length, 0, 0]);
      expect(Number((await empty.db('knex_migrations').count({ n: '*' }).first())!.n)).to.equal(files.length);
    } finally {
      await Promise.all(others.map((o) => o.destroy()));
      await empty.destroy();
    }
  });

  it('two web instances and a worker all start; each migration is applied once and the default rubric made once', async () => {
    const env = { DATABASE_URL: shared.url, RECORDINGS_DIR: recordings, DB_POOL_MAX: '3' };
    const started = await Promise.allSettled([startApp({ ...env, JOBS_ENABLED: 'false' }), startApp({ ...env, JOBS_ENABLED: 'false' }), startApp(env, { entry: 'src/worker.ts' })]);
    procs = started.filter((s): s is PromiseFulfilledResult<AppProcess> => s.status === 'fulfilled').map((s) => s.value);
    const failures = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason));
    expect(failures, failures.join('\n')).to.have.length(0);
    for (const p of procs) expect(p.alive(), p.output()).to.equal(true);
    const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.ts'));
    const applied = (await shared.db('knex_migrations').pluck('name')) as string[];
    expect(applied.length).to.equal(files.length);
    expect(new Set(applied).size).to.equal(files.length);
    expect(Number((await shared.db('rubrics').count({ n: '*' }).first())!.n), 'one default rubric').to.equal(1);
    for (const p of procs.slice(0, 2)) expect((await fetch(`${p.baseUrl}/readyz`)).status).to.equal(200);
  });
});
