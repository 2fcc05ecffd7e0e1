// SQLite on a file (the embedded default): a write that arrives while a transaction waits between
// its statements (an ingest, an import) must wait its turn, not freeze the process in SQLite's busy
// handler for 5 s and then fail with "database is locked".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createDbFromUrl } from '../../../src/db';

describe('SQLite on a file', () => {
  it('a write during another transaction waits for it and succeeds, without a lock error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-sqlite-'));
    const db = createDbFromUrl(`sqlite:${path.join(dir, 'x.db')}`);
    try {
      await db.schema.createTable('t', (t) => {
        t.increments('id');
        t.string('v');
      });
      const order: string[] = [];
      const trx = db.transaction(async (tx) => {
        await tx('t').insert({ v: 'in-1' });
        await new Promise((r) => setTimeout(r, 50));
        await tx('t').insert({ v: 'in-2' });
        order.push('transaction');
      });
      await new Promise((r) => setTimeout(r, 10));
      const started = Date.now();
      await db('t').insert({ v: 'outside' });
      order.push('outside');
      await trx;
      expect(order).to.deep.equal(['transaction', 'outside']);
      expect(Date.now() - started, 'no busy-handler stall').to.be.below(4000);
      expect(await db('t').orderBy('id').pluck('v')).to.deep.equal(['in-1', 'in-2', 'outside']);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
