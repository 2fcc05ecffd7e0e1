// The persistent job queue: rows in `jobs`, claimed with a conditional update so several app
// instances and workers can share one database; retries with exponential backoff.
//
// Every claim gets its own fencing token (kept in `locked_by`) and a lease (`locked_at`, renewed
// by a heartbeat). Progress, heartbeat, completion and failure only write while the row still
// carries that token: a holder that stalled past its lease, whose job another instance took over,
// can no longer finish, fail or report on it. Jobs whose lease lapsed (a crashed or frozen
// instance) go back to the queue continuously, not only at start, so work resumes within about a
// lease wherever it was left.
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
  lockedBy: string | null;
  lockedAt: string | null;
  lastError: string | null;
  progress: number | null;
  result: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface JobContext {
  /** Report progress 0..100 for a progress bar. Throws JobLostError when this run no longer holds the job. */
  progress(percent: number): Promise<void>;
  /** This run's fencing token: side effects that must happen once are recorded under it (src/mail/outbox.ts). */
  readonly holder: string;
  /** Aborted when this run lost the job (lease taken over) or the instance hands it back at shutdown. */
  readonly signal: AbortSignal;
  /** Throws JobLostError unless this run still holds the job; call it right before an irreversible step. */
  assertHeld(): Promise<void>;
}

export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<unknown>;

export interface EnqueueOptions {
  dedupeKey?: string;
  runAfter?: Date;
  maxAttempts?: number;
}

export interface JobQueueOptions {
  concurrency: number;
  logger?: Logger;
  clock?: () => Date;
  /** how often an idle worker looks for due jobs */
  pollMs?: number;
  /** how long a claim lasts without a heartbeat (default 2 minutes) */
  leaseMs?: number;
  /** how often abandoned jobs are looked for (default: half a lease, at most a minute) */
  recoverEveryMs?: number;
}

export const DEFAULT_LEASE_MS = 2 * 60 * 1000;
/** A job whose process stopped under it this many times (and its attempts are used up) is failed: it may be what kills it. */
export const ABANDONED_LIMIT = 10;

export function backoffMs(attempts: number): number {
  // 5 s, 10 s, 20 s, 40 s … capped at 30 minutes.
  return Math.min(5000 * 2 ** Math.max(0, attempts - 1), 30 * 60 * 1000);
}

/** The run lost its job: the lease lapsed and another instance took it, or it was handed back. */
export class JobLostError extends Error {
  constructor(readonly jobId: number) {
    super(`job ${jobId} is no longer held by this run`);
  }
}

