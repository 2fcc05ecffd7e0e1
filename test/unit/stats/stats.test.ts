import { expect } from 'chai';
import fc from 'fast-check';
import {
  describeChange,
  isTooFewForRanking,
  logGamma,
  meanCI,
  normalCdf,
  normalQuantile,
  regularizedGammaQ,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
  twoProportionTest,
  welchTTest,
} from '../../../src/stats';

// Independent checks by numerical integration (composite Simpson's rule).
function simpson(f: (x: number) => number, a: number, b: number, intervals = 20_000): number {
  const h = (b - a) / intervals;
  let sum = f(a) + f(b);
  for (let i = 1; i < intervals; i++) sum += f(a + i * h) * (i % 2 ? 4 : 2);
  return (sum * h) / 3;
}

// With t = √ν·tan θ the t density becomes ∝ cos^(ν−1) θ on (−π/2, π/2): a brute-force t CDF
// that needs no gamma function and works for fractional ν (Simpson converges slowly below ν = 2,
// where the integrand has an infinite slope at ±π/2).
function bruteTCdf(t: number, df: number): number {
  const f = (theta: number) => Math.cos(theta) ** (df - 1);
  return simpson(f, -Math.PI / 2, Math.atan(t / Math.sqrt(df))) / simpson(f, -Math.PI / 2, Math.PI / 2);
}

function bruteNormalCdf(z: number): number {
  return 0.5 + simpson((x) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI), 0, z);
}

// R's sleep data (Cushny & Peebles): extra hours of sleep under two drugs.
const SLEEP_GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('special functions', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(0.5)).to.be.closeTo(Math.log(Math.sqrt(Math.PI)), 1e-13);
    expect(logGamma(1)).to.be.closeTo(0, 1e-14);
    expect(logGamma(10)).to.be.closeTo(Math.log(362880), 1e-12);
    expect(logGamma(0.1)).to.be.closeTo(2.252712651734206, 1e-12);
  });

  it('regularizedIncompleteBeta matches its closed forms', () => {
    for (const x of [0, 0.01, 0.3, 0.5, 0.77, 0.999, 1]) {
      expect(regularizedIncompleteBeta(x, 1, 1)).to.be.closeTo(x, 1e-13);
      expect(regularizedIncompleteBeta(x, 3.5, 1)).to.be.closeTo(x ** 3.5, 1e-13);
      expect(regularizedIncompleteBeta(x, 1, 2.5)).to.be.closeTo(1 - (1 - x) ** 2.5, 1e-13);
    }
    expect(regularizedIncompleteBeta(0.5, 7.3, 7.3)).to.be.closeTo(0.5, 1e-13);
  });

  it('regularizedGammaQ matches the exponential case Q(1, x) = e^−x', () => {
    for (const x of [0, 0.2, 1, 2.5, 10, 40]) expect(regularizedGammaQ(1, x)).to.be.closeTo(Math.exp(-x), 1e-14);
  });
});

describe('normal distribution', () => {
  it('normalCdf matches table values and numerical integration', () => {
    expect(normalCdf(0)).to.equal(0.5);
    expect(normalCdf(1.96)).to.be.closeTo(0.9750021048517795, 1e-14);
    expect(normalCdf(-1)).to.be.closeTo(0.15865525393145707, 1e-14);
    expect(normalCdf(3)).to.be.closeTo(0.9986501019683699, 1e-14);
    for (const z of [-3.3, -1.2, 0.4, 2.7]) expect(normalCdf(z)).to.be.closeTo(bruteNormalCdf(z), 1e-12);
  });

  it('normalCdf keeps relative precision deep in the lower tail', () => {
    // Φ(−8) = 6.220960574271785e−16
    expect(normalCdf(-8) / 6.220960574271785e-16).to.be.closeTo(1, 1e-10);
  });

  it('normalQuantile matches table values', () => {
    expect(normalQuantile(0.975)).to.be.closeTo(1.959963984540054, 1e-12);
    expect(normalQuantile(0.975).toFixed(5)).to.equal('1.95996');
    expect(normalQuantile(0.995)).to.be.closeTo(2.5758293035489, 1e-12);
    expect(normalQuantile(0.9)).to.be.closeTo(1.2815515655446004, 1e-12);
    expect(normalQuantile(0.5)).to.equal(0);
    expect(normalQuantile(0.025)).to.be.closeTo(-1.959963984540054, 1e-12);
    expect(normalQuantile(1e-10)).to.be.closeTo(-6.361340902404056, 1e-9);
    expect(normalQuantile(0)).to.equal(-Infinity);
    expect(normalQuantile(1)).to.equal(Infinity);
    expect(() => normalQuantile(1.2)).to.throw(RangeError);
  });

  it('normalQuantile inverts normalCdf', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => {
        return Math.abs(normalCdf(normalQuantile(p)) - p) <= 1e-13 * Math.max(1, p / 1e-3);
      }),
    );
  });
});

