import { expect } from 'chai';
import { canEdit, canReopen, canView, clampMark, MARK_ERROR_KEYS as M, validateMarks, type Viewer } from '../../../src/features/evaluations/evaluation-rules';

const specialist: Viewer = { id: 1, role: 'specialist', supervisedTeamIds: [] };
const otherSpecialist: Viewer = { id: 2, role: 'specialist', supervisedTeamIds: [] };
const supervisor: Viewer = { id: 3, role: 'supervisor', supervisedTeamIds: [10] };
const otherSupervisor: Viewer = { id: 4, role: 'supervisor', supervisedTeamIds: [20] };
const admin: Viewer = { id: 5, role: 'admin', supervisedTeamIds: [] };
const leadership: Viewer = { id: 6, role: 'leadership', supervisedTeamIds: [] };
const operator: Viewer = { id: 7, role: 'operator', supervisedTeamIds: [] };

const of = (status: string, operatorTeamId: number | null = 10) => ({ specialistUserId: 1, operatorTeamId, status });

describe('evaluation rules', () => {
  describe('canView()', () => {
    it('lets the owner and admins see any status, and no other specialist', () => {
      for (const s of ['draft', 'submitted', 'reopened']) {
        expect(canView(specialist, of(s)), s).to.equal(true);
        expect(canView(admin, of(s)), s).to.equal(true);
        expect(canView(otherSpecialist, of(s)), s).to.equal(false);
      }
    });

    it("lets the team's supervisor see it once handed in (also reopened), never a draft or another team's", () => {
      expect(canView(supervisor, of('submitted'))).to.equal(true);
      expect(canView(supervisor, of('reopened'))).to.equal(true);
      expect(canView(supervisor, of('draft'))).to.equal(false);
      expect(canView(otherSupervisor, of('submitted'))).to.equal(false);
      expect(canView(supervisor, of('submitted', null))).to.equal(false);
    });

    it('never shows one to leadership or operators', () => {
      expect(canView(leadership, of('submitted'))).to.equal(false);
      expect(canView(operator, of('submitted'))).to.equal(false);
    });
  });

  describe('canEdit() and canReopen()', () => {
    it('only the owning specialist edits, and only a draft or a reopened one', () => {
      expect(canEdit(specialist, of('draft'))).to.equal(true);
      expect(canEdit(specialist, of('reopened'))).to.equal(true);
      expect(canEdit(specialist, of('submitted'))).to.equal(false);
      expect(canEdit(otherSpecialist, of('draft'))).to.equal(false);
      expect(canEdit(admin, of('draft'))).to.equal(false);
      expect(canEdit(supervisor, of('reopened'))).to.equal(false);
    });

    it("a submitted one is reopened by the team's supervisor or an admin", () => {
      expect(canReopen(supervisor, of('submitted'))).to.equal(true);
      expect(canReopen(admin, of('submitted'))).to.equal(true);
      expect(canReopen(otherSupervisor, of('submitted'))).to.equal(false);
      expect(canReopen(specialist, of('submitted'))).to.equal(false);
      expect(canReopen(supervisor, of('draft'))).to.equal(false);
      expect(canReopen(admin, of('reopened'))).to.equal(false);
    });
  });

  describe('validateMarks()', () => {
    const codes = new Set(['OPEN-1', 'INFO-2']);
    const mark = (o: Partial<Parameters<typeof validateMarks>[0][number]> = {}) => ({ key: 'k', startSec: 1, endSec: 2, note: '', criterionCode: null, severity: null, isError: false, ...o });

    it('accepts marks within the audio, on known criteria, with a known severity', () => {
      expect(validateMarks([mark({ criterionCode: 'INFO-2', severity: 'major' }), mark({ key: 'j', startSec: 0, endSec: 95 })], { durationSec: 95, criterionCodes: codes })).to.deep.equal([]);
    });

    it('allows a hair past the end (browser and ffprobe durations differ) but not more', () => {
      expect(validateMarks([mark({ endSec: 95.2 })], { durationSec: 95, criterionCodes: codes })).to.deep.equal([]);
      expect(validateMarks([mark({ endSec: 96 })], { durationSec: 95, criterionCodes: codes })).to.deep.equal([
        { path: 'marks.0.endSec', key: M.outsideAudio, params: { duration: 95 } },
      ]);
    });

    it('reports each problem at its mark', () => {
      const errors = validateMarks([
        mark({ startSec: -1 }),
        mark({ key: 'b', startSec: 5, endSec: 5 }),
        mark({ key: 'c', criterionCode: 'NOPE-1' }),
        mark({ key: 'd', severity: 'huge' }),
        mark({ key: 'd' }),
      ], { durationSec: 95, criterionCodes: codes });
      expect(errors.map((e) => [e.path, e.key])).to.deep.equal([
        ['marks.0.startSec', M.invalidTimes],
        ['marks.1.startSec', M.invalidTimes],
        ['marks.2.criterionCode', M.unknownCriterion],
        ['marks.3.severity', M.unknownSeverity],
        ['marks.4.key', M.duplicateKey],
      ]);
    });

    it('checks only the order when the duration is unknown', () => {
      expect(validateMarks([mark({ startSec: 5000, endSec: 5010 })], { durationSec: null, criterionCodes: codes })).to.deep.equal([]);
    });

    it('clampMark() keeps a tolerated overshoot inside the audio', () => {
      expect(clampMark({ startSec: 94, endSec: 95.2 }, 95)).to.deep.equal({ startSec: 94, endSec: 95 });
      expect(clampMark({ startSec: 94, endSec: 95.2 }, null)).to.deep.equal({ startSec: 94, endSec: 95.2 });
    });
  });
});
