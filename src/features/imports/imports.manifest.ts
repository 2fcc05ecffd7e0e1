// The manifest format (docs/import-manifest.md) as pure functions: which columns exist, which are
// required, how a cell becomes a value, and what is wrong with a row. No I/O here: the service
// feeds rows in and gets call drafts or reasons out, and unit tests call these directly.
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_LANGUAGES, normaliseServices, servicesToColumn } from '../calls/calls.model';
import { tashkentOffsetMinutes } from '../../time';
import type { NewCall } from '../calls/calls.repository';

export const MANIFEST_COLUMNS = [
  'external_id',
  'source',
  'started_at',
  'answered_at',
  'ended_at',
  'duration_sec',
  'operator_code',
  'caller_number',
  'language',
  'channel',
  'category',
  'services',
  'region',
  'dropped',
  'callback_of',
  'recording_file',
] as const;
export type ManifestColumn = (typeof MANIFEST_COLUMNS)[number];

/** Without these the whole manifest is refused: a call needs an id, a start and (possibly empty) an operator. */
export const REQUIRED_COLUMNS: readonly ManifestColumn[] = ['external_id', 'started_at', 'operator_code'];

export const EXTRA_PREFIX = 'extra.';
export const DEFAULT_SOURCE = 'telephony';
const MAX_EXTERNAL_ID = 100;
const MAX_EXTRA_KEY = 64;
const MAX_EXTRA_VALUE = 1000;
const MAX_DURATION_SEC = 24 * 3600;
/** A call cannot start this far in the future (clock skew between the telephony server and us is allowed). */
const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;

/** Something wrong with one cell or one row, as an i18n key plus params. */
export interface RowProblem {
  column: string;
  key: string;
  params?: Record<string, string | number>;
}

/** A rejected row as stored with the import and shown on its page. */
export interface RejectedRow extends RowProblem {
  row: number;
  externalId: string | null;
}

/** The refusal of a whole manifest (nothing is imported). */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
  }
}

// ---- header ----

export interface ManifestHeader {
  /** Column name → index in a row. */
  index: Partial<Record<ManifestColumn, number>>;
  /** extra.<key> columns: key → index. */
  extra: { key: string; index: number }[];
  /** Columns that are not part of the format; they are ignored (and listed on the result). */
  ignored: string[];
  has(column: ManifestColumn): boolean;
}

/** `Started At` → `started_at`; `EXTRA.Card No` keeps its key's spelling after the prefix. */
export function normaliseColumnName(raw: string): string {
  const s = String(raw ?? '').replace(/^\uFEFF/, '').trim();
  if (s.toLowerCase().startsWith(EXTRA_PREFIX)) return EXTRA_PREFIX + s.slice(EXTRA_PREFIX.length).trim();
  return s.toLowerCase().replace(/[\s-]+/g, '_');
}

/**
 * Reads the header row. Throws ManifestError naming every missing required column, or columns that
 * appear twice (the second would silently win otherwise).
 */
export function analyseHeader(cells: readonly string[]): ManifestHeader {
  const names = cells.map(normaliseColumnName);
  if (!names.some((n) => n !== '')) throw new ManifestError('imports.manifest.noHeader');
  const index: Partial<Record<ManifestColumn, number>> = {};
  const extra: { key: string; index: number }[] = [];
  const ignored: string[] = [];
  const seen = new Map<string, number>();
  const duplicates = new Set<string>();
  names.forEach((name, i) => {
    if (!name) return;
    const dedupeName = name.toLowerCase();
    if (seen.has(dedupeName)) duplicates.add(name);
    seen.set(dedupeName, i);
    if (name.startsWith(EXTRA_PREFIX)) {
      const key = name.slice(EXTRA_PREFIX.length);
      if (key && key.length <= MAX_EXTRA_KEY) extra.push({ key, index: i });
      else ignored.push(cells[i]!.trim());
      return;
    }
    if ((MANIFEST_COLUMNS as readonly string[]).includes(name)) index[name as ManifestColumn] = i;
    else ignored.push(cells[i]!.trim());
  });
  if (duplicates.size) throw new ManifestError('imports.manifest.duplicateColumns', { columns: [...duplicates].join(', ') });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length) throw new ManifestError('imports.manifest.missingColumns', { columns: missing.join(', '), count: missing.length });
  return { index, extra, ignored, has: (c) => index[c] !== undefined };
}

