// The only SQL of the imports feature: the imports table, the reference data a manifest is checked
// against, and the batch path into calls and recordings (one query per batch, not per row).
import type { Knex } from 'knex';
import { insertReturningId, isPostgres, nowIso, num, parseJson, toBool } from '../../db';
import type { CallDraft, ExistingCall, RejectedRow } from './imports.manifest';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';
export type ImportOrigin = 'web' | 'cli';

export interface ImportCounts {
  totalRows: number;
  acceptedCount: number;
  alreadyCount: number;
  rejectedCount: number;
  recordingsStored: number;
}

export interface ImportRecord extends ImportCounts {
  id: number;
  fileName: string;
  origin: ImportOrigin;
  status: ImportStatus;
  createdBy: number | null;
  actor: string | null;
  defaultSource: string;
  recordingFiles: number;
  progress: number;
  rejectedRows: RejectedRow[];
  rejectedTruncated: boolean;
  ignoredColumns: string[];
  errorKey: string | null;
  errorParams: Record<string, unknown>;
  jobId: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

const LIST_COLUMNS = [
  'id', 'file_name', 'origin', 'status', 'created_by', 'actor', 'default_source', 'recording_files', 'total_rows', 'accepted_count',
  'already_count', 'rejected_count', 'recordings_stored', 'progress', 'rejected_truncated', 'ignored_columns', 'error_key', 'error_params',
  'job_id', 'started_at', 'finished_at', 'created_at',
];

function mapImport(r: Record<string, unknown>): ImportRecord {
  return {
    id: Number(r.id),
    fileName: r.file_name as string,
    origin: r.origin as ImportOrigin,
    status: r.status as ImportStatus,
    createdBy: r.created_by == null ? null : Number(r.created_by),
    actor: (r.actor as string | null) ?? null,
    defaultSource: r.default_source as string,
    recordingFiles: num(r.recording_files),
    totalRows: num(r.total_rows),
    acceptedCount: num(r.accepted_count),
    alreadyCount: num(r.already_count),
    rejectedCount: num(r.rejected_count),
    recordingsStored: num(r.recordings_stored),
    progress: num(r.progress),
    rejectedRows: parseJson<RejectedRow[]>(r.rejected_rows, []),
    rejectedTruncated: toBool(r.rejected_truncated),
    ignoredColumns: parseJson<string[]>(r.ignored_columns, []),
    errorKey: (r.error_key as string | null) ?? null,
    errorParams: parseJson<Record<string, unknown>>(r.error_params, {}),
    jobId: r.job_id == null ? null : Number(r.job_id),
    startedAt: (r.started_at as string | null) ?? null,
    finishedAt: (r.finished_at as string | null) ?? null,
    createdAt: r.created_at as string,
  };
}

export interface NewImport {
  fileName: string;
  origin: ImportOrigin;
  createdBy: number | null;
  actor: string | null;
  defaultSource: string;
  recordingFiles: number;
  status?: ImportStatus;
}

export async function insertImport(db: Knex | Knex.Transaction, i: NewImport, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'imports', {
    file_name: i.fileName.slice(0, 255),
    origin: i.origin,
    status: i.status ?? 'queued',
    created_by: i.createdBy,
    actor: i.actor?.slice(0, 200) ?? null,
    default_source: i.defaultSource,
    recording_files: i.recordingFiles,
    created_at: now,
    updated_at: now,
  });
}

export async function findImport(db: Knex, id: number): Promise<ImportRecord | null> {
  const r = await db('imports').where({ id }).first([...LIST_COLUMNS, 'rejected_rows']);
  return r ? mapImport(r) : null;
}

