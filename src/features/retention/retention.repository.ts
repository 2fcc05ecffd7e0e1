// Retention's SQL: policies, legal holds, the facts a purge decides on, the append-only deletion log.
import type { Knex } from 'knex';
import { insertReturningId, isPostgres, nowIso, num, parseJson, toBool } from '../../db';
import { DEFAULT_RETENTION_DAYS, RETENTION_CLASSES, type CallFacts, type RetentionClass, type RetentionPolicies } from './retention.policy';

type Conn = Knex | Knex.Transaction;

// ---- policies ----

export interface PolicyRow {
  callClass: RetentionClass;
  days: number | null;
  updatedBy: string | null;
  updatedAt: string;
}

/** Adds the classes a database does not have yet with their defaults (every start; idempotent). */
export async function ensureDefaultPolicies(db: Knex, clock?: () => Date): Promise<void> {
  const have = new Set((await db('retention_policies').select('call_class')).map((r) => r.call_class as string));
  const missing = RETENTION_CLASSES.filter((c) => !have.has(c));
  if (missing.length) await db('retention_policies').insert(missing.map((c) => ({ call_class: c, days: DEFAULT_RETENTION_DAYS[c], updated_at: nowIso(clock) }))).onConflict('call_class').ignore();
}

export async function listPolicies(db: Conn): Promise<PolicyRow[]> {
  const rows = await db('retention_policies as p').leftJoin('users as u', 'u.id', 'p.updated_by').select('p.call_class', 'p.days', 'p.updated_at', 'u.display_name');
  const byClass = new Map(rows.map((r) => [r.call_class as string, r]));
  return RETENTION_CLASSES.map((c) => {
    const r = byClass.get(c);
    return { callClass: c, days: r ? (r.days == null ? null : Number(r.days)) : DEFAULT_RETENTION_DAYS[c], updatedBy: (r?.display_name as string | null) ?? null, updatedAt: (r?.updated_at as string) ?? '' };
  });
}

export async function policies(db: Conn): Promise<RetentionPolicies> {
  return Object.fromEntries((await listPolicies(db)).map((p) => [p.callClass, p.days])) as RetentionPolicies;
}

export async function savePolicies(trx: Knex.Transaction, values: RetentionPolicies, userId: number, clock?: () => Date): Promise<void> {
  for (const c of RETENTION_CLASSES) {
    await trx('retention_policies').insert({ call_class: c, days: values[c], updated_by: userId, updated_at: nowIso(clock) }).onConflict('call_class').merge(['days', 'updated_by', 'updated_at']);
  }
}

// ---- what a purge decides on ----

/** Recordings not yet purged with a call that started before `before`, in id order, after `afterId`. */
export async function candidateRecordingIds(db: Conn, before: string, opts: { afterId: number; limit: number }): Promise<number[]> {
  const rows = await db('recordings as r')
    .whereNull('r.purged_at')
    .andWhere('r.id', '>', opts.afterId)
    .whereExists((q) => q.select(db.raw('1')).from('calls as c').whereRaw('c.recording_id = r.id').andWhere('c.started_at', '<', before))
    .orderBy('r.id')
    .limit(opts.limit)
    .select('r.id');
  return rows.map((r) => Number(r.id));
}

/** Every call of these recordings with what decides its class, and whether it is held. */
export async function callFactsByRecording(db: Conn, recordingIds: readonly number[]): Promise<Map<number, CallFacts[]>> {
  const out = new Map<number, CallFacts[]>(recordingIds.map((id) => [id, []]));
  if (!recordingIds.length) return out;
  const rows = await db('calls as c')
    .whereIn('c.recording_id', recordingIds)
    .select(
      'c.id',
      'c.recording_id',
      'c.external_id',
      'c.started_at',
      db.raw("(c.evaluated_at is not null or exists (select 1 from evaluations e where e.call_id = c.id and e.status = 'submitted')) as evaluated"),
      db.raw(
        `(exists (select 1 from errors er where er.call_id = c.id and er.voided_at is null)
          or exists (select 1 from evaluations e where e.call_id = c.id and e.is_complex_case = ?)
          or exists (select 1 from evaluation_disputes d join evaluations e on e.id = d.evaluation_id where e.call_id = c.id)) as flagged`,
        [true],
      ),
      db.raw("(exists (select 1 from calibration_calls cc where cc.call_id = c.id) or exists (select 1 from evaluations e where e.call_id = c.id and e.kind = 'calibration')) as in_training"),
      db.raw('exists (select 1 from legal_holds h where h.call_id = c.id and h.released_at is null) as held'),
    )
    .orderBy('c.id');
  for (const r of rows) {
    out.get(Number(r.recording_id))?.push({ callId: Number(r.id), externalId: r.external_id, startedAt: r.started_at, evaluated: toBool(r.evaluated), flagged: toBool(r.flagged), inTraining: toBool(r.in_training), held: toBool(r.held) });
  }
  return out;
}

