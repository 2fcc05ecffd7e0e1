// The automatic checks themselves: pure functions from a call's facts (docs/facts.md) to an
// outcome and the evidence behind it. The machine only suggests; the specialist answers. The one
// rule that matters most: a fact that is missing or doubtful gives "unknown" (cannot tell), never
// "fail" — only a known violation is a "no".
import { callEnd } from '../facts/compute';
import type { CallFacts, FactFlag } from '../facts/facts.model';
import type { TimeSegment } from '../media';
import type { CheckBinding } from './bindings';

export const CHECK_OUTCOMES = ['pass', 'fail', 'na', 'unknown'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/**
 * One line of evidence: a translated sentence (key + params); `atSec`/`endSec` point into the
 * recording (seconds from its start, which is the answer) so the page can play that moment;
 * `fields` names call-card fields (calls.card.field.<name>).
 */
export interface EvidenceItem {
  key: string;
  params?: Record<string, string | number>;
  atSec?: number;
  endSec?: number;
  fields?: string[];
}

export interface CheckResult {
  outcome: CheckOutcome;
  evidence: EvidenceItem[];
  /** When an "unknown" may become decidable by time alone (a callback window still open). */
  recheckAt: string | null;
}

/** The most evidence lines one kind of moment gets (the rest are counted). */
export const MAX_MOMENTS = 5;

const round1 = (n: number) => Math.round(n * 10) / 10;
const result = (outcome: CheckOutcome, evidence: EvidenceItem[], recheckAt: string | null = null): CheckResult => ({ outcome, evidence, recheckAt });
const unknown = (reason: string, params?: Record<string, string | number>): CheckResult => result('unknown', [{ key: `checks.unknown.${reason}`, ...(params ? { params } : {}) }]);

const BAD_ANSWER_FLAGS: readonly FactFlag[] = ['answeredBeforeOffered', 'answerDelayOver24h'];

/** Answered within `limit` seconds of the offer. */
function answerWithin(f: CallFacts, limit: number): CheckResult {
  if (f.answerState === 'abandoned') return result('na', [{ key: 'checks.evidence.abandoned' }]);
  if (f.answerState === 'unknown') return unknown('notAnswered');
  if (f.answerDelaySec === null) {
    const bad = f.flags.find((x) => BAD_ANSWER_FLAGS.includes(x));
    return bad ? unknown('badAnswerTime', { flag: bad }) : unknown('noAnswerTime');
  }
  const items = [{ key: 'checks.evidence.answerDelay', params: { sec: round1(f.answerDelaySec), limit } }];
  return result(f.answerDelaySec <= limit ? 'pass' : 'fail', items);
}

/** Why the recording tells nothing about the operator's side, or null when it can. */
function audioGap(f: CallFacts, needsSides: boolean): CheckResult | null {
  switch (f.audioState) {
    case 'none':
      return unknown('noRecording');
    case 'pending':
      return unknown('audioPending');
    case 'failed':
      return unknown('recordingUnreadable');
    case 'unusable':
      return unknown('recordingClipped');
    case 'measured':
      break;
  }
  if (needsSides && f.operatorChannel === null) return unknown('monoRecording');
  return null;
}

/** The operator's first words came within `limit` seconds of the answer (recording time 0). */
function greetingWithin(f: CallFacts, limit: number): CheckResult {
  const gap = audioGap(f, true);
  if (gap) return gap;
  // The sides may be the wrong way round: the "operator's" first speech may be the caller's.
  if (f.flags.includes('channelsMaybeSwapped')) return unknown('channelsMaybeSwapped');
  if (f.greetingLatencySec === null) return unknown('operatorSilent');
  const at = f.greetingLatencySec;
  return result(at <= limit ? 'pass' : 'fail', [{ key: 'checks.evidence.greeting', params: { sec: round1(at), limit }, atSec: at }]);
}

/** Both: a known failure of either is a "no"; otherwise either unknown leaves the whole unknown. */
function both(a: CheckResult, b: CheckResult): CheckResult {
  const evidence = [...a.evidence, ...b.evidence];
  if (a.outcome === 'na') return a;
  if (a.outcome === 'fail' || b.outcome === 'fail') return result('fail', evidence);
  if (a.outcome === 'unknown' || b.outcome === 'unknown') return result('unknown', evidence);
  return result('pass', evidence);
}

function moments(segments: readonly TimeSegment[], key: string, longerThan: number): EvidenceItem[] {
  const long = segments.filter((s) => s.endSec - s.startSec > longerThan + 1e-9).sort((a, b) => b.endSec - b.startSec - (a.endSec - a.startSec));
  const shown = long.slice(0, MAX_MOMENTS).sort((a, b) => a.startSec - b.startSec);
  const items: EvidenceItem[] = shown.map((s) => ({ key, params: { sec: round1(s.endSec - s.startSec) }, atSec: s.startSec, endSec: s.endSec }));
  if (long.length > shown.length) items.push({ key: 'checks.evidence.more', params: { count: long.length - shown.length } });
  return items;
}

/**
 * A dropped call was called back: the caller reached within `withinMin` minutes in at most
 * `maxAttempts` attempts — or `maxAttempts` attempts were made, the first within the window (the
 * duty done, the caller did not pick up). While the window is open and neither has happened yet
 * the answer is not known; it is decided when the window closes (recheckAt).
 */
function callback(f: CallFacts, withinMin: number, maxAttempts: number, now: Date): CheckResult {
  if (!f.dropped) return result('na', [{ key: 'checks.evidence.notDropped' }]);
  const window = withinMin * 60;
  const counted = f.evidence.callbacks.filter((c) => c.counted);
  const evidence: EvidenceItem[] = counted.slice(0, MAX_MOMENTS).map((c, i) => ({
    key: c.reached ? 'checks.evidence.callbackReached' : 'checks.evidence.callbackAttempt',
    params: { n: i + 1, min: round1(c.afterSec / 60) },
  }));
  if (f.flags.includes('callbackBeforeCall')) evidence.push({ key: 'checks.evidence.callbackBeforeCall' });
  const reachedInTime = f.reachedCallbackSec !== null && f.reachedCallbackSec <= window && (f.attemptsToReach ?? Infinity) <= maxAttempts;
  const dutyDone = f.firstCallbackSec !== null && f.firstCallbackSec <= window && f.callbackAttempts >= maxAttempts;
  if (reachedInTime || dutyDone) return result('pass', evidence);
  const inputs = f.evidence.inputs;
  const end = Date.parse(callEnd({ startedAt: inputs.startedAt, answeredAt: inputs.answeredAt, endedAt: inputs.endedAt, durationSec: inputs.statedDurationSec }));
  if (!counted.length) evidence.push({ key: 'checks.evidence.noCallback', params: { min: withinMin } });
  if (!Number.isFinite(end)) return result('unknown', [{ key: 'checks.unknown.noEndTime' }, ...evidence]);
  const closes = end + window * 1000;
  if (now.getTime() < closes) return result('unknown', [{ key: 'checks.unknown.windowOpen', params: { min: withinMin } }, ...evidence], new Date(closes).toISOString());
  return result('fail', evidence);
}

/** Every mandatory card field filled. A call nobody answered has no card to fill. */
function cardComplete(f: CallFacts): CheckResult {
  if (f.answerState === 'abandoned') return result('na', [{ key: 'checks.evidence.abandoned' }]);
  if (!f.cardPresent) return unknown('noCard');
  if (f.cardComplete === null) return unknown('cardUnknown');
  if (f.cardComplete) return result('pass', [{ key: 'checks.evidence.cardComplete' }]);
  return result('fail', [{ key: 'checks.evidence.cardMissing', params: { count: f.cardMissingFields.length }, fields: f.cardMissingFields }]);
}

/** No silence (every side quiet) longer than `maxSec`. */
function silence(f: CallFacts, maxSec: number): CheckResult {
  const gap = audioGap(f, false);
  if (gap) return gap;
  const items = moments(f.evidence.audio?.silences ?? [], 'checks.evidence.silence', maxSec);
  if (!items.length) return result('pass', [{ key: 'checks.evidence.noLongSilence', params: { limit: maxSec, longest: round1(f.silenceLongestSec ?? 0) } }]);
  return result('fail', items);
}

/** Both sides speaking at once under `maxSec` in all. Needs the sides apart (stereo). */
function talkOver(f: CallFacts, maxSec: number): CheckResult {
  const gap = audioGap(f, true);
  if (gap) return gap;
  if (f.talkOverSec === null) return unknown('monoRecording');
  const total = { key: 'checks.evidence.talkOverTotal', params: { sec: round1(f.talkOverSec), limit: maxSec } };
  if (f.talkOverSec < maxSec) return result('pass', [total]);
  return result('fail', [total, ...moments(f.evidence.audio?.overlaps ?? [], 'checks.evidence.talkOver', 0)]);
}

/** No hold (a silence of every side of at least HOLD_MIN_SECONDS) longer than `maxSec`. */
function hold(f: CallFacts, maxSec: number): CheckResult {
  const gap = audioGap(f, false);
  if (gap) return gap;
  const items = moments(f.evidence.audio?.holds ?? [], 'checks.evidence.hold', maxSec);
  if (!items.length) return result('pass', [{ key: 'checks.evidence.noLongHold', params: { limit: maxSec } }]);
  return result('fail', items);
}

/**
 * Runs one bound check on a call's facts. `now` matters only to the callback check (a window
 * still open). No facts at all: unknown.
 */
export function runCheck(binding: CheckBinding, facts: CallFacts | null, now: Date): CheckResult {
  if (!facts) return unknown('noFacts');
  const p = binding.params;
  switch (binding.check) {
    case 'answerAndGreeting':
      return both(answerWithin(facts, p.answerSec!), greetingWithin(facts, p.greetingSec!));
    case 'answeredWithin':
      return answerWithin(facts, p.answerSec!);
    case 'greetingWithin':
      return greetingWithin(facts, p.greetingSec!);
    case 'callback':
      return callback(facts, p.withinMin!, p.maxAttempts!, now);
    case 'cardComplete':
      return cardComplete(facts);
    case 'silence':
      return silence(facts, p.maxSec!);
    case 'talkOver':
      return talkOver(facts, p.maxSec!);
    case 'hold':
      return hold(facts, p.maxSec!);
  }
}
