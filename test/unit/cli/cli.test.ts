import { expect } from 'chai';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { runCli } from '../../../src/cli';
import { testConfig } from '../../helpers/app';
import { knexConfig } from '../../../src/db';

describe('the admin command line', function () {
  this.timeout(30000);
  let dir: string;
  let config: ReturnType<typeof testConfig>;
  before(() => {
    // The CLI opens its own database: a temporary SQLite file (on the PostgreSQL run too — the CLI's logic is the same).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-cli-'));
    config = testConfig({ database: { client: 'sqlite', filename: path.join(dir, 'cli.db') } });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(args, config, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  }

  it('runs the migrations, then says the database is up to date', async () => {
    const first = await run('migrate');
    expect(first.code).to.equal(0);
    expect(first.out).to.match(/Applied \d+ migration/);
    const second = await run('migrate');
    expect(second.out).to.contain('up to date');
  });

  it('creates the first administrator, and refuses a weak password or a bad role with a clear message and exit code 1', async () => {
    const ok = await run('create-user', '--username', 'root.admin', '--role', 'admin', '--password', 'a-very-long-password');
    expect(ok.code, ok.err).to.equal(0);
    const weak = await run('create-user', '--username', 'weak', '--role', 'admin', '--password', 'short');
    expect(weak.code).to.equal(1);
    expect(weak.err).to.contain('at least 10 characters');
    const badRole = await run('create-user', '--username', 'wizard', '--role', 'wizard', '--password', 'a-very-long-password');
    expect(badRole.code).to.equal(1);
    expect(badRole.err).to.contain('role');
    const db = knexFactory(knexConfig(config.database));
    try {
      const users = await db('users').select('username');
      expect(users.map((u) => u.username)).to.deep.equal(['root.admin']);
    } finally {
      await db.destroy();
    }
  });

  it('resets a password; an unknown user is an error', async () => {
    expect((await run('reset-password', 'root.admin', '--password', 'another-long-password')).code).to.equal(0);
    const r = await run('reset-password', 'ghost', '--password', 'another-long-password');
    expect(r.code).to.equal(1);
    expect(r.err).to.contain('No user named "ghost"');
  });

  it('an unknown command exits non-zero', async () => {
    const r = await run('frobnicate');
    expect(r.code).to.not.equal(0);
    expect(r.err).to.contain('unknown command');
  });
});