/** The newest imports first, without their rejected rows (which can be large). */
export async function listImports(db: Knex, o: { limit: number; offset: number }): Promise<ImportRecord[]> {
  const rows = await db('imports').select(LIST_COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(o.limit).offset(o.offset);
  return rows.map(mapImport);
}

export async function countImports(db: Knex): Promise<number> {
  const r = await db('imports').count({ n: '*' }).first();
  return num(r?.n);
}

export async function setImportJob(db: Knex, id: number, jobId: number): Promise<void> {
  await db('imports').where({ id }).update({ job_id: jobId });
}

export async function markImportRunning(db: Knex, id: number, clock?: () => Date): Promise<void> {
  const now = nowIso(clock);
  // A job re-run after a crash starts counting afresh: the calls it stored before are "already imported" now.
  await db('imports').where({ id }).update({
    status: 'running', started_at: now, updated_at: now, progress: 0, total_rows: 0, accepted_count: 0, already_count: 0, rejected_count: 0, recordings_stored: 0,
    rejected_rows: null, rejected_truncated: false, error_key: null, error_params: null,
  });
}

export async function updateImportProgress(db: Knex, id: number, counts: ImportCounts, progress: number, clock?: () => Date): Promise<void> {
  await db('imports').where({ id }).update({ ...countColumns(counts), progress: Math.max(0, Math.min(100, Math.round(progress))), updated_at: nowIso(clock) });
}

function countColumns(c: ImportCounts) {
  return { total_rows: c.totalRows, accepted_count: c.acceptedCount, already_count: c.alreadyCount, rejected_count: c.rejectedCount, recordings_stored: c.recordingsStored };
}

export async function finishImport(
  db: Knex,
  id: number,
  f: { status: 'done' | 'failed'; counts: ImportCounts; rejectedRows: RejectedRow[]; rejectedTruncated: boolean; ignoredColumns: string[]; errorKey?: string | null; errorParams?: Record<string, unknown> | null },
  clock?: () => Date,
): Promise<void> {
  const now = nowIso(clock);
  await db('imports').where({ id }).update({
    status: f.status,
    ...countColumns(f.counts),
    progress: f.status === 'done' ? 100 : undefined,
    rejected_rows: JSON.stringify(f.rejectedRows),
    rejected_truncated: f.rejectedTruncated,
    ignored_columns: JSON.stringify(f.ignoredColumns),
    error_key: f.errorKey ?? null,
    error_params: f.errorParams ? JSON.stringify(f.errorParams) : null,
    finished_at: now,
    updated_at: now,
  });
}

/** Keeps a running import's heartbeat (updated_at) fresh while it works through a slow stretch. */
export async function touchImport(db: Knex, id: number, clock?: () => Date): Promise<void> {
  await db('imports').where({ id, status: 'running' }).update({ updated_at: nowIso(clock) });
}

/**
 * Imports that can no longer finish are marked failed ("interrupted"): a command-line import whose
 * process stopped (no heartbeat since `staleBefore`), and a web import whose job gave up. A web
 * import whose job is merely waiting to be taken back stays as it is: it resumes by itself.
 */
export async function failInterruptedImports(db: Knex, staleBefore: string, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  const failed = { status: 'failed', error_key: 'imports.error.interrupted', error_params: JSON.stringify({}), finished_at: now, updated_at: now };
  const cli = await db('imports').where({ origin: 'cli' }).whereIn('status', ['queued', 'running']).andWhere('updated_at', '<', staleBefore).update(failed);
  const web = await db('imports')
    .where({ origin: 'web' })
    .whereIn('status', ['queued', 'running'])
    .whereIn('job_id', db('jobs').select('id').where('status', 'failed'))
    .update(failed);
  return cli + web;
}

export async function failImport(db: Knex, id: number, errorKey: string, errorParams: Record<string, unknown>, clock?: () => Date): Promise<void> {
  const now = nowIso(clock);
  await db('imports').where({ id }).whereIn('status', ['queued', 'running']).update({ status: 'failed', error_key: errorKey, error_params: JSON.stringify(errorParams), finished_at: now, updated_at: now });
}

// ---- reference data ----

export async function loadOperatorCodes(db: Knex): Promise<{ id: number; employeeCode: string }[]> {
  const rows = await db('operators').select('id', 'employee_code');
  return rows.map((r) => ({ id: Number(r.id), employeeCode: r.employee_code as string }));
}

export async function loadRegions(db: Knex): Promise<{ id: number; code: string; names: Record<string, string> }[]> {
  const rows = await db('regions').select('id', 'code', 'name_uz', 'name_ru', 'name_en');
  return rows.map((r) => ({ id: Number(r.id), code: r.code as string, names: { uz: r.name_uz, ru: r.name_ru, en: r.name_en } }));
}

// ---- calls, in batches ----

/** Chunks under both databases' bound-parameter limits. */
function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const keyOf = (source: string, externalId: string) => `${source}\u0000${externalId}`;
export { keyOf as callKey };

/** Calls already stored under these (source, external id) keys, with what a re-import is compared on. */
export async function findExistingCalls(db: Knex, keys: { source: string; externalId: string }[]): Promise<Map<string, ExistingCall>> {
  const out = new Map<string, ExistingCall>();
  const bySource = new Map<string, string[]>();
  for (const k of keys) (bySource.get(k.source) ?? bySource.set(k.source, []).get(k.source)!).push(k.externalId);
  for (const [source, ids] of bySource) {
    for (const part of chunks(ids, 900)) {
      const rows = await db('calls as c')
        .leftJoin('calls as cb', 'cb.id', 'c.callback_of_call_id')
        .leftJoin('recordings as r', 'r.id', 'c.recording_id')
        .where('c.source', source)
        .whereIn('c.external_id', part)
        .select(
          'c.id', 'c.external_id', 'c.started_at', 'c.answered_at', 'c.ended_at', 'c.duration_sec', 'c.operator_id', 'c.caller_number', 'c.language',
          'c.channel', 'c.category', 'c.services', 'c.region_id', 'c.dropped', 'c.extra', 'c.import_id', 'cb.external_id as callback_external_id', 'r.sha256 as recording_sha256',
        );
      for (const r of rows) {
        out.set(keyOf(source, r.external_id as string), {
          id: Number(r.id),
          startedAt: r.started_at,
          answeredAt: r.answered_at ?? null,
          endedAt: r.ended_at ?? null,
          durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
          operatorId: r.operator_id == null ? null : Number(r.operator_id),
          callerNumber: r.caller_number ?? null,
          language: r.language ?? null,
          channel: r.channel,
          category: r.category ?? null,
          services: r.services ?? null,
          regionId: r.region_id == null ? null : Number(r.region_id),
          dropped: toBool(r.dropped),
          callbackExternalId: r.callback_external_id ?? null,
          recordingSha256: r.recording_sha256 ?? null,
          extra: parseJson<Record<string, unknown> | null>(r.extra, null),
          importId: r.import_id == null ? null : Number(r.import_id),
        });
      }
    }
  }
  return out;
}

/** Ids of calls by (source, external id), for linking callbacks. */
export async function findCallIds(db: Knex, keys: { source: string; externalId: string }[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const bySource = new Map<string, string[]>();
  for (const k of keys) (bySource.get(k.source) ?? bySource.set(k.source, []).get(k.source)!).push(k.externalId);
  for (const [source, ids] of bySource) {
    for (const part of chunks([...new Set(ids)], 900)) {
      const rows = await db('calls').where('source', source).whereIn('external_id', part).select('id', 'external_id');
      for (const r of rows) out.set(keyOf(source, r.external_id as string), Number(r.id));
    }
  }
  return out;
}

export interface CallInsert {
  draft: CallDraft;
  recordingId: number | null;
  callbackOfCallId: number | null;
}

const CALL_INSERT_COLUMNS = [
  'source', 'external_id', 'started_at', 'answered_at', 'ended_at', 'call_date', 'duration_sec', 'operator_id', 'caller_number', 'language', 'channel',
  'category', 'services', 'region_id', 'dropped', 'callback_of_call_id', 'recording_id', 'extra', 'import_id', 'created_at', 'updated_at',
] as const;

function callRow(c: CallInsert, importId: number | null, now: string): Record<(typeof CALL_INSERT_COLUMNS)[number], unknown> {
  const d = c.draft;
  return {
    source: d.source,
    external_id: d.externalId,
    started_at: d.startedAt,
    answered_at: d.answeredAt,
    ended_at: d.endedAt,
    call_date: d.callDate,
    duration_sec: d.durationSec,
    operator_id: d.operatorId,
    caller_number: d.callerNumber,
    language: d.language,
    channel: d.channel,
    category: d.category,
    services: d.services,
    region_id: d.regionId,
    dropped: d.dropped,
    callback_of_call_id: c.callbackOfCallId,
    recording_id: c.recordingId,
    extra: d.extra ? JSON.stringify(d.extra) : null,
    import_id: importId,
    created_at: now,
    updated_at: now,
  };
}

/** The part of a better-sqlite3 connection the fast path uses. */
interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint } };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}
const sqliteInsertStatements = new WeakMap<object, ReturnType<SqliteConnection['prepare']>>();

