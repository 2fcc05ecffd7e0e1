import { expect } from 'chai';
import { clampWindow, compareFailureRates, computeTrainingEffect, effectWindows, type EffectAnswer, type EffectEvaluation } from '../../../src/features/training/training-effect';

// A seeded data set around a training on 2026-03-15 with a 10-day window: before is
// 03-05..03-14, after is 03-16..03-25. Every figure below was worked out by hand.
const DAY = '2026-03-15';

function scoresData(): EffectEvaluation[] {
  return [
    // before: operator 1 scored 70 and 80, operator 2 scored 90 → mean 80, n 3
    { id: 1, operatorId: 1, evaluationDate: '2026-03-05', score: 70 },
    { id: 2, operatorId: 1, evaluationDate: '2026-03-10', score: 80 },
    { id: 3, operatorId: 2, evaluationDate: '2026-03-14', score: 90 },
    // after: 85, 95 (operator 1), 90, 100 (operator 2) → mean 92.5, n 4
    { id: 4, operatorId: 1, evaluationDate: '2026-03-16', score: 85 },
    { id: 5, operatorId: 1, evaluationDate: '2026-03-20', score: 95 },
    { id: 6, operatorId: 2, evaluationDate: '2026-03-21', score: 90 },
    { id: 7, operatorId: 2, evaluationDate: '2026-03-25', score: 100 },
    // left out: the training day itself, and the days just outside the window
    { id: 8, operatorId: 1, evaluationDate: '2026-03-15', score: 10 },
    { id: 9, operatorId: 2, evaluationDate: '2026-03-04', score: 0 },
    { id: 10, operatorId: 2, evaluationDate: '2026-03-26', score: 0 },
  ];
}

/**
 * 20 evaluations before and 20 after; INFO-2 failed 10 of 20 before (plus 2 N/A, not counted)
 * and 2 of 20 after; CARD-2 failed 3 of 20 before and 2 of 20 after.
 */
function failuresData(): { evaluations: EffectEvaluation[]; answers: EffectAnswer[] } {
  const evaluations: EffectEvaluation[] = [];
  const answers: EffectAnswer[] = [];
  for (let i = 0; i < 40; i++) {
    const before = i < 20;
    const k = before ? i : i - 20;
    const id = 100 + i;
    evaluations.push({ id, operatorId: 1 + (i % 2), evaluationDate: before ? `2026-03-${String(5 + (k % 10)).padStart(2, '0')}` : `2026-03-${String(16 + (k % 10)).padStart(2, '0')}`, score: 80 });
    answers.push({ evaluationId: id, criterionCode: 'INFO-2', failed: before ? k < 10 : k < 2, na: false });
    answers.push({ evaluationId: id, criterionCode: 'CARD-2', failed: before ? k < 3 : k < 2, na: false });
  }
  // N/A answers: the criterion did not apply, so they count neither way.
  answers.push({ evaluationId: 100, criterionCode: 'INFO-2', failed: false, na: true });
  answers.push({ evaluationId: 101, criterionCode: 'INFO-2', failed: false, na: true });
  // An answer of a criterion not linked to the training is ignored.
  answers.push({ evaluationId: 100, criterionCode: 'OPEN-1', failed: true, na: false });
  return { evaluations, answers };
}

