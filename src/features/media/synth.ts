// Speech-like stereo telephony audio made in plain Node, for the demo seed and the tests on
// machines with no espeak-ng or sox: operator on the left channel, caller on the right, 8 kHz,
// G.711 mu-law WAV. Not speech — but it has what the player and the audio facts care about:
// syllable-rate envelopes, voiced harmonics shaped by vowel formants with pitch contours,
// turn-taking with short pauses, some talking over each other, and now and then a long hold.
// Deterministic from a seed; a 60-second call takes a few milliseconds.
import { mulberry32 } from '../../random';
import type { TimeSegment } from './analyse';

export interface SynthOptions {
  seed: number;
  durationSec: number;
  /** Default 8000. */
  sampleRate?: number;
  /** Long silences (on hold) in the call. Default: one per started 3 minutes for calls of 40 s or more. */
  holds?: number;
  /** Chance that the next speaker starts before the current one finishes. Default 0.15. */
  overlapChance?: number;
  /** Background line noise, dBFS RMS. Default -62. */
  noiseDb?: number;
  /** Echo of the other side on each channel, dB relative. Default -40. */
  crosstalkDb?: number;
}

export interface SynthTurn {
  /** 0 = operator (left), 1 = caller (right). */
  channel: 0 | 1;
  startSec: number;
  endSec: number;
}

export interface SynthCall {
  sampleRate: number;
  /** [operator (left), caller (right)] */
  channels: [Int16Array, Int16Array];
  /** What was said when: the ground truth the audio facts should find. */
  turns: SynthTurn[];
  holds: TimeSegment[];
}

/** A stereo mu-law WAV of a synthetic call (see synthesizeCall). */
export function synthesizeCallWav(opts: SynthOptions): Buffer {
  const call = synthesizeCall(opts);
  return encodeMuLawWav(call.channels, call.sampleRate);
}

const TABLE_SIZE = 2048;
const VOWELS: Array<[number, number, number]> = [
  [730, 1090, 2440], // a
  [530, 1840, 2480], // e
  [300, 2200, 2900], // i
  [570, 840, 2410], // o
  [320, 920, 2200], // u
  [660, 1700, 2400], // æ-ish
];

export function synthesizeCall(opts: SynthOptions): SynthCall {
  const sampleRate = opts.sampleRate ?? 8000;
  const durationSec = opts.durationSec;
  if (!(durationSec > 0)) throw new RangeError('durationSec must be positive');
  const rand = mulberry32(opts.seed >>> 0);
  const n = Math.round(durationSec * sampleRate);
  const out: [Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n)];

  const voices = [0, 1].map((ch) => {
    // Operator and caller voices differ per seed: pitch, loudness, tables at that pitch.
    const f0 = ch === 0 ? 185 + rand() * 50 : 105 + rand() * 90;
    return { f0, gain: ch === 0 ? 0.32 + rand() * 0.08 : 0.2 + rand() * 0.18, tables: VOWELS.map((v) => vowelTable(v, f0, sampleRate)) };
  });

  const holdCount = opts.holds ?? (durationSec >= 40 ? Math.ceil(durationSec / 180) : 0);
  const holdAt = Array.from({ length: holdCount }, (_, k) => ((k + 0.6 + rand() * 0.6) / (holdCount + 1)) * durationSec);
  const overlapChance = opts.overlapChance ?? 0.15;

  const turns: SynthTurn[] = [];
  const holds: TimeSegment[] = [];
  let t = 0.3 + rand() * 0.5;
  let speaker: 0 | 1 = 0; // the operator answers first
  while (t < durationSec - 0.8) {
    const want = speaker === 0 ? 1.5 + rand() * 3.5 : 1.5 + rand() * 5.5;
    const end = speakTurn(out[speaker], voices[speaker]!, t, Math.min(want, durationSec - 0.3 - t), sampleRate, rand);
    if (end > t) turns.push({ channel: speaker, startSec: round3(t), endSec: round3(end) });
    const nextHold = holdAt[0];
    if (nextHold !== undefined && end >= nextHold) {
      holdAt.shift();
      const len = Math.min(6 + rand() * 6, durationSec * 0.25);
      holds.push({ startSec: round3(end), endSec: round3(end + len) });
      t = end + len;
      // after a hold the operator comes back
      speaker = 0;
      continue;
    }
    const switchSpeaker = rand() < 0.85;
    if (switchSpeaker && rand() < overlapChance) t = Math.max(t + 0.5, end - (0.3 + rand() * 0.7));
    else t = end + 0.25 + rand() * 0.65;
    if (switchSpeaker) speaker = speaker === 0 ? 1 : 0;
  }

  const noise = dbToGain(opts.noiseDb ?? -62) * 32768;
  const cross = dbToGain(opts.crosstalkDb ?? -40);
  const echoDelay = Math.round(sampleRate * 0.004);
  // Hiss: the sum of two uniform draws (xorshift32, inlined: this loop is most of the run time)
  // is roughly bell-shaped with RMS 0.408 per unit, hence the 2.45.
  const hissScale = (noise * 2.45) / 4294967296;
  let x = ((opts.seed >>> 0) ^ 0x9e3779b9) >>> 0 || 1;
  const channels: [Int16Array, Int16Array] = [new Int16Array(n), new Int16Array(n)];
  for (let c = 0; c < 2; c++) {
    const own = out[c]!;
    const other = out[1 - c]!;
    const dst = channels[c]!;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const u1 = x >>> 0;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const hiss = (u1 + (x >>> 0) - 4294967296) * hissScale;
      const echo = i >= echoDelay ? other[i - echoDelay]! * cross : 0;
      const v = (own[i]! + echo) * 32767 + hiss;
      // Int16Array assignment truncates toward zero and wraps, so clamp first
      dst[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
  }
  return { sampleRate, channels, turns, holds };
}

