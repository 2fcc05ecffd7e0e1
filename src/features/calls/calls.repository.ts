// Calls and call cards: the only place their SQL lives. Every list query is bound by a started_at
// range (calls_started_at_idx and the (x, started_at) indexes), pages by keyset, fetches a page's
// details by id, and counts with a cap, so it stays fast with a million calls.
import type { Knex } from 'knex';
import { insertReturningId, isPostgres, nowIso, num, parseJson, toBool } from '../../db';
import type { Language } from '../../i18n';
import { servicesFromColumn, type CallService } from './calls.model';
import { CALL_COUNT_CAP, periodRange, sortColumn, sortDescending, walksDurationIndex, type CallListCursor, type CallListFilters, type SortKey } from './calls.filters';
import type { CardFieldValue } from './call-card';
import type { RecordingStatus } from './recordings.repository';

/** Whose calls a query may return: everyone's, or those of the operators in a supervisor's teams. */
export type CallVisibility = { kind: 'all' } | { kind: 'supervisor'; userId: number };

export interface CallListRow {
  id: number;
  startedAt: string;
  durationSec: number | null;
  operatorId: number | null;
  operatorCode: string | null;
  operatorName: string | null;
  regionName: string | null;
  category: string | null;
  language: string | null;
  channel: string;
  services: CallService[];
  dropped: boolean;
  evaluatedAt: string | null;
  callerNumber: string | null;
  recordingStatus: RecordingStatus | null;
}

export interface CallListPage {
  rows: CallListRow[];
  /** Sort keys for the next / previous pages; null at either end. */
  next: SortKey | null;
  prev: SortKey | null;
}

function regionColumn(lang: Language): string {
  return lang === 'ru' ? 'r.name_ru' : lang === 'en' ? 'r.name_en' : 'r.name_uz';
}

/** The supervised operators, as a subquery (an IN over operator ids uses calls_operator_started_idx). */
function supervisedOperatorIds(db: Knex, userId: number): Knex.QueryBuilder {
  return db('operators as so').join('teams as st', 'st.id', 'so.team_id').where('st.supervisor_user_id', userId).select('so.id');
}

/**
 * Writes a column so SQLite's planner will not pick an index for the term (unary plus: the value is
 * the same). Used when a page walks calls_duration_started_idx in order: any other index would mean
 * sorting the whole period instead. PostgreSQL plans by statistics and gets the plain column.
 */
function col(db: Knex, column: string, indexable: boolean): Knex.Raw | string {
  return indexable || isPostgres(db) ? column : db.raw('+??', [column]);
}

/** Every filter, always with the period bound on started_at and deleted calls left out. */
function applyFilters(db: Knex, q: Knex.QueryBuilder, f: CallListFilters, visibility: CallVisibility, indexable = true): Knex.QueryBuilder {
  const c = (name: string) => col(db, `c.${name}`, indexable) as string;
  const { startIso, endIso } = periodRange(f);
  q.where(c('started_at'), '>=', startIso).andWhere(c('started_at'), '<', endIso).whereNull('c.deleted_at');
  if (visibility.kind === 'supervisor') q.whereIn(c('operator_id'), supervisedOperatorIds(db, visibility.userId));
  if (f.operatorId) q.where(c('operator_id'), f.operatorId);
  if (f.teamId) q.whereIn(c('operator_id'), db('operators').where('team_id', f.teamId).select('id'));
  if (f.regionId) q.where(c('region_id'), f.regionId);
  if (f.category) q.where(c('category'), f.category);
  if (f.language) q.where(c('language'), f.language);
  if (f.minDurationSec !== undefined) q.where('c.duration_sec', '>=', f.minDurationSec);
  if (f.maxDurationSec !== undefined) q.where('c.duration_sec', '<=', f.maxDurationSec);
  if (f.dropped !== undefined) q.where('c.dropped', f.dropped);
  if (f.evaluated === true) q.whereNotNull(c('evaluated_at'));
  if (f.evaluated === false) q.whereNull('c.evaluated_at');
  return q;
}

const DURATION = 'coalesce(c.duration_sec, 0)';

