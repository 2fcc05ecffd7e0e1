// Speech/silence detection from 20 ms frame energies, one channel at a time. Measured against the
// labelled set of labelled-calls.ts (telephone-band noise at 20/10/5 dB SNR, hum, clipping,
// comfort noise, a silent channel): see docs/architecture.md for the figures and why each step is
// here. In short:
//   - the noise floor adapts: the quietest smoothed frame within ±1 s (minimum statistics — word
//     pauses reach the floor even inside long turns), capped a few dB above the channel's overall
//     quiet level so a long unbroken sound cannot lift it to itself;
//   - two thresholds (hysteresis): a stretch starts 2.5 dB above the floor and lasts while above
//     1 dB, and is extended backwards over its soft onset;
//   - a frame must also be within 35 dB of the channel's loud frames (the other side's echo, 40 dB
//     down, is not speech) and above -55 dBFS (near digital silence is never speech);
//   - bursts under 60 ms are dropped (clicks), pauses under 300 ms inside speech are bridged (the
//     gaps between words), and what remains is padded by 20 ms on each side (soft edges).
// Stationary noise, digital silence and a constant full-scale signal give no speech at all.
import type { TimeSegment } from './analyse';

/** Bumped whenever detection changes, so stored facts made by an older detector are recomputed. */
export const VAD_VERSION = 2;

export const VAD_PARAMS = {
  onsetDb: 2.5,
  holdDb: 1,
  floorWindowSec: 1,
  floorBiasDb: 1,
  floorSlackDb: 6,
  relativeDb: 35,
  absoluteFloorDb: -55,
  bridgeSec: 0.3,
  minBurstSec: 0.06,
  padSec: 0.02,
} as const;

export const SILENT_DB = -120;

export interface SpeechDetection {
  /** 1 = speech, per frame. */
  mask: Uint8Array;
  /** Median onset threshold over the call (dBFS), for anyone who doubts a number. */
  thresholdDb: number;
  /** Median adaptive noise floor (dBFS). */
  noiseFloorDb: number;
}

/** The q-quantile (0..1) of frame energies, by a 0.5 dB histogram: O(n), no sort. */
export function energyQuantile(energiesDb: ArrayLike<number>, q: number): number {
  if (energiesDb.length === 0) return SILENT_DB;
  const bins = new Uint32Array(241); // -120..0 dB in 0.5 dB steps
  for (let i = 0; i < energiesDb.length; i++) {
    const b = Math.min(240, Math.max(0, Math.round((energiesDb[i]! - SILENT_DB) * 2)));
    bins[b]!++;
  }
  const target = q * (energiesDb.length - 1);
  let seen = 0;
  for (let b = 0; b < bins.length; b++) {
    seen += bins[b]!;
    if (seen > target) return SILENT_DB + b / 2;
  }
  return 0;
}

/** Half-open [start, end) index runs where mask equals value. */
export function runs(mask: Uint8Array, value: 0 | 1): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === value) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, mask.length]);
  return out;
}

/** Drops speech runs shorter than minBurst frames, then fills pauses shorter than bridge frames between speech. In place. */
export function smoothMask(mask: Uint8Array, bridgeFrames: number, minBurstFrames: number): Uint8Array {
  const n = mask.length;
  for (const [s, e] of runs(mask, 1)) if (e - s < minBurstFrames) mask.fill(0, s, e);
  for (const [s, e] of runs(mask, 0)) if (s > 0 && e < n && e - s < bridgeFrames) mask.fill(1, s, e);
  return mask;
}

/** Sliding minimum over [i - w, i + w] (monotonic deque, O(n)). */
function slidingMin(x: Float32Array, w: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  const dq = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const hi = Math.min(n - 1, i + w);
    for (; next <= hi; next++) {
      while (tail > head && x[dq[tail - 1]!]! >= x[next]!) tail--;
      dq[tail++] = next;
    }
    while (dq[head]! < i - w) head++;
    out[i] = x[dq[head]!]!;
  }
  return out;
}

/** dB → natural log of power: 10^(dB/10) = e^(dB × ln10/10). */
const DB_TO_LN = Math.LN10 / 10;

/** Speech frames of one channel from its frame energies (dBFS). Pure. */
export function detectSpeech(energiesDb: Float32Array, frameSec: number, p: typeof VAD_PARAMS = VAD_PARAMS): SpeechDetection {
  const n = energiesDb.length;
  const mask = new Uint8Array(n);
  if (!n) return { mask, thresholdDb: p.absoluteFloorDb, noiseFloorDb: SILENT_DB };
  // Three-frame power average: steadier minima than single 20 ms frames.
  const power = new Float64Array(n);
  for (let i = 0; i < n; i++) power[i] = Math.exp(energiesDb[i]! * DB_TO_LN);
  const smooth = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = i > 0 ? i - 1 : 0;
    const hi = i < n - 1 ? i + 1 : n - 1;
    let sum = 0;
    for (let j = lo; j <= hi; j++) sum += power[j]!;
    smooth[i] = Math.max(SILENT_DB, Math.log(sum / (hi - lo + 1)) / DB_TO_LN);
  }
  const quiet = energyQuantile(energiesDb, 0.1);
  const loud = energyQuantile(energiesDb, 0.97);
  const floor = slidingMin(smooth, Math.max(1, Math.round(p.floorWindowSec / frameSec)));
  const relative = Math.max(p.absoluteFloorDb, loud - p.relativeDb);
  const onset = new Float32Array(n);
  const hold = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const f = Math.min(floor[i]!, quiet + p.floorSlackDb) + p.floorBiasDb;
    floor[i] = f;
    onset[i] = Math.max(f + p.onsetDb, relative);
    hold[i] = Math.max(f + p.holdDb, relative);
  }
  let on = false;
  for (let i = 0; i < n; i++) {
    on = energiesDb[i]! > (on ? hold[i]! : onset[i]!);
    mask[i] = on ? 1 : 0;
  }
  // The soft start of a stretch: back from each onset while above the hold threshold.
  for (let i = n - 2; i >= 0; i--) if (!mask[i] && mask[i + 1] && energiesDb[i]! > hold[i]!) mask[i] = 1;
  smoothMask(mask, Math.round(p.bridgeSec / frameSec), Math.round(p.minBurstSec / frameSec));
  const pad = Math.round(p.padSec / frameSec);
  if (pad > 0) for (const [s, e] of runs(mask.slice(), 1)) mask.fill(1, Math.max(0, s - pad), Math.min(n, e + pad));
  return { mask, thresholdDb: energyQuantile(onset, 0.5), noiseFloorDb: energyQuantile(floor, 0.5) };
}

/** Speech runs of a mask as time segments (the last frame may be partial: ends clamp to the duration). */
export function maskSegments(mask: Uint8Array, frameSec: number, durationSec: number): TimeSegment[] {
  return runs(mask, 1).map(([s, e]) => ({ startSec: round3(s * frameSec), endSec: round3(Math.min(durationSec, e * frameSec)) }));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
