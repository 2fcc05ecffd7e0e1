import { expect } from 'chai';
import { canEvaluate, canHearCall, canViewCall, LISTENING_WINDOW_MS, startsListening, type Viewer } from '../../../src/features/calls/calls.policy';
import type { Role } from '../../../src/auth/roles';

const viewer = (role: Role, id = 10, operatorId: number | null = null): Viewer => ({ id, role, operatorId });
const call = { operatorId: 5, teamSupervisorUserId: 10 };

describe('who may see and hear a call', () => {
  it('admins and specialists see and hear every call', () => {
    for (const role of ['admin', 'specialist'] as const) {
      expect(canViewCall(viewer(role, 99), call)).to.equal(true);
      expect(canHearCall(viewer(role, 99), call)).to.equal(true);
    }
  });

  it('a supervisor sees and hears only calls of operators in the teams they supervise', () => {
    expect(canHearCall(viewer('supervisor', 10), call)).to.equal(true);
    expect(canViewCall(viewer('supervisor', 11), call)).to.equal(false);
    expect(canHearCall(viewer('supervisor', 11), call)).to.equal(false);
    expect(canViewCall(viewer('supervisor', 10), { operatorId: 5, teamSupervisorUserId: null })).to.equal(false);
  });

  it('leadership sees no call and hears no recording', () => {
    expect(canViewCall(viewer('leadership'), call)).to.equal(false);
    expect(canHearCall(viewer('leadership'), call)).to.equal(false);
  });

  it('an operator account sees and hears its own calls only', () => {
    expect(canHearCall(viewer('operator', 1, 5), call)).to.equal(true);
    expect(canHearCall(viewer('operator', 1, 6), call)).to.equal(false);
    expect(canViewCall(viewer('operator', 1, null), { operatorId: null, teamSupervisorUserId: null })).to.equal(false);
  });

  it('only specialists evaluate', () => {
    expect((['admin', 'specialist', 'supervisor', 'leadership', 'operator'] as const).filter(canEvaluate)).to.deep.equal(['specialist']);
  });
});

describe('what counts as starting a listening (audited as recording.play)', () => {
  const now = new Date('2026-11-25T10:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it('the first audio request of a user for a call starts one, whatever its Range', () => {
    expect(startsListening('GET', null, now)).to.equal(true);
    expect(startsListening('get', null, now)).to.equal(true);
  });

  it('requests within the window are the same listening; after it, a new one starts', () => {
    expect(startsListening('GET', ago(1000), now)).to.equal(false);
    expect(startsListening('GET', ago(LISTENING_WINDOW_MS - 1), now)).to.equal(false);
    expect(startsListening('GET', ago(LISTENING_WINDOW_MS), now)).to.equal(true);
    expect(startsListening('GET', ago(3 * LISTENING_WINDOW_MS), now)).to.equal(true);
  });

  it('HEAD carries no audio and never counts', () => {
    expect(startsListening('HEAD', null, now)).to.equal(false);
  });
});
