// Working time and callers' feedback as export sheets: per operator and shift (signed-in, ready,
// busy and break hours, calls per hour, occupancy, adherence to the plan), and satisfaction scores
// by operator, region and category with n. The same figures as the /worktime page.
import type { Knex } from 'knex';
import { pickLocalized, type Language, type Translate } from '../../i18n';
import { tashkentClock, type Period } from '../../time';
import type { SimpleSheet } from '../followups/followups.report';
import { satisfactionOf, workingTimeOf } from './worktime.service';

const hours = (sec: number) => Math.round((sec / 3600) * 100) / 100;
const pct = (v: number | null) => (v === null ? '' : Math.round(v * 1000) / 10);

export async function workingTimeSheet(db: Knex, period: Period, t: Translate, shiftDayStart: string, teamIds: number[] | null, now: Date): Promise<SimpleSheet> {
  const view = await workingTimeOf(db, shiftDayStart, period, teamIds, now);
  return {
    title: t('worktime.sheet.workingTime'),
    header: ['operator', 'code', 'team', 'shiftDate', 'shift', 'planned', 'signedIn', 'ready', 'busy', 'break', 'calls', 'callsPerHour', 'occupancy', 'adherence'].map((k) => t(`worktime.col.${k}`)),
    rows: [...view.rows]
      .sort((a, b) => a.shiftDate.localeCompare(b.shiftDate) || a.shift.localeCompare(b.shift) || a.name.localeCompare(b.name))
      .map((r) => [
        r.name,
        r.code,
        r.teamName ?? '',
        r.shiftDate,
        t(`worktime.shift.${r.shift}`),
        r.plans.map((p) => `${tashkentClock(p.startsAt)}–${tashkentClock(p.endsAt)}`).join(', '),
        hours(r.signedInSec),
        hours(r.readySec),
        hours(r.busySec),
        hours(r.breakSec),
        r.calls,
        r.callsPerHour === null ? '' : Math.round(r.callsPerHour * 10) / 10,
        pct(r.occupancy),
        pct(r.adherence),
      ]),
  };
}

export async function satisfactionSheets(db: Knex, period: Period, t: Translate, lang: Language, teamIds: number[] | null): Promise<SimpleSheet[]> {
  const s = await satisfactionOf(db, period, teamIds, { none: t('worktime.none'), category: (c) => t(`calls.category.${c}`, { defaultValue: c }), region: (names) => pickLocalized(names, lang) });
  const header = (first: string) => [first, t('worktime.col.n'), t('worktime.col.meanScore'), t('worktime.col.lowScores')];
  const rows = (list: typeof s.byOperator) => list.map((r) => [r.label, r.n, r.mean, r.low]);
  return [
    { title: t('worktime.sheet.satisfactionOperator'), header: header(t('worktime.col.operator')), rows: rows(s.byOperator) },
    { title: t('worktime.sheet.satisfactionRegion'), header: header(t('worktime.col.region')), rows: rows(s.byRegion) },
    { title: t('worktime.sheet.satisfactionCategory'), header: header(t('worktime.col.category')), rows: rows(s.byCategory) },
  ];
}
