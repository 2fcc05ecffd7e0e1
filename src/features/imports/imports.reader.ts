// Reading a manifest file as a stream of rows: CSV (UTF-8 with or without BOM, comma, semicolon or
// tab, detected) with csv-parse, or XLSX with ExcelJS's streaming reader (first worksheet), so a
// 100,000-row file never sits in memory whole. The format is judged by the bytes, not the name.
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { ManifestError, excelDateToText, isBlankRow } from './imports.manifest';

export type ManifestFormat = 'csv' | 'xlsx';

export interface ManifestRow {
  /** Row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  cells: string[];
}

export interface ManifestReader {
  format: ManifestFormat;
  header: string[];
  /** Data rows after the header, blank rows skipped. */
  rows: AsyncIterable<ManifestRow>;
  sizeBytes: number;
  /** Bytes of the file read so far (for a progress bar). */
  bytesRead(): number;
  close(): void;
}

const HEAD_BYTES = 64 * 1024;

/** What the first bytes say: an XLSX (a ZIP), an old binary .xls, or text we try as CSV. */
export function sniffManifest(head: Uint8Array): ManifestFormat | 'xls' | 'binary' {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'xls';
  // UTF-16 text (Excel's "Unicode text") and other binaries carry NUL bytes; UTF-8 CSV never does.
  if (head.subarray(0, 4096).includes(0)) return 'binary';
  return 'csv';
}

/**
 * The delimiter of a CSV from its first line: whichever of comma, semicolon or tab appears most
 * outside quotes. Excel in Uzbek and Russian locales saves "CSV" with semicolons.
 */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Opens a manifest and reads its header. Throws ManifestError when it is not a CSV/XLSX we can read. */
export async function openManifest(file: string): Promise<ManifestReader> {
  const stat = await fs.promises.stat(file).catch(() => null);
  if (!stat || !stat.isFile()) throw new ManifestError('imports.manifest.notFound');
  if (stat.size === 0) throw new ManifestError('imports.manifest.noHeader');
  const head = await readHead(file);
  const kind = sniffManifest(head);
  if (kind === 'xls') throw new ManifestError('imports.manifest.oldExcel');
  if (kind === 'binary') throw new ManifestError('imports.manifest.unreadable');
  return kind === 'xlsx' ? openXlsx(file, stat.size) : openCsv(file, stat.size, head);
}

function byteCounter(): { counter: Transform; bytes: () => number } {
  let n = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb(null, chunk);
    },
  });
  return { counter, bytes: () => n };
}

/** Decodes UTF-8 strictly (a Windows-1251 "CSV" would otherwise turn Cyrillic into garbage) and drops a BOM. */
function utf8Decoder(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, cb) {
      try {
        cb(null, decoder.decode(chunk, { stream: true }));
      } catch {
        cb(new ManifestError('imports.manifest.notUtf8'));
      }
    },
    flush(cb) {
      try {
        const rest = decoder.decode();
        cb(null, rest || undefined);
      } catch {
        cb(new ManifestError('imports.manifest.notUtf8'));
      }
    },
  });
}

