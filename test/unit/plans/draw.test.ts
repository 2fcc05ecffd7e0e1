import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  ALGORITHM_VERSION, callUniform, drawPlan, fingerprintPopulation, makeSeed, priorityWeight, seedState, splitmix64Output,
  verifyPlan, type DrawResult, type EligibleCall, type StoredPlan,
} from '../../../src/features/plans/draw';
import { parsePlanRules } from '../../../src/features/plans/plan-rules';
import { ValidationError } from '../../../src/http/errors';
import {
  chiSquareStatistic, chiSquareSurvival, makeEligibleCall, makeOperatorCalls, perDayRules, shuffled,
} from './plan-builders';

const SEEDS = Array.from({ length: 2000 }, (_, i) => `seed-${i}`);
/** χ²(0.999; df = 19), from the standard table (checked against chiSquareSurvival below). */
const CHI2_CRIT_DF19_ALPHA_0001 = 43.82;

/** How often each call id was picked over all SEEDS. */
function pickCounts(calls: EligibleCall[], rules: unknown): Map<number, number> {
  const counts = new Map<number, number>(calls.map((c) => [c.id, 0]));
  for (const seed of SEEDS) for (const p of drawPlan({ seed, rules, calls }).picked) counts.set(p.callId, counts.get(p.callId)! + 1);
  return counts;
}

