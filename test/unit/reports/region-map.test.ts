import { expect } from 'chai';
import { formatters, translator } from '../../../src/i18n';
import { callLevel, regionTiles, TILE_POSITIONS } from '../../../src/features/reports/region-map';
import type { RegionRow } from '../../../src/features/reports/reports.service';

const CODES = ['QR', 'AN', 'BU', 'JI', 'QA', 'NV', 'NG', 'SA', 'SU', 'SI', 'TO', 'FA', 'XO', 'TK'];
const row = (code: string, i: number, o: Partial<RegionRow> = {}): RegionRow => ({ id: i + 1, code, names: { uz: `${code} viloyati`, ru: `${code} область`, en: `${code} Region` }, calls: 10 * (i + 1), evaluations: i, mean: 80 + i, band: 'compliant', ...o });

describe('reports/region-map: the regions as a tile grid', () => {
  const en = translator('en');
  const fmt = formatters('en');

  it('places each of the 14 regions (Karakalpakstan, 12 viloyats, Tashkent city) on a tile of its own', () => {
    expect(Object.keys(TILE_POSITIONS).sort()).to.deep.equal([...CODES].sort());
    const cells = Object.values(TILE_POSITIONS).map(([c, r]) => `${c},${r}`);
    expect(new Set(cells).size).to.equal(14);
    const tiles = regionTiles(CODES.map((c, i) => row(c, i)), 'score', 'en', en, fmt);
    expect(tiles).to.have.length(14);
    expect(tiles[0]).to.include({ code: 'QR', name: 'Karakalpakstan', column: 1, row: 1 });
  });

  it('colours by the band of the average score, or marks a region without evaluations, and always prints the figure', () => {
    const tiles = regionTiles([row('SA', 0, { mean: 91.24, band: 'high' }), row('TK', 1, { mean: null, band: null, evaluations: 0 })], 'score', 'en', en, fmt);
    const sa = tiles.find((t) => t.code === 'SA')!;
    const tk = tiles.find((t) => t.code === 'TK')!;
    expect(sa).to.include({ level: 'level-high', value: '91.2' });
    expect(sa.label).to.equal('SA Region: average score 91.2 (High), calls 10, evaluations 0');
    expect(tk).to.include({ level: 'level-none', value: '—' });
  });

  it('colours by calls in five steps against the busiest region', () => {
    expect([0, 1, 24, 26, 50, 75, 100].map((n) => callLevel(n, 100))).to.deep.equal([0, 1, 1, 2, 2, 3, 4]);
    const tiles = regionTiles([row('SA', 0, { calls: 172 }), row('JI', 1, { calls: 24 })], 'calls', 'ru', translator('ru'), formatters('ru'));
    expect(tiles.find((t) => t.code === 'SA')).to.include({ level: 'level-calls-4', value: '172', name: 'Самарканд' });
    expect(tiles.find((t) => t.code === 'JI')).to.include({ level: 'level-calls-1' });
  });

  it('leaves out the calls with no region (they have no tile) but keeps them in the table', () => {
    const tiles = regionTiles([row('SA', 0), { id: null, code: null, names: null, calls: 5, evaluations: 1, mean: 70, band: 'partial' }], 'score', 'en', en, fmt);
    expect(tiles.map((t) => t.code)).to.deep.equal(['SA']);
  });
});
