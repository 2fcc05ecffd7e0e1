// The call list's filters, sort and page position, from a query string. Every list query is bound
// by a period (Tashkent days → a started_at range) so it reads one slice of the started_at indexes
// however many calls the database holds; the default period is the last 7 days. Paging is by
// keyset (a cursor holding the last row's sort value and id), so page 500 costs what page 1 does.
import type { FieldError } from '../../http/errors';
import { addDays, daysBetween, isIsoDate, tashkentDayRange } from '../../time';
import { CALL_CATEGORIES, CALL_LANGUAGES, type CallCategory, type CallLanguage } from './calls.model';

export const CALL_SORTS = ['newest', 'oldest', 'longest', 'shortest'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

export const DEFAULT_PERIOD_DAYS = 7;
export const CALL_PAGE_SIZE = 50;
/** Counting stops here: the list says "1000+" rather than count a million rows. */
export const CALL_COUNT_CAP = 1000;

export interface CallListFilters {
  /** Tashkent calendar days, inclusive. */
  from: string;
  to: string;
  operatorId?: number;
  teamId?: number;
  regionId?: number;
  category?: CallCategory;
  language?: CallLanguage;
  minDurationSec?: number;
  maxDurationSec?: number;
  dropped?: boolean;
  evaluated?: boolean;
  sort: CallSort;
}

export interface CallListCursor {
  /** The sort value of the row the page continues from: started_at, or the duration in seconds. */
  value: string | number;
  /** Duration sorts break ties by start time (newest first), then id. */
  startedAt?: string;
  id: number;
  /** after = the next page (further along the sort), before = the previous page. */
  direction: 'after' | 'before';
}

export interface ParsedCallListQuery {
  filters: CallListFilters;
  cursor: CallListCursor | null;
  errors: FieldError[];
}

type Query = Record<string, unknown>;

function str(q: Query, name: string): string {
  const v = q[name];
  return typeof v === 'string' ? v.trim() : '';
}

function positiveId(q: Query, name: string, errors: FieldError[]): number | undefined {
  const v = str(q, name);
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isInteger(n) && n > 0) return n;
  errors.push({ field: name, key: 'calls.filters.invalid' });
  return undefined;
}

function seconds(q: Query, name: string, errors: FieldError[]): number | undefined {
  const v = str(q, name);
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0 && n <= 86400) return n;
  errors.push({ field: name, key: 'calls.filters.durationInvalid' });
  return undefined;
}

function yesNo(q: Query, name: string): boolean | undefined {
  const v = str(q, name);
  return v === 'yes' ? true : v === 'no' ? false : undefined;
}

/**
 * Reads the list query. Bad values are reported as field errors and replaced by the default
 * (the page still shows calls). The period is at most maxDays long and never empty.
 */
export function parseCallListQuery(q: Query, opts: { today: string; maxDays: number; defaultDays?: number }): ParsedCallListQuery {
  const errors: FieldError[] = [];
  const defaultDays = opts.defaultDays ?? DEFAULT_PERIOD_DAYS;
  let to = str(q, 'to');
  let from = str(q, 'from');
  if (to && !isIsoDate(to)) {
    errors.push({ field: 'to', key: 'calls.filters.dateInvalid' });
    to = '';
  }
  if (from && !isIsoDate(from)) {
    errors.push({ field: 'from', key: 'calls.filters.dateInvalid' });
    from = '';
  }
  to ||= from ? (daysBetween(from, opts.today) >= defaultDays ? addDays(from, defaultDays - 1) : opts.today) : opts.today;
  from ||= addDays(to, -(defaultDays - 1));
  if (daysBetween(from, to) < 0) {
    errors.push({ field: 'from', key: 'calls.filters.fromAfterTo' });
    from = to;
  }
  if (daysBetween(from, to) + 1 > opts.maxDays) {
    errors.push({ field: 'from', key: 'calls.filters.periodTooLong', params: { count: opts.maxDays } });
    from = addDays(to, -(opts.maxDays - 1));
  }

  const filters: CallListFilters = { from, to, sort: 'newest' };
  const sort = str(q, 'sort');
  if ((CALL_SORTS as readonly string[]).includes(sort)) filters.sort = sort as CallSort;
  filters.operatorId = positiveId(q, 'operator', errors);
  filters.teamId = positiveId(q, 'team', errors);
  filters.regionId = positiveId(q, 'region', errors);
  const category = str(q, 'category');
  if (category) {
    if ((CALL_CATEGORIES as readonly string[]).includes(category)) filters.category = category as CallCategory;
    else errors.push({ field: 'category', key: 'calls.filters.invalid' });
  }
  const language = str(q, 'language');
  if (language) {
    if ((CALL_LANGUAGES as readonly string[]).includes(language)) filters.language = language as CallLanguage;
    else errors.push({ field: 'language', key: 'calls.filters.invalid' });
  }
  filters.minDurationSec = seconds(q, 'minDuration', errors);
  filters.maxDurationSec = seconds(q, 'maxDuration', errors);
  if (filters.minDurationSec !== undefined && filters.maxDurationSec !== undefined && filters.minDurationSec > filters.maxDurationSec) {
    errors.push({ field: 'maxDuration', key: 'calls.filters.durationOrder' });
    filters.maxDurationSec = undefined;
  }
  filters.dropped = yesNo(q, 'dropped');
  filters.evaluated = yesNo(q, 'evaluated');
  for (const k of Object.keys(filters) as (keyof CallListFilters)[]) if (filters[k] === undefined) delete filters[k];

  const after = str(q, 'after');
  const before = str(q, 'before');
  const cursor = after ? decodeCursor(after, 'after', filters.sort) : before ? decodeCursor(before, 'before', filters.sort) : null;
  return { filters, cursor, errors };
}

