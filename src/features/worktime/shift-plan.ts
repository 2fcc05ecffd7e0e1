// The shift-plan CSV (docs/shift-plan.md) as pure functions: what a file must look like, what is
// wrong with its header or with each row, and the planned shifts of a good file in UTC. Times in
// the file are Asia/Tashkent wall-clock times; an end at or before the start is on the next day
// (a night shift 20:00–08:00). No I/O: the service reads the file and the database.
import { parse } from 'csv-parse/sync';
import { addDays, isIsoDate, tashkentToUtc } from '../../time';
import { detectDelimiter, sniffManifest } from '../imports/imports.reader';
import { isBlankRow, normaliseColumnName } from '../imports/imports.manifest';

export const SHIFT_PLAN_COLUMNS = ['operator_code', 'date', 'start', 'end'] as const;
export type ShiftPlanColumn = (typeof SHIFT_PLAN_COLUMNS)[number];
/** Other spellings a header may use for a column. */
const ALIASES: Record<string, ShiftPlanColumn> = { employee_code: 'operator_code', operator: 'operator_code', shift_date: 'date', starts: 'start', start_time: 'start', ends: 'end', end_time: 'end' };

export const SHIFT_PLAN_MAX_BYTES = 2 * 1024 * 1024;
export const SHIFT_PLAN_MAX_ROWS = 20000;
export const SHIFT_MIN_HOURS = 1;
export const SHIFT_MAX_HOURS = 16;
/** A plan for a day further than this from today is a typo (a year of 2062). */
export const SHIFT_PLAN_MAX_DAYS_AWAY = 366;

/** One thing wrong: the whole file (row 0) or one cell. Keys are i18n keys. */
export interface PlanProblem {
  /** spreadsheet row number (the header is row 1); 0 for the file */
  row: number;
  column: string;
  value: string;
  key: string;
  params?: Record<string, string | number>;
}

export interface PlanDraft {
  row: number;
  operatorId: number;
  operatorCode: string;
  /** Tashkent day the shift starts */
  shiftDate: string;
  startsAt: string;
  endsAt: string;
}

export interface PlanReference {
  /** employee code, lower-cased → operator */
  operators: Map<string, { id: number; code: string; teamId: number | null }>;
  /** operators this user may plan (a supervisor: their teams'); null for everyone */
  allowedTeamIds: Set<number> | null;
  today: string;
}

export type PlanParse = { ok: true; shifts: PlanDraft[]; ignoredColumns: string[] } | { ok: false; problems: PlanProblem[] };

const fileProblem = (key: string, params?: Record<string, string | number>): PlanParse => ({ ok: false, problems: [{ row: 0, column: '', value: '', key, ...(params ? { params } : {}) }] });

/** Reads the bytes of an uploaded plan: refuses what is not a UTF-8 CSV, then checks every row. */
export function parseShiftPlan(bytes: Uint8Array, ref: PlanReference): PlanParse {
  if (!bytes.length) return fileProblem('worktime.plan.file.empty');
  if (bytes.length > SHIFT_PLAN_MAX_BYTES) return fileProblem('worktime.plan.file.tooLarge', { maxMb: SHIFT_PLAN_MAX_BYTES / 1048576 });
  const kind = sniffManifest(bytes.subarray(0, 64 * 1024));
  if (kind === 'xlsx' || kind === 'xls') return fileProblem('worktime.plan.file.spreadsheet');
  if (kind === 'binary') return fileProblem('worktime.plan.file.notText');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return fileProblem('worktime.plan.file.notUtf8');
  }
  let records: string[][];
  try {
    records = parse(text, { delimiter: detectDelimiter(text), relax_column_count: true, skip_empty_lines: false, bom: true, trim: true }) as string[][];
  } catch (e) {
    return fileProblem('worktime.plan.file.notCsv', { reason: String((e as Error).message).slice(0, 120) });
  }
  const header = records[0];
  if (!header || isBlankRow(header)) return fileProblem('worktime.plan.file.noHeader');
  const h = analyseHeader(header);
  if ('problems' in h) return { ok: false, problems: h.problems };
  const rows = records.slice(1).map((cells, i) => ({ row: i + 2, cells })).filter((r) => !isBlankRow(r.cells));
  if (!rows.length) return fileProblem('worktime.plan.file.noRows');
  if (rows.length > SHIFT_PLAN_MAX_ROWS) return fileProblem('worktime.plan.file.tooManyRows', { max: SHIFT_PLAN_MAX_ROWS, count: rows.length });

  const problems: PlanProblem[] = [];
  const shifts: PlanDraft[] = [];
  for (const { row, cells } of rows) {
    const r = checkRow(row, (c) => String(cells[h.index[c]] ?? '').trim(), ref);
    if ('problems' in r) problems.push(...r.problems);
    else shifts.push(r.draft);
  }
  problems.push(...overlapsWithin(shifts));
  return problems.length ? { ok: false, problems: problems.sort((a, b) => a.row - b.row) } : { ok: true, shifts, ignoredColumns: h.ignored };
}

function analyseHeader(cells: readonly string[]): { index: Record<ShiftPlanColumn, number>; ignored: string[] } | { problems: PlanProblem[] } {
  const index: Partial<Record<ShiftPlanColumn, number>> = {};
  const ignored: string[] = [];
  const twice = new Set<string>();
  cells.forEach((raw, i) => {
    const name = normaliseColumnName(raw);
    if (!name) return;
    const col = (SHIFT_PLAN_COLUMNS as readonly string[]).includes(name) ? (name as ShiftPlanColumn) : ALIASES[name];
    if (!col) return void ignored.push(raw.trim());
    if (index[col] !== undefined) twice.add(col);
    index[col] = i;
  });
  const problems: PlanProblem[] = [];
  if (twice.size) problems.push({ row: 1, column: [...twice].join(', '), value: '', key: 'worktime.plan.header.twice', params: { columns: [...twice].join(', ') } });
  const missing = SHIFT_PLAN_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length) problems.push({ row: 1, column: missing.join(', '), value: '', key: 'worktime.plan.header.missing', params: { columns: missing.join(', '), count: missing.length } });
  return problems.length ? { problems } : { index: index as Record<ShiftPlanColumn, number>, ignored };
}

