import { expect } from 'chai';
import { composePlan, takesLanguage, type CarryCandidate, type Pick } from '../../../src/features/plans/compose';
import { PlanError } from '../../../src/features/plans/plan-rules';

const pick = (callId: number, o: Partial<Pick> = {}): Pick => ({ drawIndex: 0, callId, operatorId: 1, priority: 1, rank: 0, language: 'uz', ...o });
const carried = (assignmentId: number, callId: number, o: Partial<CarryCandidate> = {}): CarryCandidate => ({ assignmentId, callId, operatorId: 1, specialistUserId: 10, priority: 1, language: 'uz', ...o });

describe('composePlan()', () => {
  const staff = [
    { userId: 10, capacity: 2, languages: ['uz'] },
    { userId: 20, capacity: 2, languages: ['uz', 'ru'] },
  ];

  it('without carry-over every pick is assigned by assignCalls and keeps its draw index', () => {
    const out = composePlan([pick(1), pick(2, { drawIndex: 1, operatorId: 2 })], [], staff);
    expect(out.assignments.map((a) => [a.callId, a.drawIndex, a.origin, a.status])).to.have.deep.members([
      [1, 0, 'draw', 'new'],
      [2, 1, 'draw', 'new'],
    ]);
    expect(out.carriedSourceIds).to.deep.equal([]);
  });

  it('a carried call stays with its specialist when they are on duty with room, and uses up that room', () => {
    const out = composePlan([pick(1), pick(2, { operatorId: 2 }), pick(3, { operatorId: 3 })], [carried(100, 50)], staff);
    const kept = out.assignments.find((a) => a.callId === 50)!;
    expect(kept).to.include({ specialistUserId: 10, origin: 'carried', carriedFromId: 100, status: 'new', drawIndex: 0 });
    expect(out.load.find((l) => l.userId === 10)).to.deep.equal({ userId: 10, capacity: 2, carried: 1, assigned: 2 });
    expect(out.assignments.filter((a) => a.specialistUserId === 10)).to.have.length(2);
    expect(out.carriedSourceIds).to.deep.equal([100]);
  });

  it('a carried call whose specialist is not on duty goes to someone who is', () => {
    const out = composePlan([], [carried(100, 50, { specialistUserId: 99 })], staff);
    expect(out.assignments).to.have.length(1);
    expect(out.assignments[0]).to.include({ origin: 'carried', carriedFromId: 100, status: 'new' });
    expect([10, 20]).to.include(out.assignments[0].specialistUserId);
  });

  it('a carried call the draw picked again is not doubled: the draw’s assignment records where it came from', () => {
    const out = composePlan([pick(50)], [carried(100, 50)], staff);
    expect(out.assignments).to.have.length(1);
    expect(out.assignments[0]).to.include({ callId: 50, origin: 'draw', carriedFromId: 100 });
    expect(out.carriedSourceIds).to.deep.equal([100]);
  });

  it('what nobody can take is unassigned with its reason, carried calls included', () => {
    const out = composePlan([pick(1, { language: 'sign' })], [carried(100, 50, { specialistUserId: null, language: 'kaa' })], staff);
    expect(out.assignments.map((a) => [a.callId, a.status, a.reason, a.origin])).to.have.deep.members([
      [1, 'unassigned', 'plans.assign.noLanguage', 'draw'],
      [50, 'unassigned', 'plans.assign.noLanguage', 'carried'],
    ]);
  });

  it('higher-priority carried calls keep their specialist first when room is short', () => {
    const one = [{ userId: 10, capacity: 1, languages: ['uz'] }];
    const out = composePlan([], [carried(100, 50, { priority: 1 }), carried(101, 51, { priority: 3 })], one);
    expect(out.assignments.find((a) => a.callId === 51)!.status).to.equal('new');
    expect(out.assignments.find((a) => a.callId === 50)!).to.include({ status: 'unassigned', reason: 'plans.assign.capacityExceeded' });
  });

  it('refuses to compose with nobody on duty', () => {
    expect(() => composePlan([pick(1)], [], [])).to.throw(PlanError).with.property('key', 'plans.assign.noSpecialists');
  });
});

describe('takesLanguage()', () => {
  it('anyone takes an unknown or “other” language; otherwise only those who list it', () => {
    expect(takesLanguage(['uz'], null)).to.equal(true);
    expect(takesLanguage(['uz'], 'other')).to.equal(true);
    expect(takesLanguage(['uz'], 'UZ')).to.equal(true);
    expect(takesLanguage(['uz'], 'sign')).to.equal(false);
    expect(takesLanguage([], 'ru')).to.equal(false);
  });
});