/** A permanent failure: no retry (e.g. a corrupt recording). */
export class PermanentJobError extends Error {
  readonly permanent = true;
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
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedAt: (r.locked_at as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    progress: r.progress == null ? null : Number(r.progress),
    result: parseJson(r.result, null),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

interface InFlight {
  job: Job;
  holder: string;
  abort: AbortController;
}

export interface JobTypeCounts {
  type: string;
  status: JobStatus;
  n: number;
}

export class JobQueue {
  private handlers = new Map<string, JobHandler>();
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];
  private claims = 0;
  private readonly inFlight = new Map<number, InFlight>();
  /** host:pid:random — which process ran a job; each claim appends its own number (the fencing token). */
  readonly workerId = `${os.hostname().slice(0, 40)}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  readonly leaseMs: number;

  constructor(
    private readonly db: Knex,
    private readonly opts: JobQueueOptions,
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private now(): Date {
    return this.opts.clock ? this.opts.clock() : new Date();
  }

  private get heartbeatMs(): number {
    return Math.max(50, Math.floor(this.leaseMs / 4));
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

  private leaseCutoff(): string {
    return new Date(this.now().getTime() - this.leaseMs).toISOString();
  }

  /** Whether a running job's lease has lapsed (its holder crashed or froze). */
  isStuck(job: Pick<Job, 'status' | 'lockedAt'>): boolean {
    return job.status === 'running' && (!job.lockedAt || job.lockedAt < this.leaseCutoff());
  }

  /**
   * Puts a job back in the queue, e.g. from a Retry button: a failed or done one, or a stuck one
   * (running with a lapsed lease). A job another instance is running now is left alone.
   * Returns whether it was put back.
   */
  async retry(id: number): Promise<boolean> {
    const now = nowIso(() => this.now());
    const n = await this.db('jobs')
      .where({ id })
      .andWhere((w) => w.whereIn('status', ['failed', 'done']).orWhere((s) => s.where('status', 'running').andWhere((l) => l.whereNull('locked_at').orWhere('locked_at', '<', this.leaseCutoff()))))
      .update({ status: 'queued', attempts: 0, last_error: null, locked_by: null, locked_at: null, run_after: now, updated_at: now });
    if (n) this.kick();
    return n > 0;
  }

  /**
   * Jobs left running by a crashed or frozen instance (lease lapsed) go back to the queue; one that
   * was abandoned this way ABANDONED_LIMIT times, past its attempts, fails instead (it may be what
   * keeps killing its process).
   */
  async recoverAbandoned(): Promise<number> {
    const cutoff = this.leaseCutoff();
    const now = nowIso(() => this.now());
    const stale = (q: Knex.QueryBuilder) => q.where('status', 'running').andWhere((l) => l.whereNull('locked_at').orWhere('locked_at', '<', cutoff));
    // Crashes of the instance for other reasons use up attempts too, so the bar is higher than for errors.
    const failed = await stale(this.db('jobs'))
      .andWhere('attempts', '>=', this.db.ref('max_attempts'))
      .andWhere('attempts', '>=', ABANDONED_LIMIT)
      .update({ status: 'failed', last_error: 'abandoned: its process stopped while running it, on every attempt', locked_at: null, updated_at: now });
    const requeued = await stale(this.db('jobs')).update({ status: 'queued', locked_by: null, locked_at: null, run_after: now, updated_at: now });
    if (failed + requeued) this.opts.logger?.warn({ requeued, failed }, 'recovered jobs abandoned by a stopped instance');
    return failed + requeued;
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const rows = await this.db('jobs').select('status').count({ n: '*' }).groupBy('status');
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows as { status: JobStatus; n: unknown }[]) out[r.status] = num(r.n);
    return out;
  }

  /** Jobs per type and status, for the metrics endpoint (done jobs are history, not counted). */
  async countsByType(): Promise<JobTypeCounts[]> {
    const rows = await this.db('jobs').whereIn('status', ['queued', 'running', 'failed']).select('type', 'status').count({ n: '*' }).groupBy('type', 'status');
    return (rows as { type: string; status: JobStatus; n: unknown }[]).map((r) => ({ type: r.type, status: r.status, n: num(r.n) }));
  }

  /** Seconds the oldest due queued job has been waiting (0 when none waits). */
  async oldestQueuedAgeSeconds(): Promise<number> {
    const now = this.now();
    const r = await this.db('jobs').where('status', 'queued').andWhere('run_after', '<=', now.toISOString()).min({ oldest: 'run_after' }).first();
    const oldest = r?.oldest as string | null | undefined;
    return oldest ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : 0;
  }

  private async claim(): Promise<InFlight | null> {
    const now = nowIso(() => this.now());
    const types = [...this.handlers.keys()];
    if (!types.length) return null;
    for (let tries = 0; tries < 5; tries++) {
      const candidate = await this.db('jobs').where('status', 'queued').andWhere('run_after', '<=', now).whereIn('type', types).orderBy('run_after').orderBy('id').first('id');
      if (!candidate) return null;
      const holder = `${this.workerId}#${++this.claims}`;
      const updated = await this.db('jobs')
        .where({ id: candidate.id, status: 'queued' })
        .update({ status: 'running', locked_by: holder, locked_at: now, updated_at: now, attempts: this.db.raw('attempts + 1') });
      if (updated === 1) {
        const job = await this.get(Number(candidate.id));
        if (job) return { job, holder, abort: new AbortController() };
      }
    }
    return null;
  }

  /** The row, while this run holds it. */
  private held(f: InFlight) {
    return this.db('jobs').where({ id: f.job.id, locked_by: f.holder, status: 'running' });
  }

  private lost(f: InFlight): void {
    if (f.abort.signal.aborted) return;
    this.opts.logger?.warn({ job: f.job.id, type: f.job.type, holder: f.holder }, 'job lost: its lease lapsed and another instance took it over');
    f.abort.abort(new JobLostError(f.job.id));
  }

  /** Runs one job if one is due. Returns whether it ran one. */
  async runOnce(): Promise<boolean> {
    const f = await this.claim();
    if (!f) return false;
    const { job } = f;
    this.inFlight.set(job.id, f);
    const handler = this.handlers.get(job.type)!;
    const heartbeat = setInterval(() => {
      this.held(f)
        .update({ locked_at: nowIso(() => this.now()) })
        .then((n) => {
          if (n === 0) this.lost(f);
        })
        .catch(() => undefined); // the database is away: the lease decides
    }, this.heartbeatMs);
    heartbeat.unref();
    const assertHeld = async () => {
      if (f.abort.signal.aborted) throw new JobLostError(job.id);
      const n = await this.held(f).update({ locked_at: nowIso(() => this.now()) });
      if (n === 0) {
        this.lost(f);
        throw new JobLostError(job.id);
      }
    };
    try {
      const ctx: JobContext = {
        holder: f.holder,
        signal: f.abort.signal,
        assertHeld,
        progress: async (p) => {
          if (f.abort.signal.aborted) throw new JobLostError(job.id);
          const n = await this.held(f).update({ progress: Math.max(0, Math.min(100, Math.round(p))), locked_at: nowIso(() => this.now()) });
          if (n === 0) {
            this.lost(f);
            throw new JobLostError(job.id);
          }
        },
      };
      const result = await handler(job.payload, ctx);
      // locked_by stays on a finished job: it says which process ran it.
      const n = await this.held(f).update({ status: 'done', progress: 100, result: result === undefined ? null : JSON.stringify(result), last_error: null, locked_at: null, updated_at: nowIso(() => this.now()) });
      if (n === 1) this.opts.logger?.info({ job: job.id, type: job.type }, 'job done');
      else this.lost(f);
    } catch (e) {
      if (e instanceof JobLostError || f.abort.signal.aborted) {
        this.lost(f);
      } else {
        const message = (e as Error)?.message ?? String(e);
        const final = job.attempts >= job.maxAttempts || (e as { permanent?: boolean })?.permanent === true;
        const n = await this.held(f).update({
          status: final ? 'failed' : 'queued',
          last_error: message.slice(0, 4000),
          locked_by: null,
          locked_at: null,
          run_after: new Date(this.now().getTime() + backoffMs(job.attempts)).toISOString(),
          updated_at: nowIso(() => this.now()),
        });
        if (n === 1) this.opts.logger?.warn({ job: job.id, type: job.type, attempts: job.attempts, final, err: message }, 'job failed');
        else this.lost(f);
      }
    } finally {
      clearInterval(heartbeat);
      this.inFlight.delete(job.id);
    }
    return true;
  }

  /** Runs due jobs until none is left (tests and the CLI use this). */
  async drain(maxJobs = 1000): Promise<number> {
    let n = 0;
    while (n < maxJobs && (await this.runOnce())) n++;
    return n;
  }

  /** Starts polling for due jobs, and looking for abandoned ones every half lease (at most a minute). */
  start(): void {
    this.stopped = false;
    const recover = () =>
      void this.recoverAbandoned()
        .then((n) => n && this.kick())
        .catch((e) => this.opts.logger?.error({ err: e }, 'job recovery failed'));
    recover();
    this.kick();
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    this.recoveryTimer = setInterval(recover, this.opts.recoverEveryMs ?? Math.min(60_000, Math.max(100, Math.floor(this.leaseMs / 2))));
    this.recoveryTimer.unref();
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  /** How many jobs this instance is running right now. */
  get activeCount(): number {
    return this.inFlight.size;
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

  private whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking jobs and waits for the running ones to finish. With `graceMs`, jobs still running
   * after it are handed back: aborted here, and queued again (their attempt not counted) for
   * another instance to take at once. Returns how many were handed back.
   */
  async stop(o: { graceMs?: number } = {}): Promise<number> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.recoveryTimer) clearInterval(this.recoveryTimer);
    if (o.graceMs === undefined) {
      await this.whenIdle();
      return 0;
    }
    let timeout: NodeJS.Timeout | undefined;
    const finished = await Promise.race([this.whenIdle().then(() => true), new Promise<boolean>((r) => (timeout = setTimeout(() => r(false), o.graceMs)))]);
    clearTimeout(timeout);
    if (finished) return 0;
    let handedBack = 0;
    for (const f of [...this.inFlight.values()]) {
      // Hand the row back first, then stop the handler: a handler that ends as soon as it is aborted
      // would otherwise race its own completion against the hand-back (the completion is fenced by
      // the holder, which the hand-back has already cleared).
      const now = nowIso(() => this.now());
      handedBack += await this.held(f)
        .update({ status: 'queued', locked_by: null, locked_at: null, run_after: now, updated_at: now, attempts: this.db.raw('case when attempts > 0 then attempts - 1 else 0 end') })
        .catch(() => 0);
      f.abort.abort(new JobLostError(f.job.id));
    }
    if (handedBack) this.opts.logger?.info({ handedBack }, 'jobs handed back at shutdown');
    return handedBack;
  }
}
