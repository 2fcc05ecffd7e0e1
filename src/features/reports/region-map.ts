// The regional analysis as a tile-grid map: the 14 regions (the Republic of Karakalpakstan, the 12
// viloyats and Tashkent city) as equal tiles laid out roughly where they lie, west to east, each
// coloured by the band of its mean score or by its share of the calls. No map data: the positions
// below are the whole geography. Pure.
import { pickLocalized, type Language, type Translate } from '../../i18n';
import type { Formatters } from '../../i18n';
import type { RegionRow } from './reports.service';

/** Column and row of each region's tile (by region code), 9 columns × 3 rows, north-west first; Karakalpakstan, the largest, spans two columns (app.css). */
export const TILE_POSITIONS: Record<string, [number, number]> = {
  QR: [1, 1], NV: [3, 1], JI: [5, 1], TK: [6, 1], TO: [7, 1], NG: [8, 1],
  XO: [1, 2], BU: [2, 2], SA: [4, 2], SI: [6, 2], FA: [8, 2], AN: [9, 2],
  QA: [4, 3], SU: [5, 3],
};

export type MapMeasure = 'score' | 'calls';
export const MAP_MEASURES: readonly MapMeasure[] = ['score', 'calls'];

export interface RegionTile {
  code: string;
  name: string;
  column: number;
  row: number;
  /** The figure printed on the tile (the colour is never the only cue). */
  value: string;
  /** CSS class of the colour: level-high … level-low, level-calls-0 … level-calls-4, or level-none. */
  level: string;
  /** What a screen reader hears: name, score and band, calls, evaluations. */
  label: string;
  regionId: number;
}

/** Five steps of call volume, relative to the busiest region. */
export function callLevel(calls: number, max: number): number {
  if (calls <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((calls / max) * 4)));
}

/** A region's name short enough for its tile: "Andijon viloyati" → "Andijon" (the full name is the tile's label). */
export function tileName(name: string): string {
  const short = name.replace(/\s+(viloyati|вилояти|Respublikasi|Республикаси|область|Region)$/u, '').replace(/^(Республика|Republic of)\s+/u, '');
  return short || name;
}

export function regionTiles(regions: readonly RegionRow[], measure: MapMeasure, lang: Language, t: Translate, fmt: Formatters): RegionTile[] {
  const maxCalls = Math.max(0, ...regions.map((r) => r.calls));
  const tiles: RegionTile[] = [];
  for (const r of regions) {
    const at = r.code ? TILE_POSITIONS[r.code] : undefined;
    if (!at || r.id === null) continue;
    const name = pickLocalized(r.names, lang);
    const score = r.mean === null ? t('reports.map.noScore') : fmt.number(r.mean, 1);
    const band = r.band ? t(`reports.band.${r.band}`) : '';
    const value = measure === 'score' ? (r.mean === null ? '—' : fmt.number(r.mean, 1)) : fmt.number(r.calls);
    const level = measure === 'score' ? (r.band ? `level-${r.band}` : 'level-none') : `level-calls-${callLevel(r.calls, maxCalls)}`;
    const label = t('reports.map.tileLabel', { name, score, band: band || '—', calls: r.calls, evaluations: r.evaluations });
    const shortKey = `regions.short.${r.code}`;
    const short = t(shortKey);
    tiles.push({ code: r.code!, name: short && short !== shortKey ? short : tileName(name), column: at[0], row: at[1], value, level, label, regionId: r.id });
  }
  return tiles.sort((a, b) => a.row - b.row || a.column - b.column);
}
