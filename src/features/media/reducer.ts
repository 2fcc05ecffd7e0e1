// The one pass over decoded samples both analysis paths share: per channel, min/max per waveform
// point (8-bit, audiowaveform scale), mean-removed energy (dBFS) per 20 ms frame, and how many
// samples sit at the codec's full scale (clipping). The ffmpeg path feeds it 16-bit PCM from the
// pipe; the in-process path feeds it G.711 / 8-bit bytes through a 256-entry table, or 16-bit PCM
// read straight from the file — the same numbers either way.
//
// The hot loops walk blocks of gcd(point, frame) samples with nothing but a table lookup,
// min/max, sum, sum² and a clip compare in them; points and frames are put together from whole
// blocks. Typed arrays throughout, nothing allocated per sample.
import { PEAKS_FORMAT, type WaveformPeaks } from './peaks-format';
import { SILENT_DB } from './vad';

export const VAD_FRAME_MS = 20;

interface ChannelState {
  peaks: Int8Array;
  points: number;
  pMin: number;
  pMax: number;
  /** Samples in the point being built. */
  pCount: number;
  energies: Float32Array;
  frames: number;
  fSum: number;
  fSumSq: number;
  /** Samples in the frame being built. */
  fCount: number;
  clipped: number;
}

export interface ReducedAudio {
  peaks: WaveformPeaks;
  energiesDb: Float32Array[];
  sampleFrames: number;
  /** Per channel: share of samples at full scale (0..1). */
  clippedShare: number[];
}

export class SampleReducer {
  sampleFrames = 0;
  readonly spp: number;
  readonly frameLen: number;
  /** Samples per channel in a block: points and frames are whole numbers of blocks. */
  readonly block: number;
  private readonly st: ChannelState[];
  private readonly clipHi: number;
  private readonly clipLo: number;

  constructor(
    readonly channels: number,
    readonly sampleRate: number,
    readonly peaksPerSecond: number,
    expectedSampleFrames = sampleRate * 60,
    /** Magnitude at which a sample counts as clipped (see g711.ts clipLevel). */
    clipLevel = 32767,
  ) {
    this.spp = sampleRate / peaksPerSecond;
    this.frameLen = (sampleRate * VAD_FRAME_MS) / 1000;
    if (!Number.isInteger(this.spp) || !Number.isInteger(this.frameLen)) throw new RangeError('rate must be a multiple of peaksPerSecond and of 50');
    this.block = gcd(this.spp, this.frameLen);
    this.clipHi = clipLevel;
    this.clipLo = -clipLevel;
    const points = Math.ceil(expectedSampleFrames / this.spp) + 16;
    const frames = Math.ceil(expectedSampleFrames / this.frameLen) + 16;
    this.st = Array.from({ length: channels }, () => ({
      peaks: new Int8Array(points * 2),
      points: 0,
      pMin: 32767,
      pMax: -32768,
      pCount: 0,
      energies: new Float32Array(frames),
      frames: 0,
      fSum: 0,
      fSumSq: 0,
      fCount: 0,
      clipped: 0,
    }));
  }

  /**
   * Interleaved 16-bit samples: `frames` sample frames in blocks of `blockLen` (the reducer's own
   * block, or shorter for the very last piece of a stream).
   */
  reduceInt16(samples: Int16Array, frames: number, blockLen = this.block): void {
    const ch = this.channels;
    const span = blockLen * ch;
    const total = frames * ch;
    for (let c = 0; c < ch; c++) {
      const s = this.st[c]!;
      let clipped = 0;
      const hi = this.clipHi;
      const lo = this.clipLo;
      for (let start = c; start < total; start += span) {
        let mn = 32767;
        let mx = -32768;
        let sum = 0;
        let sq = 0;
        const end = Math.min(total, start + span);
        for (let j = start; j < end; j += ch) {
          const v = samples[j]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
          sum += v;
          sq += v * v;
        }
        if (mn <= lo || mx >= hi) for (let j = start; j < end; j += ch) if (samples[j]! >= hi || samples[j]! <= lo) clipped++;
        this.endBlock(s, mn, mx, sum, sq, Math.min(blockLen, (end - start + ch - 1) / ch) | 0);
      }
      s.clipped += clipped;
    }
    this.sampleFrames += frames;
  }

