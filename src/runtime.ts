// Builds the running pieces from a config: database, logger, job queue, scheduler, session secret.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './config';
import { createDb, migrateAndPrepare, Db } from './db';
import { createLogger } from './logger';
import { JobQueue } from './jobs/queue';
import { Scheduler } from './jobs/scheduler';
import type { AppDeps, Feature } from './app-context';
import { FEATURES } from './features';
import { Lifecycle } from './lifecycle';
import { Metrics } from './metrics';

export interface Runtime extends AppDeps {
  scheduler: Scheduler;
  lifecycle: Lifecycle;
  metrics: Metrics;
  close(): Promise<void>;
}

/** The configuration for an entry point (server, worker): a bad setting prints its message and exits 2. */
export function loadConfigOrExit(overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig(process.env, overrides);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

export async function createRuntime(config: Config, opts: { logger?: Logger; db?: Db; clock?: () => Date; features?: Feature[]; runMigrations?: boolean } = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = opts.db ?? createDb(config);
  const clock = opts.clock ?? (() => new Date());
  const jobs = new JobQueue(db, { concurrency: config.jobConcurrency, logger, clock, leaseMs: config.jobLeaseMs });
  const lifecycle = new Lifecycle(logger);
  const metrics = new Metrics({ processMetrics: config.env !== 'test' });
  metrics.registerAppGauges(db, jobs);
  const deps: AppDeps & { lifecycle: Lifecycle; metrics: Metrics } = { config, db, logger, clock, jobs, lifecycle, metrics };
  const features = opts.features ?? FEATURES;
  // Migrations and the features' start-up work run under one lock, so instances starting together
  // on an empty database neither fail on each other's migrations nor make reference data twice.
  const bootstrap = async () => {
    for (const f of features) if (f.bootstrap) await f.bootstrap(deps);
  };
  if (opts.runMigrations !== false) await migrateAndPrepare(db, bootstrap);
  else await bootstrap();
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

/**
 * SIGTERM/SIGINT: a graceful stop. The instance turns "draining" (/readyz 503), takes no new jobs
 * and lets running ones finish for SHUTDOWN_GRACE_SECONDS (then hands them back to the queue for
 * another instance), runs the features' shutdown hooks (live connections close cleanly), lets
 * in-flight requests end, and closes the database. A second signal, or a stop taking far longer
 * than the grace, exits at once.
 */
export function installShutdown(rt: Runtime, server?: Server): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      rt.logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    rt.logger.info(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), rt.config.shutdownGraceMs + 15_000).unref();
    rt.lifecycle.beginStopping();
    rt.scheduler.stop();
    const closeHttp = async () => {
      await rt.lifecycle.shutdown();
      if (!server) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still open after the grace (a stuck download) are cut.
        setTimeout(() => server.closeAllConnections(), rt.config.shutdownGraceMs).unref();
      });
    };
    const [handedBack] = await Promise.all([rt.jobs.stop({ graceMs: rt.config.shutdownGraceMs }), closeHttp()]);
    if (handedBack) rt.logger.info({ handedBack }, 'running jobs handed back to the queue');
    await rt.db.destroy().catch(() => undefined);
    rt.logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // A promise nobody awaited failed (e.g. a query during a database outage): log it and keep
  // serving rather than take the instance down with it.
  process.on('unhandledRejection', (reason) => rt.logger.error({ err: reason }, 'unhandled promise rejection'));
}
