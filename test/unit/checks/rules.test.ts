// The automatic checks on synthetic calls whose facts are known: each gives the outcome a person
// would, cites its evidence, and says "cannot tell" — never "no" — when a fact is missing.
import { expect } from 'chai';
import { computeCallFacts, type FactsInput } from '../../../src/features/facts/compute';
import type { CallFacts } from '../../../src/features/facts/facts.model';
import type { AudioFacts } from '../../../src/features/media';
import { at, audioFacts, factsInput } from '../../helpers/facts-input';
import { runCheck } from '../../../src/features/checks/rules';
import { defaultParams, type CheckBinding } from '../../../src/features/checks/bindings';
import type { CheckId } from '../../../src/features/checks/catalog';

const NOW = new Date('2026-12-02T12:00:00.000Z');

// A 200-second stereo call: the operator first speaks 1.4 s after the answer; a 15.38 s silence at 02:31.
const audio = (o: Partial<AudioFacts> = {}) =>
  audioFacts({
    durationSec: 200,
    talkSec: [60, 70],
    silences: [{ startSec: 40, endSec: 44 }, { startSec: 151.02, endSec: 166.4 }],
    silenceSec: 19.38,
    longestSilenceSec: 15.38,
    overlaps: [{ startSec: 20, endSec: 21 }, { startSec: 80, endSec: 82.5 }],
    speech: [[{ startSec: 1.4, endSec: 10 }, { startSec: 20, endSec: 30 }], [{ startSec: 9, endSec: 21 }]],
    ...o,
  });

type CallPart = Partial<FactsInput['call']>;
// A 200-second call that an operator answered and routed to 103.
const facts = (o: Parameters<typeof factsInput>[0] = {}): CallFacts => computeCallFacts(factsInput(o, { endedAt: at(207), durationSec: 200, services: '103', operatorId: 5 }), '2026-12-02T00:00:00.000Z');
const recorded = (a: Partial<AudioFacts> = {}, call: CallPart = {}) => facts({ call: { recordingId: 9, ...call }, recording: { facts: audio(a), current: true, failed: false } });
const bind = (check: CheckId, params: Record<string, number> = {}): CheckBinding => ({ check, params: { ...defaultParams(check), ...params } });
const run = (check: CheckId, f: CallFacts | null, params: Record<string, number> = {}, now = NOW) => runCheck(bind(check, params), f, now);