  /** Interleaved one-byte samples (G.711 or 8-bit PCM) decoded through `table` (g711.ts decodeTable). */
  reduceCoded(bytes: Uint8Array, frames: number, table: Int32Array, blockLen = this.block): void {
    if (this.channels === 2) {
      const { square, clipped } = this.derivedTables(table);
      return this.reduceCodedStereo(bytes, frames, table, square, clipped, blockLen);
    }
    // Mono and multichannel: decode into a reused 16-bit buffer and reduce that.
    const n = frames * this.channels;
    if (!this.scratch || this.scratch.length < n) this.scratch = new Int16Array(n);
    const out = this.scratch;
    for (let i = 0; i < n; i++) out[i] = table[bytes[i]!]!;
    this.reduceInt16(out, frames, blockLen);
  }

  private scratch: Int16Array | null = null;

  /**
   * Stereo telephony, the common case: both channels in one walk over the bytes (about a third
   * faster than one walk per channel), squares and clip marks looked up rather than computed.
   */
  private reduceCodedStereo(bytes: Uint8Array, frames: number, table: Int32Array, square: Float64Array, clipOf: Uint8Array, blockLen: number): void {
    const s0 = this.st[0]!;
    const s1 = this.st[1]!;
    const hi = this.clipHi;
    const lo = this.clipLo;
    const total = frames * 2;
    const span = blockLen * 2;
    let c0 = 0;
    let c1 = 0;
    for (let start = 0; start < total; start += span) {
      let mn0 = 32767;
      let mx0 = -32768;
      let mn1 = 32767;
      let mx1 = -32768;
      let sum0 = 0;
      let sum1 = 0;
      let sq0 = 0;
      let sq1 = 0;
      let sqb0 = 0;
      let sqb1 = 0;
      const end = Math.min(total, start + span);
      // Two sample frames a turn with two square sums per channel: shorter dependency chains.
      // (Integer sums below 2^53 are exact in any order, so the numbers match the other paths.)
      let j = start;
      for (; j + 4 <= end; j += 4) {
        const a = bytes[j]!;
        const b = bytes[j + 1]!;
        const a2 = bytes[j + 2]!;
        const b2 = bytes[j + 3]!;
        const v = table[a]!;
        const w = table[b]!;
        const v2 = table[a2]!;
        const w2 = table[b2]!;
        if (v < mn0) mn0 = v;
        if (v > mx0) mx0 = v;
        if (w < mn1) mn1 = w;
        if (w > mx1) mx1 = w;
        if (v2 < mn0) mn0 = v2;
        if (v2 > mx0) mx0 = v2;
        if (w2 < mn1) mn1 = w2;
        if (w2 > mx1) mx1 = w2;
        sum0 += v + v2;
        sum1 += w + w2;
        sq0 += square[a]!;
        sq1 += square[b]!;
        sqb0 += square[a2]!;
        sqb1 += square[b2]!;
      }
      for (; j < end; j += 2) {
        const a = bytes[j]!;
        const b = bytes[j + 1]!;
        const v = table[a]!;
        const w = table[b]!;
        if (v < mn0) mn0 = v;
        if (v > mx0) mx0 = v;
        if (w < mn1) mn1 = w;
        if (w > mx1) mx1 = w;
        sum0 += v;
        sum1 += w;
        sq0 += square[a]!;
        sq1 += square[b]!;
      }
      sq0 += sqb0;
      sq1 += sqb1;
      // Clipping is rare: only a block that reaches full scale is walked again to count it.
      if (mn0 <= lo || mx0 >= hi) c0 += countClipped(bytes, start, end, 2, clipOf);
      if (mn1 <= lo || mx1 >= hi) c1 += countClipped(bytes, start + 1, end, 2, clipOf);
      const n = (end - start) >> 1;
      this.endBlock(s0, mn0, mx0, sum0, sq0, n);
      this.endBlock(s1, mn1, mx1, sum1, sq1, n);
    }
    s0.clipped += c0;
    s1.clipped += c1;
    this.sampleFrames += frames;
  }

