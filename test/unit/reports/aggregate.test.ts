import { expect } from 'chai';
import fc from 'fast-check';
import { meanCI } from '../../../src/stats';
import {
  bandOfMean,
  bucketByWeek,
  criterionFailures,
  distribution,
  excelDay,
  excelTashkentDate,
  meanCIFromMoments,
  periodDays,
  planFulfilment,
  previousPeriod,
  rankGroups,
  scoreBin,
  scoreGroup,
  tashkentDateTimeText,
  tashkentWeekOf,
  trendOf,
  unionCodes,
  weekStart,
} from '../../../src/features/reports/aggregate';

const BANDS = { high: 90, compliant: 80, partial: 60 };
const moments = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) });

describe('reports: periods', () => {
  it('periodDays counts both ends, previousPeriod is the same length right before', () => {
    expect(periodDays({ from: '2026-11-01', to: '2026-11-30' })).to.equal(30);
    expect(previousPeriod({ from: '2026-11-01', to: '2026-11-30' })).to.deep.equal({ from: '2026-10-02', to: '2026-10-31' });
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-01' })).to.deep.equal({ from: '2026-02-28', to: '2026-02-28' });
  });
});

describe('reports: weekly bucketing in Tashkent time', () => {
  it('weekStart is the Monday of the week, a Monday is its own week start and Sunday belongs to the week before', () => {
    expect(weekStart('2026-11-23')).to.equal('2026-11-23'); // Monday
    expect(weekStart('2026-11-25')).to.equal('2026-11-23');
    expect(weekStart('2026-11-29')).to.equal('2026-11-23'); // Sunday
    expect(weekStart('2026-11-30')).to.equal('2026-11-30');
    expect(weekStart('2027-01-01')).to.equal('2026-12-28'); // across a year
  });

  it('an instant late on Sunday UTC is already Monday in Tashkent (UTC+5)', () => {
    expect(tashkentWeekOf('2026-11-29T18:59:59Z')).to.equal('2026-11-23'); // 23:59:59 Sunday in Tashkent
    expect(tashkentWeekOf('2026-11-29T19:00:00Z')).to.equal('2026-11-30'); // 00:00 Monday in Tashkent
    expect(tashkentWeekOf('2026-11-29T20:30:00Z')).to.equal('2026-11-30');
  });

  it('bucketByWeek covers the whole period with empty weeks as gaps and clips the first and last week', () => {
    const weeks = bucketByWeek(
      [
        { date: '2026-11-04', n: 2, sum: 170 },
        { date: '2026-11-05', n: 2, sum: 190 },
        { date: '2026-11-20', n: 1, sum: 70 },
        { date: '2026-12-01', n: 9, sum: 900 }, // outside the period: ignored
      ],
      { from: '2026-11-04', to: '2026-11-20' },
    );
    expect(weeks.map((w) => w.weekStart)).to.deep.equal(['2026-11-02', '2026-11-09', '2026-11-16']);
    expect(weeks[0]).to.deep.include({ from: '2026-11-04', to: '2026-11-08', n: 4, mean: 90 });
    expect(weeks[1]).to.deep.include({ n: 0, mean: null });
    expect(weeks[2]).to.deep.include({ from: '2026-11-16', to: '2026-11-20', n: 1, mean: 70 });
  });

  it('every day of a period lands in exactly one week, and the weeks keep every evaluation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 120 }), fc.array(fc.tuple(fc.nat(120), fc.integer({ min: 1, max: 5 })), { maxLength: 40 }), (startOffset, length, days) => {
        const from = new Date(Date.UTC(2025, 0, 1 + startOffset)).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(2025, 0, 1 + startOffset + length)).toISOString().slice(0, 10);
        const rows = days.filter(([d]) => d <= length).map(([d, n]) => ({ date: new Date(Date.UTC(2025, 0, 1 + startOffset + d)).toISOString().slice(0, 10), n, sum: n * 80 }));
        const weeks = bucketByWeek(rows, { from, to });
        expect(weeks.reduce((s, w) => s + w.n, 0)).to.equal(rows.reduce((s, r) => s + r.n, 0));
        expect(weeks[0].from).to.equal(from);
        expect(weeks[weeks.length - 1].to).to.equal(to);
        for (const w of weeks) expect(new Date(`${w.weekStart}T00:00:00Z`).getUTCDay()).to.equal(1);
      }),
    );
  });
});

