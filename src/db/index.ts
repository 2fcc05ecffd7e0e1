// knex for both databases. SQLite gets its per-connection pragmas here; PostgreSQL a pool.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { Config, ROOT_DIR, parseDatabaseUrl } from '../config';

export type Db = Knex;

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

export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
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
