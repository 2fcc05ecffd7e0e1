// The Service KPIs against hand-computed examples: the EU 112 longest-10 % average from the
// answer-time histogram (exact on bucket edges, within its stated bound otherwise), service levels,
// abandonment, and no division by zero anywhere.
import { expect } from 'chai';
import fc from 'fast-check';
import { addToHistogram, answerBucket, answerBucketBounds, histogramMedian, kpisOf, emptyVec, K, lagBucket, lagBucketBounds, topShareMean, type Histogram } from '../../../src/features/service/kpi';

function histogramOf(values: number[]): Histogram {
  const h: Histogram = new Map();
  for (const v of values) addToHistogram(h, answerBucket(v), 1, v);
  return h;
}
const trueTopMean = (values: number[], share = 0.1) => {
  const k = Math.max(1, Math.ceil(share * values.length - 1e-9));
  return [...values].sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0) / k;
};

describe('service KPIs: sums and what is derived from them', () => {
  describe('the average of the longest 10 % of answer times (EU 112)', () => {
    it('is 19.5 s for answer times of 1, 2, … 20 s: the mean of the 2 longest, exactly', () => {
      const r = topShareMean(histogramOf(Array.from({ length: 20 }, (_, i) => i + 1)), answerBucketBounds)!;
      expect(r.k).to.equal(2);
      expect(r.value).to.equal(19.5);
      expect(r.maxError).to.equal(0);
    });

    it('stays within its stated bound when the cut falls inside a 1-second bucket', () => {
      // 10 calls, the longest (9.9 s) shares the (9, 10] bucket with 9.2 s: the estimate is 9.775 ± 0.225.
      const values = [2, 3, 4, 5, 6, 7, 8, 9, 9.2, 9.9];
      const r = topShareMean(histogramOf(values), answerBucketBounds)!;
      expect(r.k).to.equal(1);
      expect(r.value).to.be.closeTo(9.775, 1e-9);
      expect(r.maxError).to.be.closeTo(0.225, 1e-9);
      expect(Math.abs(r.value - 9.9)).to.be.at.most(r.maxError);
    });

    it('takes ⌈10 % of n⌉ values: 2 of 15, 1 of 3', () => {
      expect(topShareMean(histogramOf(Array.from({ length: 15 }, (_, i) => i + 1)), answerBucketBounds)!.value).to.equal(14.5);
      expect(topShareMean(histogramOf([4, 5, 60]), answerBucketBounds)!.value).to.equal(60);
    });

    it('always holds the true value within ± the error it states, whatever the answer times', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 1, maxLength: 400 }), (values) => {
          const r = topShareMean(histogramOf(values), answerBucketBounds)!;
          return Math.abs(r.value - trueTopMean(values)) <= r.maxError + 1e-6;
        }),
        { numRuns: 300 },
      );
    });

    it('states an error of at most half a second where 112 answer times are (under 2 minutes)', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 119, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => topShareMean(histogramOf(values), answerBucketBounds)!.maxError <= 0.5 + 1e-9),
        { numRuns: 200 },
      );
    });

    it('is null without answer times', () => {
      expect(topShareMean(new Map(), answerBucketBounds)).to.equal(null);
    });
  });

  it('buckets answer times by the second up to 2 minutes, then coarser, each bound right', () => {
    for (const v of [0, 0.2, 1, 10, 10.001, 119.5, 120, 125, 600, 601, 3600, 3601, 86400]) {
      const [lo, hi] = answerBucketBounds(answerBucket(v));
      expect(v, String(v)).to.be.at.most(hi);
      expect(v === 0 ? v >= lo : v > lo, String(v)).to.equal(true);
    }
  });

  it('gives the median review lag within its hour bucket', () => {
    const h: Histogram = new Map();
    for (const hours of [2, 3, 30, 50, 100]) addToHistogram(h, lagBucket(hours * 3600 - 1), 1, hours * 3600 - 1);
    const m = histogramMedian(h, lagBucketBounds)!;
    expect(m).to.be.within(29 * 3600, 30 * 3600);
  });

  it('counts abandonment as never answered ÷ offered: 4 of 40 is 10 %', () => {
    const v = emptyVec();
    v[K.offered] = 40;
    v[K.answered] = 36;
    v[K.abandoned] = 4;
    expect(kpisOf(v, 3).abandonment).to.equal(0.1);
  });

  it('gives no figure (null, never NaN or 0 %) where there is nothing to divide by', () => {
    const k = kpisOf(emptyVec(), 3);
    for (const [name, value] of Object.entries(k)) {
      if (Array.isArray(value)) value.forEach((x) => expect(x, name).to.equal(null));
      else if (typeof value === 'number') expect(value, name).to.equal(0);
      else expect(value, name).to.equal(null);
    }
  });
});
