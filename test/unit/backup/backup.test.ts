// `npm run cli -- backup <dir>` while the app writes, then a restore into a fresh folder: the app
// starts on the copy, the counts match the manifest, the audit chain holds, the audio plays.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import knexFactory from 'knex';
import request from 'supertest';
import pino from 'pino';
import { runCli } from '../../../src/cli';
import { testConfig, csrfFrom } from '../../helpers/app';
import { knexConfig } from '../../../src/db';
import { createRuntime } from '../../../src/runtime';
import { createApp } from '../../../src/app';
import { audit } from '../../../src/audit/audit';
import { verifyAuditChain } from '../../../src/audit/chain';
import { seedOrganisation, DEMO_PASSWORD } from '../../../src/features/users/users.seed';
import { seedCalls } from '../../../src/features/calls/calls.seed';
import { COUNTED_TABLES, verifyBackup, type BackupManifest } from '../../../src/features/backup/backup.service';

describe('backup and restore', function () {
  this.timeout(120_000);
  let root: string;
  before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-backup-'))));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const configFor = (dir: string) => testConfig({ database: { client: 'sqlite', filename: path.join(dir, 'data', 'sifat.db') }, recordingsDir: path.join(dir, 'recordings'), dataDir: path.join(dir, 'data') });
  async function cli(config: ReturnType<typeof testConfig>, ...args: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(args, config, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  }

  it('backs up a live SQLite database and its recordings, and the restored copy starts with the same data', async () => {
    const live = path.join(root, 'live');
    const config = configFor(live);
    fs.mkdirSync(config.recordingsDir, { recursive: true });
    const rt = await createRuntime(config, { logger: pino({ level: 'silent' }) });
    await seedOrganisation({ ...rt, log: () => undefined });
    await seedCalls({ ...rt, log: () => undefined });

    // The app keeps writing (another connection, as another process would) while the backup runs.
    const writer = knexFactory(knexConfig(config.database));
    let writing = true;
    let written = 0;
    const writes = (async () => {
      while (writing) {
        await audit(writer, { action: 'test.whileBackingUp', entityId: written++ });
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const dir = path.join(root, 'backup-1');
    const res = await cli(config, 'backup', dir);
    writing = false;
    await writes;
    await writer.destroy();
    expect(res.code, res.err).to.equal(0);
    expect(res.out).to.contain('Backup written to').and.contain('recordings:');
    expect(written).to.be.greaterThan(0);

    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.counts.calls).to.be.greaterThan(300);
    expect(manifest.recordings.files.length).to.equal(fs.readdirSync(config.recordingsDir, { recursive: true }).filter((f) => fs.statSync(path.join(config.recordingsDir, String(f))).isFile() && !String(f).split('/').some((p) => p.startsWith('.'))).length);
    expect(await verifyBackup(dir)).to.deep.include({ ok: true, problems: [] });
    const verified = await cli(config, 'backup-verify', dir);
    expect(verified.code).to.equal(0);
    expect(verified.out).to.contain('Backup verified');

    // Restore as docs/operations.md says: the database file and the recordings folder into a fresh place.
    const restored = path.join(root, 'restored');
    fs.mkdirSync(path.join(restored, 'data'), { recursive: true });
    fs.copyFileSync(path.join(dir, 'sifat.db'), path.join(restored, 'data', 'sifat.db'));
    fs.cpSync(path.join(dir, 'recordings'), path.join(restored, 'recordings'), { recursive: true });
    const rconfig = configFor(restored);
    const rrt = await createRuntime(rconfig, { logger: pino({ level: 'silent' }) });
    try {
      const integrity = await rrt.db.raw('pragma integrity_check');
      expect(integrity[0].integrity_check).to.equal('ok');
      for (const table of COUNTED_TABLES) expect(Number((await rrt.db(table).count({ n: '*' }).first())!.n), table).to.equal(manifest.counts[table]);
      expect((await verifyAuditChain(rrt.db)).broken).to.equal(null);
      const app = createApp(rrt, { sessionSecret: 'restored-restored-restored-restored' });
      const agent = request.agent(app);
      const login = await agent.get('/login');
      expect((await agent.post('/login').type('form').send({ username: 'specialist', password: DEMO_PASSWORD, _csrf: csrfFrom(login.text) })).status).to.equal(302);
      const call = await rrt.db('calls').whereNotNull('recording_id').orderBy('id').first('id', 'recording_id');
      const rec = await rrt.db('recordings').where({ id: call.recording_id }).first('size_bytes');
      const audio = await agent.get(`/calls/${call.id}/audio`).buffer(true);
      expect(audio.status).to.equal(200);
      expect(Number(audio.headers['content-length'])).to.equal(Number(rec.size_bytes));
    } finally {
      await rrt.close();
      await rt.close();
    }

    // A damaged backup is told apart from a good one.
    const someFile = path.join(dir, ...manifest.recordings.files[0]!.path.split('/'));
    fs.rmSync(someFile);
    fs.writeFileSync(someFile, 'damaged');
    const bad = await cli(config, 'backup-verify', dir);
    expect(bad.code).to.equal(1);
    expect(bad.err).to.contain(manifest.recordings.files[0]!.path);
  });

  it('refuses a folder that is not empty or lies inside the recordings folder', async () => {
    const config = configFor(path.join(root, 'live'));
    const full = path.join(root, 'not-empty');
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'x'), 'x');
    const r1 = await cli(config, 'backup', full);
    expect(r1.code).to.equal(1);
    expect(r1.err).to.contain('is not empty');
    const r2 = await cli(config, 'backup', path.join(config.recordingsDir, 'inside'));
    expect(r2.code).to.equal(1);
    expect(r2.err).to.contain('must not be inside the recordings folder');
  });
});
