// The sign-in limit, made atomic: counting an address's recent failures and reserving the next attempt
// happen in one serialised step, before the password is checked. Without it, parallel attempts all
// counted the same failures and all went on to bcrypt (6 passwords were checked for a limit of 5).
// Serialised per address: a transaction-scoped advisory lock on PostgreSQL (several instances), an
// in-process queue on SQLite (one server; its writes are serialised anyway).
import type { Knex } from 'knex';
import { num } from '../db';

export interface SignInLimits {
  /** Failures allowed per user name and address within the window. */
  perUser: number;
  /** Failures allowed from one address within the window (a call centre shares one address). */
  perAddress: number;
  windowMinutes: number;
}

/** Whether another attempt may go ahead, given the failures (and attempts still being checked) counted. Pure. */
export function mayAttempt(counted: { user: number; address: number }, limits: Pick<SignInLimits, 'perUser' | 'perAddress'>): boolean {
  return counted.user < limits.perUser && counted.address < limits.perAddress;
}

const queues = new Map<string, Promise<unknown>>();

async function serialised<T>(db: Knex, key: string, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (db.client.config.client === 'pg') {
    return db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`sifat.sign-in:${key}`]);
      return fn(trx);
    });
  }
  const before = queues.get(key) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => db.transaction(fn));
  queues.set(key, run);
  try {
    return await run;
  } finally {
    if (queues.get(key) === run) queues.delete(key);
  }
}

/**
 * Reserves an attempt for this user name from this address: its id, or null when the limit is
 * reached. A reserved attempt counts as a failure until settleSignInAttempt() says otherwise.
 */
export async function reserveSignInAttempt(db: Knex, subject: string, ip: string, limits: SignInLimits, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - limits.windowMinutes * 60_000).toISOString();
  return serialised(db, ip, async (trx) => {
    await trx('sign_in_attempts').where('ip', ip).andWhere('at', '<', since).delete();
    const base = () => trx('sign_in_attempts').where('ip', ip).andWhere('at', '>=', since).whereIn('outcome', ['pending', 'failed']);
    const [u, a] = await Promise.all([base().andWhere('subject', subject).count({ n: '*' }).first(), base().count({ n: '*' }).first()]);
    if (!mayAttempt({ user: num(u?.n), address: num(a?.n) }, limits)) return null;
    const [row] = await trx('sign_in_attempts').insert({ subject, ip, at: now.toISOString(), outcome: 'pending' }).returning('id');
    return Number(typeof row === 'object' ? (row as { id: number }).id : row);
  });
}

export async function settleSignInAttempt(db: Knex, id: number, outcome: 'failed' | 'ok'): Promise<void> {
  await db('sign_in_attempts').where({ id }).update({ outcome });
}
