import { expect } from 'chai';
import { callEnd, computeCallFacts, unionSeconds, type FactsInput } from '../../../src/features/facts/compute';
import type { AudioFacts } from '../../../src/features/media';
import { AT, at, audioFacts, factsInput } from '../../helpers/facts-input';


const audio = audioFacts;

const input = (o: Parameters<typeof factsInput>[0] = {}) => factsInput(o);

const compute = (i: FactsInput) => computeCallFacts(i, '2026-12-02T00:00:00.000Z');

describe('facts: computeCallFacts()', () => {
  describe('answering', () => {
    it('gives the answer delay (answered − offered) and the connected duration', () => {
      const f = compute(input());
      expect(f).to.include({ answerState: 'answered', answerDelaySec: 7, durationSec: 120 });
      expect(f.flags).to.deep.equal([]);
    });

    it('calls a call offered and never answered abandoned, with no duration', () => {
      const f = compute(input({ call: { answeredAt: null, endedAt: at(35), durationSec: 35 } }));
      expect(f).to.include({ answerState: 'abandoned', answerDelaySec: null, durationSec: null });
    });

    it('says "unknown" for a call with neither an answer nor an end yet (still ringing, or incomplete data)', () => {
      expect(compute(input({ call: { answeredAt: null, endedAt: null, durationSec: null } })).answerState).to.equal('unknown');
    });

    it('counts a call without an answer time as answered when it was handled (recording, operator, card, services), the delay unknown and said so', () => {
      const f = compute(input({ call: { answeredAt: null, recordingId: 5 } }));
      expect(f).to.include({ answerState: 'answered', answerDelaySec: null, durationSec: 120 });
      expect(f.flags).to.include('answerTimeMissing');
      expect(compute(input({ call: { answeredAt: null, services: '103' } })).answerState).to.equal('answered');
      expect(compute(input({ call: { answeredAt: null, operatorId: 4 } })).answerState).to.equal('answered');
      expect(compute(input({ call: { answeredAt: null }, card: { completeness: 1, missingFields: [] } })).answerState).to.equal('answered');
    });

    it('counts a callback attempt as answered only when the caller picked up (an answer time or a recording)', () => {
      expect(compute(input({ call: { answeredAt: null, operatorId: 4, isCallback: true, endedAt: at(30) } })).answerState).to.equal('abandoned');
      expect(compute(input({ call: { answeredAt: null, operatorId: 4, isCallback: true, recordingId: 2 } })).answerState).to.equal('answered');
    });

    it('never gives a negative delay: answered before offered is flagged instead', () => {
      const f = compute(input({ call: { answeredAt: at(-30) } }));
      expect(f).to.include({ answerState: 'answered', answerDelaySec: null, durationSec: null });
      expect(f.flags).to.deep.equal(['answeredBeforeOffered']);
    });

    it('refuses an answer more than a day after the offer', () => {
      const f = compute(input({ call: { answeredAt: at(90_000), endedAt: at(90_100) } }));
      expect(f.answerDelaySec).to.equal(null);
      expect(f.flags).to.include('answerDelayOver24h');
    });
  });

  describe('duration', () => {
    it('flags a stated duration over 24 hours or below zero, and uses neither', () => {
      const over = compute(input({ call: { answeredAt: null, endedAt: null, durationSec: 90_000, recordingId: 3 } }));
      expect(over.durationSec).to.equal(null);
      expect(over.flags).to.include('durationOver24h');
      const negative = compute(input({ call: { answeredAt: null, endedAt: null, durationSec: -5, recordingId: 3 } }));
      expect(negative.durationSec).to.equal(null);
      expect(negative.flags).to.include('durationNegative');
    });

    it('flags an end before the answer', () => {
      const f = compute(input({ call: { answeredAt: at(10), endedAt: at(5) } }));
      expect(f.durationSec).to.equal(null);
      expect(f.flags).to.include('endedBeforeAnswered');
    });
  });

  describe('callbacks', () => {
    const dropped = { dropped: true, endedAt: at(60) };
    it('counts attempts, the time to the first, and whether and when one reached the caller', () => {
      const f = compute(
        input({
          call: dropped,
          callbacks: [
            { id: 12, startedAt: at(60 + 300), answeredAt: at(60 + 310), recordingId: 9 },
            { id: 11, startedAt: at(60 + 120), answeredAt: null, recordingId: null },
          ],
        }),
      );
      expect(f).to.include({ callbackAttempts: 2, firstCallbackSec: 120, callbackReached: true, reachedCallbackSec: 300, attemptsToReach: 2 });
    });

    it('says a dropped call with no callback was not reached; a call that did not drop has no callback verdict', () => {
      expect(compute(input({ call: dropped }))).to.include({ callbackAttempts: 0, callbackReached: false, firstCallbackSec: null });
      expect(compute(input()).callbackReached).to.equal(null);
    });

    it('does not count a callback dated before the call ended, and flags it', () => {
      const f = compute(input({ call: dropped, callbacks: [{ id: 13, startedAt: at(-600), answeredAt: at(-590), recordingId: null }] }));
      expect(f).to.include({ callbackAttempts: 0, callbackReached: false });
      expect(f.flags).to.include('callbackBeforeCall');
      expect(f.evidence.callbacks[0]).to.include({ callId: 13, counted: false });
    });

    it('allows a few seconds of clock difference between the two systems', () => {
      const f = compute(input({ call: dropped, callbacks: [{ id: 14, startedAt: at(58), answeredAt: at(60), recordingId: null }] }));
      expect(f).to.include({ callbackAttempts: 1, callbackReached: true, firstCallbackSec: 0 });
    });

    it('measures callbacks from the stated end when there is no end time', () => {
      expect(callEnd({ startedAt: AT, answeredAt: at(5), endedAt: null, durationSec: 60 })).to.equal(at(65));
      expect(callEnd({ startedAt: AT, answeredAt: null, endedAt: null, durationSec: null })).to.equal(AT);
    });
  });

  describe('card and review', () => {
    it('keeps the card completeness and its missing mandatory fields', () => {
      const f = compute(input({ card: { completeness: 0.75, missingFields: ['address', 'coordinates'] } }));
      expect(f).to.include({ cardPresent: true, cardComplete: false, cardCompleteness: 0.75 });
      expect(f.cardMissingFields).to.deep.equal(['address', 'coordinates']);
      expect(compute(input({ card: { completeness: 1, missingFields: [] } })).cardComplete).to.equal(true);
      expect(compute(input())).to.include({ cardPresent: false, cardComplete: null, cardCompleteness: null });
    });

    it('gives the review lag from the end of the call to the first submitted evaluation', () => {
      const f = compute(input({ firstReviewAt: at(127 + 3 * 86400) }));
      expect(f.reviewLagSec).to.equal(3 * 86400);
    });
  });

  describe('from the recording', () => {
    const rec = (o: Partial<AudioFacts> = {}): Parameters<typeof input>[0] => ({ recording: { facts: audio(o), current: true, failed: false }, call: { recordingId: 5 } });

    it('leaves every audio fact unknown (null, not 0) for a call without a recording', () => {
      const f = compute(input());
      expect(f.audioState).to.equal('none');
      for (const k of ['operatorTalkSec', 'callerTalkSec', 'talkSec', 'talkShare', 'silenceCount', 'holdCount', 'talkOverSec', 'greetingLatencySec'] as const) expect(f[k], k).to.equal(null);
    });

    it('measures talk per side, talk share, silences, holds, talk-over and the greeting', () => {
      const f = compute(input(rec()));
      expect(f).to.include({
        audioState: 'measured', operatorChannel: 0, operatorTalkSec: 40, callerTalkSec: 50, talkShare: 0.444, silenceCount: 2, silenceTotalSec: 44, silenceLongestSec: 40,
        holdCount: 1, holdTotalSec: 40, holdLongestSec: 40, talkOverSec: 3.5, talkOverCount: 1, greetingLatencySec: 1.2, talkSec: 28.8,
      });
      expect(f.evidence.audio!.holds).to.deep.equal([{ startSec: 60, endSec: 100 }]);
    });

    it('reads the sides the other way round when the source has the operator on the right', () => {
      const f = compute({ ...input(rec()), operatorChannel: 1 });
      expect(f).to.include({ operatorChannel: 1, operatorTalkSec: 50, callerTalkSec: 40, greetingLatencySec: 9, talkShare: 0.556 });
      expect(f.flags).to.include('channelsMaybeSwapped');
    });

    it('waits for an analysis not made yet, or made by an older detector', () => {
      expect(compute(input({ call: { recordingId: 5 }, recording: { facts: null, current: false, failed: false } })).audioState).to.equal('pending');
      expect(compute(input({ call: { recordingId: 5 }, recording: { facts: audio(), current: false, failed: false } })).audioState).to.equal('pending');
    });

    it('says a recording that cannot be decoded failed', () => {
      const f = compute(input({ call: { recordingId: 5 }, recording: { facts: null, current: false, failed: true } }));
      expect(f.audioState).to.equal('failed');
      expect(f.flags).to.include('recordingUnreadable');
    });

    it('says so for a silence-only recording: no speech, zero talk, no share and no greeting (no division by zero)', () => {
      const f = compute(input(rec({ talkSec: [0, 0], speech: [[], []], silences: [{ startSec: 0, endSec: 120 }], overlapSec: 0, overlaps: [] })));
      expect(f).to.include({ audioState: 'measured', operatorTalkSec: 0, callerTalkSec: 0, talkSec: 0, talkShare: null, greetingLatencySec: null, silenceCount: 1 });
      expect(f.flags).to.include('noSpeech');
      expect(f.flags).not.to.include('oneSideSilent');
    });

    it('measures nothing in a recording clipped throughout, and says why', () => {
      const f = compute(input(rec({ clippedShare: [0.99, 0.97], talkSec: [0, 0], speech: [[], []] })));
      expect(f.audioState).to.equal('unusable');
      expect(f.operatorTalkSec).to.equal(null);
      expect(f.flags).to.include('recordingClipped');
      expect(compute(input(rec({ clippedShare: [0.02, 0] }))).flags).to.include('clipping');
    });

    it('has no sides in a mono recording: talk in all, nothing per side, no greeting', () => {
      const f = compute(input(rec({ channels: 1, talkSec: [70], speech: [[{ startSec: 0.5, endSec: 70.5 }]], overlapSec: null, overlaps: null })));
      expect(f).to.include({ talkSec: 70, operatorTalkSec: null, callerTalkSec: null, talkShare: null, talkOverSec: null, greetingLatencySec: null });
      expect(f.flags).to.include('monoRecording');
    });

    it('notices one side never speaking', () => {
      expect(compute(input(rec({ talkSec: [40, 0], speech: [[{ startSec: 1, endSec: 41 }], []] }))).flags).to.include('oneSideSilent');
    });
  });

  it('unionSeconds() counts time covered by either side once', () => {
    expect(unionSeconds([[{ startSec: 0, endSec: 10 }], [{ startSec: 5, endSec: 12 }, { startSec: 20, endSec: 21 }]])).to.equal(13);
    expect(unionSeconds([[], []])).to.equal(0);
  });
});
