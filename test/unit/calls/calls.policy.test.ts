import { expect } from 'chai';
import { canEvaluate, canHearCall, canViewCall, isPlaybackStart, type Viewer } from '../../../src/features/calls/calls.policy';
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

describe('what counts as starting a playback (audited as recording.play)', () => {
  it('a GET without Range, or from byte 0 with an open end, starts a playback', () => {
    expect(isPlaybackStart('GET', undefined)).to.equal(true);
    expect(isPlaybackStart('GET', '')).to.equal(true);
    expect(isPlaybackStart('GET', 'bytes=0-')).to.equal(true);
    expect(isPlaybackStart('get', ' bytes = 0 - ')).to.equal(true);
  });

  it('seeks, buffering further on, small probes and HEAD do not', () => {
    expect(isPlaybackStart('GET', 'bytes=1024-')).to.equal(false);
    expect(isPlaybackStart('GET', 'bytes=0-1')).to.equal(false);
    expect(isPlaybackStart('GET', 'bytes=100-200')).to.equal(false);
    expect(isPlaybackStart('GET', 'bytes=-500')).to.equal(false);
    expect(isPlaybackStart('HEAD', undefined)).to.equal(false);
  });
});