// ---- reference data ----

/** What a row is checked against: loaded once per import, looked up in maps. */
export interface ReferenceData {
  /** employee_code → operator id (exact), and lower-cased as a fallback. */
  operators: Map<string, number>;
  operatorsLower: Map<string, number>;
  /** Region code (upper case) and each normalised name → region id. */
  regions: Map<string, number>;
  /** "Now", for refusing calls from the future. */
  now: Date;
  defaultSource: string;
}

export function buildOperatorMaps(rows: { id: number; employeeCode: string }[]): Pick<ReferenceData, 'operators' | 'operatorsLower'> {
  const operators = new Map<string, number>();
  const operatorsLower = new Map<string, number>();
  for (const r of rows) {
    operators.set(r.employeeCode, r.id);
    if (!operatorsLower.has(r.employeeCode.toLowerCase())) operatorsLower.set(r.employeeCode.toLowerCase(), r.id);
  }
  return { operators, operatorsLower };
}

/** Region names are matched without regard to case or to which apostrophe was typed (o', oʻ, o’). */
export function normaliseName(s: string): string {
  return s
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u02BB\u02BC\u2018\u2019\u0060\u00B4]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

export function buildRegionMap(rows: { id: number; code: string; names: Record<string, string> }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    m.set(r.code.toUpperCase(), r.id);
    for (const n of Object.values(r.names)) if (n) m.set(normaliseName(n), r.id);
  }
  return m;
}

export function findRegion(regions: Map<string, number>, value: string): number | undefined {
  return regions.get(value.trim().toUpperCase()) ?? regions.get(normaliseName(value));
}

// ---- cell values ----

const LANGUAGE_ALIASES: Record<string, string> = {
  uzb: 'uz', uzbek: 'uz', "o'zbek": 'uz', "o'zbekcha": 'uz', ozbek: 'uz', узбекский: 'uz', узбек: 'uz',
  qq: 'kaa', karakalpak: 'kaa', "qoraqalpoq": 'kaa', "qoraqalpoqcha": 'kaa', каракалпакский: 'kaa',
  rus: 'ru', russian: 'ru', ruscha: 'ru', русский: 'ru',
  eng: 'en', english: 'en', inglizcha: 'en', английский: 'en',
  'sign language': 'sign', "imo-ishora": 'sign', жестовый: 'sign',
  boshqa: 'other', другой: 'other',
};

export function parseLanguage(v: string): string | null {
  const s = normaliseName(v);
  if ((CALL_LANGUAGES as readonly string[]).includes(s)) return s;
  return LANGUAGE_ALIASES[s] ?? null;
}

export function parseChannel(v: string): string | null {
  const s = v.trim().toLowerCase();
  return (CALL_CHANNELS as readonly string[]).includes(s) ? s : null;
}

export function parseCategory(v: string): string | null {
  const s = v.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return (CALL_CATEGORIES as readonly string[]).includes(s) ? s : null;
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'ha', 'да', 'д']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', "yo'q", 'yoq', 'нет', 'н']);

/** yes/no/1/0/true/false (and ha/yo'q, да/нет); empty is "no". null when it is none of these. */
export function parseBoolean(v: string): boolean | null {
  const s = normaliseName(v);
  if (s === '' || FALSE_WORDS.has(s)) return false;
  if (TRUE_WORDS.has(s)) return true;
  return null;
}

/** "+998 (90) 123-45-67" → "+998901234567"; null when it holds anything but digits and separators. */
export function normaliseCallerNumber(v: string): string | null {
  const s = v.trim().replace(/[\s\-().]/g, '');
  return /^\+?\d{2,20}$/.test(s) ? s : null;
}

