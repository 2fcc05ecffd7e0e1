// A labelled set of synthetic calls for measuring speech/silence detection against ground truth:
// the speech-like turns of synth.ts (voiced formant bursts with syllable rhythm, operator left,
// caller right) under the line conditions a 112 centre's recordings meet — telephone-band noise
// at 20, 10 and 5 dB SNR, mains hum, clipping, comfort noise in the pauses, one channel silent.
// The truth is known per 20 ms frame and channel, so a detector's frame accuracy is exact.
// Deterministic from a seed; the tests (with a floor) and `npm run bench:facts` use the same set.
import { mulberry32, type Rand } from '../../random';
import { encodeMuLawWav, synthesizeCall } from './synth';

export const LABELLED_CONDITIONS = ['clean', 'snr20', 'snr10', 'snr5', 'hum', 'clipping', 'comfortNoise', 'oneChannelSilent'] as const;
export type LabelledCondition = (typeof LABELLED_CONDITIONS)[number];

/** What each condition means, for the docs and the bench's table. */
export const CONDITION_NOTES: Record<LabelledCondition, string> = {
  clean: 'no added noise (line hiss at -100 dBFS, echo of the other side at -40 dB)',
  snr20: 'telephone-band (300-3400 Hz) noise, speech 20 dB above it',
  snr10: 'telephone-band noise, speech 10 dB above it',
  snr5: 'telephone-band noise, speech 5 dB above it',
  hum: '50 Hz mains hum with its 3rd and 5th harmonics 10 dB below the speech, band noise at 20 dB SNR',
  clipping: 'speech driven 12 dB past full scale (peaks flattened), band noise at 20 dB SNR',
  comfortNoise: 'background noise at 25 dB SNR during speech; in every pause comfort noise at a level that jumps by up to ±3 dB',
  oneChannelSilent: 'caller side not captured (digital silence); operator side at 20 dB SNR',
};

export const LABEL_FRAME_MS = 20;

export interface LabelledCall {
  condition: LabelledCondition;
  seed: number;
  sampleRate: number;
  durationSec: number;
  /** [operator (left), caller (right)], as recorded (before G.711). */
  channels: [Int16Array, Int16Array];
  /** Per channel, per 20 ms frame: 1 = speech (at least half the frame inside a turn). */
  truth: [Uint8Array, Uint8Array];
  /** First operator speech, seconds from the start of the recording. */
  firstOperatorSpeechSec: number | null;
}