/** Writes one turn of syllables into `dst` from startSec for about lenSec; returns where speech ended. */
function speakTurn(
  dst: Float32Array,
  voice: { f0: number; gain: number; tables: Float32Array[] },
  startSec: number,
  lenSec: number,
  rate: number,
  rand: () => number,
): number {
  const envelope = syllableEnvelope();
  let t = startSec;
  const stop = startSec + lenSec;
  let lastEnd = startSec;
  let phase = rand();
  const turnF0 = voice.f0 * (0.92 + rand() * 0.16);
  while (t < stop - 0.15) {
    const syllables = 1 + Math.floor(rand() * 4);
    const wordGain = voice.gain * (0.6 + rand() * 0.4);
    for (let s = 0; s < syllables && t < stop - 0.1; s++) {
      const dur = Math.min(0.12 + rand() * 0.14, stop - t);
      // declination: pitch falls over the turn; each syllable starts near the contour and glides
      const progress = (t - startSec) / Math.max(0.5, lenSec);
      const f0a = turnF0 * (1.1 - 0.2 * progress) * (0.94 + rand() * 0.12);
      const f0b = f0a * (0.93 + rand() * 0.14);
      const table = voice.tables[Math.floor(rand() * voice.tables.length)]!;
      const i0 = Math.round(t * rate);
      const len = Math.round(dur * rate);
      const fricative = rand() < 0.45 ? Math.round((0.03 + rand() * 0.04) * rate) : 0;
      let prevNoise = 0;
      let seedNoise = (rand() * 0xffffffff) >>> 0 || 1;
      for (let k = 0; k < len && i0 + k < dst.length; k++) {
        const x = k / len;
        const f = f0a + (f0b - f0a) * x;
        phase += f / rate;
        phase -= Math.floor(phase);
        const pos = phase * TABLE_SIZE;
        const j = pos | 0;
        const frac = pos - j;
        const a = table[j]!;
        const b = table[(j + 1) & (TABLE_SIZE - 1)]!;
        let v = (a + (b - a) * frac) * envelope[(x * ENVELOPE_STEPS) | 0]! * wordGain;
        if (k < fricative) {
          seedNoise ^= seedNoise << 13;
          seedNoise ^= seedNoise >>> 17;
          seedNoise ^= seedNoise << 5;
          const w = (seedNoise >>> 0) / 4294967296 - 0.5;
          v += (w - prevNoise) * wordGain * 0.5 * (1 - k / fricative);
          prevNoise = w;
        }
        dst[i0 + k] = dst[i0 + k]! + v;
      }
      t += dur;
      lastEnd = t;
    }
    t += 0.06 + rand() * 0.12; // pause between words
  }
  return lastEnd;
}