/**
 * One page of calls, in two steps: first the ids of the page (keyset: rows strictly after — or
 * before — the cursor's sort key), reading only what the filters and the sort need; then those
 * rows with their operator, region and recording. Sorting a period's matching ids is cheap;
 * sorting them with every joined column is what made a supervisor's list slow at a million calls.
 * Time sorts go by (started_at, id); duration sorts by (duration, started_at, id), walking
 * calls_duration_started_idx when `walkSortIndex` (see walksDurationIndex; left out, a duration
 * sort counts the matches itself to decide — pass it when the count is known). The keyset comparison
 * is written as `key <= v AND (key <> v OR …)` so the index range narrows, not just a filter.
 */
export async function listCalls(
  db: Knex,
  o: { filters: CallListFilters; cursor: CallListCursor | null; visibility: CallVisibility; lang: Language; limit: number; walkSortIndex?: boolean },
): Promise<CallListPage> {
  const byDuration = sortColumn(o.filters.sort) === 'duration_sec';
  const desc = sortDescending(o.filters.sort);
  // A previous page walks the other way from the cursor, then is turned around.
  const backwards = o.cursor?.direction === 'before';
  const walkDesc = backwards ? !desc : desc;
  const dir = walkDesc ? 'desc' : 'asc';
  const cmp = walkDesc ? '<' : '>';
  const cmpEq = walkDesc ? '<=' : '>=';
  const walk = byDuration && (o.walkSortIndex ?? walksDurationIndex(o.filters.sort, (await countCalls(db, { filters: o.filters, visibility: o.visibility, cap: CALL_COUNT_CAP })).capped));
  const indexable = !walk;
  const startedAt = col(db, 'c.started_at', indexable) as string;

  const q = db('calls as c').select('c.id', 'c.started_at', db.raw(`${DURATION} as sort_duration`));
  applyFilters(db, q, o.filters, o.visibility, indexable);
  if (o.cursor) {
    const { value, id } = o.cursor;
    if (!byDuration) {
      q.where('c.started_at', cmpEq, value).andWhere((w) => w.whereNot('c.started_at', value).orWhere('c.id', cmp, id));
    } else {
      const at = o.cursor.startedAt ?? '';
      q.whereRaw(`${DURATION} ${cmpEq} ?`, [value]).andWhere((w) =>
        w
          .whereRaw(`${DURATION} <> ?`, [value])
          .orWhere(startedAt, cmp, at)
          .orWhere((x) => x.where('c.started_at', at).andWhere('c.id', cmp, id)),
      );
    }
  }
  if (byDuration) q.orderByRaw(`${DURATION} ${dir}`).orderBy('c.started_at', dir);
  else q.orderBy('c.started_at', dir);
  q.orderBy('c.id', dir).limit(o.limit + 1);
  const keys = ((await q) as { id: number | string; started_at: string; sort_duration: number | string }[]).map((r) => ({
    id: Number(r.id),
    startedAt: r.started_at,
    duration: Number(r.sort_duration),
  }));
  const more = keys.length > o.limit;
  const page = keys.slice(0, o.limit);
  if (backwards) page.reverse();

  const details = page.length
    ? ((await db('calls as c')
        .leftJoin('operators as o', 'o.id', 'c.operator_id')
        .leftJoin('regions as r', 'r.id', 'c.region_id')
        .leftJoin('recordings as rec', 'rec.id', 'c.recording_id')
        .whereIn(
          'c.id',
          page.map((k) => k.id),
        )
        .select(
          'c.id', 'c.started_at', 'c.duration_sec', 'c.operator_id', 'o.employee_code', 'o.full_name', `${regionColumn(o.lang)} as region_name`,
          'c.category', 'c.language', 'c.channel', 'c.services', 'c.dropped', 'c.evaluated_at', 'c.caller_number', 'rec.status as recording_status',
        )) as Record<string, unknown>[])
    : [];
  const byId = new Map(details.map((r) => [Number(r.id), mapListRow(r)]));
  const rows = page.map((k) => byId.get(k.id)).filter((r): r is CallListRow => Boolean(r));

  const keyOf = (k: (typeof page)[number]): SortKey => (byDuration ? { value: k.duration, startedAt: k.startedAt, id: k.id } : { value: k.startedAt, id: k.id });
  const first = page[0];
  const last = page[page.length - 1];
  return {
    rows,
    // Going forwards there is a next page when we found more; there is a previous page when we came from a cursor.
    next: last && (backwards ? true : more) ? keyOf(last) : null,
    prev: first && (backwards ? more : o.cursor !== null) ? keyOf(first) : null,
  };
}