/** One synthetic call of the set under a condition. */
export function labelledCall(condition: LabelledCondition, seed: number, durationSec = 60): LabelledCall {
  const sampleRate = 8000;
  // Clean speech first (hiss far below anything), then the condition is added on top.
  const call = synthesizeCall({ seed, durationSec, sampleRate, noiseDb: -100 });
  const frames = Math.floor((durationSec * 1000) / LABEL_FRAME_MS);
  const frameLen = (sampleRate * LABEL_FRAME_MS) / 1000;
  const truth: [Uint8Array, Uint8Array] = [new Uint8Array(frames), new Uint8Array(frames)];
  for (const t of call.turns) {
    // A frame is speech when its centre lies inside the turn.
    const first = Math.ceil((t.startSec * 1000) / LABEL_FRAME_MS - 0.5);
    const last = Math.floor((t.endSec * 1000) / LABEL_FRAME_MS - 0.5);
    for (let f = Math.max(0, first); f <= Math.min(frames - 1, last); f++) truth[t.channel]![f] = 1;
  }
  const rand = mulberry32((seed * 7919 + LABELLED_CONDITIONS.indexOf(condition) * 104729) >>> 0);
  const prosody = mulberry32((seed * 31 + 17) >>> 0);
  const out: [Int16Array, Int16Array] = [call.channels[0], call.channels[1]];
  for (const ch of [0, 1] as const) {
    const x = Float64Array.from(call.channels[ch]);
    applyProsody(x, call.turns.filter((t) => t.channel === ch), sampleRate, prosody);
    const speechPower = activeSpeechPower(x, truth[ch], frameLen);
    switch (condition) {
      case 'clean':
        break;
      case 'snr20':
      case 'snr10':
      case 'snr5':
        addScaled(x, bandNoise(x.length, sampleRate, rand), speechPower, Number(condition.slice(3)));
        break;
      case 'hum':
        addScaled(x, bandNoise(x.length, sampleRate, rand), speechPower, 20);
        addScaled(x, mainsHum(x.length, sampleRate, rand), speechPower, 10);
        break;
      case 'clipping':
        addScaled(x, bandNoise(x.length, sampleRate, rand), speechPower, 20);
        for (let i = 0; i < x.length; i++) x[i] = x[i]! * 4;
        break;
      case 'comfortNoise':
        addComfortNoise(x, truth[ch], frameLen, sampleRate, speechPower, rand);
        break;
      case 'oneChannelSilent':
        if (ch === 1) {
          x.fill(0);
          truth[1].fill(0);
        } else addScaled(x, bandNoise(x.length, sampleRate, rand), speechPower, 20);
        break;
    }
    out[ch] = toInt16(x);
  }
  const firstOp = call.turns.find((t) => t.channel === 0);
  return { condition, seed, sampleRate, durationSec, channels: out, truth, firstOperatorSpeechSec: firstOp ? firstOp.startSec : null };
}

/** The call as telephony records it: stereo G.711 mu-law WAV. */
export function labelledCallWav(call: LabelledCall): Buffer {
  return encodeMuLawWav(call.channels, call.sampleRate);
}

/** Share of frames (both channels) where a detector's speech mask agrees with the truth. */
export function frameAccuracy(truth: readonly Uint8Array[], detected: readonly Uint8Array[]): { correct: number; total: number; accuracy: number } {
  let correct = 0;
  let total = 0;
  for (let c = 0; c < truth.length; c++) {
    const t = truth[c]!;
    const d = detected[c] ?? new Uint8Array(0);
    for (let f = 0; f < t.length; f++) {
      total++;
      if ((d[f] ?? 0) === t[f]) correct++;
    }
  }
  return { correct, total, accuracy: total ? correct / total : 1 };
}

/** A 0/1 mask of 20 ms frames from speech segments in seconds. */
export function maskFromSegments(segments: readonly { startSec: number; endSec: number }[], frames: number, frameMs = LABEL_FRAME_MS): Uint8Array {
  const mask = new Uint8Array(frames);
  for (const s of segments) {
    const first = Math.ceil((s.startSec * 1000) / frameMs - 0.5);
    const last = Math.floor((s.endSec * 1000) / frameMs - 0.5);
    for (let f = Math.max(0, first); f <= Math.min(frames - 1, last); f++) mask[f] = 1;
  }
  return mask;
}

// ---- signal pieces ------------------------------------------------------------------------

/**
 * Real talk is not at one level: words rise and fall by 10 dB and more, and a turn trails off.
 * Gives the synthetic speech a loudness contour — a random level between -14 and 0 dB every
 * 200 ms, glided between, and the last 0.6 s of each turn falling by up to 12 dB — so a detector
 * meets soft syllables next to loud ones, not one steady level.
 */
function applyProsody(x: Float64Array, turns: readonly { startSec: number; endSec: number }[], rate: number, rand: Rand): void {
  const step = Math.round(0.2 * rate);
  let prev = -14 * rand();
  for (let k = 0; k * step < x.length; k++) {
    const next = -14 * rand();
    for (let i = k * step, j = 0; j < step && i < x.length; i++, j++) x[i] = x[i]! * 10 ** ((prev + ((next - prev) * j) / step) / 20);
    prev = next;
  }
  for (const t of turns) {
    const end = Math.min(x.length, Math.round(t.endSec * rate));
    const start = Math.max(0, end - Math.round(0.6 * rate));
    for (let i = start; i < end; i++) x[i] = x[i]! * 10 ** ((-12 * (i - start)) / (end - start) / 20);
  }
}