/** Seconds as "95", "95.5", "95,5" (Russian Excel) or "1:35" / "0:01:35". null when not a length. */
export function parseDurationSec(v: string, max = MAX_DURATION_SEC): number | null {
  const s = v.trim();
  let n: number;
  if (/^\d+(?:[.,]\d+)?$/.test(s)) n = Number(s.replace(',', '.'));
  else if (/^\d{1,3}:\d{2}(?::\d{2})?$/.test(s)) n = s.split(':').map(Number).reduce((acc, x) => acc * 60 + x, 0);
  else return null;
  return Number.isFinite(n) && n >= 0 && n <= max ? Math.round(n * 1000) / 1000 : null;
}

// Tashkent's UTC offset, asked of Intl once per hour of time rather than once per cell: a
// 100,000-row manifest would otherwise spend most of its time formatting dates.
const offsetCache = new Map<number, number>();
function offsetAtMs(ms: number): number {
  const hour = Math.floor(ms / 3600000);
  let off = offsetCache.get(hour);
  if (off === undefined) {
    off = tashkentOffsetMinutes(new Date(hour * 3600000));
    if (offsetCache.size > 50000) offsetCache.clear();
    offsetCache.set(hour, off);
  }
  return off;
}

/** The Tashkent calendar day of a UTC instant (same answer as time.ts tashkentDate, cached). */
export function tashkentDayOf(iso: string): string {
  const ms = Date.parse(iso);
  return new Date(ms + offsetAtMs(ms) * 60000).toISOString().slice(0, 10);
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DOTTED_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * An instant from a cell: ISO 8601 with an offset ("2026-11-20T09:15:30+05:00", "…Z"), or a
 * wall-clock time taken as Asia/Tashkent: "2026-11-20 09:15:30", "2026-11-20T09:15", or
 * "20.11.2026 9:15:30" (what Excel in Uzbek/Russian locale writes into CSV). Returns the UTC ISO
 * string, or null when it is not a real date and time.
 */
export function parseInstant(v: string): string | null {
  const s = v.trim();
  let y: number, mo: number, d: number, h: number, mi: number, sec: number, frac = 0;
  let offset: string | undefined;
  let m = ISO_RE.exec(s);
  if (m) {
    [y, mo, d, h, mi] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!];
    sec = m[6] ? +m[6] : 0;
    frac = m[7] ? Number(`0.${m[7]}`) : 0;
    offset = m[8];
  } else if ((m = DOTTED_RE.exec(s))) {
    [d, mo, y, h, mi] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!];
    sec = m[6] ? +m[6] : 0;
  } else return null;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || y < 1990 || y > 2200) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec) + Math.round(frac * 1000);
  // Date.UTC rolls 31 February over into March: refuse instead.
  if (new Date(wall).getUTCDate() !== d) return null;
  let ms: number;
  if (offset === undefined) ms = wall - offsetAtMs(wall) * 60000;
  else if (offset.toUpperCase() === 'Z') ms = wall;
  else {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
    const minutes = (+om[2]! * 60 + (om[3] ? +om[3] : 0)) * (om[1] === '-' ? -1 : 1);
    if (Math.abs(minutes) > 14 * 60) return null;
    ms = wall - minutes * 60000;
  }
  return new Date(ms).toISOString();
}

