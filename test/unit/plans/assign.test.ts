import { expect } from 'chai';
import { assignCalls, parseLanguageList, type CallToAssign, type SpecialistOnDuty } from '../../../src/features/plans/assign';
import { drawPlan } from '../../../src/features/plans/draw';
import { PlanError } from '../../../src/features/plans/plan-rules';
import { makeOperatorCalls, shuffled } from './plan-builders';

function call(callId: number, o: Partial<CallToAssign> = {}): CallToAssign {
  return { callId, operatorId: 1, priority: 1, language: 'uz', ...o };
}

function specialist(userId: number, capacity: number, languages: string[] = ['uz', 'ru']): SpecialistOnDuty {
  return { userId, capacity, languages };
}

/** specialist user id → the call ids they got */
function byspecialist(assignments: { callId: number; specialistUserId: number }[]): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  for (const a of assignments) (out[a.specialistUserId] ??= []).push(a.callId);
  return out;
}

describe('plans/assign', () => {
  it('never gives a specialist more calls than their capacity, and says which calls were left', () => {
    const calls = Array.from({ length: 10 }, (_, i) => call(i + 1, { operatorId: (i % 3) + 1 }));
    const r = assignCalls(calls, [specialist(10, 2), specialist(11, 2), specialist(12, 2)]);
    expect(r.assignments).to.have.length(6);
    expect(r.load).to.deep.equal([
      { userId: 10, capacity: 2, assigned: 2 },
      { userId: 11, capacity: 2, assigned: 2 },
      { userId: 12, capacity: 2, assigned: 2 },
    ]);
    expect(r.unassigned).to.have.length(4);
    for (const u of r.unassigned) expect(u.reason).to.equal('plans.assign.capacityExceeded');
    expect(new Set([...r.assignments.map((a) => a.callId), ...r.unassigned.map((u) => u.callId)]).size).to.equal(10);
  });

  it('gives a call only to someone who evaluates its language', () => {
    const r = assignCalls(
      [call(1, { language: 'ru' }), call(2, { language: 'uz' }), call(3, { language: 'kaa' })],
      [specialist(10, 5, ['uz']), specialist(11, 5, ['ru'])],
    );
    expect(byspecialist(r.assignments)).to.deep.equal({ 10: [2], 11: [1] });
    expect(r.unassigned).to.deep.equal([{ callId: 3, reason: 'plans.assign.noLanguage', params: { operatorId: 1, language: 'kaa' } }]);
  });

  it('lets anyone take a call in "other" or an unknown language, but sign language only those who sign', () => {
    const r = assignCalls(
      [call(1, { language: 'other' }), call(2, { language: null }), call(3, { language: 'sign' }), call(4, { language: 'sign' })],
      [specialist(10, 5, ['uz']), specialist(11, 1, ['ru', 'sign'])],
    );
    const got = byspecialist(r.assignments);
    expect(got[11]).to.include(3);
    expect([...(got[10] ?? []), ...(got[11] ?? [])].sort()).to.deep.equal([1, 2, 3]);
    expect(r.unassigned).to.deep.equal([{ callId: 4, reason: 'plans.assign.capacityExceeded', params: { operatorId: 1, language: 'sign' } }]);
    expect(assignCalls([call(5, { language: 'sign' })], [specialist(10, 5, ['uz'])]).unassigned[0].reason).to.equal('plans.assign.noLanguage');
  });

  it('matches languages whatever their case or spacing', () => {
    const r = assignCalls([call(1, { language: 'RU' })], [specialist(10, 1, [' ru '])]);
    expect(r.assignments.map((a) => a.specialistUserId)).to.deep.equal([10]);
    expect(parseLanguageList('uz, RU,,sign')).to.deep.equal(['uz', 'ru', 'sign']);
    expect(parseLanguageList(null)).to.deep.equal([]);
  });

  it('spreads each operator\'s calls across the specialists', () => {
    const calls = [1, 2, 3].flatMap((op) => [0, 1, 2].map((k) => call(op * 10 + k, { operatorId: op, rank: k })));
    const r = assignCalls(calls, [specialist(1, 10), specialist(2, 10), specialist(3, 10)]);
    for (const op of [1, 2, 3]) {
      const who = r.assignments.filter((a) => a.operatorId === op).map((a) => a.specialistUserId);
      expect(new Set(who).size, `operator ${op}`).to.equal(3);
    }
    expect(r.load.map((l) => l.assigned)).to.deep.equal([3, 3, 3]);
  });

  it('shares work in proportion to capacity, within one call', () => {
    const calls = Array.from({ length: 40 }, (_, i) => call(i + 1, { operatorId: (i % 7) + 1 }));
    const r = assignCalls(calls, [specialist(1, 30), specialist(2, 10), specialist(3, 40)]);
    // 40 calls over 80 places: half of each capacity
    for (const l of r.load) expect(Math.abs(l.assigned - l.capacity / 2), `specialist ${l.userId}`).to.be.at.most(1);
    expect(r.load.reduce((n, l) => n + l.assigned, 0)).to.equal(40);
  });

  it('fills everyone to capacity when there is just enough room', () => {
    const calls = Array.from({ length: 12 }, (_, i) => call(i + 1, { operatorId: (i % 5) + 1 }));
    const r = assignCalls(calls, [specialist(1, 7), specialist(2, 1), specialist(3, 4)]);
    expect(r.load.map((l) => l.assigned)).to.deep.equal([7, 1, 4]);
    expect(r.unassigned).to.deep.equal([]);
  });

  it('serves higher priority first, then every operator\'s best-ranked calls, when capacity runs short', () => {
    const r = assignCalls(
      [call(1, { operatorId: 1, rank: 0 }), call(2, { operatorId: 1, rank: 1 }), call(3, { operatorId: 2, rank: 0 }), call(4, { operatorId: 2, rank: 1, priority: 3 })],
      [specialist(1, 2)],
    );
    expect(r.assignments.map((a) => a.callId)).to.deep.equal([4, 1]);
    expect(r.unassigned.map((u) => u.callId)).to.deep.equal([3, 2]);
  });

  it('gives the same assignments whatever order calls and specialists come in', () => {
    const plan = drawPlan({ seed: 'assign', rules: { quota: { mode: 'perDay', calls: 4 } }, calls: [1, 2, 3, 4, 5].flatMap((op) => makeOperatorCalls(op, 12, op * 100, { language: op === 5 ? 'ru' : 'uz' })) });
    const staff = [specialist(7, 6, ['uz']), specialist(3, 8), specialist(5, 4, ['ru'])];
    const a = assignCalls(plan.picked, staff);
    expect(assignCalls(shuffled(plan.picked, 3), [...staff].reverse())).to.deep.equal(a);
    expect(a.assignments.length + a.unassigned.length).to.equal(20);
  });

  it('refuses to assign with nobody on duty', () => {
    expect(() => assignCalls([call(1)], [])).to.throw(PlanError).with.property('key', 'plans.assign.noSpecialists');
  });

  it('refuses a specialist listed twice, a negative capacity and a call listed twice', () => {
    expect(() => assignCalls([call(1)], [specialist(1, 2), specialist(1, 3)])).to.throw().with.property('key', 'plans.assign.duplicateSpecialist');
    expect(() => assignCalls([call(1)], [specialist(1, -1)])).to.throw().with.property('key', 'plans.assign.capacityInvalid');
    expect(() => assignCalls([call(1), call(1)], [specialist(1, 2)])).to.throw().with.property('key', 'plans.assign.duplicateCall');
  });
});