/**
 * The speech level the SNR is set against: the mean power of speech frames no more than 16 dB
 * below the loudest tenth (the spirit of ITU-T P.56's active speech level: soft tails and pauses
 * inside a turn do not pull the level down and so flatter the SNR).
 */
function activeSpeechPower(x: Float64Array, truth: Uint8Array, frameLen: number): number {
  const powers: number[] = [];
  for (let f = 0; f < truth.length; f++) {
    if (!truth[f]) continue;
    let sum = 0;
    for (let i = f * frameLen; i < (f + 1) * frameLen && i < x.length; i++) sum += x[i]! * x[i]!;
    powers.push(sum / frameLen);
  }
  if (!powers.length) return 1e6;
  const sorted = [...powers].sort((a, b) => b - a);
  const loud = sorted[Math.floor(sorted.length * 0.1)]!;
  const active = powers.filter((p) => p >= loud / 10 ** 1.6);
  return active.reduce((a, b) => a + b, 0) / active.length;
}

/** Adds `noise` scaled so that the speech power is `snrDb` above it. */
function addScaled(x: Float64Array, noise: Float64Array, speechPower: number, snrDb: number): void {
  let p = 0;
  for (let i = 0; i < noise.length; i++) p += noise[i]! * noise[i]!;
  p /= noise.length || 1;
  const g = p > 0 ? Math.sqrt(speechPower / 10 ** (snrDb / 10) / p) : 0;
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + g * noise[i]!;
}

function gaussian(rand: Rand): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** White noise through a 300 Hz high-pass and a 3400 Hz low-pass (2nd-order each): the telephone band. */
function bandNoise(n: number, rate: number, rand: Rand): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = gaussian(rand);
  biquad(x, rbj('highpass', 300, rate));
  biquad(x, rbj('lowpass', Math.min(3400, rate * 0.45), rate));
  return x;
}

function mainsHum(n: number, rate: number, rand: Rand): Float64Array {
  const x = new Float64Array(n);
  const phase = rand() * 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * 50 * i) / rate + phase;
    x[i] = Math.sin(w) + 0.5 * Math.sin(3 * w) + 0.3 * Math.sin(5 * w);
  }
  return x;
}

/**
 * What a line with voice activity detection and comfort noise generation sounds like: the real
 * background (25 dB below the speech) while someone speaks; in each pause the receiver's generated
 * noise, at the background's level moved by -3..+3 dB, changing at every pause.
 */
function addComfortNoise(x: Float64Array, truth: Uint8Array, frameLen: number, rate: number, speechPower: number, rand: Rand): void {
  const noise = bandNoise(x.length, rate, rand);
  let p = 0;
  for (let i = 0; i < noise.length; i++) p += noise[i]! * noise[i]!;
  p /= noise.length || 1;
  const base = Math.sqrt(speechPower / 10 ** 2.5 / p);
  let f = 0;
  while (f < truth.length) {
    const speech = truth[f];
    let e = f;
    while (e < truth.length && truth[e] === speech) e++;
    const g = speech ? base : base * 10 ** ((rand() * 6 - 3) / 20);
    for (let i = f * frameLen; i < e * frameLen && i < x.length; i++) x[i] = x[i]! + g * noise[i]!;
    f = e;
  }
}

function toInt16(x: Float64Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i]!);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Robert Bristow-Johnson's cookbook coefficients, Q = 1/√2 (Butterworth). */
function rbj(kind: 'highpass' | 'lowpass', f0: number, rate: number): Biquad {
  const w = (2 * Math.PI * f0) / rate;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

function biquad(x: Float64Array, c: Biquad): void {
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const y = c.b0 * v + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}
