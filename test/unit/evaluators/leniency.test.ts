import { expect } from 'chai';
import { assignReviewers, leniencyReport, pickForSecondReview, secondReviewAgreement, type ScoredEvaluation } from '../../../src/features/evaluators/leniency';

describe('leniency: a specialist’s scores against their peers’ on comparable calls', () => {
  // A constructed example: three specialists scoring the same two strata. Specialist 1 gives
  // exactly 10 points more than the others on every call; 2 and 3 agree with each other.
  const evaluations: ScoredEvaluation[] = [];
  let id = 0;
  const base = { 'R1|medical': 80, 'R1|fire': 70 } as const;
  for (const [stratum, score] of Object.entries(base)) {
    for (const month of ['2026-10', '2026-11']) {
      evaluations.push({ id: ++id, specialistUserId: 1, stratum, month, score: score + 10 });
      evaluations.push({ id: ++id, specialistUserId: 2, stratum, month, score });
      evaluations.push({ id: ++id, specialistUserId: 3, stratum, month, score });
    }
  }

  it('finds the lenient specialist +10 and the others −5, each with n and a 95 % interval', () => {
    const r = leniencyReport(evaluations);
    expect(r.map((x) => [x.specialistUserId, x.n, Math.round(x.meanDifference! * 1000) / 1000])).to.deep.equal([[1, 4, 10], [2, 4, -5], [3, 4, -5]]);
    // Identical differences: a zero-width interval around them.
    expect(r[0].ci).to.include({ n: 4, low: 10, high: 10 });
  });

  it('shows drift by month: a specialist who grows lenient in the second month', () => {
    const drift = evaluations.map((e) => (e.specialistUserId === 2 && e.month === '2026-11' ? { ...e, score: e.score + 6 } : e));
    const two = leniencyReport(drift).find((x) => x.specialistUserId === 2)!;
    expect(two.byMonth.map((m) => [m.month, m.n])).to.deep.equal([['2026-10', 2], ['2026-11', 2]]);
    expect(two.byMonth[1].meanDifference - two.byMonth[0].meanDifference).to.be.closeTo(6, 1e-9);
  });

  it('leaves out calls no peer scored in the same stratum (rubric and category)', () => {
    const r = leniencyReport([...evaluations, { id: 999, specialistUserId: 1, stratum: 'R2|gas', month: '2026-11', score: 5 }]);
    expect(r[0]).to.include({ evaluations: 5, n: 4 });
    expect(r[0].meanDifference).to.equal(10);
  });

  it('gives no interval for fewer than two comparable evaluations', () => {
    const r = leniencyReport([{ id: 1, specialistUserId: 1, stratum: 's', month: 'm', score: 90 }, { id: 2, specialistUserId: 2, stratum: 's', month: 'm', score: 70 }]);
    expect(r.map((x) => [x.meanDifference, x.ci])).to.deep.equal([[20, null], [-20, null]]);
  });
});

describe('blind second reviews', () => {
  it('agreement per reviewed specialist: perfect pairs give alpha 1, a disagreeing reviewer less', () => {
    const same = { score: 90, answers: { 'Q-1': 1, 'Q-2': 0, 'Q-3': 'na' as const } };
    const pairs = [
      { specialistUserId: 1, original: same, review: same },
      { specialistUserId: 1, original: { score: 60, answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 1 } }, review: { score: 60, answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 1 } } },
      { specialistUserId: 2, original: same, review: { score: 50, answers: { 'Q-1': 0, 'Q-2': 1, 'Q-3': 'na' as const } } },
      { specialistUserId: 2, original: { score: 60, answers: { 'Q-1': 0, 'Q-2': 0, 'Q-3': 1 } }, review: { score: 95, answers: { 'Q-1': 1, 'Q-2': 0, 'Q-3': 1 } } },
    ];
    const [one, two] = secondReviewAgreement(pairs);
    expect([one.specialistUserId, one.pairs, one.answers.alpha, one.scores.alpha, one.meanScoreDifference]).to.deep.equal([1, 2, 1, 1, 0]);
    expect(two.answers.alpha!).to.be.lessThan(0.5);
    expect(two.meanScoreDifference).to.equal(-2.5);
  });

  it('picks the share of each specialist’s evaluations by the seed’s numbers, at least one each', () => {
    const c = [...Array.from({ length: 10 }, (_, i) => ({ id: i + 1, specialistUserId: 1 })), { id: 50, specialistUserId: 2 }];
    const u = (id: number) => ((id * 7919) % 101) / 101;
    const picked = pickForSecondReview(c, 0.2, u);
    expect(picked.filter((p) => p.specialistUserId === 1)).to.have.length(2);
    expect(picked.filter((p) => p.specialistUserId === 2)).to.have.length(1);
    expect(pickForSecondReview(c, 0.2, u)).to.deep.equal(picked);
  });

  it('never gives an evaluation to its author or to someone who evaluated the call; spreads the load', () => {
    const items = [1, 2, 3, 4].map((id) => ({ id, specialistUserId: 1, callId: 100 + id }));
    const out = assignReviewers(items, [{ userId: 1, openReviews: 0 }, { userId: 2, openReviews: 0 }, { userId: 3, openReviews: 1 }], (u, call) => u === 3 && call === 101);
    expect(out.map((o) => o.reviewerUserId)).to.deep.equal([2, 2, 3, 2]);
    expect(assignReviewers([{ id: 9, specialistUserId: 1, callId: 1 }], [{ userId: 1, openReviews: 0 }], () => false)[0].reviewerUserId).to.equal(null);
  });
});
