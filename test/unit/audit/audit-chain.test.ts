// The audit log's hash chain: every append links to the row before; editing or removing a row is
// found by `audit verify`, which names the first broken link.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import knexFactory from 'knex';
import { createTestDb, testConfig, type TestDb } from '../../helpers/app';
import { audit } from '../../../src/audit/audit';
import { GENESIS_HASH, auditRowHash, checkLink, verifyAuditChain } from '../../../src/audit/chain';
import { describeChainCheck } from '../../../src/features/audit';
import { runCli } from '../../../src/cli';
import { knexConfig, migrate } from '../../../src/db';
import * as backfill from '../../../migrations/20261207100200_hash_existing_audit_rows';

describe('the tamper-evident audit log', function () {
  this.timeout(30_000);
  let tdb: TestDb;
  beforeEach(async () => {
    tdb = await createTestDb();
  });
  afterEach(() => tdb.destroy());

  const write = async (n: number) => {
    for (let i = 0; i < n; i++) await audit(tdb.db, { action: 'test.event', entityType: 'call', entityId: i, details: { n: i, text: 'Ўзбекистон' } });
  };

  it('chains each row to the one before; verify says every link holds', async () => {
    await write(5);
    const rows = await tdb.db('audit_log').orderBy('id');
    expect(rows[0].prev_hash).to.equal(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).to.equal(rows[i - 1].hash);
    const check = await verifyAuditChain(tdb.db);
    expect(check).to.deep.include({ rows: 5, broken: null });
  });

  it('finds a row edited afterwards and names it', async () => {
    await write(6);
    const third = (await tdb.db('audit_log').orderBy('id').offset(2).first('id')).id;
    await tdb.db('audit_log').where({ id: third }).update({ details: JSON.stringify({ n: 2, text: 'changed' }) });
    const check = await verifyAuditChain(tdb.db, { pageSize: 2 });
    expect(check.broken).to.deep.equal({ id: Number(third), reason: 'contentChanged' });
    expect(check.rows).to.equal(2);
    expect(describeChainCheck(check)).to.contain(`broken at #${third}`).and.contain('changed after it was written');
  });

  it('finds a removed row: the next one no longer links', async () => {
    await write(4);
    const ids = (await tdb.db('audit_log').orderBy('id').select('id')).map((r) => Number(r.id));
    await tdb.db('audit_log').where({ id: ids[1] }).delete();
    expect((await verifyAuditChain(tdb.db)).broken).to.deep.equal({ id: ids[2], reason: 'linkBroken' });
  });

  it('keeps one unbroken chain when many appends arrive at once (and inside other transactions)', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? audit(tdb.db, { action: 'parallel', entityId: i }) : tdb.db.transaction((trx) => audit(trx, { action: 'parallel.trx', entityId: i })))));
    expect(await verifyAuditChain(tdb.db)).to.deep.include({ rows: 40, broken: null });
  });

  it('the migration hashes rows written before the chain existed so that verify accepts them', async () => {
    await write(7);
    await tdb.db('audit_log').update({ prev_hash: null, hash: null });
    expect((await verifyAuditChain(tdb.db)).broken?.reason).to.equal('unhashed');
    await tdb.db.transaction((trx) => backfill.up(trx));
    expect(await verifyAuditChain(tdb.db)).to.deep.include({ rows: 7, broken: null });
    await write(2); // and the chain goes on from there
    expect(await verifyAuditChain(tdb.db)).to.deep.include({ rows: 9, broken: null });
  });

  it('checkLink and auditRowHash: any field of the row is part of its hash', () => {
    const row = { id: 7, at: '2026-12-07T10:00:00.000Z', user_id: 3, action: 'a', entity_type: 'call', entity_id: '9', subject: null, ip: '10.0.0.1', details: '{"x":1}' };
    const hash = auditRowHash(row, GENESIS_HASH);
    expect(checkLink({ ...row, prev_hash: GENESIS_HASH, hash }, GENESIS_HASH)).to.equal(null);
    for (const [k, v] of Object.entries({ at: '2026-12-07T10:00:01.000Z', user_id: 4, action: 'b', entity_id: '10', ip: '10.0.0.2', details: '{"x":2}', subject: 'x' })) {
      expect(checkLink({ ...row, [k]: v, prev_hash: GENESIS_HASH, hash }, GENESIS_HASH), k).to.equal('contentChanged');
    }
    expect(checkLink({ ...row, prev_hash: 'f'.repeat(64), hash }, GENESIS_HASH)).to.equal('linkBroken');
  });
});

describe('npm run cli -- audit verify', function () {
  this.timeout(30_000);
  it('exits 0 with the row count when the chain holds, and 1 naming the first broken row after an edit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-audit-cli-'));
    const config = testConfig({ database: { client: 'sqlite', filename: path.join(dir, 'a.db') } });
    const db = knexFactory(knexConfig(config.database));
    try {
      await migrate(db);
      for (let i = 0; i < 3; i++) await audit(db, { action: 'cli.test', entityId: i });
      const run = async () => {
        let out = '';
        let err = '';
        const code = await runCli(['audit', 'verify'], config, (s) => (out += s), (s) => (err += s));
        return { code, out, err };
      };
      const ok = await run();
      expect(ok.code, ok.err).to.equal(0);
      const total = Number((await db('audit_log').count({ n: '*' }).first())!.n);
      expect(ok.out).to.contain(`Audit log verified: ${total} row(s)`);
      const second = (await db('audit_log').orderBy('id').offset(1).first('id')).id;
      await db('audit_log').where({ id: second }).update({ action: 'cli.tampered' });
      const bad = await run();
      expect(bad.code).to.equal(1);
      expect(bad.err).to.contain(`broken at #${second}`);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