/** An Excel date cell (ExcelJS gives the wall-clock time as if it were UTC) as a manifest string. */
export function excelDateToText(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

// ---- rows ----

/** A valid row, ready to become a call: the calls feature's NewCall, with the links still by name. */
export interface CallDraft extends Omit<NewCall, 'callbackOfCallId' | 'recordingId' | 'extra'> {
  row: number;
  /** external id of the call this one calls back (same source) */
  callbackOf: string | null;
  recordingFile: string | null;
  extra: Record<string, string> | null;
}

export type RowResult = { ok: true; draft: CallDraft } | { ok: false; source: string; externalId: string | null; problems: RowProblem[] };

const SOURCE_RE = /^[a-z0-9_.-]{1,32}$/;

export function isValidSource(s: string): boolean {
  return SOURCE_RE.test(s);
}

/**
 * Checks one data row and turns it into a call draft, or lists every problem it has (so a person
 * fixes the row once, not once per problem). `row` is the row number as a spreadsheet shows it.
 */
export function validateRow(cells: readonly string[], row: number, header: ManifestHeader, refs: ReferenceData): RowResult {
  const problems: RowProblem[] = [];
  const cell = (c: ManifestColumn): string => {
    const i = header.index[c];
    return i === undefined ? '' : String(cells[i] ?? '').trim();
  };
  const problem = (column: string, key: string, params?: Record<string, string | number>) => problems.push(params ? { column, key, params } : { column, key });
  const shown = (v: string) => (v.length > 60 ? `${v.slice(0, 57)}…` : v);

  const externalId = cell('external_id');
  if (!externalId) problem('external_id', 'imports.reject.required');
  else if (externalId.length > MAX_EXTERNAL_ID) problem('external_id', 'imports.reject.tooLong', { max: MAX_EXTERNAL_ID });

  let source = refs.defaultSource;
  const rawSource = cell('source');
  if (rawSource) {
    if (isValidSource(rawSource.toLowerCase())) source = rawSource.toLowerCase();
    else problem('source', 'imports.reject.badSource', { value: shown(rawSource) });
  }

  const instant = (c: ManifestColumn, required: boolean): string | null => {
    const v = cell(c);
    if (!v) {
      if (required) problem(c, 'imports.reject.required');
      return null;
    }
    const iso = parseInstant(v);
    if (!iso) problem(c, 'imports.reject.badDate', { value: shown(v) });
    return iso;
  };
  const startedAt = instant('started_at', true);
  const answeredAt = instant('answered_at', false);
  const endedAt = instant('ended_at', false);
  if (startedAt && Date.parse(startedAt) > refs.now.getTime() + FUTURE_TOLERANCE_MS) problem('started_at', 'imports.reject.inFuture', { value: shown(cell('started_at')) });
  if (startedAt && answeredAt && answeredAt < startedAt) problem('answered_at', 'imports.reject.beforeStart');
  if (startedAt && endedAt && (endedAt < startedAt || (answeredAt !== null && endedAt < answeredAt))) problem('ended_at', 'imports.reject.beforeStart');
  // No 112 call lasts a day: a longer span is a clock or export error, refused rather than counted.
  if (startedAt && answeredAt && Date.parse(answeredAt) - Date.parse(startedAt) > MAX_DURATION_SEC * 1000) problem('answered_at', 'imports.reject.longerThanDay');
  if (startedAt && endedAt && Date.parse(endedAt) - Date.parse(startedAt) > MAX_DURATION_SEC * 1000) problem('ended_at', 'imports.reject.longerThanDay');

  let durationSec: number | null = null;
  const rawDuration = cell('duration_sec');
  if (rawDuration) {
    durationSec = parseDurationSec(rawDuration);
    if (durationSec === null && parseDurationSec(rawDuration, Infinity) !== null) problem('duration_sec', 'imports.reject.longerThanDay');
    else if (durationSec === null) problem('duration_sec', 'imports.reject.badNumber', { value: shown(rawDuration) });
  } else if (startedAt && endedAt && endedAt >= startedAt) {
    // The talk time when the manifest has no duration: from answer (or start) to end.
    durationSec = Math.round((Date.parse(endedAt) - Date.parse(answeredAt && answeredAt <= endedAt ? answeredAt : startedAt))) / 1000;
  }

  let operatorId: number | null = null;
  const code = cell('operator_code');
  if (code) {
    operatorId = refs.operators.get(code) ?? refs.operatorsLower.get(code.toLowerCase()) ?? null;
    if (operatorId === null) problem('operator_code', 'imports.reject.unknownOperator', { value: shown(code) });
  }

  let callerNumber: string | null = null;
  const rawCaller = cell('caller_number');
  if (rawCaller) {
    callerNumber = normaliseCallerNumber(rawCaller);
    if (callerNumber === null) problem('caller_number', 'imports.reject.badPhone', { value: shown(rawCaller) });
  }

  let language: string | null = null;
  const rawLanguage = cell('language');
  if (rawLanguage) {
    language = parseLanguage(rawLanguage);
    if (language === null) problem('language', 'imports.reject.unknownLanguage', { value: shown(rawLanguage) });
  }

  let channel = 'voice';
  const rawChannel = cell('channel');
  if (rawChannel) {
    const c = parseChannel(rawChannel);
    if (c === null) problem('channel', 'imports.reject.unknownChannel', { value: shown(rawChannel) });
    else channel = c;
  }

  let category: string | null = null;
  const rawCategory = cell('category');
  if (rawCategory) {
    category = parseCategory(rawCategory);
    if (category === null) problem('category', 'imports.reject.unknownCategory', { value: shown(rawCategory) });
  }

  let services: string | null = null;
  const rawServices = cell('services');
  if (rawServices) {
    const { services: list, unknown } = normaliseServices(rawServices.split(/[;,|\s/]+/));
    if (unknown.length) problem('services', 'imports.reject.unknownService', { value: shown(unknown.join(', ')) });
    else services = servicesToColumn(list);
  }

  let regionId: number | null = null;
  const rawRegion = cell('region');
  if (rawRegion) {
    regionId = findRegion(refs.regions, rawRegion) ?? null;
    if (regionId === null) problem('region', 'imports.reject.unknownRegion', { value: shown(rawRegion) });
  }

  let dropped = false;
  const rawDropped = cell('dropped');
  const b = parseBoolean(rawDropped);
  if (b === null) problem('dropped', 'imports.reject.badBoolean', { value: shown(rawDropped) });
  else dropped = b;

  const callbackOf = cell('callback_of') || null;
  if (callbackOf && callbackOf === externalId) problem('callback_of', 'imports.reject.callbackSelf');
  else if (callbackOf && callbackOf.length > MAX_EXTERNAL_ID) problem('callback_of', 'imports.reject.tooLong', { max: MAX_EXTERNAL_ID });

  const recordingFile = cell('recording_file') || null;
  if (recordingFile && recordingFile.length > 255) problem('recording_file', 'imports.reject.tooLong', { max: 255 });

  let extra: Record<string, string> | null = null;
  for (const { key, index } of header.extra) {
    const v = String(cells[index] ?? '').trim();
    if (!v) continue;
    if (v.length > MAX_EXTRA_VALUE) problem(`${EXTRA_PREFIX}${key}`, 'imports.reject.tooLong', { max: MAX_EXTRA_VALUE });
    (extra ??= {})[key] = v;
  }

  if (problems.length) return { ok: false, source, externalId: externalId || null, problems };
  return {
    ok: true,
    draft: {
      row,
      source,
      externalId,
      startedAt: startedAt!,
      answeredAt,
      endedAt,
      callDate: tashkentDayOf(startedAt!),
      durationSec,
      operatorId,
      callerNumber,
      language,
      channel,
      category,
      services,
      regionId,
      dropped,
      callbackOf,
      recordingFile,
      extra,
    },
  };
}

/** Whether a row is empty (Excel leaves blank rows at the end of many sheets). */
export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((c) => String(c ?? '').trim() === '');
}

