// knex for both databases. SQLite gets its per-connection pragmas here; PostgreSQL a pool.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { Config, ROOT_DIR, parseDatabaseUrl } from '../config';

export type Db = Knex;

// knex's own driver, opened directly only for the migration lock file (the package ships no types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SqliteDatabase = require('better-sqlite3') as new (file: string, o: { timeout: number }) => { exec(sql: string): void; close(): void };

export const MIGRATIONS_DIR = path.join(ROOT_DIR, 'migrations');

export function knexConfig(database: Config['database'], poolMax = 10): Knex.Config {
  if (database.client === 'sqlite') {
    const inMemory = database.filename === ':memory:';
    if (!inMemory) fs.mkdirSync(path.dirname(database.filename), { recursive: true });
    return {
      client: 'better-sqlite3',
      connection: { filename: database.filename },
      useNullAsDefault: true,
      // One connection. In memory, each connection would be its own database. On a file, a second
      // connection buys no parallelism (better-sqlite3 runs every statement on this one thread) but
      // deadlocks: a write on it while another connection's transaction waits between statements
      // spins in SQLite's busy handler, which blocks the very thread that would finish the
      // transaction, for busy_timeout (5 s) and then fails with "database is locked". With one
      // connection the write simply waits its turn.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          try {
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            if (!inMemory) {
              conn.pragma('journal_mode = WAL');
              conn.pragma('synchronous = NORMAL');
            }
            done(null, conn);
          } catch (e) {
            done(e as Error, conn);
          }
        },
      },
      migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] },
    };
  }
  return {
    client: 'pg',
    connection: database.connectionString,
    pool: { min: 0, max: poolMax },
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] },
  };
}

export function createDb(config: Pick<Config, 'database' | 'dbPoolMax'>): Db {
  return knexFactory(knexConfig(config.database, config.dbPoolMax));
}

export function createDbFromUrl(url: string): Db {
  return knexFactory(knexConfig(parseDatabaseUrl(url)));
}

/**
 * Runs the migrations once, whichever of several processes starting together gets there first:
 * the others wait for it and then find nothing left to do (instead of failing on knex's own lock
 * or a duplicate key in knex_migrations). PostgreSQL: a transaction-level advisory lock held on a
 * connection of its own (works through PgBouncer in transaction mode too); SQLite: an exclusive
 * transaction on a small sibling lock file. Both locks vanish with a crashed process, so knex's
 * lock row, which a crash would leave set, is freed before migrating under ours.
 */
export async function migrate(db: Db): Promise<string[]> {
  return withStartupLock(db, () => applyMigrations(db));
}

/** Migrations, then `prepare` (features' start-up work, e.g. the default rubric), under one lock. */
export async function migrateAndPrepare(db: Db, prepare: () => Promise<void>): Promise<string[]> {
  return withStartupLock(db, async () => {
    const applied = await applyMigrations(db);
    await prepare();
    return applied;
  });
}

async function applyMigrations(db: Db): Promise<string[]> {
  // Nothing to apply (the usual start, or a CLI command beside a running app): write nothing, so a
  // busy database is never asked for its write lock just to free knex's lock row.
  if ((await db.schema.hasTable('knex_migrations')) && (await pendingMigrations(db)).length === 0) return [];
  await db.migrate.forceFreeMigrationsLock();
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/**
 * Runs `fn` while no other process runs its own start-up work on this database (see migrate()).
 * Not re-entrant: never call migrate() inside it.
 */
export async function withStartupLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const cfg = db.client.config as Knex.Config;
  if (isPostgres(db)) {
    // A pool of one beside the app's pool, so a DB_POOL_MAX of 1 cannot deadlock on the lock.
    const lockDb = knexFactory({ client: 'pg', connection: cfg.connection, searchPath: cfg.searchPath, pool: { min: 0, max: 1 } } as Knex.Config);
    try {
      return await lockDb.transaction(async (trx) => {
        await trx.raw("select pg_advisory_xact_lock(hashtext('sifat:migrations:' || current_schema()))");
        return fn();
      });
    } finally {
      await lockDb.destroy();
    }
  }
  const filename = (cfg.connection as { filename?: string } | undefined)?.filename;
  if (!filename || filename === ':memory:') return fn();
  // No busy timeout: better-sqlite3 would wait synchronously and stall this process's event loop
  // (and the migration it waits for, when that runs in the same process). Retry asynchronously.
  const lock = new SqliteDatabase(`${filename}.migrate-lock`, { timeout: 0 });
  try {
    for (let waited = 0; ; waited += 100) {
      try {
        lock.exec('begin exclusive');
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || waited > 10 * 60_000) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    try {
      return await fn();
    } finally {
      lock.exec('rollback');
    }
  } finally {
    lock.close();
  }
}

/** Migration files not yet recorded as applied (read-only: /readyz asks this). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'));
  const done = new Set((await db('knex_migrations').pluck('name')) as string[]);
  return files.filter((f) => !done.has(f));
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR']);

/**
 * Whether an error means "the database cannot be reached right now" (refused or dropped connection,
 * a pool that cannot get one, PostgreSQL shutting down or starting, SQLite locked or unreadable),
 * as opposed to a mistake in a query. Such a request answers 503 and the process keeps running.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return true;
  // PostgreSQL: class 08 (connection exception), 57P01-57P03 (shutting down, crashed, cannot connect now), 53300 (too many connections).
  if (/^08\d{3}$/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') return true;
  if (e.name === 'KnexTimeoutError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect|terminating connection due to administrator command/i.test(message);
}

export async function isDatabaseReachable(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}

/** Timestamps are stored as ISO-8601 UTC strings on both databases, so they compare and sort alike. */
export function nowIso(clock: () => Date = () => new Date()): string {
  return clock().toISOString();
}

/** SQLite gives 0/1 for booleans, PostgreSQL true/false. */
export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

export function parseJson<T>(v: unknown, fallback: T): T {
  if (v == null || v === '') return fallback;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** Inserts a row and returns its id on both databases. */
export async function insertReturningId(db: Knex | Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await db(table).insert(row).returning('id');
  return Number(typeof r === 'object' ? (r as { id: number }).id : r);
}

/** Count rows; PostgreSQL returns counts as strings. */
export function num(v: unknown): number {
  return v == null ? 0 : Number(v);
}
