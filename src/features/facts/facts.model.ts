// The facts of one call: the contract other features read (the Service KPI page, the automatic
// checks, the targeted plan stratum). Stored per call in `call_facts` (typed columns for what
// KPIs add up, `flags` and `evidence` as JSON); described for people in docs/facts.md.
// Units: seconds (float) for every *_sec, 0..1 for shares and completeness, ISO-8601 UTC instants.
// A null number means "unknown" — never 0: a call without a recording has no talk time, not 0 s.
import type { TimeSegment } from '../media';

/** Bumped whenever a rule below changes: every stored row with an older version is recomputed. */
export const FACTS_VERSION = 1;

export type AnswerState = 'answered' | 'abandoned' | 'unknown';
/**
 * none: the call has no recording. pending: its analysis is not made yet. measured: audio facts
 * below are from the recording. failed: the recording could not be decoded. unusable: decoded,
 * but nothing can be measured in it (fully clipped).
 */
export type AudioState = 'none' | 'pending' | 'measured' | 'failed' | 'unusable';

/** Bad input found and doubts about a number, each a code with a translation (facts.flag.<code>). */
export const FACT_FLAGS = [
  'answeredBeforeOffered',
  'answerDelayOver24h',
  'answerTimeMissing',
  'endedBeforeAnswered',
  'durationNegative',
  'durationOver24h',
  'callbackBeforeCall',
  'recordingUnreadable',
  'recordingClipped',
  'clipping',
  'noSpeech',
  'oneSideSilent',
  'channelsMaybeSwapped',
  'monoRecording',
  'noSoundTrack',
] as const;
export type FactFlag = (typeof FACT_FLAGS)[number];

/** Flags that say the input itself was wrong (as opposed to a doubt about the audio). */
export const BAD_INPUT_FLAGS: readonly FactFlag[] = ['answeredBeforeOffered', 'answerDelayOver24h', 'endedBeforeAnswered', 'durationNegative', 'durationOver24h', 'callbackBeforeCall'];

export interface CallbackEvidence {
  callId: number;
  startedAt: string;
  /** Seconds from the end of the dropped call to this attempt. */
  afterSec: number;
  reached: boolean;
  /** false: dated before the call ended, so not a callback of it (flag callbackBeforeCall). */
  counted: boolean;
}

export interface FactsEvidence {
  inputs: { startedAt: string; answeredAt: string | null; endedAt: string | null; statedDurationSec: number | null; dropped: boolean };
  callbacks: CallbackEvidence[];
  audio: {
    operatorChannel: number;
    /** Seconds into the recording (recording time 0 = answer) of each channel's first speech, null when it never speaks. */
    firstSpeechSec: (number | null)[];
    silences: TimeSegment[];
    holds: TimeSegment[];
    overlaps: TimeSegment[];
    clippedShare: number[];
    vadVersion: number | null;
  } | null;
}

export interface CallFacts {
  callId: number;
  factsVersion: number;
  computedAt: string;
  answerState: AnswerState;
  answerDelaySec: number | null;
  durationSec: number | null;
  dropped: boolean;
  callbackAttempts: number;
  firstCallbackSec: number | null;
  callbackReached: boolean | null;
  reachedCallbackSec: number | null;
  attemptsToReach: number | null;
  cardPresent: boolean;
  cardComplete: boolean | null;
  cardCompleteness: number | null;
  cardMissingFields: string[];
  reviewedAt: string | null;
  reviewLagSec: number | null;
  audioState: AudioState;
  recordingDurationSec: number | null;
  operatorChannel: number | null;
  operatorTalkSec: number | null;
  callerTalkSec: number | null;
  talkSec: number | null;
  talkShare: number | null;
  silenceCount: number | null;
  silenceTotalSec: number | null;
  silenceLongestSec: number | null;
  holdCount: number | null;
  holdTotalSec: number | null;
  holdLongestSec: number | null;
  talkOverSec: number | null;
  talkOverCount: number | null;
  greetingLatencySec: number | null;
  flags: FactFlag[];
  evidence: FactsEvidence;
}