// ---- comparing with a call already imported ----

export interface ExistingCall {
  id: number;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  operatorId: number | null;
  callerNumber: string | null;
  language: string | null;
  channel: string;
  category: string | null;
  services: string | null;
  regionId: number | null;
  dropped: boolean;
  callbackExternalId: string | null;
  recordingSha256: string | null;
  extra: Record<string, unknown> | null;
  /** the import that brought the call in: a resumed import counts its own earlier rows as accepted */
  importId?: number | null;
}

/**
 * The manifest columns in which a row differs from the call already stored under its id. Only
 * columns the manifest has are compared (a manifest without a category column says nothing about
 * the category). Empty = the same call: "already imported".
 */
export function differingColumns(draft: CallDraft, existing: ExistingCall, header: ManifestHeader, recordingSha256: string | null): string[] {
  const diff: string[] = [];
  const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);
  // Instants compare as instants: a call stored by the API may be written without milliseconds.
  const sameInstant = (a: string | null, b: string | null) => (a === null || b === null ? a === b : Date.parse(a) === Date.parse(b));
  if (!sameInstant(draft.startedAt, existing.startedAt)) diff.push('started_at');
  if (header.has('answered_at') && !sameInstant(draft.answeredAt, existing.answeredAt)) diff.push('answered_at');
  if (header.has('ended_at') && !sameInstant(draft.endedAt, existing.endedAt)) diff.push('ended_at');
  if (header.has('duration_sec') && draft.durationSec !== null && (existing.durationSec === null || Math.abs(draft.durationSec - existing.durationSec) > 0.0015)) diff.push('duration_sec');
  if (!same(draft.operatorId, existing.operatorId)) diff.push('operator_code');
  if (header.has('caller_number') && !same(draft.callerNumber, existing.callerNumber)) diff.push('caller_number');
  if (header.has('language') && !same(draft.language, existing.language)) diff.push('language');
  if (header.has('channel') && draft.channel !== existing.channel) diff.push('channel');
  if (header.has('category') && !same(draft.category, existing.category)) diff.push('category');
  if (header.has('services') && !same(draft.services, existing.services)) diff.push('services');
  if (header.has('region') && !same(draft.regionId, existing.regionId)) diff.push('region');
  if (header.has('dropped') && draft.dropped !== existing.dropped) diff.push('dropped');
  if (header.has('callback_of') && !same(draft.callbackOf, existing.callbackExternalId)) diff.push('callback_of');
  if (header.has('recording_file') && !same(recordingSha256, existing.recordingSha256)) diff.push('recording_file');
  if (draft.extra) {
    const old = existing.extra ?? {};
    for (const [k, v] of Object.entries(draft.extra)) if (String(old[k] ?? '') !== v) diff.push(`${EXTRA_PREFIX}${k}`);
  }
  return diff;
}