/** The UTC instants [startIso, endIso) of the filter period. */
export function periodRange(f: Pick<CallListFilters, 'from' | 'to'>): { startIso: string; endIso: string } {
  return { startIso: tashkentDayRange(f.from).startIso, endIso: tashkentDayRange(f.to).endIso };
}

export function sortColumn(sort: CallSort): 'started_at' | 'duration_sec' {
  return sort === 'newest' || sort === 'oldest' ? 'started_at' : 'duration_sec';
}

export function sortDescending(sort: CallSort): boolean {
  return sort === 'newest' || sort === 'longest';
}

/** The position of a row in a sort: what a cursor holds. */
export interface SortKey {
  value: string | number;
  startedAt?: string;
  id: number;
}

/** An opaque cursor: base64url of [value, id], or [duration, startedAt, id] for duration sorts. */
export function encodeCursor(key: SortKey): string {
  const parts = key.startedAt === undefined ? [key.value, key.id] : [key.value, key.startedAt, key.id];
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/;

/** A cursor back, or null when it is not one of ours or does not fit the sort (then the list starts over). */
export function decodeCursor(s: string, direction: 'after' | 'before', sort: CallSort): CallListCursor | null {
  if (s.length > 200) return null;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v)) return null;
    if (sortColumn(sort) === 'started_at') {
      const [value, id] = v as [unknown, unknown];
      if (v.length !== 2 || typeof value !== 'string' || !INSTANT_RE.test(value) || !Number.isInteger(id) || (id as number) <= 0) return null;
      return { value, id: id as number, direction };
    }
    const [value, startedAt, id] = v as [unknown, unknown, unknown];
    if (v.length !== 3 || typeof value !== 'number' || !Number.isFinite(value) || typeof startedAt !== 'string' || !INSTANT_RE.test(startedAt)) return null;
    if (!Number.isInteger(id) || (id as number) <= 0) return null;
    return { value, startedAt, id: id as number, direction };
  } catch {
    return null;
  }
}

/**
 * Whether a duration-sorted page should walk the duration index (in order, checking the period
 * and filters as it goes) rather than sort the matching calls. Walking wins when many calls match
 * (the count reached its cap): the first page is found after a few hundred index entries. With few
 * matches, sorting them is cheaper than a walk that may pass many calls outside the period. Pure.
 */
export function walksDurationIndex(sort: CallSort, countCapped: boolean): boolean {
  return sortColumn(sort) === 'duration_sec' && countCapped;
}

/** The query string of the filters (without the page position), for links and the pager. */
export function filtersToQuery(f: CallListFilters): Record<string, string> {
  const q: Record<string, string> = { from: f.from, to: f.to };
  if (f.sort !== 'newest') q.sort = f.sort;
  if (f.operatorId) q.operator = String(f.operatorId);
  if (f.teamId) q.team = String(f.teamId);
  if (f.regionId) q.region = String(f.regionId);
  if (f.category) q.category = f.category;
  if (f.language) q.language = f.language;
  if (f.minDurationSec !== undefined) q.minDuration = String(f.minDurationSec);
  if (f.maxDurationSec !== undefined) q.maxDuration = String(f.maxDurationSec);
  if (f.dropped !== undefined) q.dropped = f.dropped ? 'yes' : 'no';
  if (f.evaluated !== undefined) q.evaluated = f.evaluated ? 'yes' : 'no';
  return q;
}

export function queryString(q: Record<string, string>): string {
  return new URLSearchParams(q).toString();
}