/** One period of a voiced vowel at pitch f0: harmonics weighted by three formant resonances, telephone band 300–3400 Hz. */
function vowelTable([f1, f2, f3]: [number, number, number], f0: number, rate: number): Float32Array {
  const table = new Float32Array(TABLE_SIZE);
  const nyquistish = Math.min(3400, rate / 2 - 200);
  const amps: number[] = [];
  for (let h = 1; h * f0 <= nyquistish; h++) {
    const f = h * f0;
    const res = (F: number, B: number) => 1 / Math.sqrt(1 + ((f - F) / B) ** 2);
    const band = f < 300 ? 0.25 : 1;
    amps.push(band * (res(f1, 90) + 0.7 * res(f2, 120) + 0.35 * res(f3, 160)) / Math.sqrt(h));
  }
  // Harmonic h at table index i is sin(2π·h·i/N + φh): read from one sine table with an index offset.
  const sine = sineTable();
  for (let h = 0; h < amps.length; h++) {
    const amp = amps[h]!;
    const step = h + 1;
    const offset = Math.round(((h * 0.7) / (2 * Math.PI)) * TABLE_SIZE);
    for (let i = 0, idx = offset; i < TABLE_SIZE; i++, idx += step) table[i] = table[i]! + amp * sine[idx & (TABLE_SIZE - 1)]!;
  }
  let peak = 0;
  for (let i = 0; i < TABLE_SIZE; i++) peak = Math.max(peak, Math.abs(table[i]!));
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = table[i]! / (peak || 1);
  return table;
}

let sineCache: Float32Array | null = null;
function sineTable(): Float32Array {
  if (!sineCache) {
    sineCache = new Float32Array(TABLE_SIZE);
    for (let i = 0; i < TABLE_SIZE; i++) sineCache[i] = Math.sin((2 * Math.PI * i) / TABLE_SIZE);
  }
  return sineCache;
}

const ENVELOPE_STEPS = 256;
let envelopeCache: Float32Array | null = null;
/** Raised-cosine syllable envelope, slightly front-loaded: sin²(π·x^0.8), sampled. */
function syllableEnvelope(): Float32Array {
  if (!envelopeCache) {
    envelopeCache = new Float32Array(ENVELOPE_STEPS + 1);
    for (let i = 0; i <= ENVELOPE_STEPS; i++) envelopeCache[i] = Math.sin(Math.PI * Math.pow(i / ENVELOPE_STEPS, 0.8)) ** 2;
  }
  return envelopeCache;
}

// ---- G.711 mu-law -------------------------------------------------------------------------

let muLawTable: Uint8Array | null = null;

/** G.711 mu-law byte of a 16-bit linear sample. */
export function linearToMuLaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** 16-bit linear sample of a G.711 mu-law byte. */
export function muLawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function muLawLookup(): Uint8Array {
  if (!muLawTable) {
    muLawTable = new Uint8Array(65536);
    for (let i = 0; i < 65536; i++) muLawTable[i] = linearToMuLaw(i - 32768);
  }
  return muLawTable;
}

/** A WAV (format 7, G.711 mu-law, 8 bits per sample) of equal-length channels, interleaved. */
export function encodeMuLawWav(channels: Int16Array[], sampleRate: number): Buffer {
  const ch = channels.length;
  if (ch < 1) throw new RangeError('at least one channel');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('channels must have the same length');
  const dataLen = frames * ch;
  const pad = dataLen & 1;
  const headerLen = 12 + 8 + 18 + 8 + 4 + 8;
  const buf = Buffer.alloc(headerLen + dataLen + pad);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(18, 16);
  buf.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  buf.writeUInt16LE(ch, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * ch, 28); // byte rate
  buf.writeUInt16LE(ch, 32); // block align
  buf.writeUInt16LE(8, 34); // bits per sample
  buf.writeUInt16LE(0, 36); // cbSize
  buf.write('fact', 38, 'latin1');
  buf.writeUInt32LE(4, 42);
  buf.writeUInt32LE(frames, 46);
  buf.write('data', 50, 'latin1');
  buf.writeUInt32LE(dataLen, 54);
  const lut = muLawLookup();
  let o = headerLen;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < ch; c++) buf[o++] = lut[channels[c]![i]! + 32768]!;
  }
  return buf;
}

function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// Kept here too: the seeds and tests that drew their randomness from the media module.
export { mulberry32 };
