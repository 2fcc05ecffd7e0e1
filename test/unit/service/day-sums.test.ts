// A day's Service sums from its calls, and a period's from its days: hand-computed examples,
// impossible inputs left out of every average and counted, every part consistent with the whole.
import { expect } from 'chai';
import { addDayPart, contributionOf, emptyPeriodSums, sumDay, weekdayOf, type CallFactsForSums, type SumsCall } from '../../../src/features/service/day-sums';
import { K, histogramOfDense, kpisOf } from '../../../src/features/service/kpi';

const S = { answerSeconds: [10, 15, 20], callbackMinutes: 10 };
let id = 0;
function call(f: Partial<CallFactsForSums> | null, o: Partial<SumsCall> = {}): SumsCall {
  return {
    id: ++id, hour: 10, operatorId: 1, teamId: 7, regionId: 3, category: 'medical', language: 'uz', checks: [],
    facts: f === null ? null : {
      answerState: 'answered', answerDelaySec: 5, durationSec: 100, dropped: false, firstCallbackSec: null, reachedCallbackSec: null, attemptsToReach: null,
      cardPresent: false, cardComplete: null, cardMissingFields: [], reviewLagSec: null, audioState: 'none', talkSec: null, holdCount: null, holdTotalSec: null,
      silenceTotalSec: null, talkOverSec: null, greetingLatencySec: null, flags: [], ...f,
    },
    ...o,
  };
}
const kpis = (calls: SumsCall[], part = 'all') => kpisOf(sumDay(calls, S).get(part)!.t, 3);