export interface RecordingFiles {
  id: number;
  sha256: string;
  storageKey: string;
  renditionKey: string | null;
  peaksKey: string | null;
  sizeBytes: number;
  purgedAt: string | null;
}

function mapFiles(r: Record<string, unknown>): RecordingFiles {
  return { id: Number(r.id), sha256: r.sha256 as string, storageKey: r.storage_key as string, renditionKey: (r.rendition_key as string | null) ?? null, peaksKey: (r.peaks_key as string | null) ?? null, sizeBytes: Number(r.size_bytes), purgedAt: (r.purged_at as string | null) ?? null };
}

const FILE_COLUMNS = ['id', 'sha256', 'storage_key', 'rendition_key', 'peaks_key', 'size_bytes', 'purged_at'];

export async function recordingFiles(db: Conn, ids: readonly number[]): Promise<Map<number, RecordingFiles>> {
  if (!ids.length) return new Map();
  const rows = await db('recordings').whereIn('id', ids).select(FILE_COLUMNS);
  return new Map(rows.map((r) => [Number(r.id), mapFiles(r)]));
}

/**
 * The recording row, locked for this transaction on PostgreSQL (a purge and a new legal hold on
 * one of its calls cannot pass each other); SQLite serialises writers anyway.
 */
export async function lockRecording(trx: Knex.Transaction, id: number): Promise<RecordingFiles | null> {
  const q = trx('recordings').where({ id }).first(FILE_COLUMNS);
  if (isPostgres(trx)) q.forUpdate();
  const r = await q;
  return r ? mapFiles(r) : null;
}

export async function markPurged(trx: Knex.Transaction, id: number, at: string): Promise<void> {
  await trx('recordings').where({ id }).update({ purged_at: at, updated_at: at });
}

/** Recordings purged since `since`: their files are deleted again (a crash between commit and delete leaves none behind). */
export async function recentlyPurged(db: Conn, since: string): Promise<RecordingFiles[]> {
  return (await db('recordings').whereNotNull('purged_at').andWhere('purged_at', '>=', since).select(FILE_COLUMNS)).map(mapFiles);
}

/**
 * The same bytes arrived again for a recording whose files were purged: the store has the original
 * again, so the row comes back to life (to be prepared anew). The deletion log keeps its history.
 */
export async function revivePurgedRecording(db: Conn, id: number, clock?: () => Date): Promise<boolean> {
  const n = await db('recordings').where({ id }).whereNotNull('purged_at').update({ purged_at: null, status: 'stored', rendition_key: null, peaks_key: null, prepare_error: null, prepared_at: null, updated_at: nowIso(clock) });
  return n > 0;
}

export async function isPurged(db: Conn, recordingId: number): Promise<boolean> {
  const r = await db('recordings').where({ id: recordingId }).first('purged_at');
  return Boolean(r?.purged_at);
}

// ---- the deletion log (append-only: the database refuses updates and deletes) ----

export interface DeletionRow {
  id: number;
  at: string;
  recordingId: number;
  sha256: string;
  sizeBytes: number | null;
  files: string[];
  callIds: number[];
  /** The calls with their external ids, for the log's pages (filled by listDeletions). */
  calls?: { id: number; externalId: string }[];
  callClass: RetentionClass | null;
  policyDays: number | null;
  deletedBy: string | null;
}

export async function insertDeletion(trx: Knex.Transaction, d: Omit<DeletionRow, 'id' | 'deletedBy'> & { deletedByUserId: number | null }): Promise<number> {
  return insertReturningId(trx, 'retention_deletions', {
    at: d.at,
    recording_id: d.recordingId,
    sha256: d.sha256,
    size_bytes: d.sizeBytes,
    files: JSON.stringify(d.files),
    call_ids: JSON.stringify(d.callIds),
    call_class: d.callClass,
    policy_days: d.policyDays,
    deleted_by: d.deletedByUserId,
  });
}

function mapDeletion(r: Record<string, unknown>): DeletionRow {
  return {
    id: Number(r.id),
    at: r.at as string,
    recordingId: Number(r.recording_id),
    sha256: r.sha256 as string,
    sizeBytes: r.size_bytes == null ? null : Number(r.size_bytes),
    files: parseJson<string[]>(r.files, []),
    callIds: parseJson<number[]>(r.call_ids, []),
    callClass: (r.call_class as RetentionClass | null) ?? null,
    policyDays: r.policy_days == null ? null : Number(r.policy_days),
    deletedBy: (r.display_name as string | null) ?? null,
  };
}