function mapListRow(r: Record<string, unknown>): CallListRow {
  return {
    id: Number(r.id),
    startedAt: r.started_at as string,
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    operatorCode: (r.employee_code as string | null) ?? null,
    operatorName: (r.full_name as string | null) ?? null,
    regionName: (r.region_name as string | null) ?? null,
    category: (r.category as string | null) ?? null,
    language: (r.language as string | null) ?? null,
    channel: r.channel as string,
    services: servicesFromColumn(r.services as string | null),
    dropped: toBool(r.dropped),
    evaluatedAt: (r.evaluated_at as string | null) ?? null,
    callerNumber: (r.caller_number as string | null) ?? null,
    recordingStatus: (r.recording_status as RecordingStatus | null) ?? null,
  };
}

/** How many calls match, counting at most cap + 1 rows: {count: cap, capped: true} reads as "cap+". */
export async function countCalls(db: Knex, o: { filters: CallListFilters; visibility: CallVisibility; cap: number }): Promise<{ count: number; capped: boolean }> {
  const inner = applyFilters(db, db('calls as c').select('c.id'), o.filters, o.visibility).limit(o.cap + 1);
  const r = await db.from(inner.as('x')).count({ n: '*' }).first();
  const n = num(r?.n);
  return n > o.cap ? { count: o.cap, capped: true } : { count: n, capped: false };
}

export interface CallDetail {
  id: number;
  source: string;
  externalId: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  callDate: string;
  durationSec: number | null;
  operatorId: number | null;
  operatorCode: string | null;
  operatorName: string | null;
  teamId: number | null;
  teamName: string | null;
  teamSupervisorUserId: number | null;
  callerNumber: string | null;
  language: string | null;
  channel: string;
  category: string | null;
  services: CallService[];
  regionId: number | null;
  regionCode: string | null;
  regionNames: { uz: string; ru: string; en: string } | null;
  dropped: boolean;
  callbackOfCallId: number | null;
  recordingId: number | null;
  extra: Record<string, unknown> | null;
  evaluatedAt: string | null;
  createdAt: string;
}

export async function findCallDetail(db: Knex, id: number): Promise<CallDetail | null> {
  const r = await db('calls as c')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .leftJoin('teams as t', 't.id', 'o.team_id')
    .leftJoin('regions as r', 'r.id', 'c.region_id')
    .where('c.id', id)
    .whereNull('c.deleted_at')
    .first(
      'c.id', 'c.source', 'c.external_id', 'c.started_at', 'c.answered_at', 'c.ended_at', 'c.call_date', 'c.duration_sec', 'c.operator_id',
      'o.employee_code', 'o.full_name', 'o.team_id', 't.name as team_name', 't.supervisor_user_id', 'c.caller_number', 'c.language', 'c.channel',
      'c.category', 'c.services', 'c.region_id', 'r.code as region_code', 'r.name_uz', 'r.name_ru', 'r.name_en', 'c.dropped', 'c.callback_of_call_id',
      'c.recording_id', 'c.extra', 'c.evaluated_at', 'c.created_at',
    );
  if (!r) return null;
  return {
    id: Number(r.id),
    source: r.source,
    externalId: r.external_id,
    startedAt: r.started_at,
    answeredAt: r.answered_at ?? null,
    endedAt: r.ended_at ?? null,
    callDate: r.call_date,
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    operatorCode: r.employee_code ?? null,
    operatorName: r.full_name ?? null,
    teamId: r.team_id == null ? null : Number(r.team_id),
    teamName: r.team_name ?? null,
    teamSupervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    callerNumber: r.caller_number ?? null,
    language: r.language ?? null,
    channel: r.channel,
    category: r.category ?? null,
    services: servicesFromColumn(r.services),
    regionId: r.region_id == null ? null : Number(r.region_id),
    regionCode: r.region_code ?? null,
    regionNames: r.region_id == null ? null : { uz: r.name_uz, ru: r.name_ru, en: r.name_en },
    dropped: toBool(r.dropped),
    callbackOfCallId: r.callback_of_call_id == null ? null : Number(r.callback_of_call_id),
    recordingId: r.recording_id == null ? null : Number(r.recording_id),
    extra: parseJson<Record<string, unknown> | null>(r.extra, null),
    evaluatedAt: r.evaluated_at ?? null,
    createdAt: r.created_at,
  };
}