/**
 * Inserts calls in one transaction; a (source, external id) stored meanwhile by someone else is
 * skipped, not an error (ON CONFLICT DO NOTHING). Returns the keys actually inserted with their ids.
 */
export async function insertCalls(db: Knex, importId: number | null, list: CallInsert[], clock?: () => Date): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  if (!list.length) return inserted;
  const now = nowIso(clock);
  if (!isPostgres(db)) {
    // SQLite: one prepared single-row statement, reused for every row of every batch, inside one
    // transaction. Through knex, each 400-row INSERT is a fresh statement that SQLite compiles
    // again; that compile cost alone held a 100,000-row import below 5,000 rows/s.
    const client = db.client as unknown as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<void> };
    const conn = await client.acquireConnection();
    try {
      let stmt = sqliteInsertStatements.get(conn);
      if (!stmt) {
        stmt = conn.prepare(
          `insert into calls (${CALL_INSERT_COLUMNS.join(', ')}) values (${CALL_INSERT_COLUMNS.map(() => '?').join(', ')}) on conflict (source, external_id) do nothing`,
        );
        sqliteInsertStatements.set(conn, stmt);
      }
      const run = stmt;
      conn.transaction(() => {
        for (const c of list) {
          const row = callRow(c, importId, now);
          // better-sqlite3 binds no booleans: SQLite stores them as 0/1.
          const info = run.run(...CALL_INSERT_COLUMNS.map((k) => (k === 'dropped' ? (row.dropped ? 1 : 0) : row[k])));
          if (info.changes === 1) inserted.set(keyOf(c.draft.source, c.draft.externalId), Number(info.lastInsertRowid));
        }
      })();
    } finally {
      await client.releaseConnection(conn);
    }
    return inserted;
  }
  // PostgreSQL: multi-row inserts; 21 columns × 400 rows stays under its parameter limit.
  await db.transaction(async (trx) => {
    for (const part of chunks(list, 400)) {
      const got = await trx('calls').insert(part.map((c) => callRow(c, importId, now))).onConflict(['source', 'external_id']).ignore().returning(['id', 'source', 'external_id']);
      for (const r of got as { id: number; source: string; external_id: string }[]) inserted.set(keyOf(r.source, r.external_id), Number(r.id));
    }
  });
  return inserted;
}

