// Sessions in the database (connect-session-knex), shared by every instance, made safe for a
// database that goes away: the library hands an error to express-session and then rethrows it
// from a promise nobody awaits, and Node exits on the unhandled rejection — every instance at
// once on a PostgreSQL restart. Here each store call settles through its callback only, so the
// request gets the error (503 from the error handler) and the process keeps serving.
//
// Expired sessions are deleted by `purgeExpiredSessions`, run hourly as the `sessions.purge` job.
import type { Knex } from 'knex';
import type { SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';

type Cb<T = unknown> = (err?: unknown, value?: T) => void;

export class SessionStore extends ConnectSessionKnexStore {
  constructor(db: Knex) {
    // The table comes from a migration; no clean-up timer here (the purge is a scheduled job).
    super({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
    // The library's start-up check of the table would fail every later call if the database was
    // away at that moment; migrations already made the table.
    this.ready.catch(() => undefined);
    this.ready = Promise.resolve();
  }

  /**
   * Calls the library's method with a callback and settles exactly once, through our callback,
   * whether the library answers by callback, by promise, by a rejected promise or by throwing.
   */
  private settle<T>(run: (cb: Cb<T>) => unknown, cb: Cb<T> | undefined): Promise<T> {
    return new Promise<T>((resolve) => {
      let done = false;
      const finish = (err: unknown, value?: T) => {
        if (done) return;
        done = true;
        cb?.(err ?? null, value);
        resolve(value as T);
      };
      try {
        const r = run((err, value) => finish(err, value)) as Promise<T> | undefined;
        if (r && typeof r.then === 'function') r.then((v) => finish(null, v), (e: unknown) => finish(e ?? new Error('session store failed')));
      } catch (e) {
        finish(e);
      }
    });
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): Promise<SessionData | null> {
    return this.settle((cb) => super.get(sid, cb), callback as Cb<SessionData | null>);
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    return this.settle((cb) => super.set(sid, session, cb), callback as Cb<void>);
  }

  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    return this.settle((cb) => super.touch(sid, session, cb), callback as Cb<void>);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    return this.settle((cb) => super.destroy(sid, cb), callback as Cb<number>);
  }

  override length(callback: (err: unknown, length?: number) => void): Promise<number | undefined> {
    return this.settle((cb) => super.length(cb), callback as Cb<number | undefined>);
  }

  override clear(callback?: (err?: unknown) => void): Promise<number> {
    return this.settle((cb) => super.clear(cb), callback as Cb<number>);
  }

  override all(callback: (err: unknown, obj?: SessionData[] | { [sid: string]: SessionData } | null) => void): Promise<SessionData[]> {
    return this.settle((cb) => super.all(cb as never), callback as Cb<SessionData[]>);
  }
}

export const SESSION_PURGE_JOB = 'sessions.purge';

/** Deletes sessions past their expiry; returns how many. */
export async function purgeExpiredSessions(db: Knex, now: Date): Promise<number> {
  return db('sessions').where('expired', '<', now.toISOString()).del();
}