export async function listDeletions(db: Conn, opts: { limit: number; offset: number }): Promise<{ rows: DeletionRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db('retention_deletions as d').leftJoin('users as u', 'u.id', 'd.deleted_by').select('d.*', 'u.display_name').orderBy('d.id', 'desc').limit(opts.limit).offset(opts.offset),
    db('retention_deletions').count({ n: '*' }).first(),
  ]);
  const list = rows.map(mapDeletion);
  const ids = [...new Set(list.flatMap((d) => d.callIds))];
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) for (const c of await db('calls').whereIn('id', ids.slice(i, i + 500)).select('id', 'external_id')) names.set(Number(c.id), c.external_id);
  for (const d of list) d.calls = d.callIds.map((id) => ({ id, externalId: names.get(id) ?? `#${id}` }));
  return { rows: list, total: num(count?.n) };
}

export async function lastDeletionOf(db: Conn, recordingId: number): Promise<DeletionRow | null> {
  const r = await db('retention_deletions as d').leftJoin('users as u', 'u.id', 'd.deleted_by').where('d.recording_id', recordingId).orderBy('d.id', 'desc').first('d.*', 'u.display_name');
  return r ? mapDeletion(r) : null;
}

// ---- legal holds ----

export interface LegalHold {
  id: number;
  callId: number;
  externalId: string;
  reason: string;
  placedBy: string | null;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

function holdQuery(db: Conn) {
  return db('legal_holds as h')
    .join('calls as c', 'c.id', 'h.call_id')
    .leftJoin('users as p', 'p.id', 'h.placed_by')
    .leftJoin('users as r', 'r.id', 'h.released_by')
    .select('h.*', 'c.external_id', 'p.display_name as placed_name', 'r.display_name as released_name');
}

function mapHold(r: Record<string, unknown>): LegalHold {
  return {
    id: Number(r.id),
    callId: Number(r.call_id),
    externalId: r.external_id as string,
    reason: r.reason as string,
    placedBy: (r.placed_name as string | null) ?? null,
    placedAt: r.placed_at as string,
    releasedBy: (r.released_name as string | null) ?? null,
    releasedAt: (r.released_at as string | null) ?? null,
    releaseReason: (r.release_reason as string | null) ?? null,
  };
}

export async function listHolds(db: Conn, opts: { active: boolean; limit?: number }): Promise<LegalHold[]> {
  const q = holdQuery(db).orderBy('h.id', 'desc').limit(opts.limit ?? 200);
  if (opts.active) q.whereNull('h.released_at');
  else q.whereNotNull('h.released_at');
  return (await q).map(mapHold);
}

export async function findHold(db: Conn, id: number): Promise<LegalHold | null> {
  const r = await holdQuery(db).where('h.id', id).first();
  return r ? mapHold(r) : null;
}

export async function activeHoldOf(db: Conn, callId: number): Promise<LegalHold | null> {
  const r = await holdQuery(db).where('h.call_id', callId).whereNull('h.released_at').orderBy('h.id').first();
  return r ? mapHold(r) : null;
}

export async function insertHold(trx: Knex.Transaction, h: { callId: number; reason: string; placedBy: number; placedAt: string }): Promise<number> {
  return insertReturningId(trx, 'legal_holds', { call_id: h.callId, reason: h.reason, placed_by: h.placedBy, placed_at: h.placedAt });
}

/** Releases an active hold; false when it was not active. */
export async function releaseHold(trx: Knex.Transaction, id: number, r: { releasedBy: number; releasedAt: string; reason: string }): Promise<boolean> {
  const n = await trx('legal_holds').where({ id }).whereNull('released_at').update({ released_by: r.releasedBy, released_at: r.releasedAt, release_reason: r.reason });
  return n > 0;
}

/** A call by its id or its external id (what an administrator types), with its recording. */
export async function findCallForHold(db: Conn, ref: string): Promise<{ id: number; externalId: string; recordingId: number | null } | null> {
  const q = db('calls').select('id', 'external_id', 'recording_id');
  if (/^\d{1,9}$/.test(ref)) q.where('id', Number(ref)).orWhere('external_id', ref);
  else q.where('external_id', ref);
  const r = await q.orderBy('id').first();
  return r ? { id: Number(r.id), externalId: r.external_id, recordingId: r.recording_id == null ? null : Number(r.recording_id) } : null;
}