describe('reports: bands of averages', () => {
  it('an average at a band\'s lower bound is in that band; no average has no band', () => {
    expect(bandOfMean(90, BANDS)).to.equal('high');
    expect(bandOfMean(89.99, BANDS)).to.equal('compliant');
    expect(bandOfMean(80, BANDS)).to.equal('compliant');
    expect(bandOfMean(60, BANDS)).to.equal('partial');
    expect(bandOfMean(59.9, BANDS)).to.equal('low');
    expect(bandOfMean(null, BANDS)).to.equal(null);
    expect(bandOfMean(85, { high: 95, compliant: 85, partial: 70 })).to.equal('compliant');
  });
});

describe('reports: confidence intervals from sums', () => {
  it('meanCIFromMoments gives the same interval as stats.meanCI on the raw scores', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }).map((x) => x / 10), { minLength: 2, maxLength: 60 }), (xs) => {
        const a = meanCI(xs)!;
        const b = meanCIFromMoments(moments(xs))!;
        expect(b.n).to.equal(a.n);
        expect(b.mean).to.be.closeTo(a.mean, 1e-9);
        expect(b.low).to.be.closeTo(a.low, 1e-6);
        expect(b.high).to.be.closeTo(a.high, 1e-6);
      }),
    );
  });

  it('an operator\'s interval never leaves the 0–100 score scale', () => {
    const g = scoreGroup({ ...moments([100, 100, 100, 80]), critical: 0 }, { n: 0, sum: 0 }, BANDS);
    expect(meanCIFromMoments(moments([100, 100, 100, 80]))!.high).to.be.greaterThan(100);
    expect(g.ci!.high).to.equal(100);
    expect(g.ci!.low).to.be.closeTo(meanCIFromMoments(moments([100, 100, 100, 80]))!.low, 1e-9);
  });

  it('is null for fewer than two scores and zero-width for identical scores', () => {
    expect(meanCIFromMoments(moments([80]))).to.equal(null);
    expect(meanCIFromMoments(moments([]))).to.equal(null);
    const same = meanCIFromMoments(moments([87.3, 87.3, 87.3]))!;
    expect(same.halfWidth).to.equal(0);
    expect(same.low).to.be.closeTo(87.3, 1e-9);
  });
});

describe('reports: trend against the previous period', () => {
  it('says up, down or flat once both periods have enough evaluations', () => {
    const five = (mean: number) => ({ n: 5, sum: mean * 5 });
    expect(trendOf(five(85), five(80))).to.deep.equal({ direction: 'up', delta: 5 });
    expect(trendOf(five(78), five(80))).to.deep.equal({ direction: 'down', delta: -2 });
    expect(trendOf(five(80.5), five(80)).direction).to.equal('flat');
  });

  it('is unknown when either period has too few evaluations, but still gives the difference', () => {
    expect(trendOf({ n: 2, sum: 180 }, { n: 10, sum: 800 })).to.deep.equal({ direction: 'unknown', delta: 10 });
    expect(trendOf({ n: 10, sum: 800 }, { n: 0, sum: 0 })).to.deep.equal({ direction: 'unknown', delta: null });
  });
});

describe('reports: ranking operators only on enough evaluations', () => {
  const row = (name: string, xs: number[]) => ({ name, ...scoreGroup({ ...moments(xs), critical: 0 }, { n: 0, sum: 0 }, BANDS) });

  it('marks fewer than five evaluations as too few and puts them after the ranked rows, without a rank', () => {
    const ranked = rankGroups([row('lucky', [100, 100]), row('steady', [85, 86, 84, 85, 90]), row('better', [92, 95, 91, 93, 90, 94])]);
    expect(ranked.map((r) => [r.name, r.rank])).to.deep.equal([['better', 1], ['steady', 2], ['lucky', null]]);
    expect(ranked[2].tooFew).to.equal(true);
    expect(ranked[2].ci).not.to.equal(null); // the interval is still shown, just not ranked
  });

  it('gives equal averages the same rank', () => {
    const ranked = rankGroups([row('a', [80, 80, 80, 80, 80]), row('b', [80, 80, 80, 80, 80, 80]), row('c', [70, 70, 70, 70, 70])]);
    expect(ranked.map((r) => r.rank)).to.deep.equal([1, 1, 3]);
    expect(ranked[0].name).to.equal('b'); // more evaluations first among equals
  });

  it('a ranked row never has fewer evaluations than the minimum', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 9 }), { maxLength: 12 }), (groups) => {
        const ranked = rankGroups(groups.map((xs, i) => row(`op${i}`, xs)));
        let seenUnranked = false;
        for (const r of ranked) {
          if (r.rank === null) seenUnranked = true;
          else {
            expect(r.n).to.be.at.least(5);
            expect(seenUnranked, 'ranked rows come first').to.equal(false);
          }
        }
      }),
    );
  });
});

