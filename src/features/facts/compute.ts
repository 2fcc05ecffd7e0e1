// How a call's facts are made from what is stored about it. Pure: the inputs are plain rows, the
// output the row `call_facts` keeps; the rules are documented in docs/facts.md and unit tested.
// Bad input never becomes a wrong number: an impossible value gives null with a flag saying why.
import type { AudioFacts, TimeSegment } from '../media';
import { FACTS_VERSION, type AnswerState, type AudioState, type CallbackEvidence, type CallFacts, type FactFlag, type FactsEvidence } from './facts.model';

/** Longest plausible answer delay or call: a day. */
export const MAX_PLAUSIBLE_SEC = 24 * 3600;
/** A callback may be dated this much before the recorded end (two systems' clocks) and still count. */
export const CALLBACK_CLOCK_TOLERANCE_SEC = 5;
/** The caller side's first speech this much before the operator's suggests the sides are swapped. */
export const SWAP_LEAD_SEC = 1;
/** More than this share of samples at full scale: nothing in the recording can be measured. */
export const UNUSABLE_CLIP_SHARE = 0.5;
/** At least this share at full scale: levels (and so talk times) may mislead. */
export const CLIPPING_SHARE = 0.01;

export interface FactsCall {
  id: number;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  dropped: boolean;
  recordingId: number | null;
  /** Emergency services the card was routed to (comma list): somebody handled the call. */
  services: string | null;
  operatorId: number | null;
  /** A callback (outbound, `callback_of_call_id` set): answered only when the caller picked up. */
  isCallback: boolean;
}

export interface FactsCallback {
  id: number;
  startedAt: string;
  answeredAt: string | null;
  recordingId: number | null;
}

export interface FactsRecording {
  /** A video without a sound track (sign language): there is no audio to measure. */
  silent?: boolean;
  facts: AudioFacts | null;
  /** The stored analysis was made by the current detector (else the audio facts wait for a new one). */
  current: boolean;
  failed: boolean;
}

export interface FactsInput {
  call: FactsCall;
  card: { completeness: number | null; missingFields: string[] } | null;
  /** Calls made back for this one (callback_of_call_id), any order. */
  callbacks: FactsCallback[];
  /** When the first regular evaluation of the call was submitted. */
  firstReviewAt: string | null;
  recording: FactsRecording | null;
  /** Which channel is the operator for the call's source (0 = left). */
  operatorChannel: number;
  holdMinSeconds: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const seconds = (fromIso: string, toIso: string) => round3((Date.parse(toIso) - Date.parse(fromIso)) / 1000);

/** All the facts of one call. Pure. */
export function computeCallFacts(input: FactsInput, computedAt: string): CallFacts {
  const { call } = input;
  const flags = new Set<FactFlag>();

  // ---- answer --------------------------------------------------------------------------------
  let answerState: AnswerState;
  let answerDelaySec: number | null = null;
  let answeredValid = false;
  if (call.answeredAt) {
    answerState = 'answered';
    const d = seconds(call.startedAt, call.answeredAt);
    if (d < 0) flags.add('answeredBeforeOffered');
    else if (d > MAX_PLAUSIBLE_SEC) flags.add('answerDelayOver24h');
    else {
      answerDelaySec = d;
      answeredValid = true;
    }
  } else if (handled(call, input.card !== null)) {
    // A recording — or, for a call that came in, an operator, a card or services dispatched —
    // means somebody answered; when is unknown.
    answerState = 'answered';
    flags.add('answerTimeMissing');
  } else if (call.endedAt) {
    answerState = 'abandoned';
  } else {
    answerState = 'unknown';
  }

  // ---- duration (connected time) -------------------------------------------------------------
  let durationSec: number | null = null;
  if (call.endedAt && Date.parse(call.endedAt) < Date.parse(call.startedAt)) flags.add('durationNegative');
  if (call.durationSec !== null && call.durationSec < 0) flags.add('durationNegative');
  if (call.durationSec !== null && call.durationSec > MAX_PLAUSIBLE_SEC) flags.add('durationOver24h');
  if (answerState === 'answered') {
    if (answeredValid && call.endedAt) {
      const d = seconds(call.answeredAt!, call.endedAt);
      if (d < 0) flags.add('endedBeforeAnswered');
      else if (d > MAX_PLAUSIBLE_SEC) flags.add('durationOver24h');
      else durationSec = d;
    } else if (call.durationSec !== null && call.durationSec >= 0 && call.durationSec <= MAX_PLAUSIBLE_SEC && !flags.has('answeredBeforeOffered')) {
      durationSec = round3(call.durationSec);
    }
  }

  // ---- callbacks -----------------------------------------------------------------------------
  const endIso = callEnd(call);
  const evidenceCallbacks: CallbackEvidence[] = [...input.callbacks]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id - b.id)
    .map((cb) => {
      const afterSec = seconds(endIso, cb.startedAt);
      const counted = afterSec >= -CALLBACK_CLOCK_TOLERANCE_SEC;
      if (!counted) flags.add('callbackBeforeCall');
      return { callId: cb.id, startedAt: cb.startedAt, afterSec: Math.max(0, afterSec), reached: cb.answeredAt !== null || cb.recordingId !== null, counted };
    });
  const counted = evidenceCallbacks.filter((c) => c.counted);
  const firstReached = counted.findIndex((c) => c.reached);

