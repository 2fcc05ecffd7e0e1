// Rubrics and their versions: the only place their SQL lives. A version's sections and criteria
// are one JSON document (rubric_versions.definition), written whole.
import type { Knex } from 'knex';
import { insertReturningId, isPostgres, nowIso, num, parseJson, toBool } from '../../db';
import type { RubricDefinition, RubricVersionStatus } from './rubric.model';

type Q = Knex | Knex.Transaction;

export interface Rubric {
  id: number;
  name: string;
  description: string | null;
  callCategory: string | null;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RubricVersion {
  id: number;
  rubricId: number;
  versionNo: number;
  status: RubricVersionStatus;
  /** As stored. Published versions were validated when published; drafts when last saved. */
  definition: RubricDefinition;
  createdBy: number | null;
  createdByName: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const RUBRIC_COLUMNS = ['id', 'name', 'description', 'call_category', 'is_default', 'created_at', 'updated_at'];

function mapRubric(r: Record<string, unknown>): Rubric {
  return {
    id: Number(r.id),
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    callCategory: (r.call_category as string | null) ?? null,
    isDefault: toBool(r.is_default),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

function mapVersion(r: Record<string, unknown>): RubricVersion {
  return {
    id: Number(r.id),
    rubricId: Number(r.rubric_id),
    versionNo: Number(r.version_no),
    status: r.status as RubricVersionStatus,
    definition: parseJson<RubricDefinition>(r.definition, { sections: [] }),
    createdBy: r.created_by == null ? null : Number(r.created_by),
    createdByName: (r.created_by_name as string | null | undefined) ?? null,
    publishedAt: (r.published_at as string | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

function versionQuery(db: Q) {
  return db('rubric_versions as v')
    .leftJoin('users as u', 'u.id', 'v.created_by')
    .select('v.id', 'v.rubric_id', 'v.version_no', 'v.status', 'v.definition', 'v.created_by', 'u.display_name as created_by_name', 'v.published_at', 'v.created_at', 'v.updated_at');
}

// ---- rubrics ----

export async function listRubrics(db: Q): Promise<Rubric[]> {
  // The default first, then by name: the list reads "the one that applies to everything, then the special ones".
  const rows = await db('rubrics').select(RUBRIC_COLUMNS).orderBy([{ column: 'is_default', order: 'desc' }, { column: 'name' }, { column: 'id' }]);
  return rows.map(mapRubric);
}

export async function countRubrics(db: Q): Promise<number> {
  const r = await db('rubrics').count({ n: '*' }).first();
  return num(r?.n);
}

export async function findRubric(db: Q, id: number): Promise<Rubric | null> {
  const r = await db('rubrics').where({ id }).first(RUBRIC_COLUMNS);
  return r ? mapRubric(r) : null;
}

export async function findRubricByCategory(db: Q, callCategory: string): Promise<Rubric | null> {
  const r = await db('rubrics').where({ call_category: callCategory }).orderBy('id').first(RUBRIC_COLUMNS);
  return r ? mapRubric(r) : null;
}

export interface RubricRow {
  name: string;
  description: string | null;
  callCategory: string | null;
  isDefault: boolean;
}

export async function insertRubric(db: Q, r: RubricRow, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'rubrics', {
    name: r.name,
    description: r.description,
    call_category: r.callCategory,
    is_default: r.isDefault,
    created_at: now,
    updated_at: now,
  });
}

export async function updateRubric(db: Q, id: number, patch: Partial<RubricRow>, clock?: () => Date): Promise<void> {
  const row: Record<string, unknown> = { updated_at: nowIso(clock) };
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.description !== undefined) row.description = patch.description;
  if (patch.callCategory !== undefined) row.call_category = patch.callCategory;
  if (patch.isDefault !== undefined) row.is_default = patch.isDefault;
  await db('rubrics').where({ id }).update(row);
}

/** Takes the default flag from every rubric but this one: one default at a time. */
export async function clearOtherDefaults(db: Q, keepId: number, clock?: () => Date): Promise<void> {
  await db('rubrics').where('is_default', true).whereNot('id', keepId).update({ is_default: false, updated_at: nowIso(clock) });
}

/** Serialises the one-off creation of the default rubric across app instances starting together.
 *  PostgreSQL only (a transaction-scoped advisory lock); SQLite has one writer anyway. */
export async function lockForDefaultRubric(trx: Knex.Transaction): Promise<void> {
  if (isPostgres(trx as unknown as Knex)) await trx.raw('select pg_advisory_xact_lock(?)', [112_000_600]);
}

// ---- versions ----

export async function listVersions(db: Q, rubricId: number): Promise<RubricVersion[]> {
  const rows = await versionQuery(db).where('v.rubric_id', rubricId).orderBy('v.version_no', 'desc');
  return rows.map(mapVersion);
}

/** Every rubric's published and draft versions, for the list page, in one query. */
export async function listCurrentVersions(db: Q): Promise<RubricVersion[]> {
  const rows = await versionQuery(db).whereIn('v.status', ['published', 'draft']).orderBy('v.version_no', 'desc');
  return rows.map(mapVersion);
}

/** Every rubric's published version (one each), for choosing the rubric of a call. */
export async function listPublishedVersions(db: Q): Promise<RubricVersion[]> {
  const rows = await versionQuery(db).where('v.status', 'published').orderBy('v.version_no', 'desc');
  return rows.map(mapVersion);
}

export async function findVersion(db: Q, id: number): Promise<RubricVersion | null> {
  const r = await versionQuery(db).where('v.id', id).first();
  return r ? mapVersion(r) : null;
}

/** The version, locked for the rest of the transaction on PostgreSQL, so two concurrent edits of
 *  one draft apply one after the other instead of the second overwriting the first. SQLite runs
 *  one write transaction at a time already. */
export async function findVersionForUpdate(trx: Knex.Transaction, id: number): Promise<RubricVersion | null> {
  const q = trx('rubric_versions').where({ id }).first('id', 'rubric_id', 'version_no', 'status', 'definition', 'created_by', 'published_at', 'created_at', 'updated_at');
  if (isPostgres(trx as unknown as Knex)) q.forUpdate();
  const r = await q;
  return r ? mapVersion(r) : null;
}

export async function findPublishedVersion(db: Q, rubricId: number): Promise<RubricVersion | null> {
  const r = await versionQuery(db).where({ 'v.rubric_id': rubricId, 'v.status': 'published' }).orderBy('v.version_no', 'desc').first();
  return r ? mapVersion(r) : null;
}

export async function findDraftVersion(db: Q, rubricId: number): Promise<RubricVersion | null> {
  const r = await versionQuery(db).where({ 'v.rubric_id': rubricId, 'v.status': 'draft' }).orderBy('v.version_no', 'desc').first();
  return r ? mapVersion(r) : null;
}

export interface NewVersion {
  rubricId: number;
  versionNo: number;
  status: RubricVersionStatus;
  definition: RubricDefinition;
  createdBy: number | null;
  publishedAt?: string | null;
}

export async function insertVersion(db: Q, v: NewVersion, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'rubric_versions', {
    rubric_id: v.rubricId,
    version_no: v.versionNo,
    status: v.status,
    definition: JSON.stringify(v.definition),
    created_by: v.createdBy,
    published_at: v.publishedAt ?? null,
    created_at: now,
    updated_at: now,
  });
}

/** Replaces a draft's definition. The status condition makes a frozen version impossible to
 *  change here even if a caller forgot to check: it returns false instead. */
export async function updateDraftDefinition(db: Q, id: number, definition: RubricDefinition, clock?: () => Date): Promise<boolean> {
  const n = await db('rubric_versions').where({ id, status: 'draft' }).update({ definition: JSON.stringify(definition), updated_at: nowIso(clock) });
  return Number(n) === 1;
}

export async function setVersionStatus(db: Q, id: number, status: RubricVersionStatus, clock?: () => Date, publishedAt?: string): Promise<void> {
  const row: Record<string, unknown> = { status, updated_at: nowIso(clock) };
  if (publishedAt) row.published_at = publishedAt;
  await db('rubric_versions').where({ id }).update(row);
}

/** A draft is not evidence (nothing was scored on it), so discarding one deletes it. */
export async function deleteDraft(db: Q, id: number): Promise<boolean> {
  const n = await db('rubric_versions').where({ id, status: 'draft' }).del();
  return Number(n) === 1;
}

// ---- facts from other tables (read only) ----

/** Evaluations per version id, for "used by N evaluations" and to keep drafts that somehow have any. */
export async function evaluationCounts(db: Q, versionIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!versionIds.length) return out;
  const rows = await db('evaluations').whereIn('rubric_version_id', versionIds).groupBy('rubric_version_id').select('rubric_version_id').count({ n: '*' });
  for (const r of rows as Record<string, unknown>[]) out.set(Number(r.rubric_version_id), num(r.n));
  return out;
}

/** Incident categories calls have arrived with, offered when binding a rubric to a category. */
export async function knownCallCategories(db: Q, limit = 200): Promise<string[]> {
  const rows = await db('calls').whereNotNull('category').distinct('category').orderBy('category').limit(limit);
  return rows.map((r: { category: string }) => r.category).filter((c) => c && c.trim());
}
