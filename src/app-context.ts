// What every feature gets: configuration, database, logger, clock, job queue, mailer.
import type { Router } from 'express';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Db } from './db';
import type { JobQueue, JobHandler } from './jobs/queue';
import type { ScheduleTick } from './jobs/scheduler';
import type { Role } from './auth/roles';
import type { Lifecycle } from './lifecycle';
import type { Metrics } from './metrics';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  clock: () => Date;
  jobs: JobQueue;
  /**
   * Shutdown hooks and the draining flag: `deps.lifecycle?.onShutdown('live streams', closeAll)`.
   * Optional so that code building deps by hand (tests, benches, the CLI) need not make one.
   */
  lifecycle?: Lifecycle;
  /** Prometheus metrics: `deps.metrics?.gauge({ name, help, collect })` (see src/metrics.ts). */
  metrics?: Metrics;
}

export interface NavItem {
  /** i18n key of the label */
  key: string;
  href: string;
  roles: readonly Role[];
  /** lower comes first */
  order: number;
}

export interface SeedContext extends AppDeps {
  /** ids the organisation seed created, for later seed steps */
  log(message: string): void;
}

/** A feature plugs its routes, navigation, demo seed, job handlers and schedules into the app. */
export interface Feature {
  name: string;
  /** Runs at every start after migrations (reference data every deployment needs, e.g. the default rubric). Idempotent. */
  bootstrap?(deps: AppDeps): Promise<void>;
  routes?(deps: AppDeps): Router;
  nav?: NavItem[];
  /** Demo data, run in feature order on an empty database in demo mode. */
  seed?(ctx: SeedContext): Promise<void>;
  jobHandlers?(deps: AppDeps): Record<string, JobHandler>;
  schedules?(deps: AppDeps): ScheduleTick[];
  /** Admin commands for `npm run cli -- <command>`; deps() opens the database when a command runs. */
  cli?(program: Command, deps: () => Promise<AppDeps>): void;
}