/** The calls an import brought in, newest first, for its page. */
export async function listImportedCalls(db: Knex, importId: number, o: { limit: number; offset: number }) {
  const rows = await db('calls as c')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .leftJoin('regions as r', 'r.id', 'c.region_id')
    .where('c.import_id', importId)
    .whereNull('c.deleted_at')
    .select('c.id', 'c.external_id', 'c.source', 'c.started_at', 'c.duration_sec', 'c.language', 'c.category', 'c.dropped', 'c.recording_id', 'o.full_name as operator_name', 'o.employee_code', 'r.code as region_code')
    .orderBy('c.started_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(o.limit)
    .offset(o.offset);
  return rows.map((r) => ({
    id: Number(r.id),
    externalId: r.external_id as string,
    source: r.source as string,
    startedAt: r.started_at as string,
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    language: (r.language as string | null) ?? null,
    category: (r.category as string | null) ?? null,
    dropped: toBool(r.dropped),
    hasRecording: r.recording_id != null,
    operatorName: (r.operator_name as string | null) ?? null,
    operatorCode: (r.employee_code as string | null) ?? null,
    regionCode: (r.region_code as string | null) ?? null,
  }));
}

export async function countImportedCalls(db: Knex, importId: number): Promise<number> {
  const r = await db('calls').where({ import_id: importId }).whereNull('deleted_at').count({ n: '*' }).first();
  return num(r?.n);
}

// ---- recordings ----

export async function findRecordingBySha(db: Knex, sha256: string): Promise<{ id: number; durationSec: number | null } | null> {
  const r = await db('recordings').where({ sha256 }).first('id', 'duration_sec');
  return r ? { id: Number(r.id), durationSec: r.duration_sec == null ? null : Number(r.duration_sec) } : null;
}

export interface NewRecording {
  sha256: string;
  storageKey: string;
  originalName: string;
  sizeBytes: number;
  format: string;
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number;
}

/** Stores a recording row once per content (sha256); returns its id and whether this call made it. */
export async function insertRecording(db: Knex, r: NewRecording, clock?: () => Date): Promise<{ id: number; created: boolean }> {
  const now = nowIso(clock);
  const got = await db('recordings')
    .insert({
      sha256: r.sha256,
      storage_key: r.storageKey,
      original_name: r.originalName.slice(0, 255),
      size_bytes: r.sizeBytes,
      format: r.format.slice(0, 32),
      codec: r.codec.slice(0, 32),
      sample_rate: r.sampleRate,
      channels: r.channels,
      duration_sec: r.durationSec,
      status: 'stored',
      created_at: now,
      updated_at: now,
    })
    .onConflict('sha256')
    .ignore()
    .returning('id');
  if (got.length) return { id: Number((got[0] as { id: number }).id ?? got[0]), created: true };
  return { id: (await findRecordingBySha(db, r.sha256))!.id, created: false };
}