describe('automatic checks: suggestions from known facts', () => {
  describe('answered within N s and greeting within M s (OPEN-1)', () => {
    it('passes a call answered after 7 s whose operator spoke 1.4 s after the answer, citing both', () => {
      const r = run('answerAndGreeting', recorded());
      expect(r.outcome).to.equal('pass');
      expect(r.evidence.map((e) => e.key)).to.deep.equal(['checks.evidence.answerDelay', 'checks.evidence.greeting']);
      expect(r.evidence[1]!.atSec).to.equal(1.4);
    });

    it('fails a call answered after 12 s even when the greeting was prompt', () => {
      expect(run('answerAndGreeting', recorded({}, { answeredAt: at(12) })).outcome).to.equal('fail');
    });

    it('fails a late greeting (operator first spoke 4.2 s after the answer)', () => {
      const r = run('answerAndGreeting', recorded({ speech: [[{ startSec: 4.2, endSec: 10 }], [{ startSec: 5, endSec: 8 }]] }));
      expect(r.outcome).to.equal('fail');
      expect(r.evidence.find((e) => e.key === 'checks.evidence.greeting')!.params).to.deep.equal({ sec: 4.2, limit: 3 });
    });

    it('cannot tell (not "no") without a recording, though the answer time is fine', () => {
      const r = run('answerAndGreeting', facts());
      expect(r.outcome).to.equal('unknown');
      expect(r.evidence.map((e) => e.key)).to.include('checks.unknown.noRecording');
    });

    it('still says no when the answer was late and the greeting cannot be known', () => {
      expect(run('answerAndGreeting', facts({ call: { answeredAt: at(30) } })).outcome).to.equal('fail');
    });

    it('cannot tell when the answer time is impossible (answered before offered) or missing', () => {
      const early = run('answeredWithin', facts({ call: { answeredAt: at(-5) } }));
      expect(early.outcome).to.equal('unknown');
      expect(early.evidence[0]).to.deep.include({ key: 'checks.unknown.badAnswerTime', params: { flag: 'answeredBeforeOffered' } });
      expect(run('answeredWithin', facts({ call: { answeredAt: null } })).outcome).to.equal('unknown');
    });

    it('cannot tell the greeting on a mono recording, or when the channels look swapped', () => {
      expect(run('greetingWithin', recorded({ channels: 1, talkSec: [90], speech: [[{ startSec: 1, endSec: 9 }]] })).evidence[0]!.key).to.equal('checks.unknown.monoRecording');
      const swapped = recorded({ speech: [[{ startSec: 6, endSec: 10 }], [{ startSec: 1, endSec: 4 }]] });
      expect(swapped.flags).to.include('channelsMaybeSwapped');
      expect(run('greetingWithin', swapped).outcome).to.equal('unknown');
    });

    it('cannot tell while the recording is still being measured', () => {
      const f = facts({ call: { recordingId: 9 }, recording: { facts: null, current: false, failed: false } });
      expect(run('greetingWithin', f).evidence[0]!.key).to.equal('checks.unknown.audioPending');
    });

    it('does not apply to a call nobody answered', () => {
      expect(run('answerAndGreeting', facts({ call: { answeredAt: null, operatorId: null, services: null } })).outcome).to.equal('na');
    });
  });

  describe('no silence over 15 s (INFO-5)', () => {
    it('fails with the silence at 02:31 as evidence, which the page can play', () => {
      const r = run('silence', recorded());
      expect(r.outcome).to.equal('fail');
      expect(r.evidence).to.deep.equal([{ key: 'checks.evidence.silence', params: { sec: 15.4 }, atSec: 151.02, endSec: 166.4 }]);
    });

    it('passes when no silence is longer than the threshold', () => {
      expect(run('silence', recorded(), { maxSec: 20 }).outcome).to.equal('pass');
    });

    it('cannot tell without a measurable recording (none, unreadable, clipped throughout)', () => {
      expect(run('silence', facts()).outcome).to.equal('unknown');
      expect(run('silence', facts({ call: { recordingId: 9 }, recording: { facts: null, current: false, failed: true } })).evidence[0]!.key).to.equal('checks.unknown.recordingUnreadable');
      expect(run('silence', recorded({ clippedShare: [0.9, 0.9] })).evidence[0]!.key).to.equal('checks.unknown.recordingClipped');
    });

    it('lists at most five silences and counts the rest', () => {
      const many = Array.from({ length: 8 }, (_, i) => ({ startSec: i * 30, endSec: i * 30 + 20 }));
      const r = run('silence', recorded({ silences: many }));
      expect(r.evidence).to.have.length(6);
      expect(r.evidence[5]).to.deep.equal({ key: 'checks.evidence.more', params: { count: 3 } });
    });
  });

  describe('talk-over under N s (COMM-1)', () => {
    it('passes 3.5 s of talk-over under a 10 s limit and fails it under a 3 s one, with the moments', () => {
      expect(run('talkOver', recorded()).outcome).to.equal('pass');
      const r = run('talkOver', recorded(), { maxSec: 3 });
      expect(r.outcome).to.equal('fail');
      expect(r.evidence.filter((e) => e.atSec !== undefined).map((e) => e.atSec)).to.deep.equal([20, 80]);
    });

    it('cannot tell on a mono recording', () => {
      expect(run('talkOver', recorded({ channels: 1, talkSec: [90], speech: [[{ startSec: 1, endSec: 9 }]] })).outcome).to.equal('unknown');
    });
  });

  describe('card complete (CARD-1)', () => {
    it('fails an incomplete card and names the missing fields', () => {
      const r = run('cardComplete', facts({ card: { completeness: 0.75, missingFields: ['address', 'operatorNotes'] } }));
      expect(r.outcome).to.equal('fail');
      expect(r.evidence[0]).to.deep.include({ key: 'checks.evidence.cardMissing', fields: ['address', 'operatorNotes'] });
    });

    it('passes a complete card, and cannot tell without one', () => {
      expect(run('cardComplete', facts({ card: { completeness: 1, missingFields: [] } })).outcome).to.equal('pass');
      expect(run('cardComplete', facts()).evidence[0]!.key).to.equal('checks.unknown.noCard');
    });
  });

  describe('dropped call called back within 10 minutes, at most 3 attempts (CLOSE-2)', () => {
    const END = 207;
    const cb = (id: number, afterSec: number, reached: boolean) => ({ id, startedAt: at(END + afterSec), answeredAt: reached ? at(END + afterSec + 5) : null, recordingId: null });

    it('does not apply when the call did not drop', () => {
      expect(run('callback', facts()).outcome).to.equal('na');
    });

    it('passes a caller reached on the second attempt 4 minutes after the drop', () => {
      const r = run('callback', facts({ call: { dropped: true }, callbacks: [cb(2, 60, false), cb(3, 240, true)] }));
      expect(r.outcome).to.equal('pass');
      expect(r.evidence.map((e) => e.key)).to.deep.equal(['checks.evidence.callbackAttempt', 'checks.evidence.callbackReached']);
    });

    it('passes three unanswered attempts, the first within the window (the duty done)', () => {
      expect(run('callback', facts({ call: { dropped: true }, callbacks: [cb(2, 60, false), cb(3, 300, false), cb(4, 900, false)] })).outcome).to.equal('pass');
    });

    it('fails a first callback after 25 minutes, once the window is closed', () => {
      expect(run('callback', facts({ call: { dropped: true }, callbacks: [cb(2, 1500, true)] })).outcome).to.equal('fail');
    });

    it('cannot tell while the window is still open, and says when it closes', () => {
      const now = new Date(Date.parse(at(END + 120)));
      const r = run('callback', facts({ call: { dropped: true } }), {}, now);
      expect(r.outcome).to.equal('unknown');
      expect(r.recheckAt).to.equal(at(END + 600));
      expect(run('callback', facts({ call: { dropped: true } }), {}, new Date(Date.parse(at(END + 601)))).outcome).to.equal('fail');
    });

    it('does not count a callback dated before the call ended, and says so', () => {
      const r = run('callback', facts({ call: { dropped: true }, callbacks: [cb(2, -120, true)] }));
      expect(r.outcome).to.equal('fail');
      expect(r.evidence.map((e) => e.key)).to.include('checks.evidence.callbackBeforeCall');
    });
  });

  it('cannot tell anything about a call whose facts are not computed', () => {
    for (const check of ['answerAndGreeting', 'callback', 'cardComplete', 'silence', 'talkOver', 'hold'] as const) expect(run(check, null).outcome).to.equal('unknown');
  });
});