async function openCsv(file: string, sizeBytes: number, head: Buffer): Promise<ManifestReader> {
  // The head may end inside a multi-byte letter: decode leniently just to find the delimiter.
  const delimiter = detectDelimiter(new TextDecoder('utf-8').decode(head).replace(/^\uFEFF/, ''));
  const input = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  const { counter, bytes } = byteCounter();
  // Empty lines are records too (skipped below), so a record's ordinal is its spreadsheet row number.
  const parser = parse({ delimiter, bom: true, relax_column_count: true, relax_quotes: true });
  const decoder = utf8Decoder();
  let failed: unknown = null;
  const fail = (e: unknown) => {
    failed ??= e;
    parser.destroy(e as Error);
  };
  input.on('error', fail);
  counter.on('error', fail);
  decoder.on('error', fail);
  input.pipe(counter).pipe(decoder).pipe(parser);
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;

  const wrapError = (e: unknown): ManifestError => {
    const err = failed ?? e;
    if (err instanceof ManifestError) return err;
    const message = (err as { message?: string })?.message ?? String(err);
    const line = Number((err as { lines?: number })?.lines) || 0;
    return new ManifestError('imports.manifest.csvError', { line, detail: message.slice(0, 200) });
  };

  let first: IteratorResult<string[]>;
  try {
    first = await iterator.next();
  } catch (e) {
    input.destroy();
    throw wrapError(e);
  }
  if (first.done) {
    input.destroy();
    throw new ManifestError('imports.manifest.noHeader');
  }
  const header = first.value;

  async function* rows(): AsyncGenerator<ManifestRow> {
    let row = 1;
    try {
      while (true) {
        let next: IteratorResult<string[]>;
        try {
          next = await iterator.next();
        } catch (e) {
          throw wrapError(e);
        }
        if (next.done) break;
        row++;
        const cells = next.value;
        if (isBlankRow(cells)) continue;
        yield { row, cells };
      }
      if (failed) throw wrapError(failed);
    } finally {
      input.destroy();
    }
  }

  return { format: 'csv', header, rows: rows(), sizeBytes, bytesRead: bytes, close: () => input.destroy() };
}

/** A cell of ExcelJS's streaming reader as the text a CSV would hold. */
export function excelCellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return excelDateToText(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown; formula?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return excelCellText(o.result);
    if (o.text !== undefined) return excelCellText(o.text);
    if (o.error !== undefined) return '';
  }
  return String(v);
}

async function openXlsx(file: string, sizeBytes: number): Promise<ManifestReader> {
  const input = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const { counter, bytes } = byteCounter();
  input.on('error', (e) => counter.destroy(e));
  input.pipe(counter);
  // styles: 'cache' so date cells come out as dates; shared strings cached (Excel stores text there).
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(counter, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'emit' });

  const sheets = reader[Symbol.asyncIterator]();
  const unreadable = (e: unknown) => (e instanceof ManifestError ? e : new ManifestError('imports.manifest.unreadable'));
  let sheetRows: AsyncIterator<ExcelJS.Row>;
  try {
    const sheet = await sheets.next();
    if (sheet.done) throw new ManifestError('imports.manifest.noHeader');
    sheetRows = (sheet.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
  } catch (e) {
    input.destroy();
    throw unreadable(e);
  }

  const cellsOf = (r: ExcelJS.Row): string[] => {
    const values = (r.values ?? []) as unknown[];
    const out: string[] = [];
    // ExcelJS row values are 1-based: index 0 is always empty.
    for (let i = 1; i < values.length; i++) out.push(excelCellText(values[i]));
    return out;
  };

  // The header is the first row that is not blank.
  let header: string[] | null = null;
  try {
    while (!header) {
      const r = await sheetRows.next();
      if (r.done) break;
      const cells = cellsOf(r.value);
      if (!isBlankRow(cells)) header = cells;
    }
  } catch (e) {
    input.destroy();
    throw unreadable(e);
  }
  if (!header) {
    input.destroy();
    throw new ManifestError('imports.manifest.noHeader');
  }

  async function* rows(): AsyncGenerator<ManifestRow> {
    try {
      while (true) {
        let r: IteratorResult<ExcelJS.Row>;
        try {
          r = await sheetRows.next();
        } catch (e) {
          throw unreadable(e);
        }
        if (r.done) break;
        const cells = cellsOf(r.value);
        if (isBlankRow(cells)) continue;
        yield { row: r.value.number, cells };
      }
    } finally {
      input.destroy();
    }
  }

  return { format: 'xlsx', header, rows: rows(), sizeBytes, bytesRead: bytes, close: () => input.destroy() };
}

/** Counts the data rows of a manifest (a cheap first pass when rows carry recordings, for an honest progress bar). */
export async function countManifestRows(file: string): Promise<number> {
  const reader = await openManifest(file);
  let n = 0;
  try {
    for await (const _ of reader.rows) n++;
  } finally {
    reader.close();
  }
  return n;
}
