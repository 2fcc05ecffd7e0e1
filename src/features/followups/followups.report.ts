// The worklist's counts for the reports export: one sheet by service, one by region.
import type { Knex } from 'knex';
import { pickLocalized, type Language, type Translate } from '../../i18n';
import { tashkentDayRange } from '../../time';
import * as repo from './followups.repository';

export interface SimpleSheet {
  title: string;
  header: string[];
  rows: (string | number)[][];
}

export async function followupSheets(db: Knex, period: { from: string; to: string }, t: Translate, lang: Language, now: Date): Promise<SimpleSheet[]> {
  const from = tashkentDayRange(period.from).startIso;
  const to = tashkentDayRange(period.to).endIso;
  const regions = new Map((await db('regions').select('code', 'name_uz', 'name_ru', 'name_en')).map((r) => [r.code as string, pickLocalized({ uz: r.name_uz, ru: r.name_ru, en: r.name_en }, lang)]));
  const header = (first: string) => [first, t('followups.col.opened'), t('followups.col.notFulfilled'), t('followups.col.noOutcome'), t('followups.col.closed'), t('followups.col.stillOpen'), t('followups.col.overdue')];
  const row = (label: string, r: repo.CountRow) => [label, r.opened, r.notFulfilled, r.noOutcome, r.closed, r.stillOpen, r.overdue];
  const [byService, byRegion] = await Promise.all([repo.countsBy(db, 'service', from, to, now.toISOString()), repo.countsBy(db, 'region', from, to, now.toISOString())]);
  return [
    { title: t('followups.sheet.byService'), header: header(t('followups.col.service')), rows: byService.map((r) => row(t(`calls.service.${r.key}.short`), r)) },
    { title: t('followups.sheet.byRegion'), header: header(t('followups.col.region')), rows: byRegion.map((r) => row(r.key ? (regions.get(r.key) ?? r.key) : t('followups.noRegion'), r)) },
  ];
}
