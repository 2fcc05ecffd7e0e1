// Writes report tables as an Excel workbook (ExcelJS's streaming writer) or as CSV, straight to a
// response. Only features Google Sheets and LibreOffice read: plain cells, number formats, a frozen
// header row, autofilters, column widths and expression-based conditional formatting.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ScoreBands } from './aggregate';
import type { CellValue, ColumnType, ReportTable, StreamedTable, TableColumn } from './report-tables';

const NUM_FMT: Record<ColumnType, string | undefined> = {
  text: undefined,
  int: '0',
  score: '0.0',
  decimal: '0.0',
  percent: '0.0%',
  // Dates are written as Excel dates holding Tashkent wall-clock time (see excelTashkentDate).
  date: 'dd.mm.yyyy',
  datetime: 'dd.mm.yyyy hh:mm',
};

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE6F0F7' } };

/** Light fills with dark text, one per band, as Excel's own "good/neutral/bad" styles. */
const BAND_STYLES: Record<'high' | 'compliant' | 'partial' | 'low', { fill: string; font: string }> = {
  high: { fill: 'FFC6EFCE', font: 'FF006100' },
  compliant: { fill: 'FFE2F0D9', font: 'FF375623' },
  partial: { fill: 'FFFFEB9C', font: 'FF9C5700' },
  low: { fill: 'FFFFC7CE', font: 'FF9C0006' },
};

/** Sheet names: at most 31 characters, none of []:*?/\ (Excel's rules, which Sheets follows). */
export function safeSheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 31).trim() || 'Sheet';
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 28).trim()} ${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** Excel column letters: 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** Conditional formatting rules colouring a score column by band (expressions, so Sheets and LibreOffice read them). */
export function bandRules(topLeft: string, bands: ScoreBands): ExcelJS.ConditionalFormattingRule[] {
  const cell = topLeft;
  const rule = (formula: string, style: { fill: string; font: string }, priority: number): ExcelJS.ConditionalFormattingRule => ({
    type: 'expression',
    priority,
    formulae: [formula],
    style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: style.fill } }, font: { color: { argb: style.font } } },
  });
  return [
    rule(`AND(ISNUMBER(${cell}),${cell}>=${bands.high})`, BAND_STYLES.high, 1),
    rule(`AND(ISNUMBER(${cell}),${cell}>=${bands.compliant},${cell}<${bands.high})`, BAND_STYLES.compliant, 2),
    rule(`AND(ISNUMBER(${cell}),${cell}>=${bands.partial},${cell}<${bands.compliant})`, BAND_STYLES.partial, 3),
    rule(`AND(ISNUMBER(${cell}),${cell}<${bands.partial})`, BAND_STYLES.low, 4),
  ];
}

type SheetWriter = ExcelJS.Worksheet & { commit(): void };

/**
 * How every table prints: landscape A4, all columns on one page width (as many pages down as it
 * takes), the header row repeated on each page. Without it a wide table printed on 92 pages.
 */
export const PRINT_SETUP: Partial<ExcelJS.PageSetup> = {
  paperSize: 9,
  orientation: 'landscape',
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
  printTitlesRow: '1:1',
  margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
};

function startSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: TableColumn[], withFilter: boolean): SheetWriter {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 1, xSplit: 0, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: PRINT_SETUP,
    ...(withFilter && columns.length ? { autoFilter: { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } } } : {}),
  }) as SheetWriter;
  // Widths only: number formats are set per cell from shared style objects (see addRow).
  ws.columns = columns.map((c, i) => ({ key: `c${i}`, width: c.width }));
  const header = ws.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  header.height = 30;
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
  });
  header.commit();
  return ws;
}

// One style object per number format, shared by every cell that has it. ExcelJS remembers the style
// id of an object it has seen; a fresh object per cell (what column styles give) makes it serialise
// and look up the style again for each of the 4 million cells of a large export.
const SHARED_STYLES: Record<ColumnType, Partial<ExcelJS.Style>> = Object.fromEntries(
  (Object.keys(NUM_FMT) as ColumnType[]).map((type) => [type, NUM_FMT[type] ? { numFmt: NUM_FMT[type] } : {}]),
) as Record<ColumnType, Partial<ExcelJS.Style>>;

function addRow(ws: SheetWriter, columns: TableColumn[], cells: CellValue[]): void {
  const row = ws.addRow(cells);
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    // A date in a text column (the summary's "generated at") still needs a date format.
    const type = v instanceof Date && columns[i]?.type !== 'date' && columns[i]?.type !== 'datetime' ? 'datetime' : (columns[i]?.type ?? 'text');
    (row.getCell(i + 1) as unknown as { style: Partial<ExcelJS.Style> }).style = SHARED_STYLES[type];
  }
  row.commit();
}

function finishSheet(ws: SheetWriter, columns: TableColumn[], dataRows: number, bands: ScoreBands): void {
  if (dataRows > 0) {
    columns.forEach((c, i) => {
      if (!c.band) return;
      const letter = columnLetter(i + 1);
      const ref = `${letter}2:${letter}${dataRows + 1}`;
      ws.addConditionalFormatting({ ref, rules: bandRules(`${letter}2`, bands) });
    });
  }
  ws.commit();
}

