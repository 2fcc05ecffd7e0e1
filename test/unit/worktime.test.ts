import { expect } from 'chai';
import { callsPerHour, occupancy, shiftFigures, shiftLocator } from '../../src/features/worktime/worktime';

describe('working time from operator states', () => {
  const loc = shiftLocator(8 * 60); // day shift 08:00–20:00 Tashkent (03:00–15:00 UTC)

  it('a state lasts until the operator\'s next change, whatever order the changes are listed in', () => {
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

  it('time is split at the shift boundary (20:00 Tashkent) into the day and the night shift', () => {
    const f = shiftFigures([{ operatorId: 2, state: 'ready', at: '2026-12-07T14:00:00.000Z' }, { operatorId: 2, state: 'logged_out', at: '2026-12-07T16:00:00.000Z' }], '2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z', loc);
    expect(f.map((x) => [x.shift, x.readySec])).to.deep.equal([['day', 3600], ['night', 3600]]);
  });

  it('an operator never available has no occupancy, and no signed-in time no calls per hour', () => {
    expect(occupancy({ readySec: 0, busySec: 0 })).to.equal(null);
    expect(callsPerHour(3, 0)).to.equal(null);
  });
});
