// `npm run cli -- import <folder> --manifest <file>` through runCli, on its own SQLite file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../../src/cli';
import { createDbFromUrl, migrate } from '../../../src/db';
import { testConfig } from '../../helpers/app';
import { makeOperator } from '../../helpers/builders';

describe('imports: the import command', function () {
  this.timeout(60000);
  let dir: string;
  let dbFile: string;
  let config: ReturnType<typeof testConfig>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-import-cli-'));
    dbFile = path.join(dir, 'cli.db');
    config = testConfig({ database: { client: 'sqlite', filename: dbFile } });
    const db = createDbFromUrl(`sqlite:${dbFile}`);
    await migrate(db);
    await makeOperator(db, { code: 'OP-101' });
    await db.destroy();
    fs.mkdirSync(path.join(dir, 'recordings'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(argv, config, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  }

  async function callCount(): Promise<number> {
    const db = createDbFromUrl(`sqlite:${dbFile}`);
    try {
      return Number((await db('calls').count({ n: '*' }).first())!.n);
    } finally {
      await db.destroy();
    }
  }

  it('imports a folder, prints a summary with the rejected rows, and a second run adds nothing', async () => {
    const manifest = path.join(dir, 'manifest.csv');
    fs.writeFileSync(manifest, 'external_id;started_at;operator_code;category\nCLI-1;2026-11-20 09:00:00;OP-101;fire\nCLI-2;2026-11-20 09:05:00;OP-777;fire\n');
    const first = await cli('import', path.join(dir, 'recordings'), '--manifest', manifest);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.match(/Import #\d+ \(manifest\.csv\): Done/);
    expect(first.out).to.match(/accepted:\s+1\n/);
    expect(first.out).to.match(/rejected:\s+1\n/);
    expect(first.out).to.contain('row 3 (CLI-2), operator_code: No operator has the employee code "OP-777".');
    const second = await cli('import', path.join(dir, 'recordings'), '--manifest', manifest);
    expect(second.code).to.equal(0);
    expect(second.out).to.match(/already imported:\s+1\n/);
    expect(await callCount()).to.equal(1);
  });

  it('exits non-zero with a clear message when the manifest path is wrong', async () => {
    const missing = path.join(dir, 'no-such-manifest.csv');
    const r = await cli('import', path.join(dir, 'recordings'), '--manifest', missing);
    expect(r.code).to.equal(1);
    expect(r.err).to.contain(`No manifest file at ${missing}.`);
  });

  it('exits non-zero when the folder does not exist', async () => {
    const manifest = path.join(dir, 'manifest.csv');
    const r = await cli('import', path.join(dir, 'no-folder'), '--manifest', manifest);
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('No folder at');
  });

  it('exits non-zero naming the missing columns, and stores nothing', async () => {
    const before = await callCount();
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'external_id,operator_code\nCLI-9,OP-101\n');
    const r = await cli('import', path.join(dir, 'recordings'), '--manifest', bad);
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('required columns are missing: started_at');
    expect(await callCount()).to.equal(before);
  });
});
