// The persistent job queue: rows in `jobs`, claimed with a conditional update so several app
// instances can share one database; retries with exponential backoff; a lease (heartbeat on
// locked_at) lets a restarted instance pick up work a crashed one left running.
import os from 'node:os';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { nowIso, parseJson, num } from '../db';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Job<P = Record<string, unknown>> {
  id: number;
  type: string;
  dedupeKey: string | null;
  payload: P;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  lastError: string | null;
  progress: number | null;
  result: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface JobContext {
  /** Report progress 0..100 for a progress bar. */
  progress(percent: number): Promise<void>;
}

export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<unknown>;

export interface EnqueueOptions {
  dedupeKey?: string;
  runAfter?: Date;
  maxAttempts?: number;
}

const LEASE_MS = 2 * 60 * 1000;
const HEARTBEAT_MS = 30 * 1000;

export function backoffMs(attempts: number): number {
  // 5 s, 10 s, 20 s, 40 s … capped at 30 minutes.
  return Math.min(5000 * 2 ** Math.max(0, attempts - 1), 30 * 60 * 1000);
}

function mapJob(r: Record<string, unknown>): Job {
  return {
    id: Number(r.id),
    type: r.type as string,
    dedupeKey: (r.dedupe_key as string | null) ?? null,
    payload: parseJson(r.payload, {}),
    status: r.status as JobStatus,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    runAfter: r.run_after as string,
    lastError: (r.last_error as string | null) ?? null,
    progress: r.progress == null ? null : Number(r.progress),
    result: parseJson(r.result, null),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

export class JobQueue {
  private handlers = new Map<string, JobHandler>();
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];
  readonly workerId = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly db: Knex,
    private readonly opts: { concurrency: number; logger?: Logger; clock?: () => Date; pollMs?: number },
  ) {}

  private now(): Date {
    return this.opts.clock ? this.opts.clock() : new Date();
  }

  register(type: string, handler: JobHandler): void {
    this.handlers.set(type, handler);
  }

  /** Adds a job. With a dedupeKey, a second enqueue of the same key returns the existing job. */
  async enqueue(type: string, payload: Record<string, unknown>, o: EnqueueOptions = {}, trx?: Knex.Transaction): Promise<number> {
    const db = trx ?? this.db;
    const now = nowIso(() => this.now());
    const row = {
      type,
      dedupe_key: o.dedupeKey ?? null,
      payload: JSON.stringify(payload),
      status: 'queued',
      attempts: 0,
      max_attempts: o.maxAttempts ?? 5,
      run_after: (o.runAfter ?? this.now()).toISOString(),
      created_at: now,
      updated_at: now,
    };
    if (o.dedupeKey) {
      const inserted = await db('jobs').insert(row).onConflict('dedupe_key').ignore().returning('id');
      if (inserted.length) {
        if (!trx) this.kick();
        return Number((inserted[0] as { id: number }).id ?? inserted[0]);
      }
      const existing = await db('jobs').where({ dedupe_key: o.dedupeKey }).first('id');
      return Number(existing.id);
    }
    const [r] = await db('jobs').insert(row).returning('id');
    // Inside a transaction the row is not visible to the worker yet: the caller kicks after commit.
    if (!trx) this.kick();
    return Number((r as { id: number }).id ?? r);
  }

  async get(id: number): Promise<Job | null> {
    const r = await this.db('jobs').where({ id }).first();
    return r ? mapJob(r) : null;
  }

  async findByKey(dedupeKey: string): Promise<Job | null> {
    const r = await this.db('jobs').where({ dedupe_key: dedupeKey }).first();
    return r ? mapJob(r) : null;
  }

  /** Puts a failed (or done) job back in the queue, e.g. from a retry button. */
  async retry(id: number): Promise<void> {
    await this.db('jobs').where({ id }).whereIn('status', ['failed', 'done']).update({ status: 'queued', attempts: 0, last_error: null, run_after: nowIso(() => this.now()), updated_at: nowIso(() => this.now()) });
    this.kick();
  }

  /** Jobs left running by a crashed instance (lease expired) go back to the queue. */
  async recoverAbandoned(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - LEASE_MS).toISOString();
    return this.db('jobs').where('status', 'running').andWhere('locked_at', '<', cutoff).update({ status: 'queued', locked_by: null, locked_at: null, updated_at: nowIso(() => this.now()) });
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const rows = await this.db('jobs').select('status').count({ n: '*' }).groupBy('status');
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows as { status: JobStatus; n: unknown }[]) out[r.status] = num(r.n);
    return out;
  }

  private async claim(): Promise<Job | null> {
    const now = nowIso(() => this.now());
    const types = [...this.handlers.keys()];
    if (!types.length) return null;
    for (let tries = 0; tries < 5; tries++) {
      const candidate = await this.db('jobs').where('status', 'queued').andWhere('run_after', '<=', now).whereIn('type', types).orderBy('run_after').orderBy('id').first('id');
      if (!candidate) return null;
      const updated = await this.db('jobs')
        .where({ id: candidate.id, status: 'queued' })
        .update({ status: 'running', locked_by: this.workerId, locked_at: now, updated_at: now, attempts: this.db.raw('attempts + 1') });
      if (updated === 1) return this.get(Number(candidate.id));
    }
    return null;
  }

  /** Runs one job if one is due. Returns whether it ran one. */
  async runOnce(): Promise<boolean> {
    const job = await this.claim();
    if (!job) return false;
    const handler = this.handlers.get(job.type)!;
    const heartbeat = setInterval(() => {
      void this.db('jobs').where({ id: job.id, locked_by: this.workerId }).update({ locked_at: nowIso(() => this.now()) }).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const ctx: JobContext = {
        progress: async (p) => {
          await this.db('jobs').where({ id: job.id }).update({ progress: Math.max(0, Math.min(100, Math.round(p))) });
        },
      };
      const result = await handler(job.payload, ctx);
      await this.db('jobs').where({ id: job.id }).update({ status: 'done', progress: 100, result: result === undefined ? null : JSON.stringify(result), last_error: null, locked_by: null, updated_at: nowIso(() => this.now()) });
      this.opts.logger?.info({ job: job.id, type: job.type }, 'job done');
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      const final = job.attempts >= job.maxAttempts || (e as { permanent?: boolean })?.permanent === true;
      await this.db('jobs').where({ id: job.id }).update({
        status: final ? 'failed' : 'queued',
        last_error: message.slice(0, 4000),
        locked_by: null,
        run_after: new Date(this.now().getTime() + backoffMs(job.attempts)).toISOString(),
        updated_at: nowIso(() => this.now()),
      });
      this.opts.logger?.warn({ job: job.id, type: job.type, attempts: job.attempts, final, err: message }, 'job failed');
    } finally {
      clearInterval(heartbeat);
    }
    return true;
  }

  /** Runs due jobs until none is left (tests and the CLI use this). */
  async drain(maxJobs = 1000): Promise<number> {
    let n = 0;
    while (n < maxJobs && (await this.runOnce())) n++;
    return n;
  }

  start(): void {
    this.stopped = false;
    void this.recoverAbandoned().catch((e) => this.opts.logger?.error({ err: e }, 'job recovery failed'));
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  kick(): void {
    if (this.stopped) return;
    while (this.running < this.opts.concurrency) {
      this.running++;
      void this.loop();
    }
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.runOnce()));
    } catch (e) {
      this.opts.logger?.error({ err: e }, 'job worker error');
    } finally {
      this.running--;
      if (this.running === 0) this.idleWaiters.splice(0).forEach((f) => f());
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}

/** A permanent failure: no retry (e.g. a corrupt recording). */
export class PermanentJobError extends Error {
  readonly permanent = true;
}