describe("Student's t distribution", () => {
  it('studentTQuantile matches the t table', () => {
    expect(studentTQuantile(0.975, 1).toFixed(3)).to.equal('12.706');
    expect(studentTQuantile(0.975, 5).toFixed(3)).to.equal('2.571');
    expect(studentTQuantile(0.975, 30).toFixed(3)).to.equal('2.042');
    expect(studentTQuantile(0.975, Infinity).toFixed(3)).to.equal('1.960');
    expect(studentTQuantile(0.975, 2)).to.be.closeTo(4.302652729749464, 1e-10);
    expect(studentTQuantile(0.975, 7)).to.be.closeTo(2.364624251592785, 1e-10);
    expect(studentTQuantile(0.995, 10)).to.be.closeTo(3.169272672616951, 1e-10);
    expect(studentTQuantile(0.95, 20)).to.be.closeTo(1.724718242920787, 1e-10);
    expect(studentTQuantile(0.025, 5)).to.be.closeTo(-studentTQuantile(0.975, 5), 1e-12);
    expect(studentTQuantile(0.5, 3)).to.equal(0);
  });

  it('studentTQuantile for df = 1 is the Cauchy quantile tan(π(p − ½))', () => {
    for (const p of [0.6, 0.9, 0.99, 0.9995]) {
      const exact = Math.tan(Math.PI * (p - 0.5));
      expect(studentTQuantile(p, 1) / exact).to.be.closeTo(1, 1e-10);
    }
  });

  it('studentTQuantile approaches the normal quantile as df grows', () => {
    expect(studentTQuantile(0.975, 1e6)).to.be.closeTo(1.959963984540054, 1e-5);
    expect(studentTQuantile(0.975, 1000)).to.be.greaterThan(studentTQuantile(0.975, 1e6));
  });

  it('studentTCdf matches its closed forms for df = 1, 2 and 3', () => {
    for (const t of [-30, -2.5, -0.3, 0, 0.7, 1, 4.1, 100]) {
      expect(studentTCdf(t, 1)).to.be.closeTo(0.5 + Math.atan(t) / Math.PI, 1e-13);
      expect(studentTCdf(t, 2)).to.be.closeTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-13);
      const u = t / Math.sqrt(3);
      expect(studentTCdf(t, 3)).to.be.closeTo(0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI, 1e-13);
    }
  });

  it('studentTCdf matches numerical integration for fractional df', () => {
    for (const df of [2.5, 5.520788, 17.776, 60.25]) {
      for (const t of [-3.1, -0.8, 0.25, 1.86, 4]) {
        expect(studentTCdf(t, df), `t=${t} df=${df}`).to.be.closeTo(bruteTCdf(t, df), 1e-9);
      }
    }
  });

  it('studentTQuantile inverts studentTCdf, fractional df included', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        (p, df) => Math.abs(studentTCdf(studentTQuantile(p, df), df) - p) < 1e-11,
      ),
    );
  });
});