  private tables = new WeakMap<Int32Array, { square: Float64Array; clipped: Uint8Array }>();
  private derivedTables(table: Int32Array): { square: Float64Array; clipped: Uint8Array } {
    let t = this.tables.get(table);
    if (!t) {
      const square = new Float64Array(256);
      const clipped = new Uint8Array(256);
      for (let b = 0; b < 256; b++) {
        const v = table[b]!;
        square[b] = v * v;
        clipped[b] = v >= this.clipHi || v <= this.clipLo ? 1 : 0;
      }
      t = { square, clipped };
      this.tables.set(table, t);
    }
    return t;
  }

  private endBlock(s: ChannelState, mn: number, mx: number, sum: number, sq: number, n: number): void {
    if (mn < s.pMin) s.pMin = mn;
    if (mx > s.pMax) s.pMax = mx;
    s.pCount += n;
    if (s.pCount >= this.spp) {
      pushPoint(s, s.pMin, s.pMax);
      s.pMin = 32767;
      s.pMax = -32768;
      s.pCount = 0;
    }
    s.fSum += sum;
    s.fSumSq += sq;
    s.fCount += n;
    if (s.fCount >= this.frameLen) {
      pushFrame(s, s.fSum, s.fSumSq, s.fCount);
      s.fSum = 0;
      s.fSumSq = 0;
      s.fCount = 0;
    }
  }

  finish(): ReducedAudio {
    for (const s of this.st) {
      if (s.pCount > 0) pushPoint(s, s.pMin, s.pMax);
      // A last partial frame counts if it is at least half a frame long.
      if (s.fCount * 2 >= this.frameLen) pushFrame(s, s.fSum, s.fSumSq, s.fCount);
      s.pCount = 0;
      s.fCount = 0;
    }
    const length = this.st[0]?.points ?? 0;
    return {
      peaks: {
        format: PEAKS_FORMAT,
        sampleRate: this.sampleRate,
        samplesPerPixel: this.spp,
        bits: 8,
        channels: this.channels,
        length,
        data: this.st.map((s) => s.peaks.slice(0, 2 * length)),
      },
      energiesDb: this.st.map((s) => s.energies.slice(0, s.frames)),
      sampleFrames: this.sampleFrames,
      clippedShare: this.st.map((s) => (this.sampleFrames ? s.clipped / this.sampleFrames : 0)),
    };
  }
}

/** Samples at full scale among bytes[from], bytes[from + step], … before `to`. */
function countClipped(bytes: Uint8Array, from: number, to: number, step: number, clipOf: Uint8Array): number {
  let n = 0;
  for (let j = from; j < to; j += step) n += clipOf[bytes[j]!]!;
  return n;
}

function pushPoint(s: ChannelState, min: number, max: number): void {
  if (2 * s.points + 2 > s.peaks.length) s.peaks = grow(s.peaks, s.peaks.length * 2);
  s.peaks[2 * s.points] = min >> 8;
  // Round the max up so a faint signal still shows as a sliver above the line.
  s.peaks[2 * s.points + 1] = Math.min(127, (max + 255) >> 8);
  s.points++;
}

function pushFrame(s: ChannelState, sum: number, sumSq: number, n: number): void {
  if (s.frames + 1 > s.energies.length) s.energies = grow(s.energies, s.energies.length * 2);
  s.energies[s.frames++] = energyDb(sum, sumSq, n);
}

/** Mean-removed energy of a frame in dBFS (a full-scale square wave is 0 dB). DC offset does not count as sound. */
export function energyDb(sum: number, sumSq: number, n: number): number {
  if (n <= 0) return SILENT_DB;
  const mean = sum / n;
  const power = sumSq / n - mean * mean;
  if (power <= 0) return SILENT_DB;
  return Math.max(SILENT_DB, 10 * Math.log10(power / (32768 * 32768)));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function grow<T extends Int8Array | Float32Array>(arr: T, size: number): T {
  const next = new (arr.constructor as new (n: number) => T)(size);
  next.set(arr);
  return next;
}
