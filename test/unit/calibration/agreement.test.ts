import { expect } from 'chai';
import fc from 'fast-check';
import {
  AlphaMetric,
  CalibrationEvaluation,
  CodedValue,
  agreementReport,
  alphaFromUnits,
  krippendorffAlpha,
} from '../../../src/features/calibration/agreement';

const _ = null;

// Independent check: the textbook pairwise form, straight from the definition, without a
// coincidence matrix. D_o averages δ² over the pairs inside each unit (weight 1/(m_u − 1));
// D_e averages δ² over all pairs of pairable values regardless of unit.
function bruteForceAlpha(data: ReadonlyArray<ReadonlyArray<CodedValue>>, metric: AlphaMetric): number | null {
  const width = Math.max(0, ...data.map((r) => r.length));
  const units: (number | string)[][] = [];
  for (let u = 0; u < width; u++) {
    const values = data.map((r) => r[u]).filter((v): v is number | string => v !== null && v !== undefined);
    if (values.length >= 2) units.push(values);
  }
  const pool = units.flat();
  const n = pool.length;
  if (n < 2) return null;
  const frequency = (v: number | string) => pool.filter((x) => x === v).length;
  const delta2 = (a: number | string, b: number | string): number => {
    if (a === b) return 0;
    if (metric === 'nominal') return 1;
    const x = a as number;
    const y = b as number;
    if (metric === 'interval') return (x - y) ** 2;
    if (metric === 'ratio') return ((x - y) / (x + y)) ** 2;
    const lo = Math.min(x, y);
    const hi = Math.max(x, y);
    const between = pool.filter((g) => (g as number) >= lo && (g as number) <= hi).length;
    return (between - (frequency(x) + frequency(y)) / 2) ** 2;
  };
  let within = 0;
  for (const values of units) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      for (let j = 0; j < values.length; j++) if (i !== j) sum += delta2(values[i], values[j]);
    }
    within += sum / (values.length - 1);
  }
  let across = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) across += delta2(pool[i], pool[j]);
  const observed = within / n;
  const expected = across / (n * (n - 1));
  return expected === 0 ? null : 1 - observed / expected;
}

// Krippendorff (2011), section C: 4 observers × 12 units, values 1..5, with missing values.
const KRIPPENDORFF_C = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];