describe('meanCI', () => {
  it("gives the mean with a Student-t 95 % interval", () => {
    const ci = meanCI([2, 4, 4, 4, 5, 5, 7, 9])!;
    const sd = Math.sqrt(32 / 7);
    const halfWidth = 2.364624251592785 * (sd / Math.sqrt(8)); // t(0.975, 7) from the table
    expect(ci.n).to.equal(8);
    expect(ci.mean).to.equal(5);
    expect(ci.sd).to.be.closeTo(sd, 1e-12);
    expect(ci.halfWidth).to.be.closeTo(halfWidth, 1e-9);
    expect(ci.low).to.be.closeTo(5 - halfWidth, 1e-9);
    expect(ci.high).to.be.closeTo(5 + halfWidth, 1e-9);
  });

  it('widens with the confidence level', () => {
    const values = [70, 85, 90, 64, 78];
    expect(meanCI(values, 0.99)!.halfWidth).to.be.greaterThan(meanCI(values, 0.95)!.halfWidth);
    expect(meanCI(values, 0.8)!.halfWidth).to.be.lessThan(meanCI(values, 0.95)!.halfWidth);
  });

  it('is null for fewer than 2 values and zero-width for identical values', () => {
    expect(meanCI([])).to.equal(null);
    expect(meanCI([80])).to.equal(null);
    expect(meanCI([80, 80, 80])).to.include({ mean: 80, sd: 0, halfWidth: 0, low: 80, high: 80 });
  });

  it('rejects non-finite values and impossible confidence levels', () => {
    expect(() => meanCI([1, NaN])).to.throw(RangeError);
    expect(() => meanCI([1, 2], 1)).to.throw(RangeError);
  });
});

describe('isTooFewForRanking', () => {
  it('holds back fewer than 5 evaluations by default, or fewer than the given minimum', () => {
    expect(isTooFewForRanking(4)).to.equal(true);
    expect(isTooFewForRanking(5)).to.equal(false);
    expect(isTooFewForRanking(9, 10)).to.equal(true);
    expect(isTooFewForRanking(10, 10)).to.equal(false);
  });
});

describe('welchTTest', () => {
  it("reproduces R's t.test on the sleep data: t = −1.8608, df = 17.776, p = 0.07939", () => {
    const result = welchTTest(SLEEP_GROUP_1, SLEEP_GROUP_2)!;
    expect(result.t).to.be.closeTo(-1.8608, 5e-5);
    expect(result.df).to.be.closeTo(17.776, 5e-4);
    expect(result.p).to.be.closeTo(0.07939, 5e-6);
    expect(result.meanDifference).to.be.closeTo(0.75 - 2.33, 1e-12);
  });

  it('computes t and the Welch–Satterthwaite df as worked by hand', () => {
    // a: mean 2.5, s² = 5/3, s²/n = 5/12;  b: mean 6, s² = 10, s²/n = 2
    const result = welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10])!;
    expect(result.t).to.be.closeTo(-3.5 / Math.sqrt(29 / 12), 1e-12);
    expect(result.df).to.be.closeTo(2523 / 457, 1e-12);
    expect(result.p).to.be.closeTo(2 * bruteTCdf(result.t, result.df), 1e-9);
  });

  it('is symmetric in its samples apart from the sign of t', () => {
    const ab = welchTTest(SLEEP_GROUP_1, SLEEP_GROUP_2)!;
    const ba = welchTTest(SLEEP_GROUP_2, SLEEP_GROUP_1)!;
    expect(ba.t).to.be.closeTo(-ab.t, 1e-12);
    expect(ba.p).to.be.closeTo(ab.p, 1e-15);
  });

  it('is null with fewer than 2 values in a sample, and handles constant samples', () => {
    expect(welchTTest([1], [1, 2, 3])).to.equal(null);
    expect(welchTTest([5, 5], [5, 5, 5])).to.include({ t: 0, p: 1 });
    expect(welchTTest([6, 6], [5, 5, 5])).to.include({ t: Infinity, p: 0 });
  });
});

