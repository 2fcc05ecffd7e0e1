// An online backup while the app runs: the SQLite database through its backup API (a consistent
// copy, WAL included, without stopping writers) and the recordings store (recordings, renditions,
// peaks, training materials) hard-linked when the target is on the same file system, else copied,
// with a manifest of every file's size and SHA-256 and the row counts at the time of the copy.
// The database is copied first: every file it names already exists (files are content-addressed
// and never change), so the copy is consistent; a file the purge deletes meanwhile is reported.
// PostgreSQL is backed up with pg_dump (docs/operations.md); this command then copies the files.
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { isPostgres } from '../../db';

export const MANIFEST = 'manifest.json';
export const DATABASE_FILE = 'sifat.db';
export const RECORDINGS = 'recordings';
/** Tables whose row counts the manifest keeps (a restore is checked against them). */
export const COUNTED_TABLES = ['users', 'operators', 'calls', 'recordings', 'evaluations', 'errors', 'audit_log', 'retention_deletions'];

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: 'sifat-backup';
  version: 1;
  createdAt: string;
  database: { client: 'sqlite'; file: ManifestFile } | { client: 'pg'; note: string };
  counts: Record<string, number>;
  recordings: { files: ManifestFile[]; linked: number; copied: number; bytes: number };
}

export class BackupError extends Error {}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Files of the store worth keeping: not temporary dot-files, not import staging folders. */
async function storeFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue; // .imports staging, .tmp files being written
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(root);
  return out.sort();
}

async function counts(db: Knex): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of COUNTED_TABLES) out[table] = Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
  return out;
}

// better-sqlite3 ships no types; the driver knex already uses, opened directly for a read-only look.
interface SqliteFile {
  prepare(sql: string): { get(): unknown };
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string, o: { readonly: boolean; fileMustExist: boolean }) => SqliteFile;

/** Row counts of the copy itself (the live database has moved on since), opened read-only. */
function countsOfCopy(file: string): Record<string, number> {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(COUNTED_TABLES.map((t) => [t, Number((copy.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n)]));
  } finally {
    copy.close();
  }
}

async function ensureEmptyDir(dir: string): Promise<void> {
  const stat = await fs.stat(dir).catch(() => null);
  if (stat && !stat.isDirectory()) throw new BackupError(`${dir} is not a folder`);
  if (stat && (await fs.readdir(dir)).length) throw new BackupError(`${dir} is not empty: choose a new folder for each backup`);
  await fs.mkdir(dir, { recursive: true });
}

/** Copies the open SQLite database to `dest` with better-sqlite3's online backup API. */
async function backupSqlite(db: Knex, dest: string): Promise<void> {
  const conn = (await db.client.acquireConnection()) as { backup(dest: string, o: { progress(): number }): Promise<unknown>; name: string };
  try {
    if (conn.name === ':memory:') throw new BackupError('an in-memory database cannot be backed up');
    // After the first small step, the rest in one step: SQLite restarts a stepped backup whenever
    // another connection writes, and the running app writes all the time.
    await conn.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/** Places `src` at `dest`: a hard link when possible (instant, no extra space), else a copy. */
async function linkOrCopy(src: string, dest: string): Promise<'linked' | 'copied'> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  try {
    await fs.link(src, dest);
    return 'linked';
  } catch {
    await fs.copyFile(src, dest);
    return 'copied';
  }
}

export async function createBackup(deps: { db: Knex; config: Pick<Config, 'recordingsDir'>; clock: () => Date }, dir: string, opts: { onProgress?: (done: number, total: number) => void } = {}): Promise<BackupManifest> {
  const target = path.resolve(dir);
  const store = path.resolve(deps.config.recordingsDir);
  if (target === store || target.startsWith(`${store}${path.sep}`)) throw new BackupError('the backup folder must not be inside the recordings folder');
  await ensureEmptyDir(target);
  const createdAt = deps.clock().toISOString();

  let database: BackupManifest['database'];
  let rowCounts: Record<string, number>;
  if (isPostgres(deps.db)) {
    database = { client: 'pg', note: 'PostgreSQL: back the database up with pg_dump (docs/operations.md)' };
    rowCounts = await counts(deps.db);
  } else {
    const dbFile = path.join(target, DATABASE_FILE);
    await backupSqlite(deps.db, dbFile);
    const stat = await fs.stat(dbFile);
    database = { client: 'sqlite', file: { path: DATABASE_FILE, size: stat.size, sha256: await sha256Of(dbFile) } };
    rowCounts = countsOfCopy(dbFile);
  }

  const files = await storeFiles(store);
  const recordings: BackupManifest['recordings'] = { files: [], linked: 0, copied: 0, bytes: 0 };
  for (const [i, src] of files.entries()) {
    const rel = path.relative(store, src).split(path.sep).join('/');
    const dest = path.join(target, RECORDINGS, ...rel.split('/'));
    let how: 'linked' | 'copied';
    try {
      how = await linkOrCopy(src, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted by the purge meanwhile
      throw e;
    }
    const stat = await fs.stat(dest);
    recordings.files.push({ path: `${RECORDINGS}/${rel}`, size: stat.size, sha256: await sha256Of(dest) });
    recordings[how]++;
    recordings.bytes += stat.size;
    opts.onProgress?.(i + 1, files.length);
  }

  const manifest: BackupManifest = { format: 'sifat-backup', version: 1, createdAt, database, counts: rowCounts, recordings };
  await fs.writeFile(path.join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface BackupCheck {
  ok: boolean;
  checked: number;
  problems: string[];
}

/** Checks a backup folder against its manifest: every file there, with its size and SHA-256. */
export async function verifyBackup(dir: string): Promise<BackupCheck> {
  const target = path.resolve(dir);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(target, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    return { ok: false, checked: 0, problems: [`${MANIFEST} is missing or unreadable`] };
  }
  if (manifest.format !== 'sifat-backup') return { ok: false, checked: 0, problems: [`${MANIFEST} is not a Sifat backup manifest`] };
  const expected = [...(manifest.database.client === 'sqlite' ? [manifest.database.file] : []), ...manifest.recordings.files];
  const problems: string[] = [];
  for (const f of expected) {
    const p = path.join(target, ...f.path.split('/'));
    if (path.relative(target, p).startsWith('..')) {
      problems.push(`${f.path}: outside the backup`);
      continue;
    }
    const stat = await fs.stat(p).catch(() => null);
    if (!stat) problems.push(`${f.path}: missing`);
    else if (stat.size !== f.size) problems.push(`${f.path}: size ${stat.size}, expected ${f.size}`);
    else if ((await sha256Of(p)) !== f.sha256) problems.push(`${f.path}: checksum differs`);
  }
  return { ok: problems.length === 0, checked: expected.length, problems };
}
