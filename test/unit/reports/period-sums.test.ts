import { expect } from 'chai';
import { daysOf } from '../../../src/time';
import { mergeDaySums, partsOf, partsOfRow, summarisable, teamPart, toDaySums, type DaySums, type PeriodSums } from '../../../src/features/reports/period-sums';

const ALL = { from: '2026-11-01', to: '2026-11-03', teamIds: null, regionId: null, category: null, language: null };

function day(o: { op: number; n: number; sum: number; critical?: number; region?: number | null; errors?: number; status?: string }): Omit<PeriodSums, 'operatorsPrevious' | 'samples'> {
  const moment = { key: o.op, count: o.n, n: o.n, sum: o.sum, sumSq: o.sum * o.sum, critical: o.critical ?? 0 };
  return {
    dayBins: [{ date: 'ignored', bin: 8, rubricVersionId: 1, n: o.n, scored: o.n, sum: o.sum, critical: o.critical ?? 0 }],
    operators: [moment],
    regions: [{ ...moment, key: o.region ?? null }],
    work: [{ userId: 7, evaluations: o.n, secondsSum: 300 * o.n, secondsN: o.n, heardSum: 0.9 * o.n, heardN: o.n }],
    failed: new Map([['Q-1', o.n]]),
    na: new Map(o.n > 1 ? [['Q-3', 1]] : []),
    errorsByCategory: [{ category: 'greeting', severity: 'minor', n: o.errors ?? 0 }],
    errorsByOperator: [{ operatorId: o.op, n: o.errors ?? 0 }],
    assignments: [{ specialistUserId: 7, status: o.status ?? 'done', n: 1 }],
    lagHours: new Map([[2, o.n]]),
    volumes: new Map([[o.region ?? null, 10]]),
  };
}

/** As stored and read back: through JSON. */
const stored = (s: Omit<PeriodSums, 'operatorsPrevious' | 'samples'>): DaySums => JSON.parse(JSON.stringify(toDaySums(s))) as DaySums;

describe('period sums from per-day summaries', () => {
  it('come from the summaries for the whole service, for teams, and for one region, category or language; combined filters read the tables', () => {
    expect(summarisable(ALL)).to.equal(true);
    expect(summarisable({ ...ALL, teamIds: [] })).to.equal(true);
    expect(summarisable({ ...ALL, teamIds: [3, 4] })).to.equal(true);
    expect(summarisable({ ...ALL, regionId: 1 })).to.equal(true);
    expect(summarisable({ ...ALL, category: 'fire' })).to.equal(true);
    expect(summarisable({ ...ALL, language: 'ru' })).to.equal(true);
    expect(summarisable({ ...ALL, regionId: 1, category: 'fire' })).to.equal(false);
    expect(summarisable({ ...ALL, teamIds: [3], language: 'ru' })).to.equal(false);
  });

  it('are stored per part: the whole service, each team (and operators without one), each region, category (by id) and language', () => {
    expect(partsOf(ALL)).to.deep.equal(['all']);
    expect(partsOf({ ...ALL, teamIds: [3, 4] })).to.deep.equal(['team:3', 'team:4']);
    expect(partsOf({ ...ALL, teamIds: [] })).to.deep.equal([]);
    expect(teamPart(null)).to.equal('team:none');
    expect(partsOf({ ...ALL, regionId: 7 })).to.deep.equal(['region:7']);
    expect(partsOf({ ...ALL, category: 'domestic_violence' }, new Map([['domestic_violence', 12]]))).to.deep.equal(['cat:12']);
    expect(partsOf({ ...ALL, category: 'never_seen' }, new Map())).to.deep.equal([]);
    expect(partsOf({ ...ALL, language: 'kaa' })).to.deep.equal(['lang:kaa']);
    expect(partsOfRow({ teamId: 3, dimRegion: null, dimCategory: 'fire', dimLanguage: 'uz' }, new Map([['fire', 2]]))).to.deep.equal(['team:3', 'all', 'region:none', 'cat:2', 'lang:uz']);
  });

  it('add parts of one day up into one row per bin and rubric version', () => {
    const a = stored(day({ op: 1, n: 2, sum: 180 }));
    const b = stored(day({ op: 2, n: 1, sum: 90 }));
    const merged = mergeDaySums([{ day: '2026-11-01', sums: a }, { day: '2026-11-01', sums: b }], []);
    expect(merged.dayBins).to.deep.equal([{ date: '2026-11-01', bin: 8, rubricVersionId: 1, n: 3, scored: 3, sum: 270, critical: 0 }]);
  });

  it('cover every day of a period, across a month end', () => {
    expect(daysOf({ from: '2026-10-30', to: '2026-11-02' })).to.deep.equal(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02']);
    expect(daysOf({ from: '2026-11-02', to: '2026-11-02' })).to.deep.equal(['2026-11-02']);
    expect(daysOf({ from: '2026-11-03', to: '2026-11-02' })).to.deep.equal([]);
  });

  it('add days up: counts, sums and squares per operator and region, work, answers, errors, plan and calls', () => {
    const merged = mergeDaySums(
      [
        { day: '2026-11-01', sums: stored(day({ op: 1, n: 2, sum: 180, region: 5, errors: 1 })) },
        { day: '2026-11-02', sums: stored(day({ op: 1, n: 1, sum: 70, critical: 1, region: 5, errors: 2, status: 'new' })) },
        { day: '2026-11-03', sums: stored(day({ op: 2, n: 3, sum: 270, region: null })) },
      ],
      [stored(day({ op: 1, n: 4, sum: 300 })), stored(day({ op: 2, n: 1, sum: 95 }))],
    );
    expect(merged.dayBins.map((b) => b.date)).to.deep.equal(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(merged.operators).to.deep.equal([
      { key: 1, count: 3, n: 3, sum: 250, sumSq: 180 * 180 + 70 * 70, critical: 1 },
      { key: 2, count: 3, n: 3, sum: 270, sumSq: 270 * 270, critical: 0 },
    ]);
    expect(merged.regions.map((r) => [r.key, r.count])).to.deep.equal([[5, 3], [null, 3]]);
    expect(merged.operatorsPrevious.map((r) => [r.key, r.n, r.sum])).to.deep.equal([[1, 4, 300], [2, 1, 95]]);
    expect(merged.work).to.deep.equal([{ userId: 7, evaluations: 6, secondsSum: 1800, secondsN: 6, heardSum: 0.9 * 2 + 0.9 + 0.9 * 3, heardN: 6 }]);
    expect([...merged.failed]).to.deep.equal([['Q-1', 6]]);
    expect([...merged.na]).to.deep.equal([['Q-3', 2]]);
    expect(merged.errorsByCategory).to.deep.equal([{ category: 'greeting', severity: 'minor', n: 3 }]);
    expect(merged.errorsByOperator).to.deep.equal([{ operatorId: 1, n: 3 }, { operatorId: 2, n: 0 }]);
    expect(merged.assignments).to.deep.equal([{ specialistUserId: 7, status: 'done', n: 2 }, { specialistUserId: 7, status: 'new', n: 1 }]);
    expect([...merged.volumes]).to.deep.equal([[5, 20], [null, 10]]);
  });

  it('of no days are empty', () => {
    const merged = mergeDaySums([], []);
    expect(merged.dayBins).to.deep.equal([]);
    expect(merged.operators).to.deep.equal([]);
    expect(merged.volumes.size).to.equal(0);
  });
});