/** The rejection a media probe's refusal becomes (the media keys, renamed into this feature's words). */
export function recordingRejection(reasonKey: string, params: Record<string, unknown> = {}): { key: string; params: Record<string, string | number> } {
  const name = reasonKey.split('.').pop() ?? 'corrupt';
  const known = ['empty', 'tooLarge', 'tooLong', 'notAudio', 'corrupt', 'unsupported', 'sampleRate', 'tooManyChannels', 'disguised', 'notFinite'];
  const key = `imports.reject.recording.${known.includes(name) ? name : 'corrupt'}`;
  const out: Record<string, string | number> = {};
  for (const k of ['maxMb', 'maxMinutes', 'codec'] as const) if (params[k] !== undefined) out[k] = params[k] as string | number;
  return { key, params: out };
}

/**
 * Where a recording named in a folder manifest lives: a path inside the folder, or null when the
 * name tries to leave it (absolute, drive letter, "..") — the CLI never reads outside the folder.
 */
export function relativeRecordingPath(name: string): string[] | null {
  const parts = name.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (!parts.length) return null;
  if (/^[a-zA-Z]:/.test(name) || name.startsWith('/') || name.startsWith('\\')) return null;
  if (parts.some((p) => p === '..' || p.includes('\0'))) return null;
  return parts;
}

/** The last part of a recording name ("2026/11/a.wav" → "a.wav"), for matching uploaded files. */
export function baseName(name: string): string {
  const parts = name.replace(/\\/g, '/').split('/');
  return parts[parts.length - 1] ?? name;
}

/**
 * The file name a browser sent. multer decodes multipart file names as Latin-1 by default, so a
 * UTF-8 name ("запись-1.wav", "yoʻl.wav") arrives as mojibake; decode it back when it is valid UTF-8.
 */
export function uploadedFileName(name: string): string {
  if (![...name].every((ch) => ch.charCodeAt(0) < 256)) return name.normalize('NFC');
  const decoded = Buffer.from(name, 'latin1').toString('utf8');
  return (decoded.includes('\uFFFD') ? name : decoded).normalize('NFC');
}

/**
 * A semicolon CSV with a BOM: what Excel in Uzbek and Russian locales opens as columns, Cyrillic
 * intact. With guardFormulas, text from a manifest that Excel would run as a formula (=, +, -, @)
 * is prefixed with an apostrophe.
 */
export function toExcelCsv(rows: (string | number | null)[][], o: { guardFormulas?: boolean } = {}): string {
  const cell = (v: string | number | null) => {
    let s = v == null ? '' : String(v);
    if (o.guardFormulas && typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${rows.map((r) => r.map(cell).join(';')).join('\r\n')}\r\n`;
}