/** SplitMix64 as published (Vigna, splitmix64.c), with BigInt: output number `index` from state s. */
function referenceSplitmix64(state: bigint, index: number): bigint {
  const M = (1n << 64n) - 1n;
  let z = (state + BigInt(index) * 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

function storedFrom(plan: DrawResult, pickedCallIds = plan.picked.map((p) => p.callId)): StoredPlan {
  return {
    seed: plan.seed,
    rules: JSON.stringify(plan.rules),
    algorithmVersion: plan.algorithmVersion,
    fingerprint: plan.populationFingerprint,
    pickedCallIds,
  };
}

describe('plans/draw', () => {
  describe('the random source', () => {
    it('matches the published SplitMix64 bit for bit, including ids beyond 32 bits', () => {
      for (const seed of ['seed-0', 'plan 2026-11-25', 'x'.repeat(64)]) {
        const s = seedState(seed);
        const state = (BigInt(s.hi) << 32n) | BigInt(s.lo);
        for (const i of [0, 1, 2, 3, 1000, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
          expect(splitmix64Output(seed, i), `${seed} #${i}`).to.equal(referenceSplitmix64(state, i));
        }
      }
    });

    it('starts the stream from the first 8 bytes of SHA-256 of the seed', () => {
      const digest = createHash('sha256').update('seed-0', 'utf8').digest();
      expect(seedState('seed-0')).to.deep.equal({ hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) });
    });

    it('gives each call a number strictly between 0 and 1', () => {
      for (let id = 1; id <= 2000; id++) {
        const u = callUniform('seed-0', id);
        expect(u > 0 && u < 1, `id ${id}`).to.equal(true);
      }
    });

    it('makes 32-hex-digit seeds from the random source it is given', () => {
      expect(makeSeed((n) => new Uint8Array(n).fill(0xab))).to.equal('ab'.repeat(16));
      expect(makeSeed()).to.match(/^[0-9a-f]{32}$/);
    });
  });

  describe('fingerprintPopulation()', () => {
    const reference = (ids: number[]) =>
      createHash('sha256').update([...ids].sort((a, b) => a - b).map((id) => `${id}\n`).join(''), 'utf8').digest('hex');

    it('hashes the ids sorted ascending, one per line — what `sort -n | sha256sum` prints', () => {
      expect(fingerprintPopulation([3, 1, 2])).to.equal(reference([1, 2, 3]));
      expect(fingerprintPopulation([])).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });

    it('does not depend on input order, and changes when one call is added or removed', () => {
      const ids = Array.from({ length: 5000 }, (_, i) => i * 7 + 1);
      const fp = fingerprintPopulation(ids);
      expect(fingerprintPopulation(shuffled(ids))).to.equal(fp);
      expect(fingerprintPopulation(ids.slice(1))).to.not.equal(fp);
      expect(fingerprintPopulation([...ids, 2])).to.not.equal(fp);
    });

    it('agrees with the reference for large ids on every sorting path', () => {
      const ids32 = shuffled(Array.from({ length: 3000 }, (_, i) => 4294967295 - i * 1_000_003)); // radix path, up to 2^32 − 1
      expect(fingerprintPopulation(ids32)).to.equal(reference(ids32));
      const ids53 = shuffled(Array.from({ length: 3000 }, (_, i) => 2 ** 40 + i * 99_991)); // beyond 32 bits
      expect(fingerprintPopulation(ids53)).to.equal(reference(ids53));
    });

    it('refuses a duplicate or a non-positive id', () => {
      expect(() => fingerprintPopulation([5, 1, 5])).to.throw().with.property('key', 'plans.draw.duplicateCall');
      expect(() => fingerprintPopulation([0])).to.throw().with.property('key', 'plans.draw.callIdInvalid');
      expect(() => fingerprintPopulation([1.5])).to.throw().with.property('key', 'plans.draw.callIdInvalid');
    });
  });

  describe('drawPlan() reproducibility', () => {
    const calls = [...makeOperatorCalls(1, 40, 1), ...makeOperatorCalls(2, 40, 101), ...makeOperatorCalls(3, 7, 201)];
    const rules = perDayRules(5);

    it('gives the same plan for the same seed, rules and calls', () => {
      const a = drawPlan({ seed: 'same', rules, calls });
      const b = drawPlan({ seed: 'same', rules: JSON.stringify(rules), calls: calls.map((c) => ({ ...c })) });
      expect(b).to.deep.equal(a);
      expect(a.algorithmVersion).to.equal(ALGORITHM_VERSION);
      expect(a.populationCount).to.equal(87);
      expect(a.populationFingerprint).to.equal(fingerprintPopulation(calls.map((c) => c.id)));
    });

    it('gives a different plan for a different seed', () => {
      const ids = (seed: string) => drawPlan({ seed, rules, calls }).picked.map((p) => p.callId);
      expect(ids('one')).to.not.deep.equal(ids('two'));
    });

    it('does not depend on the order the calls come in', () => {
      const a = drawPlan({ seed: 'order', rules, calls });
      for (const salt of [1, 2, 3]) expect(drawPlan({ seed: 'order', rules, calls: shuffled(calls, salt) })).to.deep.equal(a);
      expect(drawPlan({ seed: 'order', rules, calls: [...calls].reverse() })).to.deep.equal(a);
    });

    it('does not change an operator\'s picks when other operators\' calls come or go', () => {
      const of1 = (cs: EligibleCall[]) => drawPlan({ seed: 'stable', rules, calls: cs }).picked.filter((p) => p.operatorId === 1);
      expect(of1(calls.filter((c) => c.operatorId === 1))).to.deep.equal(of1(calls));
    });

    it('orders picks by operator, then by rank in the operator\'s random order', () => {
      const { picked } = drawPlan({ seed: 'ranks', rules, calls });
      expect(picked.map((p) => p.operatorId)).to.deep.equal([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
      expect(picked.map((p) => p.rank)).to.deep.equal([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
      for (const p of picked) expect(calls.find((c) => c.id === p.callId)!.operatorId).to.equal(p.operatorId);
      expect(new Set(picked.map((p) => p.callId)).size).to.equal(picked.length);
      // rank 0 holds the largest key; with equal weights that is the largest u
      const us = picked.filter((p) => p.operatorId === 1).map((p) => callUniform('ranks', p.callId));
      expect(us).to.deep.equal([...us].sort((x, y) => y - x));
    });
  });

  describe('drawPlan() fairness', () => {
    it('gives every eligible call of an operator the same chance (χ² at α = 0.001 over 2000 seeds)', () => {
      // The tabulated critical value is what the χ² distribution says it is.
      expect(chiSquareSurvival(CHI2_CRIT_DF19_ALPHA_0001, 19)).to.be.closeTo(0.001, 2e-6);
      const calls = makeOperatorCalls(1, 20, 1001);
      const counts = [...pickCounts(calls, perDayRules(5)).values()];
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(2000 * 5);
      const stat = chiSquareStatistic(counts, (2000 * 5) / 20);
      expect(stat).to.be.below(CHI2_CRIT_DF19_ALPHA_0001);
    });

    it('keeps that uniformity when the calls share the draw with other operators in shuffled order', () => {
      const mine = makeOperatorCalls(9, 20, 50_000);
      const others = [...makeOperatorCalls(3, 30, 10), ...makeOperatorCalls(4, 5, 90_000)];
      const all = shuffled([...mine, ...others], 7);
      const counts = pickCounts(all, perDayRules(5));
      const stat = chiSquareStatistic(mine.map((c) => counts.get(c.id)!), 500);
      expect(stat).to.be.below(CHI2_CRIT_DF19_ALPHA_0001);
    });

    it('samples a single call in proportion to weight: weight 4 among 19 of weight 1 wins 4/23 of the time', () => {
      const calls = makeOperatorCalls(1, 20, 1);
      calls[7] = { ...calls[7], suicideRisk: true };
      const counts = pickCounts(calls, perDayRules(1, { priority: { suicideRisk: 4 } }));
      const expected = (2000 * 4) / 23; // 347.8, sd ≈ 16.9
      expect(counts.get(8)!).to.be.within(expected - 4 * 16.9, expected + 4 * 16.9);
    });

    it('raises a priority call\'s chance — and the χ² test notices', () => {
      const calls = makeOperatorCalls(1, 20, 1);
      calls[3] = { ...calls[3], services: ['103', '1146'] };
      const counts = pickCounts(calls, perDayRules(5, { priority: { line1146: 3 } }));
      const rate = counts.get(4)! / 2000;
      expect(rate).to.be.above(0.5); // 0.25 without the weight
      for (const [id, n] of counts) if (id !== 4) expect(n / 2000, `call ${id}`).to.be.below(0.25);
      expect(chiSquareStatistic([...counts.values()], 500)).to.be.above(CHI2_CRIT_DF19_ALPHA_0001);
    });
  });

  describe('drawPlan() quotas', () => {
    it('picks the perDay number from every operator', () => {
      const calls = [...makeOperatorCalls(1, 10, 1), ...makeOperatorCalls(2, 3, 11), ...makeOperatorCalls(5, 50, 100)];
      const r = drawPlan({ seed: 'q', rules: perDayRules(3), calls });
      expect(r.perOperator).to.deep.equal([
        { operatorId: 1, eligible: 10, quota: 3, picked: 3 },
        { operatorId: 2, eligible: 3, quota: 3, picked: 3 },
        { operatorId: 5, eligible: 50, quota: 3, picked: 3 },
      ]);
      expect(r.picked).to.have.length(9);
      expect(r.warnings).to.deep.equal([]);
    });

    it('applies a share with its minimum and maximum', () => {
      const calls = [...makeOperatorCalls(1, 100, 1), ...makeOperatorCalls(2, 31, 201), ...makeOperatorCalls(3, 5, 301)];
      const r = drawPlan({ seed: 'share', rules: { quota: { mode: 'share', share: 0.1, min: 2, max: 5 } }, calls, operators: [4] });
      expect(r.perOperator).to.deep.equal([
        { operatorId: 1, eligible: 100, quota: 5, picked: 5 },
        { operatorId: 2, eligible: 31, quota: 4, picked: 4 },
        { operatorId: 3, eligible: 5, quota: 2, picked: 2 },
        { operatorId: 4, eligible: 0, quota: 2, picked: 0 },
      ]);
      expect(r.warnings).to.deep.equal([{ key: 'plans.draw.quotaAboveEligible', params: { operatorId: 4, quota: 2, eligible: 0 } }]);
    });

    it('takes all of an operator\'s calls when the quota is above them, and warns', () => {
      const calls = [...makeOperatorCalls(1, 3, 1), ...makeOperatorCalls(2, 9, 10)];
      const r = drawPlan({ seed: 'few', rules: perDayRules(5), calls });
      expect(r.picked.filter((p) => p.operatorId === 1).map((p) => p.callId).sort()).to.deep.equal([1, 2, 3]);
      expect(r.warnings).to.deep.equal([{ key: 'plans.draw.quotaAboveEligible', params: { operatorId: 1, quota: 5, eligible: 3 } }]);
    });

    it('picks nothing with a quota of zero, and says when nothing was eligible', () => {
      expect(drawPlan({ seed: 'z', rules: perDayRules(0), calls: makeOperatorCalls(1, 5, 1) }).picked).to.deep.equal([]);
      const empty = drawPlan({ seed: 'z', rules: perDayRules(3), calls: [] });
      expect(empty.picked).to.deep.equal([]);
      expect(empty.warnings).to.deep.equal([{ key: 'plans.draw.noEligibleCalls', params: {} }]);
    });

    it('reports each pick\'s weight as its priority', () => {
      const calls = [makeEligibleCall({ id: 1, suicideRisk: true, dropped: true }), makeEligibleCall({ id: 2, durationSec: 900, services: ['1146'] }), makeEligibleCall({ id: 3 })];
      const rules = perDayRules(3, { priority: { suicideRisk: 3, dropped: 1.5, line1146: 2, longCall: 1.25, longCallSec: 600 } });
      const byId = new Map(drawPlan({ seed: 'w', rules, calls }).picked.map((p) => [p.callId, p.priority]));
      expect(Object.fromEntries(byId)).to.deep.equal({ 1: 4.5, 2: 2.5, 3: 1 });
      expect(priorityWeight(calls[0], parsePlanRules(rules).priority)).to.equal(4.5);
    });
  });

  describe('drawPlan() bad input', () => {
    it('refuses a quota below zero with the rules\' i18n key', () => {
      try {
        drawPlan({ seed: 's', rules: perDayRules(-1), calls: makeOperatorCalls(1, 3, 1) });
        expect.fail('expected a ValidationError');
      } catch (e) {
        expect(e).to.be.instanceOf(ValidationError);
        expect((e as ValidationError).fields).to.deep.equal([{ field: 'quota.calls', key: 'plans.rules.quotaNegative' }]);
      }
    });

    it('refuses the same call twice, an empty seed, and a seed longer than the column', () => {
      const calls = makeOperatorCalls(1, 3, 1);
      expect(() => drawPlan({ seed: 's', rules: perDayRules(1), calls: [...calls, calls[1]] })).to.throw().with.property('key', 'plans.draw.duplicateCall');
      expect(() => drawPlan({ seed: '', rules: perDayRules(1), calls })).to.throw().with.property('key', 'plans.draw.seedInvalid');
      expect(() => drawPlan({ seed: 'x'.repeat(65), rules: perDayRules(1), calls })).to.throw().with.property('key', 'plans.draw.seedInvalid');
    });
  });

  describe('verifyPlan()', () => {
    const calls = [...makeOperatorCalls(1, 30, 1), ...makeOperatorCalls(2, 30, 101)];
    const plan = drawPlan({ seed: 'audit', rules: perDayRules(4), calls });

    it('confirms an untouched plan', () => {
      expect(verifyPlan(storedFrom(plan), shuffled(calls))).to.deep.equal({
        ok: true, reasons: [], missingCallIds: [], unexpectedCallIds: [], notStoredCallIds: [],
      });
    });

    it('says which picked calls were deleted since, and that the population changed', () => {
      const gone = [plan.picked[0].callId, plan.picked[5].callId].sort((a, b) => a - b);
      const r = verifyPlan(storedFrom(plan), calls.filter((c) => !gone.includes(c.id)));
      expect(r.ok).to.equal(false);
      expect(r.reasons).to.deep.equal(['plans.verify.populationChanged', 'plans.verify.callsDeleted']);
      expect(r.missingCallIds).to.deep.equal(gone);
      expect(r.unexpectedCallIds).to.deep.equal([]); // the surviving picks still come out of the draw
    });

    it('says the population changed when a call was added, without accusing the picks', () => {
      const r = verifyPlan(storedFrom(plan), [...calls, makeEligibleCall({ id: 999, operatorId: 1 })]);
      expect(r.reasons).to.include('plans.verify.populationChanged');
      expect(r.reasons).to.not.include('plans.verify.picksDiffer');
    });

    it('catches a hand-picked call swapped in over the same population', () => {
      const picked = plan.picked.map((p) => p.callId);
      const swappedIn = calls.find((c) => c.operatorId === 1 && !picked.includes(c.id))!.id;
      const tampered = [swappedIn, ...picked.slice(1)];
      const r = verifyPlan(storedFrom(plan, tampered), calls);
      expect(r.ok).to.equal(false);
      expect(r.reasons).to.deep.equal(['plans.verify.picksDiffer']);
      expect(r.unexpectedCallIds).to.deep.equal([swappedIn]);
      expect(r.notStoredCallIds).to.deep.equal([picked[0]]);
    });

    it('catches a changed seed or rules, and refuses to judge another algorithm version or broken rules', () => {
      expect(verifyPlan({ ...storedFrom(plan), seed: 'audit2' }, calls).reasons).to.deep.equal(['plans.verify.picksDiffer']);
      expect(verifyPlan({ ...storedFrom(plan), rules: perDayRules(3) }, calls).reasons).to.deep.equal(['plans.verify.picksDiffer']);
      expect(verifyPlan({ ...storedFrom(plan), algorithmVersion: 'old-0' }, calls).reasons).to.deep.equal(['plans.verify.algorithmChanged']);
      expect(verifyPlan({ ...storedFrom(plan), rules: '{"quota":{"mode":"perDay","calls":-1}}' }, calls).reasons).to.deep.equal(['plans.verify.rulesInvalid']);
    });
  });
});
