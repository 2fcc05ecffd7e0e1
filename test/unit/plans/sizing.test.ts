import { expect } from 'chai';
import {
  SIZING_FORMULA, correctForPopulation, countWorkingDays, estimateScoreStdDev, initialSampleSize, inverseNormalCdf,
  sizePlan, zForConfidence, type SizingInput,
} from '../../../src/features/plans/sizing';
import { ValidationError } from '../../../src/http/errors';

/** One operator with 1000 calls, ±5 points at 95 %, σ = 15, 2 min calls + 3 min scoring, 22 days, 2 specialists × 6 h. */
function baseInput(o: Partial<SizingInput> = {}): SizingInput {
  return {
    operators: [{ operatorId: 7, callVolume: 1000 }],
    margin: 5,
    confidence: 0.95,
    scoreStdDev: 15,
    avgCallDurationSec: 120,
    overheadMinutesPerCall: 3,
    workingDays: 22,
    specialists: 2,
    hoursPerDay: 6,
    ...o,
  };
}

function fieldKeys(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ValidationError);
    return (e as ValidationError).fields.map((f) => `${f.field}:${f.key}`);
  }
  expect.fail('expected a ValidationError');
}

describe('plans/sizing', () => {
  describe('inverseNormalCdf() and zForConfidence()', () => {
    it('gives the textbook two-sided z for 90 %, 95 % and 99 %', () => {
      expect(zForConfidence(0.9)).to.be.closeTo(1.6448536269514715, 1e-12);
      expect(zForConfidence(0.95)).to.be.closeTo(1.9599639845400536, 1e-12);
      expect(zForConfidence(0.99)).to.be.closeTo(2.5758293035489, 1e-12);
    });

    it('is accurate in the tails and symmetric about one half', () => {
      expect(inverseNormalCdf(1e-10)).to.be.closeTo(-6.361340902404056, 1e-9);
      expect(inverseNormalCdf(0.9999999)).to.be.closeTo(5.199337582290662, 1e-9);
      expect(inverseNormalCdf(0.5)).to.equal(0);
      for (const p of [0.001, 0.02, 0.3, 0.42]) expect(inverseNormalCdf(p)).to.be.closeTo(-inverseNormalCdf(1 - p), 1e-12);
    });

    it('refuses probabilities outside (0, 1)', () => {
      for (const p of [0, 1, -0.1, 1.5, NaN]) expect(() => inverseNormalCdf(p)).to.throw(RangeError);
    });
  });

  describe('the formula, by hand', () => {
    it('N=1000, E=5, σ=15, 95 % → n0 = 34.57, n = 33.45, 34 calls', () => {
      const n0 = initialSampleSize({ z: zForConfidence(0.95), margin: 5, sigma: 15 });
      expect(n0).to.be.closeTo(34.5731, 1e-4);
      expect(correctForPopulation(n0, 1000)).to.be.closeTo(33.4501, 1e-4);
      const op = sizePlan(baseInput()).perOperator[0];
      expect(op.initialSize).to.be.closeTo(34.5731, 1e-4);
      expect(op.correctedSize).to.be.closeTo(33.4501, 1e-4);
      expect(op.sampleSize).to.equal(34);
    });

    it('a proportion at ±5 % and 95 % needs the classic 278 of 1000 calls (p = 0.5, n0 = 384.15)', () => {
      const r = sizePlan(baseInput({ estimate: 'proportion', margin: 0.05 }));
      expect(r.perOperator[0].initialSize).to.be.closeTo(384.1459, 1e-4);
      expect(r.perOperator[0].sampleSize).to.equal(278);
      expect(r.sigma).to.equal(null);
      const huge = sizePlan(baseInput({ estimate: 'proportion', margin: 0.05, operators: [{ operatorId: 1, callVolume: 1_000_000 }] }));
      expect(huge.perOperator[0].sampleSize).to.equal(384); // 383.9988 → 384
    });

    it('shrinks the sample for a small operator and never asks for more calls than there are', () => {
      const r = sizePlan(baseInput({ operators: [{ operatorId: 1, callVolume: 10 }, { operatorId: 2, callVolume: 1 }, { operatorId: 3, callVolume: 0 }] }));
      expect(r.perOperator.map((o) => o.sampleSize)).to.deep.equal([8, 1, 0]); // 7.93 → 8
      expect(r.perOperator.map((o) => o.dailyQuota)).to.deep.equal([1, 1, 0]);
    });

    it('needs more calls at a higher confidence (99 %: n0 = 59.71 → 57 of 1000)', () => {
      const sizes = [0.9, 0.95, 0.99].map((c) => sizePlan(baseInput({ confidence: c })).perOperator[0].sampleSize);
      expect(sizes).to.deep.equal([24, 34, 57]);
    });

    it('uses an operator\'s own σ and duration over the overall ones', () => {
      const r = sizePlan(baseInput({ operators: [{ operatorId: 1, callVolume: 1000, scoreStdDev: 30, avgDurationSec: 300 }] }));
      expect(r.perOperator[0].initialSize).to.be.closeTo(4 * 34.5731, 1e-3); // σ doubled → n0 × 4
      expect(r.perOperator[0].hours).to.be.closeTo((r.perOperator[0].sampleSize * (5 + 3)) / 60, 1e-9);
    });
  });

  describe('sizePlan() workload', () => {
    it('turns 34 calls of 2 min with 3 min scoring into 2.83 h, against 2 × 6 h × 22 days = 264 h', () => {
      const r = sizePlan(baseInput());
      expect(r.formula).to.equal(SIZING_FORMULA);
      expect(r.totalCalls).to.equal(34);
      expect(r.totalCallVolume).to.equal(1000);
      expect(r.listeningHours).to.be.closeTo(34 * 5 / 60, 1e-9);
      expect(r.capacityHours).to.equal(264);
      expect(r.utilisation).to.be.closeTo(2.8333 / 264, 1e-6);
      expect(r.fitsCapacity).to.equal(true);
      expect(r.perOperator[0].dailyQuota).to.equal(2); // ⌈34 / 22⌉
      expect(r.sigmaSource).to.equal('input');
      expect(r.warnings).to.deep.equal([]);
    });

    it('adds operators up and reports the day\'s calls and the largest daily quota', () => {
      const r = sizePlan(baseInput({ operators: [{ operatorId: 2, callVolume: 1000 }, { operatorId: 1, callVolume: 10 }] }));
      expect(r.perOperator.map((o) => o.operatorId)).to.deep.equal([1, 2]);
      expect(r.totalCalls).to.equal(8 + 34);
      expect(r.dailyCalls).to.equal(1 + 2);
      expect(r.maxDailyQuota).to.equal(2);
    });

    it('warns when the specialists do not have the hours', () => {
      const ops = Array.from({ length: 200 }, (_, i) => ({ operatorId: i + 1, callVolume: 1000 }));
      const r = sizePlan(baseInput({ operators: ops, specialists: 1, hoursPerDay: 4 }));
      // 200 × 34 calls × 5 min = 566.67 h against 88 h
      expect(r.fitsCapacity).to.equal(false);
      expect(r.warnings).to.deep.equal([
        { key: 'plans.sizing.overCapacity', params: { listeningHours: 566.67, capacityHours: 88, shortfallHours: 478.67 } },
      ]);
    });

    it('falls back to σ = 15 and says so', () => {
      const { scoreStdDev: _omit, ...rest } = baseInput();
      const r = sizePlan(rest);
      expect(r.sigma).to.equal(15);
      expect(r.sigmaSource).to.equal('default');
      expect(r.perOperator[0].sampleSize).to.equal(34);
      expect(r.warnings.map((w) => w.key)).to.deep.equal(['plans.sizing.defaultSigma']);
    });

    it('has no utilisation when nobody can listen', () => {
      const r = sizePlan(baseInput({ specialists: 0 }));
      expect(r.utilisation).to.equal(null);
      expect(r.fitsCapacity).to.equal(false);
    });
  });

  describe('sizePlan() bad input', () => {
    it('names the field and the reason as i18n keys', () => {
      expect(fieldKeys(() => sizePlan(baseInput({ margin: 0 })))).to.deep.equal(['margin:plans.sizing.marginPositive']);
      expect(fieldKeys(() => sizePlan(baseInput({ confidence: 1 })))).to.deep.equal(['confidence:plans.sizing.confidenceOutOfRange']);
      expect(fieldKeys(() => sizePlan(baseInput({ scoreStdDev: 0 })))).to.deep.equal(['scoreStdDev:plans.sizing.sigmaPositive']);
      expect(fieldKeys(() => sizePlan(baseInput({ workingDays: 0 })))).to.deep.equal(['workingDays:plans.sizing.workingDaysInvalid']);
      expect(fieldKeys(() => sizePlan(baseInput({ operators: [{ operatorId: 1, callVolume: -3 }] })))).to.deep.equal([
        'operators.0.callVolume:plans.sizing.volumeInvalid',
      ]);
    });

    it('refuses a proportion margin given in percent', () => {
      expect(fieldKeys(() => sizePlan(baseInput({ estimate: 'proportion', margin: 5 })))).to.deep.equal(['margin:plans.sizing.marginOutOfRange']);
    });
  });

  describe('estimateScoreStdDev()', () => {
    it('uses the sample standard deviation of enough past scores', () => {
      const scores = Array.from({ length: 6 }, () => [60, 70, 80, 90, 100]).flat();
      const r = estimateScoreStdDev(scores);
      expect(r.source).to.equal('evaluations');
      expect(r.count).to.equal(30);
      expect(r.sigma).to.be.closeTo(14.3839, 1e-4);
    });

    it('falls back to the default with too few scores or none that vary', () => {
      expect(estimateScoreStdDev([50, 90, 70])).to.deep.equal({ sigma: 15, source: 'default', count: 3 });
      expect(estimateScoreStdDev(Array(40).fill(80))).to.deep.include({ sigma: 15, source: 'default' });
    });
  });

  describe('countWorkingDays()', () => {
    it('counts Monday to Friday of November 2026 as 21, or every day when told', () => {
      expect(countWorkingDays('2026-11-01', '2026-11-30')).to.equal(21);
      expect(countWorkingDays('2026-11-01', '2026-11-30', [0, 1, 2, 3, 4, 5, 6])).to.equal(30);
      expect(countWorkingDays('2026-11-02', '2026-11-01')).to.equal(0);
    });
  });
});
