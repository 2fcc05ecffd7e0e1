import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { countManifestRows, detectDelimiter, excelCellText, openManifest, sniffManifest, type ManifestReader } from '../../../src/features/imports/imports.reader';
import { ManifestError } from '../../../src/features/imports/imports.manifest';

async function readAll(reader: ManifestReader) {
  const rows: { row: number; cells: string[] }[] = [];
  for await (const r of reader.rows) rows.push(r);
  return rows;
}

describe('imports: reading manifest files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-manifest-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };

  it('detectDelimiter picks the separator of the header line, ignoring quoted text', () => {
    expect(detectDelimiter('a,b,c\n1;2;3;4;5')).to.equal(',');
    expect(detectDelimiter('a;b;"c,d,e,f"\n')).to.equal(';');
    expect(detectDelimiter('a\tb\tc')).to.equal('\t');
    expect(detectDelimiter('single')).to.equal(',');
  });

  it('sniffManifest judges by the bytes: XLSX is a ZIP, old .xls and UTF-16 text are not CSV', () => {
    expect(sniffManifest(Buffer.from('PK\x03\x04rest', 'latin1'))).to.equal('xlsx');
    expect(sniffManifest(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1]))).to.equal('xls');
    expect(sniffManifest(Buffer.from('\uFEFFa,b', 'utf16le'))).to.equal('binary');
    expect(sniffManifest(Buffer.from('external_id;started_at'))).to.equal('csv');
  });

  it('reads a UTF-8 CSV with a BOM and semicolons (Excel, Uzbek/Russian locale), keeping Cyrillic and oʻ/gʻ intact', async () => {
    const p = file('semi.csv', '\uFEFFexternal_id;started_at;category;extra.izoh\r\nA-1;2026-11-20 09:15;fire;"Yongʻin; Gʻijduvon, oʻrta"\r\n\r\nA-2;2026-11-20 09:16;medical;Пожар в доме\r\n;;;\r\n');
    const reader = await openManifest(p);
    expect(reader.format).to.equal('csv');
    expect(reader.header).to.deep.equal(['external_id', 'started_at', 'category', 'extra.izoh']);
    const rows = await readAll(reader);
    expect(rows).to.deep.equal([
      { row: 2, cells: ['A-1', '2026-11-20 09:15', 'fire', 'Yongʻin; Gʻijduvon, oʻrta'] },
      { row: 4, cells: ['A-2', '2026-11-20 09:16', 'medical', 'Пожар в доме'] },
    ]);
    expect(reader.bytesRead()).to.equal(fs.statSync(p).size);
  });

  it('reads a comma CSV without a BOM', async () => {
    const p = file('comma.csv', 'external_id,started_at\nB-1,2026-11-20T09:15:00+05:00\n');
    const reader = await openManifest(p);
    expect(await readAll(reader)).to.deep.equal([{ row: 2, cells: ['B-1', '2026-11-20T09:15:00+05:00'] }]);
  });

  it('keeps a multi-byte letter split across read chunks', async () => {
    const filler = 'x'.repeat(64 * 1024 - 17);
    const p = file('chunks.csv', `external_id,note\nA,${filler}ʻЖʻЖʻЖʻЖʻЖ\n`);
    const rows = await readAll(await openManifest(p));
    expect(rows[0]!.cells[1]!.endsWith('ʻЖʻЖʻЖʻЖʻЖ')).to.equal(true);
  });

  it('refuses a Windows-1251 CSV instead of garbling its Cyrillic', async () => {
    const cp1251 = Buffer.from([0x65, 0x78, 0x74, 0x0a, 0xcf, 0xee, 0xe6, 0xe0, 0xf0, 0x0a]); // "ext\nПожар\n"
    const reader = await openManifest(file('cp1251.csv', cp1251)).catch((e) => e);
    const err = reader instanceof ManifestError ? reader : await readAll(reader as ManifestReader).catch((e) => e);
    expect(err).to.be.instanceOf(ManifestError);
    expect((err as ManifestError).key).to.equal('imports.manifest.notUtf8');
  });

  it('refuses an empty file, an old .xls and a missing file with their own reasons', async () => {
    for (const [p, key] of [
      [file('empty.csv', ''), 'imports.manifest.noHeader'],
      [file('old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])), 'imports.manifest.oldExcel'],
      [path.join(dir, 'nope.csv'), 'imports.manifest.notFound'],
    ] as const) {
      const err = await openManifest(p).catch((e) => e);
      expect(err, p).to.be.instanceOf(ManifestError);
      expect((err as ManifestError).key, p).to.equal(key);
    }
  });

  it('reports a broken CSV with its line', async () => {
    const reader = await openManifest(file('broken.csv', 'a,b\n1,2\n3,"4\n'));
    const err = await readAll(reader).catch((e) => e);
    expect(err).to.be.instanceOf(ManifestError);
    expect((err as ManifestError).key).to.equal('imports.manifest.csvError');
  });

  it('reads the first sheet of an XLSX: dates as Tashkent wall-clock text, numbers, rich text and formulas as text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Chaqiruvlar');
    ws.addRow([]);
    ws.addRow(['external_id', 'started_at', 'operator_code', 'category', 'duration_sec', 'extra.izoh']);
    ws.addRow(['X-1', new Date(Date.UTC(2026, 10, 20, 9, 15, 30)), 101, 'fire', { formula: '60+35', result: 95 }, { richText: [{ text: 'Yoʻl ' }, { text: 'hodisasi — Ташкент' }] }]);
    ws.getCell('B3').numFmt = 'yyyy-mm-dd hh:mm:ss';
    ws.addRow([]);
    ws.addRow(['X-2', '2026-11-20 10:00:00', 'OP-102', 'medical', 12, '']);
    wb.addWorksheet('Boshqa').addRow(['not', 'read']);
    const p = path.join(dir, 'calls.xlsx');
    await wb.xlsx.writeFile(p);
    const reader = await openManifest(p);
    expect(reader.format).to.equal('xlsx');
    expect(reader.header).to.deep.equal(['external_id', 'started_at', 'operator_code', 'category', 'duration_sec', 'extra.izoh']);
    const rows = await readAll(reader);
    expect(rows).to.deep.equal([
      { row: 3, cells: ['X-1', '2026-11-20 09:15:30', '101', 'fire', '95', 'Yoʻl hodisasi — Ташкент'] },
      // Excel does not store trailing empty cells: the row is just shorter.
      { row: 5, cells: ['X-2', '2026-11-20 10:00:00', 'OP-102', 'medical', '12'] },
    ]);
    expect(await countManifestRows(p)).to.equal(2);
  });

  it('refuses a ZIP that is not a spreadsheet', async () => {
    const p = file('not.xlsx', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 1)]));
    const err = await openManifest(p).catch((e) => e);
    expect(err).to.be.instanceOf(ManifestError);
    expect((err as ManifestError).key).to.be.oneOf(['imports.manifest.unreadable', 'imports.manifest.noHeader']);
  });

  it('excelCellText turns ExcelJS cell values into text', () => {
    expect(excelCellText(null)).to.equal('');
    expect(excelCellText(true)).to.equal('true');
    expect(excelCellText({ text: 'link', hyperlink: 'http://x' })).to.equal('link');
    expect(excelCellText({ error: '#N/A' })).to.equal('');
  });
});