// The Wikipedia article's computational example: 3 coders × 15 units.
const WIKIPEDIA = [
  [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
  [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
  [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
];

describe('krippendorffAlpha', () => {
  it('gives 0.095 for Krippendorff (2011) section A: binary data, 2 observers', () => {
    const data = [
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ];
    const result = krippendorffAlpha(data, 'nominal');
    // o01 = 4, n0 = 14, n1 = 6: α = 1 − 19·4/(14·6) = 8/84
    expect(result.alpha).to.be.closeTo(8 / 84, 1e-12);
    expect(result.alpha!.toFixed(3)).to.equal('0.095');
    expect(result).to.include({ pairableValues: 20, units: 10 });
  });

  it('gives 0.692 for Krippendorff (2011) section B: nominal data, 2 observers', () => {
    const data = [
      ['a', 'a', 'b', 'b', 'd', 'c', 'c', 'c', 'e', 'd', 'd', 'a'],
      ['b', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'e', 'd', 'd', 'd'],
    ];
    expect(krippendorffAlpha(data, 'nominal').alpha!.toFixed(3)).to.equal('0.692');
  });

  it('reproduces the published figures of Krippendorff (2011) section C for every metric', () => {
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'nominal').alpha!.toFixed(3)).to.equal('0.743');
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'ordinal').alpha!.toFixed(3)).to.equal('0.815');
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'interval').alpha!.toFixed(3)).to.equal('0.849');
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'ratio').alpha!.toFixed(3)).to.equal('0.797');
  });

  it('drops the unit with a single value and counts only pairable values (section C: n = 40)', () => {
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'nominal')).to.include({ pairableValues: 40, units: 11 });
  });

  it('reproduces the Wikipedia example: nominal 0.691, interval 0.811', () => {
    const nominal = krippendorffAlpha(WIKIPEDIA, 'nominal');
    expect(nominal.alpha).to.be.closeTo(0.691358, 1e-6);
    expect(nominal).to.include({ pairableValues: 26, units: 12 });
    expect(krippendorffAlpha(WIKIPEDIA, 'interval').alpha).to.be.closeTo(0.810845, 1e-6);
  });

  it('agrees with the brute-force pairwise formula on the published data', () => {
    for (const metric of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
      for (const data of [KRIPPENDORFF_C, WIKIPEDIA]) {
        expect(krippendorffAlpha(data, metric).alpha, metric).to.be.closeTo(bruteForceAlpha(data, metric)!, 1e-12);
      }
    }
  });

  it('agrees with the brute-force pairwise formula on random reliability data', () => {
    const cell = fc.option(fc.integer({ min: 1, max: 5 }), { nil: null, freq: 4 });
    const matrix = fc.integer({ min: 1, max: 9 }).chain((units) =>
      fc.array(fc.array(cell, { minLength: units, maxLength: units }), { minLength: 2, maxLength: 6 }),
    );
    fc.assert(
      fc.property(matrix, fc.constantFrom<AlphaMetric>('nominal', 'ordinal', 'interval', 'ratio'), (data, metric) => {
        const expected = bruteForceAlpha(data, metric);
        const actual = krippendorffAlpha(data, metric).alpha;
        if (expected === null) return actual === null;
        return actual !== null && Math.abs(actual - expected) < 1e-9;
      }),
      { numRuns: 400 },
    );
  });

  it('is 1 for perfect agreement with variation, for every metric', () => {
    const data = [
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, _],
    ];
    for (const metric of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
      expect(krippendorffAlpha(data, metric).alpha).to.equal(1);
    }
  });

  it('is undefined (null) when every pairable value is the same', () => {
    const result = krippendorffAlpha([[1, 1, 1], [1, 1, _]], 'nominal');
    expect(result).to.deep.equal({ alpha: null, pairableValues: 4, units: 2 });
  });

  it('is undefined (null) when no unit has two values', () => {
    expect(krippendorffAlpha([[1, _], [_, 2]], 'interval')).to.deep.equal({ alpha: null, pairableValues: 0, units: 0 });
    expect(krippendorffAlpha([], 'nominal')).to.deep.equal({ alpha: null, pairableValues: 0, units: 0 });
  });

  it('treats rows of unequal length as missing trailing values', () => {
    const ragged = krippendorffAlpha([[1, 2, 3, 4], [1, 2, 4]], 'interval');
    const padded = krippendorffAlpha([[1, 2, 3, 4], [1, 2, 4, _]], 'interval');
    expect(ragged).to.deep.equal(padded);
  });

  it('weighs a near miss less than a far miss under the interval metric but not the nominal one', () => {
    const near = [[1, 2, 3, 4, 5], [1, 2, 3, 4, 4]];
    const far = [[1, 2, 3, 4, 5], [1, 2, 3, 4, 1]];
    expect(krippendorffAlpha(near, 'interval').alpha!).to.be.greaterThan(krippendorffAlpha(far, 'interval').alpha!);
    expect(krippendorffAlpha(near, 'nominal').alpha).to.be.closeTo(krippendorffAlpha(far, 'nominal').alpha!, 1e-12);
  });

  it('rejects non-numeric values for numeric metrics', () => {
    expect(() => krippendorffAlpha([['a', 'b'], ['a', 'b']], 'interval')).to.throw(TypeError);
    expect(() => krippendorffAlpha([[NaN, 1], [1, 1]], 'nominal')).to.throw(TypeError);
  });

  it('alphaFromUnits gives the same alpha as the coder × unit matrix', () => {
    const units = KRIPPENDORFF_C[0].map((_v, u) => KRIPPENDORFF_C.map((row) => row[u]));
    expect(alphaFromUnits(units, 'ordinal')).to.deep.equal(krippendorffAlpha(KRIPPENDORFF_C, 'ordinal'));
  });
});

// --- agreementReport -------------------------------------------------------------------------

function makeEvaluation(
  participantId: number,
  callId: number,
  answers: CalibrationEvaluation['answers'],
  score: number | null = null,
): CalibrationEvaluation {
  return { participantId, callId, answers, score };
}