  // ---- card and review -----------------------------------------------------------------------
  const card = input.card;
  const completeness = card?.completeness ?? null;
  let reviewLagSec: number | null = null;
  if (input.firstReviewAt) {
    const lag = seconds(endIso, input.firstReviewAt);
    reviewLagSec = lag >= 0 ? lag : null;
  }

  const audio = audioFacts(input, flags);
  const evidence: FactsEvidence = {
    inputs: { startedAt: call.startedAt, answeredAt: call.answeredAt, endedAt: call.endedAt, statedDurationSec: call.durationSec, dropped: call.dropped },
    callbacks: evidenceCallbacks,
    audio: audio.evidence,
  };
  return {
    callId: call.id,
    factsVersion: FACTS_VERSION,
    computedAt,
    answerState,
    answerDelaySec,
    durationSec,
    dropped: call.dropped,
    callbackAttempts: counted.length,
    firstCallbackSec: counted[0]?.afterSec ?? null,
    callbackReached: call.dropped ? firstReached >= 0 : null,
    reachedCallbackSec: firstReached >= 0 ? counted[firstReached]!.afterSec : null,
    attemptsToReach: firstReached >= 0 ? firstReached + 1 : null,
    cardPresent: card !== null,
    cardComplete: card ? card.missingFields.length === 0 && (completeness === null || completeness >= 1) : null,
    cardCompleteness: completeness,
    cardMissingFields: card?.missingFields ?? [],
    reviewedAt: input.firstReviewAt,
    reviewLagSec,
    ...audio.row,
    flags: [...flags],
    evidence,
  };
}

/** Signs, without an answer time, that a call was answered. A callback counts as answered only with a recording. Pure. */
export function handled(call: Pick<FactsCall, 'recordingId' | 'services' | 'operatorId' | 'isCallback'>, hasCard: boolean): boolean {
  if (call.recordingId !== null) return true;
  if (call.isCallback) return false;
  return call.operatorId !== null || hasCard || (call.services ?? '') !== '';
}

/** When the call ended: ended_at, else answer (or offer) plus the stated duration, else the offer. */
export function callEnd(call: Pick<FactsCall, 'startedAt' | 'answeredAt' | 'endedAt' | 'durationSec'>): string {
  if (call.endedAt && Date.parse(call.endedAt) >= Date.parse(call.startedAt)) return call.endedAt;
  const from = call.answeredAt && Date.parse(call.answeredAt) >= Date.parse(call.startedAt) ? call.answeredAt : call.startedAt;
  if (call.durationSec !== null && call.durationSec >= 0 && call.durationSec <= MAX_PLAUSIBLE_SEC) return new Date(Date.parse(from) + call.durationSec * 1000).toISOString();
  return from;
}

type AudioRow = Pick<
  CallFacts,
  | 'audioState' | 'recordingDurationSec' | 'operatorChannel' | 'operatorTalkSec' | 'callerTalkSec' | 'talkSec' | 'talkShare' | 'silenceCount'
  | 'silenceTotalSec' | 'silenceLongestSec' | 'holdCount' | 'holdTotalSec' | 'holdLongestSec' | 'talkOverSec' | 'talkOverCount' | 'greetingLatencySec'
>;

const NO_AUDIO: Omit<AudioRow, 'audioState'> = {
  recordingDurationSec: null,
  operatorChannel: null,
  operatorTalkSec: null,
  callerTalkSec: null,
  talkSec: null,
  talkShare: null,
  silenceCount: null,
  silenceTotalSec: null,
  silenceLongestSec: null,
  holdCount: null,
  holdTotalSec: null,
  holdLongestSec: null,
  talkOverSec: null,
  talkOverCount: null,
  greetingLatencySec: null,
};

