// A fresh database and app per test file: SQLite in memory (one connection), or a fresh schema on
// PostgreSQL when TEST_DATABASE_URL points to one (CI runs the suite both ways).
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import knexFactory, { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig, parseDatabaseUrl, Config } from '../../src/config';
import { knexConfig, migrate } from '../../src/db';
import { createApp } from '../../src/app';
import { JobQueue } from '../../src/jobs/queue';
import type { AppDeps, Feature } from '../../src/app-context';
import { FEATURES } from '../../src/features';
import { Lifecycle } from '../../src/lifecycle';
import { Metrics } from '../../src/metrics';

export interface TestDb {
  db: Knex;
  dialect: 'sqlite' | 'pg';
  destroy(): Promise<void>;
}

const baseConfig = loadConfig();

export function isPgRun(): boolean {
  return baseConfig.testDatabaseUrl.startsWith('postgres');
}

/**
 * Runs the migrations, or (`before`: a migration's file name) only those that come before it, so a
 * test can write the rows a later migration must convert and then run the rest with migrate().
 */
async function migrateTestDb(db: Knex, before?: string): Promise<void> {
  if (!before) {
    await migrate(db);
    return;
  }
  for (;;) {
    const [, pending] = (await db.migrate.list()) as [unknown[], { file: string }[]];
    if (!pending.length || pending[0].file === before) return;
    await db.migrate.up();
  }
}

export async function createTestDb(opts: { migrateBefore?: string } = {}): Promise<TestDb> {
  const database = parseDatabaseUrl(baseConfig.testDatabaseUrl, 'TEST_DATABASE_URL');
  if (database.client === 'sqlite') {
    const db = knexFactory(knexConfig({ client: 'sqlite', filename: ':memory:' }));
    await migrateTestDb(db, opts.migrateBefore);
    return { db, dialect: 'sqlite', destroy: () => db.destroy() };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: database.connectionString, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const cfg = knexConfig(database, 4);
  const db = knexFactory({ ...cfg, searchPath: [schema] } as Knex.Config);
  await migrateTestDb(db, opts.migrateBefore);
  return {
    db,
    dialect: 'pg',
    async destroy() {
      await db.destroy();
      await admin.raw(`drop schema ${schema} cascade`);
      await admin.destroy();
    },
  };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-rec-'));
  return Object.freeze({ ...baseConfig, env: 'test' as const, passwordHashRounds: 4, jobsEnabled: false, demoMode: false, cookieSecure: false, recordingsDir, dataDir: recordingsDir, logLevel: 'silent', ...overrides });
}

export interface TestApp extends AppDeps {
  lifecycle: Lifecycle;
  metrics: Metrics;
  app: Express;
  testDb: TestDb;
  close(): Promise<void>;
}

export async function createTestApp(opts: { config?: Partial<Config>; clock?: () => Date; features?: Feature[] } = {}): Promise<TestApp> {
  const testDb = await createTestDb();
  const config = testConfig(opts.config);
  const logger = pino({ level: 'silent' });
  const clock = opts.clock ?? (() => new Date());
  const jobs = new JobQueue(testDb.db, { concurrency: 1, logger, clock, leaseMs: config.jobLeaseMs });
  const lifecycle = new Lifecycle();
  const metrics = new Metrics();
  metrics.registerAppGauges(testDb.db, jobs);
  const deps: AppDeps & { lifecycle: Lifecycle; metrics: Metrics } = { config, db: testDb.db, logger, clock, jobs, lifecycle, metrics };
  const features = opts.features ?? FEATURES;
  for (const f of features) if (f.bootstrap) await f.bootstrap(deps);
  for (const f of features) for (const [type, handler] of Object.entries(f.jobHandlers?.(deps) ?? {})) jobs.register(type, handler);
  const app = createApp(deps, { sessionSecret: 'test-secret-test-secret-test-secret', features });
  return {
    ...deps,
    app,
    testDb,
    async close() {
      await jobs.stop();
      await testDb.destroy();
      fs.rmSync(config.recordingsDir, { recursive: true, force: true });
    },
  };
}

/** The CSRF token from a page's <meta name="csrf-token">. */
export function csrfFrom(html: string): string {
  const m = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf token on the page');
  return m[1];
}

export type Agent = ReturnType<typeof request.agent>;

/** A signed-in supertest agent with its current CSRF token. */
export async function signIn(app: Express, username: string, password: string): Promise<{ agent: Agent; csrf: () => Promise<string> }> {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ username, password, _csrf: csrfFrom(page.text) });
  if (res.status !== 302) throw new Error(`sign-in as ${username} failed: ${res.status}`);
  return {
    agent,
    csrf: async () => csrfFrom((await agent.get('/')).text),
  };
}