/** The access scope of a call (its operator and that operator's team supervisor), without the rest. */
export async function findCallScope(db: Knex, id: number): Promise<{ id: number; operatorId: number | null; teamSupervisorUserId: number | null; recordingId: number | null } | null> {
  const r = await db('calls as c')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .leftJoin('teams as t', 't.id', 'o.team_id')
    .where('c.id', id)
    .whereNull('c.deleted_at')
    .first('c.id', 'c.operator_id', 't.supervisor_user_id', 'c.recording_id');
  if (!r) return null;
  return {
    id: Number(r.id),
    operatorId: r.operator_id == null ? null : Number(r.operator_id),
    teamSupervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id),
    recordingId: r.recording_id == null ? null : Number(r.recording_id),
  };
}

/** Whether this user owes a blind second review of an evaluation of this call (not yet handed in). */
export async function owesBlindReview(db: Knex, userId: number, callId: number): Promise<boolean> {
  const r = await db('second_reviews as sr')
    .join('evaluations as o', 'o.id', 'sr.original_evaluation_id')
    .leftJoin('evaluations as rv', 'rv.id', 'sr.evaluation_id')
    .where('sr.reviewer_user_id', userId)
    .andWhere('o.call_id', callId)
    .andWhere((w) => w.whereNull('rv.id').orWhereNot('rv.status', 'submitted'))
    .first('sr.id');
  return !!r;
}

/** Calls made back for a dropped call (callback_of_call_id), oldest first. */
export async function listCallbacks(db: Knex, callId: number): Promise<{ id: number; startedAt: string }[]> {
  const rows = await db('calls').where({ callback_of_call_id: callId }).whereNull('deleted_at').orderBy('started_at').select('id', 'started_at').limit(20);
  return rows.map((r) => ({ id: Number(r.id), startedAt: r.started_at as string }));
}

export async function findCallBySourceAndExternalId(
  db: Knex | Knex.Transaction,
  source: string,
  externalId: string,
): Promise<{ id: number; recordingId: number | null; recordingSha256: string | null } | null> {
  const r = await db('calls as c').leftJoin('recordings as rec', 'rec.id', 'c.recording_id').where({ 'c.source': source, 'c.external_id': externalId }).first('c.id', 'c.recording_id', 'rec.sha256');
  return r ? { id: Number(r.id), recordingId: r.recording_id == null ? null : Number(r.recording_id), recordingSha256: r.sha256 ?? null } : null;
}

/** The oldest call (not deleted) whose recording has these bytes: an upload without an id is idempotent by its audio. */
export async function findCallByRecordingSha(db: Knex | Knex.Transaction, sha256: string): Promise<{ id: number; recordingId: number } | null> {
  const r = await db('calls as c').join('recordings as rec', 'rec.id', 'c.recording_id').where('rec.sha256', sha256).whereNull('c.deleted_at').orderBy('c.id').first('c.id', 'c.recording_id');
  return r ? { id: Number(r.id), recordingId: Number(r.recording_id) } : null;
}

export interface NewCall {
  source: string;
  externalId: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  callDate: string;
  durationSec: number | null;
  operatorId: number | null;
  callerNumber: string | null;
  language: string | null;
  channel: string;
  category: string | null;
  services: string | null;
  regionId: number | null;
  dropped: boolean;
  callbackOfCallId: number | null;
  recordingId: number | null;
  extra: Record<string, unknown> | null;
}

export async function insertCall(db: Knex | Knex.Transaction, c: NewCall, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'calls', {
    source: c.source,
    external_id: c.externalId,
    started_at: c.startedAt,
    answered_at: c.answeredAt,
    ended_at: c.endedAt,
    call_date: c.callDate,
    duration_sec: c.durationSec,
    operator_id: c.operatorId,
    caller_number: c.callerNumber,
    language: c.language,
    channel: c.channel,
    category: c.category,
    services: c.services,
    region_id: c.regionId,
    dropped: c.dropped,
    callback_of_call_id: c.callbackOfCallId,
    recording_id: c.recordingId,
    extra: c.extra ? JSON.stringify(c.extra) : null,
    created_at: now,
    updated_at: now,
  });
}

export interface StoredCallCard {
  xml: string;
  fields: Record<string, CardFieldValue>;
  completeness: number | null;
  missingFields: string[];
  createdAt: string;
}

