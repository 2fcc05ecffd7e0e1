// Builds the running pieces from a config: database, logger, job queue, scheduler, session secret.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createDb, migrate, Db } from './db';
import { createLogger } from './logger';
import { JobQueue } from './jobs/queue';
import { Scheduler } from './jobs/scheduler';
import type { AppDeps, Feature } from './app-context';
import { FEATURES } from './features';

export interface Runtime extends AppDeps {
  scheduler: Scheduler;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, opts: { logger?: Logger; db?: Db; clock?: () => Date; features?: Feature[]; runMigrations?: boolean } = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = opts.db ?? createDb(config);
  const clock = opts.clock ?? (() => new Date());
  if (opts.runMigrations !== false) await migrate(db);
  const jobs = new JobQueue(db, { concurrency: config.jobConcurrency, logger, clock });
  const deps: AppDeps = { config, db, logger, clock, jobs };
  const features = opts.features ?? FEATURES;
  for (const f of features) if (f.bootstrap) await f.bootstrap(deps);
  for (const f of features) for (const [type, handler] of Object.entries(f.jobHandlers?.(deps) ?? {})) jobs.register(type, handler);
  const scheduler = new Scheduler(features.flatMap((f) => f.schedules?.(deps) ?? []), logger, clock);
  return {
    ...deps,
    scheduler,
    async close() {
      scheduler.stop();
      await jobs.stop();
      await db.destroy();
    },
  };
}

/** The configured secret, or one generated once into data/ so sessions survive restarts. */
export function sessionSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  if (config.env === 'test') return crypto.randomBytes(32).toString('hex');
  const file = path.join(config.dataDir, 'session-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString('hex');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