describe('training effect', () => {
  it('effectWindows() puts W days on each side and leaves the training day out', () => {
    expect(effectWindows(DAY, 10)).to.deep.equal({ before: { from: '2026-03-05', to: '2026-03-14' }, after: { from: '2026-03-16', to: '2026-03-25' } });
    expect(effectWindows('2026-01-01', 30).before).to.deep.equal({ from: '2025-12-02', to: '2025-12-31' });
  });

  it('clampWindow() keeps the window between 7 and 180 days and defaults to 30', () => {
    expect(clampWindow('45')).to.equal(45);
    expect(clampWindow(2)).to.equal(7);
    expect(clampWindow(1000)).to.equal(180);
    expect(clampWindow('abc')).to.equal(30);
  });

  it('compares the scores before and after with Welch’s t-test, counting only evaluations inside the windows', () => {
    const effect = computeTrainingEffect({ trainingDate: DAY, windowDays: 10, criteriaCodes: [], evaluations: scoresData(), answers: [] });
    expect(effect.scores.before).to.deep.equal({ n: 3, mean: 80 });
    expect(effect.scores.after).to.deep.equal({ n: 4, mean: 92.5 });
    const c = effect.scores.change;
    expect(c.difference).to.equal(12.5);
    // var(after)/4 = (125/3)/4 = 10.4167; var(before)/3 = 100/3 = 33.333; SE = √43.75 = 6.6144
    expect(c.t).to.be.closeTo(12.5 / Math.sqrt(43.75), 1e-9);
    expect(c.t).to.be.closeTo(1.8898, 1e-4);
    // Welch–Satterthwaite: 43.75² / (10.4167²/3 + 33.333²/2) = 3.2347
    expect(c.df).to.be.closeTo(3.2347, 1e-3);
    expect(c.p).to.be.greaterThan(0.1).and.lessThan(0.2);
    expect(c.verdict).to.equal('stats.change.notSignificant');
    expect(effect.perOperator).to.deep.equal([
      { operatorId: 1, before: { n: 2, mean: 75 }, after: { n: 2, mean: 90 } },
      { operatorId: 2, before: { n: 1, mean: 90 }, after: { n: 2, mean: 95 } },
    ]);
  });

  it('says there are too few data when a side has fewer than 3 evaluations', () => {
    const few = scoresData().filter((e) => e.id !== 1 && e.id !== 2);
    const effect = computeTrainingEffect({ trainingDate: DAY, windowDays: 10, criteriaCodes: [], evaluations: few, answers: [] });
    expect(effect.scores.before.n).to.equal(1);
    expect(effect.scores.change.verdict).to.equal('stats.change.tooFewData');
    expect(effect.scores.change.p).to.equal(null);
  });

  it('compares the linked criteria’s failure rates with a two-proportion z-test; fewer failures after is an improvement', () => {
    const { evaluations, answers } = failuresData();
    const effect = computeTrainingEffect({ trainingDate: DAY, windowDays: 10, criteriaCodes: ['INFO-2', 'CARD-2'], evaluations, answers });
    const info2 = effect.perCriterion.find((c) => c.code === 'INFO-2')!;
    expect(info2.before).to.deep.equal({ failed: 10, answered: 20, rate: 0.5 });
    expect(info2.after).to.deep.equal({ failed: 2, answered: 20, rate: 0.1 });
    // pooled 12/40 = 0.3; SE = √(0.3·0.7·(1/20 + 1/20)) = 0.144914; z = (0.1 − 0.5)/SE = −2.7603
    expect(info2.test!.z).to.be.closeTo(-2.7603, 1e-4);
    expect(info2.test!.p).to.be.closeTo(0.00577, 1e-4);
    expect(info2.verdict).to.equal('stats.change.significantImprovement');

    const card2 = effect.perCriterion.find((c) => c.code === 'CARD-2')!;
    // 3/20 → 2/20: pooled 5/40; SE = 0.104583; z = −0.478, p ≈ 0.633
    expect(card2.test!.z).to.be.closeTo(-0.4781, 1e-3);
    expect(card2.test!.p).to.be.closeTo(0.6326, 1e-3);
    expect(card2.verdict).to.equal('stats.change.notSignificant');

    // Both criteria together: 13/40 → 4/40; pooled 17/80; z = −2.4597, p ≈ 0.0139
    expect(effect.failures.before).to.deep.equal({ failed: 13, answered: 40, rate: 0.325 });
    expect(effect.failures.after).to.deep.equal({ failed: 4, answered: 40, rate: 0.1 });
    expect(effect.failures.difference).to.be.closeTo(-0.225, 1e-12);
    expect(effect.failures.test!.z).to.be.closeTo(-2.4597, 1e-3);
    expect(effect.failures.test!.p).to.be.closeTo(0.0139, 1e-3);
    expect(effect.failures.verdict).to.equal('stats.change.significantImprovement');
    // Every evaluation scored 80: no change in the scores.
    expect(effect.scores.change.verdict).to.equal('stats.change.notSignificant');
  });

  it('calls more failures after the training a significant worsening', () => {
    const r = compareFailureRates({ failed: 2, answered: 20, rate: 0.1 }, { failed: 10, answered: 20, rate: 0.5 });
    expect(r.verdict).to.equal('stats.change.significantWorsening');
    expect(r.difference).to.be.closeTo(0.4, 1e-12);
  });

  it('does not test failure rates on fewer than 10 answers a side', () => {
    const r = compareFailureRates({ failed: 5, answered: 9, rate: 5 / 9 }, { failed: 0, answered: 20, rate: 0 });
    expect(r.verdict).to.equal('stats.change.tooFewData');
    expect(r.test).to.equal(null);
    expect(r.difference).to.be.closeTo(-5 / 9, 1e-12);
  });

  it('with no evaluations at all, every figure is empty and the verdicts say so', () => {
    const effect = computeTrainingEffect({ trainingDate: DAY, windowDays: 30, criteriaCodes: ['INFO-2'], evaluations: [], answers: [] });
    expect(effect.scores.before).to.deep.equal({ n: 0, mean: null });
    expect(effect.failures.before.rate).to.equal(null);
    expect(effect.failures.verdict).to.equal('stats.change.tooFewData');
    expect(effect.scores.change.verdict).to.equal('stats.change.tooFewData');
  });
});