/** `2026-12-08` or `08.12.2026` → `2026-12-08`; null when it is not a real date. */
export function parsePlanDate(v: string): string | null {
  const dotted = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(v);
  const iso = dotted ? `${dotted[3]}-${dotted[2]!.padStart(2, '0')}-${dotted[1]!.padStart(2, '0')}` : v;
  return isIsoDate(iso) ? iso : null;
}

/** `8:00`, `08:00` or `08:00:00` → `08:00`; null otherwise. `24:00` is not a time (write 00:00). */
export function parsePlanTime(v: string): string | null {
  const m = /^(\d{1,2}):(\d{2})(?::00)?$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

function checkRow(row: number, get: (c: ShiftPlanColumn) => string, ref: PlanReference): { draft: PlanDraft } | { problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const bad = (column: ShiftPlanColumn, key: string, params?: Record<string, string | number>) => problems.push({ row, column, value: get(column), key, ...(params ? { params } : {}) });
  const code = get('operator_code');
  const op = code ? ref.operators.get(code.toLowerCase()) : undefined;
  if (!code) bad('operator_code', 'worktime.plan.row.operatorMissing');
  else if (!op) bad('operator_code', 'worktime.plan.row.operatorUnknown', { code });
  else if (ref.allowedTeamIds && (op.teamId === null || !ref.allowedTeamIds.has(op.teamId))) bad('operator_code', 'worktime.plan.row.operatorNotYours', { code });
  const date = parsePlanDate(get('date'));
  if (!date) bad('date', get('date') ? 'worktime.plan.row.dateInvalid' : 'worktime.plan.row.dateMissing');
  else if (Math.abs(Date.parse(`${date}T00:00:00Z`) - Date.parse(`${ref.today}T00:00:00Z`)) > SHIFT_PLAN_MAX_DAYS_AWAY * 86400000) bad('date', 'worktime.plan.row.dateFar', { days: SHIFT_PLAN_MAX_DAYS_AWAY });
  const start = parsePlanTime(get('start'));
  const end = parsePlanTime(get('end'));
  if (!start) bad('start', get('start') ? 'worktime.plan.row.timeInvalid' : 'worktime.plan.row.timeMissing');
  if (!end) bad('end', get('end') ? 'worktime.plan.row.timeInvalid' : 'worktime.plan.row.timeMissing');
  if (problems.length || !op || !date || !start || !end) return { problems };
  const startsAt = tashkentToUtc(date, start);
  const endsAt = tashkentToUtc(end > start ? date : addDays(date, 1), end);
  const hours = (endsAt.getTime() - startsAt.getTime()) / 3600000;
  if (hours < SHIFT_MIN_HOURS || hours > SHIFT_MAX_HOURS) {
    bad('end', 'worktime.plan.row.length', { hours: Math.round(hours * 10) / 10, min: SHIFT_MIN_HOURS, max: SHIFT_MAX_HOURS });
    return { problems };
  }
  return { draft: { row, operatorId: op.id, operatorCode: op.code, shiftDate: date, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() } };
}

/** Two rows of one operator whose times overlap: the later row is wrong, naming the earlier. */
function overlapsWithin(shifts: readonly PlanDraft[]): PlanProblem[] {
  const out: PlanProblem[] = [];
  const byOp = new Map<number, PlanDraft[]>();
  for (const s of shifts) byOp.set(s.operatorId, [...(byOp.get(s.operatorId) ?? []), s]);
  for (const list of byOp.values()) {
    const sorted = [...list].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.row - b.row);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.startsAt < prev.endsAt) {
        const [earlier, later] = prev.row < cur.row ? [prev, cur] : [cur, prev];
        out.push({ row: later.row, column: 'start', value: later.operatorCode, key: 'worktime.plan.row.overlapsRow', params: { row: earlier.row, code: later.operatorCode } });
      }
    }
  }
  return out;
}

/**
 * Shifts of the file that overlap a stored shift of the same operator with another start (the
 * same start replaces the stored shift). Pure: the stored shifts come in.
 */
export function overlapsStored(shifts: readonly PlanDraft[], stored: readonly { operatorId: number; startsAt: string; endsAt: string }[], describe: (s: { startsAt: string; endsAt: string }) => string): PlanProblem[] {
  const out: PlanProblem[] = [];
  for (const s of shifts) {
    const clash = stored.find((p) => p.operatorId === s.operatorId && p.startsAt !== s.startsAt && p.startsAt < s.endsAt && s.startsAt < p.endsAt && !shifts.some((o) => o.operatorId === p.operatorId && o.startsAt === p.startsAt));
    if (clash) out.push({ row: s.row, column: 'start', value: s.operatorCode, key: 'worktime.plan.row.overlapsStored', params: { code: s.operatorCode, shift: describe(clash) } });
  }
  return out;
}

/** The template offered for download: the header, a day shift tomorrow and a night shift the day after (never overlapping). */
export function templateRows(today: string, codes: readonly string[]): string[][] {
  const [a = 'OP-101', b = a] = codes;
  const dotted = (d: string) => d.split('-').reverse().join('.');
  return [[...SHIFT_PLAN_COLUMNS], [a, dotted(addDays(today, 1)), '08:00', '20:00'], [b, dotted(addDays(today, 2)), '20:00', '08:00']];
}
