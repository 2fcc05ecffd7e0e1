import { expect } from 'chai';
import { previousPeriod, periodDays, trend, compareCounts, dailySeries, checkPeriod } from '../../../src/features/errors/analysis';
import { isIsoDate } from '../../../src/time';
import { analysisPeriod } from '../../../src/features/errors/errors.service';
import { canSeeOperator, inboxScope, analysisScope, canActOnError } from '../../../src/features/errors/access';

describe('error analysis', () => {
  it('the previous period has the same length and ends the day before', () => {
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-31' })).to.deep.equal({ from: '2026-01-29', to: '2026-02-28' });
    expect(previousPeriod({ from: '2026-05-12', to: '2026-05-12' })).to.deep.equal({ from: '2026-05-11', to: '2026-05-11' });
    expect(periodDays({ from: '2026-01-01', to: '2026-12-31' })).to.equal(365);
  });

  it('a trend says which way a count moved and by how much', () => {
    expect(trend(12, 10)).to.deep.equal({ current: 12, previous: 10, delta: 2, percent: 20, direction: 'up' });
    expect(trend(5, 10)).to.include({ delta: -5, percent: -50, direction: 'down' });
    expect(trend(3, 0)).to.include({ percent: null, direction: 'new' });
    expect(trend(0, 0)).to.include({ direction: 'flat', percent: null });
    expect(trend(1, 3).percent).to.equal(-66.7);
  });

  it('compares counts by key, keeping keys that disappeared, most errors first', () => {
    const rows = compareCounts([{ key: 'card', count: 4 }, { key: 'routing', count: 4 }, { key: 'help', count: 1 }], [{ key: 'routing', count: 1 }, { key: 'closing', count: 2 }]);
    expect(rows.map((r) => [r.key, r.current, r.previous])).to.deep.equal([['card', 4, 0], ['routing', 4, 1], ['help', 1, 0], ['closing', 0, 2]]);
  });

  it('fills every day of a period, zero where nothing happened', () => {
    expect(dailySeries({ from: '2026-02-27', to: '2026-03-02' }, [{ key: '2026-03-01', count: 3 }])).to.deep.equal([
      { day: '2026-02-27', count: 0 }, { day: '2026-02-28', count: 0 }, { day: '2026-03-01', count: 3 }, { day: '2026-03-02', count: 0 },
    ]);
  });

  it('refuses a period ending before it starts, a non-date and one too long', () => {
    expect(checkPeriod('2026-05-07', '2026-05-01', 366, isIsoDate)).to.deep.equal([{ field: 'to', key: 'errors.period.endBeforeStart' }]);
    expect(checkPeriod('2026-02-30', 'x', 366, isIsoDate).map((p) => p.field)).to.deep.equal(['from', 'to']);
    expect(checkPeriod('2025-01-01', '2026-05-01', 366, isIsoDate)).to.deep.equal([{ field: 'to', key: 'errors.period.tooLong', params: { max: 366 } }]);
    expect(checkPeriod('2026-05-01', '2026-05-01', 366, isIsoDate)).to.deep.equal([]);
  });

  it('defaults to the last 30 days up to today', () => {
    expect(analysisPeriod({}, '2026-05-12')).to.deep.equal({ from: '2026-04-13', to: '2026-05-12' });
    expect(analysisPeriod({ to: '2026-01-31' }, '2026-05-12')).to.deep.equal({ from: '2026-01-02', to: '2026-01-31' });
  });
});

describe('who sees which errors and operators', () => {
  it('inbox: supervisors their teams, specialists what they found, admin all, others nothing', () => {
    expect(inboxScope({ id: 3, role: 'supervisor' })).to.deep.equal({ kind: 'supervisor', userId: 3 });
    expect(inboxScope({ id: 4, role: 'specialist' })).to.deep.equal({ kind: 'specialist', userId: 4 });
    expect(inboxScope({ id: 1, role: 'admin' })).to.deep.equal({ kind: 'all' });
    expect(inboxScope({ id: 5, role: 'leadership' })).to.equal(null);
    expect(analysisScope({ id: 4, role: 'specialist' })).to.deep.equal({ kind: 'all' });
  });

  it('only the team\'s supervisor or an admin acts on an error', () => {
    expect(canActOnError({ id: 3, role: 'supervisor' }, 3)).to.equal(true);
    expect(canActOnError({ id: 3, role: 'supervisor' }, 9)).to.equal(false);
    expect(canActOnError({ id: 3, role: 'supervisor' }, null)).to.equal(false);
    expect(canActOnError({ id: 4, role: 'specialist' }, 4)).to.equal(false);
    expect(canActOnError({ id: 1, role: 'admin' }, null)).to.equal(true);
  });

  it('operator pages: leadership never, an operator account only its own', () => {
    const op = { id: 10, teamSupervisorId: 3 };
    expect(canSeeOperator({ id: 7, role: 'leadership' }, op)).to.equal(false);
    expect(canSeeOperator({ id: 8, role: 'operator', operatorId: 10 }, op)).to.equal(true);
    expect(canSeeOperator({ id: 8, role: 'operator', operatorId: 11 }, op)).to.equal(false);
    expect(canSeeOperator({ id: 3, role: 'supervisor' }, op)).to.equal(true);
    expect(canSeeOperator({ id: 9, role: 'supervisor' }, op)).to.equal(false);
    expect(canSeeOperator({ id: 4, role: 'specialist' }, op)).to.equal(true);
  });
});