describe('reports: score distribution', () => {
  it('puts scores in ten-point bins with 100 in the top bin, coloured by band', () => {
    expect([0, 9.9, 10, 59.9, 60, 89.9, 90, 100].map(scoreBin)).to.deep.equal([0, 0, 1, 5, 6, 8, 9, 9]);
    const bins = distribution(new Map([[9, 3], [5, 1]]), BANDS);
    expect(bins).to.have.length(10);
    expect(bins[9]).to.deep.include({ label: '90–100', n: 3, band: 'high' });
    expect(bins[8].band).to.equal('compliant');
    expect(bins[6].band).to.equal('partial');
    expect(bins[5]).to.deep.include({ n: 1, band: 'low' });
  });
});

describe('reports: plan fulfilment', () => {
  it('counts new, in-progress and done as planned, keeps unassigned apart and ignores cancelled', () => {
    const r = planFulfilment([
      { specialistUserId: 1, status: 'done', n: 3 },
      { specialistUserId: 1, status: 'new', n: 1 },
      { specialistUserId: 2, status: 'in_progress', n: 2 },
      { specialistUserId: 2, status: 'cancelled', n: 4 },
      { specialistUserId: null, status: 'unassigned', n: 5 },
    ]);
    expect(r.planned).to.equal(6);
    expect(r.done).to.equal(3);
    expect(r.unassigned).to.equal(5);
    expect(r.bySpecialist.find((p) => p.specialistUserId === 1)).to.deep.include({ planned: 4, done: 3, open: 1, share: 0.75 });
    expect(r.bySpecialist.find((p) => p.specialistUserId === 2)).to.deep.include({ planned: 2, inProgress: 2, share: 0 });
  });
});

describe('reports: criteria failing most', () => {
  it('takes each version\'s evaluations as the criterion\'s base, less its N/A answers', () => {
    const rows = criterionFailures(
      new Map([[1, 10], [2, 4]]),
      new Map([[1, ['A-1', 'A-2']], [2, ['A-1', 'A-2', 'A-3']]]),
      new Map([['A-1', 7], ['A-3', 1]]),
      new Map([['A-1', 4]]),
    );
    expect(rows.map((r) => r.code)).to.deep.equal(['A-1', 'A-3', 'A-2']);
    expect(rows[0]).to.deep.include({ evaluated: 14, na: 4, applicable: 10, failed: 7, failShare: 0.7 });
    expect(rows[1]).to.deep.include({ evaluated: 4, applicable: 4, failed: 1, failShare: 0.25 });
    expect(rows[2]).to.deep.include({ evaluated: 14, failed: 0, failShare: 0 });
  });

  it('unionCodes keeps the first version\'s order and appends the codes later versions add', () => {
    expect(unionCodes([['B-1', 'A-1'], ['A-1', 'C-1', 'B-1'], ['D-1']])).to.deep.equal(['B-1', 'A-1', 'C-1', 'D-1']);
  });
});

describe('reports: dates for Excel and CSV', () => {
  it('writes instants as Tashkent wall-clock time, whatever the server\'s time zone', () => {
    expect(excelTashkentDate('2026-11-29T19:30:00.000Z')!.toISOString()).to.equal('2026-11-30T00:30:00.000Z');
    expect(tashkentDateTimeText('2026-11-29T19:30:00.000Z')).to.equal('2026-11-30 00:30');
    expect(excelTashkentDate(null)).to.equal(null);
    expect(excelDay('2026-11-30')!.toISOString()).to.equal('2026-11-30T00:00:00.000Z');
  });
});