describe('service day sums', () => {
  it('counts service levels at each threshold: delays 5, 10, 10.001, 15, 20, 25 s → 2/6, 4/6, 5/6, average 14.17 s', () => {
    const k = kpis([5, 10, 10.001, 15, 20, 25].map((d) => call({ answerDelaySec: d })));
    expect(k.serviceLevels).to.deep.equal([2 / 6, 4 / 6, 5 / 6]);
    expect(k.avgAnswerSec).to.be.closeTo(85.001 / 6, 1e-9);
  });

  it('leaves an answered-before-offered call out of the averages and says how many were left out', () => {
    const k = kpis([call({ answerDelaySec: 4 }), call({ answerDelaySec: 8 }), call({ answerDelaySec: null, flags: ['answeredBeforeOffered'] }), call({ answerDelaySec: null, flags: ['answerTimeMissing'] })]);
    expect(k.answered).to.equal(4);
    expect(k.avgAnswerSec).to.equal(6);
    expect(k.serviceLevels[0]).to.equal(1);
    expect(k.delayBad).to.equal(1);
    expect(k.delayMissing).to.equal(1);
    expect(k.badInput).to.equal(1);
  });

  it('leaves impossible durations (over 24 h, negative) out of the average duration and counts them', () => {
    const k = kpis([call({ durationSec: 100 }), call({ durationSec: 200 }), call({ durationSec: null, flags: ['durationOver24h'] }), call({ durationSec: null, flags: ['durationNegative'] })]);
    expect(k.avgDurationSec).to.equal(150);
    expect(k.durBad).to.equal(2);
  });

  it('counts abandonment over offered calls: 2 abandoned of 10 is 20 %, the 2 in no answer-time figure', () => {
    const calls = [...Array.from({ length: 8 }, () => call({ answerDelaySec: 6 })), call({ answerState: 'abandoned', answerDelaySec: null }), call({ answerState: 'abandoned', answerDelaySec: null })];
    const k = kpis(calls);
    expect(k.offered).to.equal(10);
    expect(k.abandonment).to.equal(0.2);
    expect(k.avgAnswerSec).to.equal(6);
  });

  it('counts a dropped call as called back only when reached within the window in at most 3 attempts', () => {
    const k = kpis([
      call({ dropped: true, firstCallbackSec: 60, reachedCallbackSec: 240, attemptsToReach: 2 }),
      call({ dropped: true, firstCallbackSec: 60, reachedCallbackSec: 500, attemptsToReach: 4 }),
      call({ dropped: true, firstCallbackSec: 700, reachedCallbackSec: 700, attemptsToReach: 1 }),
      call({ dropped: true }),
    ]);
    expect(k.dropped).to.equal(4);
    expect(k.callbackEffectiveness).to.equal(0.25);
    expect(k.callbackAttempted).to.equal(0.5);
  });

  it('keeps calls whose facts are not computed out of every figure, counted apart', () => {
    const k = kpis([call(null), call({ answerDelaySec: 3 })]);
    expect(k.offered).to.equal(1);
    expect(k.noFacts).to.equal(1);
  });

  it('counts review coverage over answered calls and reviews within 5 days', () => {
    const k = kpis([call({ reviewLagSec: 86400 }), call({ reviewLagSec: 6 * 86400 }), call({}), call({})]);
    expect(k.reviewCoverage).to.equal(0.5);
    expect(k.reviewedWithin5d).to.equal(0.5);
  });

  it('stores a part per team, region, category and language that add up to the whole', () => {
    const calls = [call({ answerDelaySec: 4 }, { teamId: 1, regionId: 1, language: 'ru' }), call({ answerDelaySec: 8 }, { teamId: 2, regionId: 1 }), call({ answerState: 'abandoned', answerDelaySec: null }, { operatorId: null, teamId: null, regionId: 2, category: null })];
    const parts = sumDay(calls, S);
    expect([...parts.keys()].sort()).to.deep.equal(['all', 'category:medical', 'category:none', 'language:ru', 'language:uz', 'region:1', 'region:2', 'team:1', 'team:2', 'team:none'].sort());
    const teams = emptyPeriodSums();
    for (const p of ['team:1', 'team:2', 'team:none']) addDayPart(teams, '2026-12-01', parts.get(p)!);
    expect(kpisOf(teams.total, 3)).to.deep.equal(kpisOf(parts.get('all')!.t, 3));
    expect(kpisOf(parts.get('region:1')!.t, 3).answered).to.equal(2);
  });

  it('adds days up into a period, with weekday × hour cells, breakdowns and histograms', () => {
    const p = emptyPeriodSums();
    addDayPart(p, '2026-11-30', sumDay([call({ answerDelaySec: 4 }, { hour: 9 })], S).get('all')!); // a Monday
    addDayPart(p, '2026-12-01', sumDay([call({ answerDelaySec: 8 }, { hour: 9, operatorId: 2 })], S).get('all')!);
    expect(weekdayOf('2026-11-30')).to.equal(0);
    expect(kpisOf(p.weekHours[0 * 24 + 9]!, 3).avgAnswerSec).to.equal(4);
    expect(kpisOf(p.weekHours[1 * 24 + 9]!, 3).avgAnswerSec).to.equal(8);
    expect(kpisOf(p.total, 3).avgAnswerSec).to.equal(6);
    expect([...p.operators.keys()].sort()).to.deep.equal([1, 2]);
    expect([...histogramOfDense(p.answers).values()].reduce((s, [n]) => s + n, 0)).to.equal(2);
  });

  it('counts check outcomes per key', () => {
    const parts = sumDay([call({}, { checks: [['silence:15', 'fail'], ['cardComplete', 'unknown']] }), call({}, { checks: [['silence:15', 'pass']] })], S);
    expect(parts.get('all')!.c).to.deep.equal([['cardComplete', 0, 0, 0, 1], ['silence:15', 1, 1, 0, 0]]);
  });

  it('an empty day sums to nothing at all (not zeros that would read as 0 %)', () => {
    expect(sumDay([], S).size).to.equal(0);
    const c = contributionOf(call(null), S);
    expect(c.nonzero).to.deep.equal([K.noFacts]);
    expect(c.vec[K.noFacts]).to.equal(1);
  });
});