describe('twoProportionTest', () => {
  it('matches the hand-worked pooled z-test: 45/100 vs 30/100 gives z² = 4.8', () => {
    const result = twoProportionTest(45, 100, 30, 100)!;
    expect(result.z).to.be.closeTo(Math.sqrt(4.8), 1e-12);
    expect(result.p).to.be.closeTo(0.028459736916310658, 1e-9);
    expect(result).to.include({ p1: 0.45, p2: 0.3 });
  });

  it("equals Pearson's chi-square on the 2×2 table, without continuity correction", () => {
    const [x1, n1, x2, n2] = [17, 60, 31, 75];
    const observed = [x1, n1 - x1, x2, n2 - x2];
    const total = n1 + n2;
    const successes = x1 + x2;
    const expected = [
      (n1 * successes) / total, (n1 * (total - successes)) / total,
      (n2 * successes) / total, (n2 * (total - successes)) / total,
    ];
    const chiSquare = observed.reduce((s, o, i) => s + (o - expected[i]) ** 2 / expected[i], 0);
    const result = twoProportionTest(x1, n1, x2, n2)!;
    expect(result.z ** 2).to.be.closeTo(chiSquare, 1e-10);
    expect(result.z).to.be.lessThan(0);
    expect(result.p).to.be.closeTo(2 * normalCdf(-Math.abs(result.z)), 1e-15);
  });

  it('is null for an empty group, neutral when the pooled rate is 0 or 1, and rejects bad counts', () => {
    expect(twoProportionTest(0, 0, 3, 10)).to.equal(null);
    expect(twoProportionTest(10, 10, 7, 7)).to.deep.equal({ z: 0, p: 1, p1: 1, p2: 1 });
    expect(() => twoProportionTest(11, 10, 3, 10)).to.throw(RangeError);
    expect(() => twoProportionTest(1.5, 10, 3, 10)).to.throw(RangeError);
  });
});

describe('describeChange', () => {
  it('reports a significant improvement when scores rose beyond chance', () => {
    const change = describeChange({ before: [62, 70, 58, 66, 64, 61], after: [81, 88, 79, 85, 90, 84] });
    expect(change.verdict).to.equal('stats.change.significantImprovement');
    expect(change.difference).to.be.closeTo(84.5 - 63.5, 1e-12);
    expect(change.p!).to.be.lessThan(0.05);
    expect(change.differenceLow!).to.be.greaterThan(0);
  });

  it('reports a significant worsening when scores fell beyond chance', () => {
    const change = describeChange({ before: [81, 88, 79, 85, 90, 84], after: [62, 70, 58, 66, 64, 61] });
    expect(change.verdict).to.equal('stats.change.significantWorsening');
  });

  it('turns the direction around when lower is better (e.g. error counts)', () => {
    const change = describeChange({ before: [9, 7, 8, 10, 9], after: [2, 3, 1, 2, 3], higherIsBetter: false });
    expect(change.verdict).to.equal('stats.change.significantImprovement');
  });

  it("says not significant for the sleep data at α = 0.05 but significant at α = 0.10, with R's interval", () => {
    const at05 = describeChange({ before: SLEEP_GROUP_1, after: SLEEP_GROUP_2 });
    expect(at05.verdict).to.equal('stats.change.notSignificant');
    // R: 95 percent confidence interval −3.3654832 0.2054832 (group 1 − group 2)
    expect(at05.differenceLow).to.be.closeTo(-0.2054832, 1e-6);
    expect(at05.differenceHigh).to.be.closeTo(3.3654832, 1e-6);
    expect(at05.before!.mean).to.be.closeTo(0.75, 1e-12);
    expect(at05.after!.mean).to.be.closeTo(2.33, 1e-12);
    const at10 = describeChange({ before: SLEEP_GROUP_1, after: SLEEP_GROUP_2, alpha: 0.1 });
    expect(at10.verdict).to.equal('stats.change.significantImprovement');
  });

  it('says too few data when a side has fewer than 2 (or minN) values', () => {
    const one = describeChange({ before: [70], after: [80, 85, 90] });
    expect(one).to.include({ verdict: 'stats.change.tooFewData', t: null, p: null, df: null, before: null });
    expect(one.difference).to.equal(15);
    expect(describeChange({ before: [], after: [] })).to.include({ verdict: 'stats.change.tooFewData', difference: null });
    const belowMin = describeChange({ before: [60, 62, 61], after: [90, 91, 92], minN: 5 });
    expect(belowMin.verdict).to.equal('stats.change.tooFewData');
  });
});