/**
 * Waits until the zip has compressed what this sheet wrote and the output has taken it. ExcelJS
 * writes each sheet into a stream that archiver reads through a PassThrough, ignoring
 * backpressure: without this wait the whole uncompressed sheet (about 1.2 MB per 1,000 rows)
 * piles up in memory while compression falls behind. The PassThrough is ExcelJS/archiver
 * internals, so when it cannot be found we only yield to the event loop.
 */
async function backpressure(ws: SheetWriter, out: Writable): Promise<void> {
  // archiver wraps the sheet in a readable-stream@2 PassThrough: no writableNeedDrain there, but
  // the same _writableState (length, needDrain) and 'drain' event as Node's own streams.
  const pending = (ws as unknown as { _stream?: { pipes?: (Writable & { _writableState?: { needDrain?: boolean; length?: number } })[] } })._stream?.pipes?.[0];
  const state = pending?._writableState;
  if (pending && state && typeof state.needDrain === 'boolean') {
    if (state.needDrain) await once(pending, 'drain');
  } else {
    // Not yet attached (archiver attaches it when it reaches the sheet): let it get there.
    await new Promise((r) => setImmediate(r));
  }
  if (out.writableNeedDrain) await once(out, 'drain');
}

export interface WorkbookOptions {
  bands: ScoreBands;
  creator?: string;
  /** stops reading pages when the client has gone */
  signal?: AbortSignal;
}

/**
 * Writes the workbook to `out` and ends it. The small sheets go first and are committed at once,
 * so when the Evaluations sheet streams the zip is already reading it: rows leave as they are
 * written instead of piling up behind an unfinished sheet. Between pages it waits for the output
 * to drain, which keeps memory flat when the client reads slowly.
 */
/** A sheet of small rows: a report table, or another feature's (the Service KPIs). */
export type SheetTable = Omit<ReportTable, 'slug'> & { slug: string };

export async function writeWorkbook(out: Writable, tables: readonly SheetTable[], streamed: StreamedTable | null, opts: WorkbookOptions): Promise<{ evaluationRows: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  wb.creator = opts.creator ?? 'Sifat';
  const taken = new Set<string>();
  for (const table of tables) {
    const ws = startSheet(wb, safeSheetName(table.title, taken), table.columns, table.slug !== 'summary');
    for (const cells of table.rows) addRow(ws, table.columns, cells);
    if (!table.rows.length) addRow(ws, table.columns, [table.emptyText]);
    finishSheet(ws, table.columns, table.rows.length, opts.bands);
  }

  if (!streamed) {
    await wb.commit();
    return { evaluationRows: 0 };
  }
  const ws = startSheet(wb, safeSheetName(streamed.title, taken), streamed.columns, true);
  let count = 0;
  for await (const page of streamed.pages) {
    if (opts.signal?.aborted) break;
    for (const cells of page) addRow(ws, streamed.columns, cells);
    count += page.length;
    await backpressure(ws, out);
  }
  if (!count) addRow(ws, streamed.columns, [streamed.emptyText]);
  finishSheet(ws, streamed.columns, count, opts.bands);
  await wb.commit();
  return { evaluationRows: count };
}

// ---------------------------------------------------------------------------------------------
// CSV: UTF-8 with a byte-order mark (so Excel reads Cyrillic and Uzbek letters right), comma
// separated, CRLF line ends, RFC 4180 quoting.

export const CSV_BOM = '\uFEFF';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** One cell as CSV text. Dates as YYYY-MM-DD (HH:MM): the Date already holds Tashkent wall time. */
export function csvCell(value: CellValue, type: ColumnType): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) {
    const d = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    text = type === 'date' ? d : `${d} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}`;
  } else if (typeof value === 'number') {
    text = type === 'percent' ? String(Math.round(value * 1000) / 10) : String(value);
  } else {
    text = value;
    // A text starting with = + - @ would run as a formula when the file is opened: defuse it.
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly CellValue[], columns: readonly TableColumn[]): string {
  return `${columns.map((c, i) => csvCell(cells[i] ?? null, c.type)).join(',')}\r\n`;
}

/** Header row plus rows; percent columns get "%" in their header since their cells are 0..100. */
export function csvHeader(columns: readonly TableColumn[]): string {
  return csvLine(columns.map((c) => (c.type === 'percent' ? `${c.header} (%)` : c.header)), columns.map(() => ({ header: '', type: 'text' as ColumnType, width: 0 })));
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export async function writeCsv(out: Writable, columns: readonly TableColumn[], rows: Iterable<CellValue[]> | AsyncIterable<CellValue[][]>, signal?: AbortSignal): Promise<number> {
  await write(out, CSV_BOM + csvHeader(columns));
  let count = 0;
  if (Symbol.asyncIterator in rows) {
    for await (const page of rows as AsyncIterable<CellValue[][]>) {
      if (signal?.aborted) break;
      await write(out, page.map((cells) => csvLine(cells, columns)).join(''));
      count += page.length;
    }
  } else {
    let chunk = '';
    for (const cells of rows as Iterable<CellValue[]>) {
      chunk += csvLine(cells, columns);
      count++;
    }
    await write(out, chunk);
  }
  out.end();
  return count;
}