export async function insertCallCard(
  db: Knex | Knex.Transaction,
  c: { callId: number; xml: string; fields: Record<string, CardFieldValue>; completeness: number; missingFields: string[] },
  clock?: () => Date,
): Promise<number> {
  return insertReturningId(db, 'call_cards', {
    call_id: c.callId,
    xml: c.xml,
    fields: JSON.stringify(c.fields),
    completeness: c.completeness,
    missing_fields: JSON.stringify(c.missingFields),
    created_at: nowIso(clock),
  });
}

/** Replaces a call's card (a newer version sent after the call). */
export async function replaceCallCard(
  db: Knex | Knex.Transaction,
  c: { callId: number; xml: string; fields: Record<string, CardFieldValue>; completeness: number; missingFields: string[] },
  clock?: () => Date,
): Promise<void> {
  await db('call_cards').where({ call_id: c.callId }).update({ xml: c.xml, fields: JSON.stringify(c.fields), completeness: c.completeness, missing_fields: JSON.stringify(c.missingFields), updated_at: nowIso(clock) });
}

/** Joins a recording to a call and fills the columns still empty from the metadata (events keep what they said). */
export async function fillCallFromMetadata(
  db: Knex.Transaction,
  callId: number,
  m: { recordingId: number; operatorId: number; answeredAt: string | null; endedAt: string | null; callerNumber: string | null; language: string | null; category: string | null; services: string | null; regionId: number | null; extra: Record<string, unknown> | null },
  clock?: () => Date,
): Promise<void> {
  const cur = await db('calls').where({ id: callId }).first('operator_id', 'answered_at', 'ended_at', 'caller_number', 'language', 'category', 'services', 'region_id', 'extra');
  const fill = (col: string, v: unknown) => (cur[col] == null && v != null ? { [col]: v } : {});
  await db('calls')
    .where({ id: callId })
    .update({
      recording_id: m.recordingId,
      ...fill('operator_id', m.operatorId),
      ...fill('answered_at', m.answeredAt),
      ...fill('ended_at', m.endedAt),
      ...fill('caller_number', m.callerNumber),
      ...fill('language', m.language),
      ...fill('category', m.category),
      ...fill('services', m.services),
      ...fill('region_id', m.regionId),
      ...fill('extra', m.extra ? JSON.stringify(m.extra) : null),
      updated_at: nowIso(clock),
    });
}

export async function findCallCard(db: Knex, callId: number): Promise<StoredCallCard | null> {
  const r = await db('call_cards').where({ call_id: callId }).first('xml', 'fields', 'completeness', 'missing_fields', 'created_at');
  if (!r) return null;
  return {
    xml: r.xml,
    fields: parseJson<Record<string, CardFieldValue>>(r.fields, {}),
    completeness: r.completeness == null ? null : Number(r.completeness),
    missingFields: parseJson<string[]>(r.missing_fields, []),
    createdAt: r.created_at,
  };
}

export async function findRegionByCode(db: Knex | Knex.Transaction, code: string): Promise<{ id: number } | null> {
  const r = await db('regions').whereRaw('upper(code) = ?', [code.toUpperCase()]).first('id');
  return r ? { id: Number(r.id) } : null;
}

export async function findOperatorIdByCode(db: Knex | Knex.Transaction, code: string): Promise<{ id: number; teamSupervisorUserId: number | null } | null> {
  const r = await db('operators as o').leftJoin('teams as t', 't.id', 'o.team_id').where('o.employee_code', code).first('o.id', 't.supervisor_user_id');
  return r ? { id: Number(r.id), teamSupervisorUserId: r.supervisor_user_id == null ? null : Number(r.supervisor_user_id) } : null;
}

/**
 * Evaluations of a call, for links on the call page (the evaluations feature owns the table).
 * Regular evaluations only: calibration scores stay blind until their session closes. `blindFor`:
 * a specialist who owes this call a blind second review sees only their own.
 */
export async function listCallEvaluations(db: Knex, callId: number, o: { blindFor?: number } = {}): Promise<{ id: number; status: string; specialistName: string | null; score: number | null }[]> {
  const q = db('evaluations as v').leftJoin('users as u', 'u.id', 'v.specialist_user_id').where('v.call_id', callId).where('v.kind', 'regular');
  if (o.blindFor !== undefined) q.where('v.specialist_user_id', o.blindFor);
  const rows = await q.select('v.id', 'v.status', 'u.display_name', 'v.score').orderBy('v.id').limit(20);
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), status: String(r.status), specialistName: (r.display_name as string | null) ?? null, score: r.score == null ? null : Number(r.score) }));
}
