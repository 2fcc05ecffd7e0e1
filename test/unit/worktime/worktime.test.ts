import { expect } from 'chai';
import { adherence, callsPerHour, occupancy, shiftFigures, shiftLocator, totals, workingTime } from '../../../src/features/worktime/worktime';

describe('working time from operator states', () => {
  const loc = shiftLocator('08:00'); // day shift 08:00–20:00 Tashkent (03:00–15:00 UTC)

  it("a state lasts until the operator's next change, whatever order the changes are listed in", () => {
    const f = shiftFigures(
      [
        { operatorId: 1, state: 'busy', at: '2026-12-07T04:00:00.000Z' },
        { operatorId: 1, state: 'logged_in', at: '2026-12-07T03:00:00.000Z' },
        { operatorId: 1, state: 'ready', at: '2026-12-07T03:10:00.000Z' },
        { operatorId: 1, state: 'break', at: '2026-12-07T05:00:00.000Z' },
        { operatorId: 1, state: 'logged_out', at: '2026-12-07T05:30:00.000Z' },
      ],
      '2026-12-06T19:00:00.000Z',
      '2026-12-07T19:00:00.000Z',
      loc,
    );
    expect(f).to.have.length(1);
    expect(f[0]).to.deep.include({ shiftDate: '2026-12-07', shift: 'day', signedInSec: 9000, readySec: 3000, busySec: 3600, breakSec: 1800 });
    expect(occupancy(f[0]!)).to.be.closeTo(3600 / 6600, 1e-9);
    expect(callsPerHour(5, f[0]!.signedInSec)).to.equal(2);
  });

  it('a session counts whole for the shift its middle falls in: staying over or coming early is no sliver of the next shift', () => {
    const late = shiftFigures([{ operatorId: 2, state: 'ready', at: '2026-12-07T03:00:00.000Z' }, { operatorId: 2, state: 'logged_out', at: '2026-12-07T15:40:00.000Z' }], '2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z', loc);
    expect(late.map((x) => [x.shiftDate, x.shift, x.readySec])).to.deep.equal([['2026-12-07', 'day', 12 * 3600 + 40 * 60]]);
    const early = shiftFigures([{ operatorId: 2, state: 'ready', at: '2026-12-07T14:45:00.000Z' }, { operatorId: 2, state: 'logged_out', at: '2026-12-08T03:00:00.000Z' }], '2026-12-07T00:00:00.000Z', '2026-12-08T06:00:00.000Z', loc);
    expect(early.map((x) => [x.shiftDate, x.shift])).to.deep.equal([['2026-12-07', 'night']]);
  });

  it('a session longer than 16 hours (a missed sign-out) is cut at the shift boundary (20:00 Tashkent)', () => {
    const changes = [0, 6, 12, 18].map((h, i) => ({ operatorId: 5, state: i % 2 ? 'busy' : 'ready', at: new Date(Date.parse('2026-12-07T03:00:00.000Z') + h * 3600000).toISOString() }));
    const f = shiftFigures([...changes, { operatorId: 5, state: 'logged_out', at: '2026-12-08T03:00:00.000Z' }], '2026-12-07T00:00:00.000Z', '2026-12-09T00:00:00.000Z', loc);
    expect(f.map((x) => [x.shiftDate, x.shift, x.signedInSec])).to.deep.equal([['2026-12-07', 'day', 12 * 3600], ['2026-12-07', 'night', 12 * 3600]]);
  });

  it('a night shift belongs to the Tashkent day it started on, also after midnight', () => {
    // 02:30 Tashkent on 8 December is the night shift that began at 20:00 on 7 December.
    expect(loc(Date.parse('2026-12-07T21:30:00.000Z'))).to.deep.include({ date: '2026-12-07', shift: 'night' });
    expect(loc(Date.parse('2026-12-08T02:59:59.000Z'))).to.deep.include({ date: '2026-12-07', shift: 'night' });
    expect(loc(Date.parse('2026-12-08T03:00:00.000Z'))).to.deep.include({ date: '2026-12-08', shift: 'day', start: Date.parse('2026-12-08T03:00:00.000Z') });
    expect(shiftLocator('09:30')(Date.parse('2026-12-08T04:00:00.000Z'))).to.deep.include({ date: '2026-12-07', shift: 'night' });
  });

  it('a state counts at most 13 hours (a missed sign-out), not until the end of the period or the next sign-in days later', () => {
    const f = shiftFigures([{ operatorId: 3, state: 'ready', at: '2026-12-01T03:00:00.000Z' }], '2026-12-01T00:00:00.000Z', '2026-12-08T00:00:00.000Z', loc);
    expect(f.reduce((s, x) => s + x.signedInSec, 0)).to.equal(13 * 3600);
    const g = shiftFigures([{ operatorId: 3, state: 'ready', at: '2026-12-01T03:00:00.000Z' }, { operatorId: 3, state: 'logged_in', at: '2026-12-04T03:00:00.000Z' }, { operatorId: 3, state: 'logged_out', at: '2026-12-04T04:00:00.000Z' }], '2026-12-01T00:00:00.000Z', '2026-12-08T00:00:00.000Z', loc);
    expect(g.reduce((s, x) => s + x.signedInSec, 0)).to.equal(14 * 3600);
  });

  it('an operator never available has no occupancy, and no signed-in time no calls per hour', () => {
    expect(occupancy({ readySec: 0, busySec: 0 })).to.equal(null);
    expect(callsPerHour(3, 0)).to.equal(null);
  });

  it('adherence is signed-in time inside the planned window over the planned time: a late sign-in counts against it, staying over does not make up for it', () => {
    const rows = workingTime({
      changes: [
        { operatorId: 1, state: 'logged_in', at: '2026-12-07T03:30:00.000Z' }, // 30 minutes late
        { operatorId: 1, state: 'ready', at: '2026-12-07T03:30:00.000Z' },
        { operatorId: 1, state: 'break', at: '2026-12-07T08:00:00.000Z' },
        { operatorId: 1, state: 'ready', at: '2026-12-07T09:00:00.000Z' },
        { operatorId: 1, state: 'logged_out', at: '2026-12-07T15:30:00.000Z' }, // stays 30 minutes longer
      ],
      plans: [{ operatorId: 1, startsAt: '2026-12-07T03:00:00.000Z', endsAt: '2026-12-07T15:00:00.000Z' }],
      answered: [{ operatorId: 1, at: '2026-12-07T05:00:00.000Z' }, { operatorId: 1, at: '2026-12-07T14:00:00.000Z' }, { operatorId: 9, at: '2026-12-07T05:00:00.000Z' }],
      from: '2026-12-06T19:00:00.000Z',
      to: '2026-12-07T19:00:00.000Z',
      shiftOf: loc,
    });
    expect(rows).to.have.length(1);
    const r = rows[0]!;
    expect(r).to.deep.include({ plannedSec: 12 * 3600, workingInPlanSec: 11.5 * 3600, calls: 2, signedInSec: 12 * 3600, breakSec: 3600 });
    expect(adherence(r)).to.equal(11.5 / 12);
  });

  it('a planned shift the operator never signed in for is a row with adherence 0; one not begun yet is not measured', () => {
    const rows = workingTime({
      changes: [],
      plans: [
        { operatorId: 4, startsAt: '2026-12-07T03:00:00.000Z', endsAt: '2026-12-07T15:00:00.000Z' },
        { operatorId: 4, startsAt: '2026-12-07T15:00:00.000Z', endsAt: '2026-12-08T03:00:00.000Z' },
      ],
      answered: [],
      from: '2026-12-06T19:00:00.000Z',
      to: '2026-12-07T12:00:00.000Z', // "now": 17:00 Tashkent
      shiftOf: loc,
    });
    expect(rows.map((r) => [r.shift, r.plannedSec, adherence(r)])).to.deep.equal([['day', 9 * 3600, 0]]);
  });

  it('totals add up shifts, and adherence without any plan is unknown, not zero', () => {
    const t = totals([
      { operatorId: 1, shiftDate: 'x', shift: 'day', signedInSec: 100, readySec: 40, busySec: 60, breakSec: 0, calls: 2, plannedSec: 0, workingInPlanSec: 0 },
      { operatorId: 1, shiftDate: 'y', shift: 'day', signedInSec: 50, readySec: 10, busySec: 40, breakSec: 0, calls: 1, plannedSec: 0, workingInPlanSec: 0 },
    ]);
    expect(t).to.deep.include({ signedInSec: 150, busySec: 100, calls: 3 });
    expect(occupancy(t)).to.equal(100 / 150);
    expect(adherence(t)).to.equal(null);
  });
});
