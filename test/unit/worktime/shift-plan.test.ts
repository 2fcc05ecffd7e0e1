import { expect } from 'chai';
import { overlapsStored, parsePlanDate, parsePlanTime, parseShiftPlan, templateRows, type PlanReference } from '../../../src/features/worktime/shift-plan';

const ref = (o: Partial<PlanReference> = {}): PlanReference => ({
  operators: new Map([
    ['op-1', { id: 1, code: 'OP-1', teamId: 10 }],
    ['op-2', { id: 2, code: 'OP-2', teamId: 20 }],
  ]),
  allowedTeamIds: null,
  today: '2026-12-07',
  ...o,
});
const bytes = (s: string) => new TextEncoder().encode(s);

describe('shift plan CSV', () => {
  it('reads ISO and dotted Uzbek dates, and times with or without seconds; 24:00 and 31 February are refused', () => {
    expect(parsePlanDate('2026-12-08')).to.equal('2026-12-08');
    expect(parsePlanDate('8.12.2026')).to.equal('2026-12-08');
    expect(parsePlanDate('31.02.2026')).to.equal(null);
    expect(parsePlanTime('8:00')).to.equal('08:00');
    expect(parsePlanTime('20:00:00')).to.equal('20:00');
    expect(parsePlanTime('24:00')).to.equal(null);
    expect(parsePlanTime('8.00')).to.equal(null);
  });

  it('turns Tashkent wall-clock times into UTC; an end at or before the start is the next morning', () => {
    const r = parseShiftPlan(bytes('operator_code;date;start;end\nop-1;08.12.2026;20:00;08:00\nOP-2;2026-12-08;08:00;20:00\n'), ref());
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.shifts.map((s) => [s.operatorId, s.shiftDate, s.startsAt, s.endsAt])).to.deep.equal([
      [1, '2026-12-08', '2026-12-08T15:00:00.000Z', '2026-12-09T03:00:00.000Z'],
      [2, '2026-12-08', '2026-12-08T03:00:00.000Z', '2026-12-08T15:00:00.000Z'],
    ]);
  });

  it('a supervisor may plan only their teams’ operators', () => {
    const r = parseShiftPlan(bytes('operator_code,date,start,end\nOP-2,2026-12-08,08:00,20:00\n'), ref({ allowedTeamIds: new Set([10]) }));
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problems).to.deep.equal([{ row: 2, column: 'operator_code', value: 'OP-2', key: 'worktime.plan.row.operatorNotYours', params: { code: 'OP-2' } }]);
  });

  it('a column named twice is refused rather than one copy silently winning', () => {
    const r = parseShiftPlan(bytes('operator_code,date,start,end,Start\nOP-1,2026-12-08,08:00,20:00,09:00\n'), ref());
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problems[0]).to.include({ row: 1, key: 'worktime.plan.header.twice' });
  });

  it('a stored shift with the same start is replaced, not an overlap; another start that overlaps is', () => {
    const shift = { row: 2, operatorId: 1, operatorCode: 'OP-1', shiftDate: '2026-12-08', startsAt: '2026-12-08T03:00:00.000Z', endsAt: '2026-12-08T15:00:00.000Z' };
    const describe = (s: { startsAt: string }) => s.startsAt;
    expect(overlapsStored([shift], [{ operatorId: 1, startsAt: shift.startsAt, endsAt: '2026-12-08T13:00:00.000Z' }], describe)).to.deep.equal([]);
    expect(overlapsStored([shift], [{ operatorId: 1, startsAt: '2026-12-08T10:00:00.000Z', endsAt: '2026-12-08T20:00:00.000Z' }], describe)).to.have.length(1);
    expect(overlapsStored([shift], [{ operatorId: 2, startsAt: '2026-12-08T10:00:00.000Z', endsAt: '2026-12-08T20:00:00.000Z' }], describe)).to.deep.equal([]);
  });

  it('the template parses as a plan, also with a single operator', () => {
    for (const codes of [['OP-1', 'OP-2'], ['OP-1']]) {
      const csv = templateRows('2026-12-07', codes).map((r) => r.join(';')).join('\n');
      expect(parseShiftPlan(bytes(csv), ref()).ok).to.equal(true);
    }
  });
});