function audioFacts(input: FactsInput, flags: Set<FactFlag>): { row: AudioRow; evidence: FactsEvidence['audio'] } {
  const rec = input.recording;
  if (input.call.recordingId === null || !rec) return { row: { audioState: 'none', ...NO_AUDIO }, evidence: null };
  if (rec.silent) {
    flags.add('noSoundTrack');
    return { row: { audioState: 'none', ...NO_AUDIO }, evidence: null };
  }
  if (rec.failed) {
    flags.add('recordingUnreadable');
    return { row: { audioState: 'failed', ...NO_AUDIO }, evidence: null };
  }
  const f = rec.facts;
  if (!f || !rec.current || !f.speech) return { row: { audioState: 'pending', ...NO_AUDIO }, evidence: null };

  const clipped = f.clippedShare ?? [];
  const maxClip = Math.max(0, ...clipped);
  const stereo = f.channels >= 2;
  const op = stereo ? Math.min(Math.max(0, input.operatorChannel), 1) : 0;
  const caller = stereo ? 1 - op : null;
  const firstSpeechSec = f.speech.map((s) => s[0]?.startSec ?? null);
  const holds = f.silences.filter((s) => s.endSec - s.startSec >= input.holdMinSeconds - 1e-9);
  const evidence: NonNullable<FactsEvidence['audio']> = {
    operatorChannel: op,
    firstSpeechSec,
    silences: f.silences,
    holds,
    overlaps: f.overlaps ?? [],
    clippedShare: clipped,
    vadVersion: f.vad.version ?? null,
  };
  if (maxClip > UNUSABLE_CLIP_SHARE) {
    flags.add('recordingClipped');
    return { row: { audioState: 'unusable' as AudioState, ...NO_AUDIO, recordingDurationSec: f.durationSec }, evidence };
  }
  if (maxClip >= CLIPPING_SHARE) flags.add('clipping');

  const talk = f.talkSec.map((t) => t ?? 0);
  const anyTalk = talk.some((t) => t > 0);
  if (!anyTalk) flags.add('noSpeech');
  const lengths = (segs: TimeSegment[]) => segs.map((s) => round3(s.endSec - s.startSec));
  const silenceLengths = lengths(f.silences);
  const holdLengths = lengths(holds);
  const sum = (xs: number[]) => round3(xs.reduce((a, b) => a + b, 0));
  const row: AudioRow = {
    audioState: 'measured',
    recordingDurationSec: f.durationSec,
    operatorChannel: stereo ? op : null,
    operatorTalkSec: stereo ? talk[op]! : null,
    callerTalkSec: stereo ? talk[caller!]! : null,
    talkSec: round3(unionSeconds(f.speech.slice(0, stereo ? 2 : 1))),
    talkShare: stereo && talk[op]! + talk[caller!]! > 0 ? round3(talk[op]! / (talk[op]! + talk[caller!]!)) : null,
    silenceCount: f.silences.length,
    silenceTotalSec: sum(silenceLengths),
    silenceLongestSec: silenceLengths.length ? Math.max(...silenceLengths) : 0,
    holdCount: holds.length,
    holdTotalSec: sum(holdLengths),
    holdLongestSec: holdLengths.length ? Math.max(...holdLengths) : 0,
    talkOverSec: stereo ? (f.overlapSec ?? 0) : null,
    talkOverCount: stereo ? (f.overlaps?.length ?? 0) : null,
    greetingLatencySec: stereo ? firstSpeechSec[op] ?? null : null,
  };
  if (!stereo) flags.add('monoRecording');
  else {
    const [o, c] = [firstSpeechSec[op] ?? null, firstSpeechSec[caller!] ?? null];
    if (anyTalk && (o === null || c === null)) flags.add('oneSideSilent');
    // The operator answers a 112 call; the caller side speaking first, well before, suggests the
    // source's channel roles are the other way round (a hint: the per-source setting corrects it).
    if (o !== null && c !== null && c + SWAP_LEAD_SEC < o) flags.add('channelsMaybeSwapped');
  }
  return { row, evidence };
}

/** Seconds covered by any of the segment lists (speech on either side). */
export function unionSeconds(lists: readonly TimeSegment[][]): number {
  const all = lists.flat().sort((a, b) => a.startSec - b.startSec);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const s of all) {
    if (s.startSec > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s.startSec;
      curEnd = s.endSec;
    } else if (s.endSec > curEnd) curEnd = s.endSec;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}
