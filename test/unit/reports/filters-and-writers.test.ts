import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { filtersQuery, parseReportFilters } from '../../../src/features/reports/reports.schema';
import { bandRules, columnLetter, csvCell, csvLine, safeSheetName, writeCsv } from '../../../src/features/reports/report-writers';
import { jsonForScript } from '../../../src/features/reports/dashboard-view';
import { parseAnswerPairs } from '../../../src/features/reports/reports.repository';

const opts = { today: '2026-11-20', maxDays: 366 };

describe('reports: parsing filters', () => {
  it('defaults to the last 30 days up to today', () => {
    const r = parseReportFilters({}, opts);
    expect(r).to.deep.equal({ ok: true, filters: { from: '2026-10-22', to: '2026-11-20', teamId: null, regionId: null, category: null, language: null, sample: 'random' } });
  });

  it('reads every filter and treats empty values as "all"', () => {
    const r = parseReportFilters({ from: '2026-11-01', to: '2026-11-10', team: '3', region: '', category: 'fire', language: 'ru' }, opts);
    expect(r.ok && r.filters).to.deep.equal({ from: '2026-11-01', to: '2026-11-10', teamId: 3, regionId: null, category: 'fire', language: 'ru', sample: 'random' });
  });

  it('refuses an unknown filter name and names it', () => {
    const r = parseReportFilters({ from: '2026-11-01', tema: '3' }, opts);
    expect(r).to.deep.equal({ ok: false, errors: [{ field: 'tema', key: 'reports.filters.unknownFilter', params: { name: 'tema' } }] });
  });

  it('refuses repeated values, bad ids, unknown languages and impossible dates', () => {
    const bad = (q: Record<string, unknown>) => {
      const r = parseReportFilters(q, opts);
      return r.ok ? [] : r.errors.map((e) => `${e.field}:${e.key}`);
    };
    expect(bad({ team: ['1', '2'] })).to.deep.equal(['team:reports.filters.unknownValue']);
    expect(bad({ team: 'abc' })).to.deep.equal(['team:reports.filters.unknownValue']);
    expect(bad({ team: '-1' })).to.deep.equal(['team:reports.filters.unknownValue']);
    expect(bad({ language: 'xx' })).to.deep.equal(['language:reports.filters.unknownValue']);
    expect(bad({ from: '2026-02-30', to: '2026-03-01' })).to.deep.equal(['from:reports.filters.badDate']);
    expect(bad({ category: '<script>' })).to.deep.equal(['category:reports.filters.unknownValue']);
  });

  it('refuses a period that ends before it starts or is longer than allowed', () => {
    expect(parseReportFilters({ from: '2026-11-10', to: '2026-11-01' }, opts)).to.deep.include({ ok: false });
    const long = parseReportFilters({ from: '2025-01-01', to: '2026-11-20' }, opts);
    expect(long.ok).to.equal(false);
    if (!long.ok) expect(long.errors[0]).to.deep.equal({ field: 'to', key: 'reports.filters.tooLong', params: { max: 366, days: 689 } });
    expect(parseReportFilters({ from: '2025-11-20', to: '2026-11-20' }, opts).ok).to.equal(true); // exactly 366 days
  });

  it('filtersQuery asks for the same filters again', () => {
    const r = parseReportFilters({ from: '2026-11-01', to: '2026-11-10', team: '3', category: 'road accident' }, opts);
    if (!r.ok) throw new Error('should parse');
    const again = parseReportFilters(Object.fromEntries(new URLSearchParams(filtersQuery(r.filters))), opts);
    expect(again).to.deep.equal(r);
  });
});

describe('reports: CSV cells', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('plain', 'text')).to.equal('plain');
    expect(csvCell('a, b', 'text')).to.equal('"a, b"');
    expect(csvCell('say "hi"', 'text')).to.equal('"say ""hi"""');
    expect(csvCell('two\nlines', 'text')).to.equal('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")', 'text')).to.equal('"\'=HYPERLINK(""x"")"');
    expect(csvCell(-1.5, 'decimal')).to.equal('-1.5');
    expect(csvCell(null, 'int')).to.equal('');
    expect(csvCell('Тошкент шаҳри', 'text')).to.equal('Тошкент шаҳри');
  });

  it('writes percentages as 0–100 and dates as Tashkent text', () => {
    expect(csvCell(0.8512, 'percent')).to.equal('85.1');
    expect(csvCell(new Date('2026-11-30T00:30:00Z'), 'datetime')).to.equal('2026-11-30 00:30');
    expect(csvCell(new Date('2026-11-30T00:00:00Z'), 'date')).to.equal('2026-11-30');
    expect(csvLine([1, 'x'], [{ header: 'a', type: 'int', width: 1 }, { header: 'b', type: 'text', width: 1 }])).to.equal('1,x\r\n');
  });

  it('starts with a byte-order mark so Excel reads Cyrillic and Uzbek letters right', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeCsv(out, [{ header: 'Ko\'rsatkich', type: 'text', width: 1 }, { header: 'Доля', type: 'percent', width: 1 }], [['Oʻzbek', 0.5]]);
    const bytes = Buffer.concat(chunks);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').slice(1)).to.equal("Ko'rsatkich,Доля (%)\r\nOʻzbek,50\r\n");
  });
});

describe('reports: workbook helpers', () => {
  it('columnLetter counts like Excel', () => {
    expect([1, 26, 27, 52, 53, 702, 703].map(columnLetter)).to.deep.equal(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('safeSheetName keeps names within Excel\'s rules and unique', () => {
    const taken = new Set<string>();
    expect(safeSheetName('Plan: fulfilment / specialists [all]', taken)).to.equal('Plan fulfilment specialists all');
    expect(safeSheetName('Summary', taken)).to.equal('Summary');
    expect(safeSheetName('summary', taken)).to.equal('summary 2');
    expect(safeSheetName('x'.repeat(40), taken)).to.have.length(31);
  });

  it('bandRules colour each band with a formula on the column\'s first cell', () => {
    const rules = bandRules('F2', { high: 90, compliant: 80, partial: 60 });
    expect(rules.map((r) => (r as { formulae: string[] }).formulae[0])).to.deep.equal([
      'AND(ISNUMBER(F2),F2>=90)',
      'AND(ISNUMBER(F2),F2>=80,F2<90)',
      'AND(ISNUMBER(F2),F2>=60,F2<80)',
      'AND(ISNUMBER(F2),F2<60)',
    ]);
  });

  it('jsonForScript cannot close the script block it sits in', () => {
    const s = jsonForScript({ name: '</script><script>alert(1)</script>', amp: 'a&b' });
    expect(s).not.to.contain('</script>');
    expect(JSON.parse(s)).to.deep.equal({ name: '</script><script>alert(1)</script>', amp: 'a&b' });
  });
});

describe('reports: reading aggregated answers', () => {
  it('parseAnswerPairs reads values, N/A marks and unanswered criteria', () => {
    const m = parseAnswerPairs('OPEN-1=1,INFO-5=2,HELP-1=!,CARD-2=0,CLOSE-2=,SCALE-10=10');
    expect([...m.entries()]).to.deep.equal([['OPEN-1', 1], ['INFO-5', 2], ['HELP-1', 'na'], ['CARD-2', 0], ['CLOSE-2', null], ['SCALE-10', 10]]);
    expect(parseAnswerPairs(null).size).to.equal(0);
    expect(parseAnswerPairs('').size).to.equal(0);
  });
});