describe('agreementReport', () => {
  const yesNo = (code: string) => ({ code, kind: 'yesNo' as const });

  describe('in a one-call session', () => {
    const criteria = [yesNo('OPEN-1'), yesNo('INFO-2'), { code: 'COMM-1', kind: 'scale' as const, maxValue: 4 }];
    const evaluations = [
      makeEvaluation(1, 10, { 'OPEN-1': 1, 'INFO-2': 1, 'COMM-1': 4 }, 90),
      makeEvaluation(2, 10, { 'OPEN-1': 1, 'INFO-2': 1, 'COMM-1': 3 }, 80),
      makeEvaluation(3, 10, { 'OPEN-1': 1, 'INFO-2': 0, 'COMM-1': 4 }, 70),
      makeEvaluation(4, 10, { 'OPEN-1': 1, 'INFO-2': 0, 'COMM-1': 4 }, 60),
    ];
    const report = agreementReport({ criteria, evaluations, expertId: 1 });

    it('judges each criterion by pairwise agreement, since alpha over one call is meaningless', () => {
      const [open1, info2, comm1] = report.criteria;
      expect(open1).to.include({ code: 'OPEN-1', alpha: null, basis: 'observedAgreement', observedAgreement: 1 });
      expect(open1).to.include({ level: 'good', needsGuidance: false, levelKey: 'calibration.agreement.level.good' });
      // 2 yes, 2 no: 2 agreeing pairs out of 6
      expect(info2.observedAgreement).to.be.closeTo(2 / 6, 1e-12);
      expect(info2).to.include({ level: 'poor', needsGuidance: true });
      // three 4s and one 3: 3 agreeing pairs out of 6 → below 0.8
      expect(comm1).to.include({ metric: 'interval', observedAgreement: 0.5, needsGuidance: true });
      expect(report.criteriaNeedingGuidance).to.deep.equal(['INFO-2', 'COMM-1']);
    });

    it('computes the overall alpha over the criteria of the call with answers scaled to 0..1', () => {
      const scaled = krippendorffAlpha(
        [
          [1, 1, 1],
          [1, 1, 0.75],
          [1, 0, 1],
          [1, 0, 1],
        ],
        'interval',
      );
      expect(report.overall.answers).to.deep.equal(scaled);
      expect(report.overall.totalScores.alpha).to.equal(null);
      expect(report.overall.observedAgreement).to.be.closeTo((6 + 2 + 3) / 18, 1e-12);
    });

    it('gives the spread of total scores per call', () => {
      expect(report.scoreSpread).to.have.length(1);
      const spread = report.scoreSpread[0];
      expect(spread).to.include({ callId: 10, n: 4, min: 60, max: 90, mean: 75 });
      expect(spread.sd).to.be.closeTo(Math.sqrt(500 / 3), 1e-12);
    });

    it('lines each participant up with the expert', () => {
      expect(report.expertAlignment.map((a) => a.participantId)).to.deep.equal([2, 3, 4]);
      const [p2, p3, p4] = report.expertAlignment;
      expect(p2).to.include({ comparedAnswers: 3, comparedScores: 1, meanAbsScoreDifference: 10, meanScoreDifference: -10 });
      expect(p2.sameAnswerShare).to.be.closeTo(2 / 3, 1e-12);
      expect(p3.sameAnswerShare).to.be.closeTo(2 / 3, 1e-12);
      expect(p4).to.include({ meanAbsScoreDifference: 30, meanScoreDifference: -30 });
      expect(report).to.include({ participants: 4, calls: 1, expertId: 1 });
    });
  });

  describe('in a session over several calls', () => {
    const criteria = [yesNo('ROUTE-1'), yesNo('CARD-1'), { code: 'HELP-2', kind: 'scale' as const, maxValue: 2 }];
    // ROUTE-1: everyone agrees, and the calls differ (yes on 1 and 3, no on 2) → alpha 1.
    // CARD-1: answers scattered → poor alpha.
    // HELP-2: one specialist one step off on one call → high interval alpha.
    const table: Array<[number, number, number, number, number]> = [
      // participant, call, ROUTE-1, CARD-1, HELP-2
      [1, 1, 1, 1, 2], [2, 1, 1, 0, 2], [3, 1, 1, 1, 2],
      [1, 2, 0, 0, 0], [2, 2, 0, 1, 0], [3, 2, 0, 1, 1],
      [1, 3, 1, 1, 1], [2, 3, 1, 0, 1], [3, 3, 1, 0, 1],
    ];
    const evaluations = table.map(([p, c, r, card, help]) =>
      makeEvaluation(p, c, { 'ROUTE-1': r, 'CARD-1': card, 'HELP-2': help }, 50 + 10 * p + c),
    );
    const report = agreementReport({ criteria, evaluations });

    it('computes nominal alpha for yes/no and interval alpha for scale criteria, calls as units', () => {
      const [route, card, help] = report.criteria;
      expect(route).to.include({ basis: 'alpha', alpha: 1, units: 3, pairableValues: 9, level: 'good', needsGuidance: false });
      const cardData = [[1, 0, 1], [0, 1, 0], [1, 1, 0]];
      expect(card.alpha).to.be.closeTo(krippendorffAlpha(cardData, 'nominal').alpha!, 1e-12);
      expect(card.alpha!).to.be.lessThan(0.667);
      expect(card).to.include({ level: 'poor', needsGuidance: true });
      const helpData = [[2, 0, 1], [2, 0, 1], [2, 1, 1]];
      expect(help.alpha).to.be.closeTo(krippendorffAlpha(helpData, 'interval').alpha!, 1e-12);
      expect(help.alpha!).to.be.greaterThan(0.667);
      expect(help.needsGuidance).to.equal(false);
      expect(report.criteriaNeedingGuidance).to.deep.equal(['CARD-1']);
    });

    it('computes interval alpha on total scores with calls as units', () => {
      const scores = [1, 2, 3].map((p) => [1, 2, 3].map((c) => 50 + 10 * p + c));
      expect(report.overall.totalScores).to.deep.equal(krippendorffAlpha(scores, 'interval'));
      expect(report.scoreSpread.map((s) => s.callId)).to.deep.equal([1, 2, 3]);
      expect(report.expertAlignment).to.deep.equal([]);
      expect(report.expertId).to.equal(null);
    });
  });

  it('counts N/A against an answer as a disagreement on a yes/no criterion', () => {
    const report = agreementReport({
      criteria: [yesNo('HELP-1')],
      evaluations: [
        makeEvaluation(1, 1, { 'HELP-1': 'na' }),
        makeEvaluation(2, 1, { 'HELP-1': 1 }),
        makeEvaluation(3, 1, { 'HELP-1': 'na' }),
      ],
    });
    expect(report.criteria[0].observedAgreement).to.be.closeTo(1 / 3, 1e-12);
    expect(report.criteria[0].needsGuidance).to.equal(true);
  });

  it('leaves N/A out of a scale criterion and unanswered criteria out everywhere', () => {
    const report = agreementReport({
      criteria: [{ code: 'COMM-1', kind: 'scale', maxValue: 4 }],
      evaluations: [
        makeEvaluation(1, 1, { 'COMM-1': 3 }),
        makeEvaluation(2, 1, { 'COMM-1': 'na' }),
        makeEvaluation(3, 1, {}),
        makeEvaluation(1, 2, { 'COMM-1': 1 }),
        makeEvaluation(2, 2, { 'COMM-1': 1 }),
        makeEvaluation(3, 2, { 'COMM-1': null }),
      ],
    });
    // Call 1 has one numeric answer (dropped), call 2 has two: one pairable unit.
    expect(report.criteria[0]).to.include({ pairableValues: 2, units: 1, basis: 'observedAgreement' });
  });

  it('marks agreement undetermined when nobody else scored the call', () => {
    const report = agreementReport({
      criteria: [yesNo('OPEN-1')],
      evaluations: [makeEvaluation(1, 1, { 'OPEN-1': 1 }, 100)],
      expertId: 1,
    });
    expect(report.criteria[0]).to.include({ basis: 'none', level: 'undetermined', needsGuidance: false });
    expect(report.overall).to.include({ level: 'undetermined', needsGuidance: false });
    expect(report.scoreSpread[0]).to.include({ n: 1, min: 100, max: 100, mean: 100, sd: null });
    expect(report.expertAlignment).to.deep.equal([]);
  });

  it('uses only the latest evaluation when a participant scored a call twice', () => {
    const report = agreementReport({
      criteria: [yesNo('OPEN-1')],
      evaluations: [
        makeEvaluation(1, 1, { 'OPEN-1': 0 }),
        makeEvaluation(2, 1, { 'OPEN-1': 1 }),
        makeEvaluation(1, 1, { 'OPEN-1': 1 }),
      ],
    });
    expect(report.criteria[0]).to.include({ pairableValues: 2, observedAgreement: 1 });
  });

  it('rejects a scale criterion without a maximum', () => {
    expect(() => agreementReport({ criteria: [{ code: 'X', kind: 'scale' }], evaluations: [] })).to.throw(RangeError);
  });
});
