// The inputs of a call's facts for tests of the facts and of the checks: a call offered at AT and
// answered 7 s later, and a recording's audio facts (a stereo call with two silences, one
// talk-over and known speech), each field overridable.
import type { FactsInput } from '../../src/features/facts/compute';
import type { AudioFacts } from '../../src/features/media';

export const AT = '2026-12-01T10:00:00.000Z';
export const at = (sec: number) => new Date(Date.parse(AT) + sec * 1000).toISOString();

type InputOverrides = Partial<Omit<FactsInput, 'call'>> & { call?: Partial<FactsInput['call']> };

/** A call's facts input; `callBase` changes the call's defaults, `o` overrides per test. */
export function factsInput(o: InputOverrides = {}, callBase: Partial<FactsInput['call']> = {}): FactsInput {
  return {
    card: null,
    callbacks: [],
    firstReviewAt: null,
    recording: null,
    operatorChannel: 0,
    holdMinSeconds: 30,
    ...o,
    call: { id: 1, startedAt: AT, answeredAt: at(7), endedAt: at(127), durationSec: 120, dropped: false, recordingId: null, services: null, operatorId: null, isCallback: false, ...callBase, ...o.call },
  };
}

export function audioFacts(o: Partial<AudioFacts> = {}): AudioFacts {
  return {
    durationSec: 120,
    channels: 2,
    talkSec: [40, 50],
    silences: [{ startSec: 30, endSec: 34 }, { startSec: 60, endSec: 100 }],
    silenceSec: 44,
    longestSilenceSec: 40,
    overlapSec: 3.5,
    overlaps: [{ startSec: 20, endSec: 21 }],
    speech: [[{ startSec: 1.2, endSec: 10 }, { startSec: 20, endSec: 30 }], [{ startSec: 9, endSec: 21 }]],
    clippedShare: [0, 0],
    vad: { frameMs: 20, thresholdDb: [-50, -50], noiseFloorDb: [-60, -60], version: 2 },
    ...o,
  };
}
