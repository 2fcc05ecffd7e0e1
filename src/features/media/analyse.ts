// One decoding pass over a recording: ffmpeg turns it into raw 16-bit PCM (channels kept apart)
// piped into Node, and on the way through we take waveform peaks and per-frame energies. From the
// energies come the cheap audio facts a specialist sees before listening: duration, talk time per
// channel, long silences (hold), and on stereo calls (operator left, caller right) the overlap.
// The decisions are plain exported functions, tested on synthetic sample arrays.
import { MediaRejectedError } from './errors';
import { mediaPath, resolveMediaTools, spawnFfmpeg, type MediaTools } from './ffmpeg';
import { PEAKS_FORMAT, type WaveformPeaks } from './peaks-format';
import { probeRecording, type ProbeResult } from './probe';

export interface AnalyseOptions {
  /** Silences (every channel quiet) at least this long are listed. Config: silenceMinSeconds. */
  silenceMinSeconds: number;
  /** Waveform points per second (default 100: 10 ms each, enough to zoom into a 60-minute call). */
  peaksPerSecond?: number;
  /** Overlaps at least this long are listed (all overlap still counts in overlapSec). Default 0.5 s. */
  overlapMinSeconds?: number;
  /** A probe already made of this file (saves running ffprobe again). */
  probe?: ProbeResult;
  tools?: MediaTools;
  /** Kill ffmpeg after this long (default 10 minutes). */
  timeoutMs?: number;
}

export interface TimeSegment {
  startSec: number;
  endSec: number;
}

export interface AudioFacts {
  durationSec: number;
  channels: number;
  /** Seconds of speech per channel (channel 0 = left = operator on stereo telephony). */
  talkSec: number[];
  /** Stretches where every channel is quiet for at least silenceMinSeconds, in order. */
  silences: TimeSegment[];
  silenceSec: number;
  longestSilenceSec: number;
  /** Stereo only (null otherwise): total seconds both channels speak at once. */
  overlapSec: number | null;
  /** Stereo only: overlap stretches at least overlapMinSeconds long. */
  overlaps: TimeSegment[] | null;
  /** How the voice activity was judged, for anyone who doubts a number. */
  vad: { frameMs: number; thresholdDb: number[]; noiseFloorDb: number[] };
}

export interface AnalysisResult {
  durationSec: number;
  channels: number;
  /** Write with writePeaksFile / encodePeaksDat; the browser reads it with peaks-format.ts. */
  peaks: WaveformPeaks;
  facts: AudioFacts;
}

export const VAD_FRAME_MS = 20;
/** Pauses shorter than this inside speech (between syllables and words) count as talk. */
export const VAD_BRIDGE_MS = 300;
/** Bursts shorter than this (clicks, line pops) do not count as talk. */
export const VAD_MIN_BURST_MS = 60;
/** Energy below this (dBFS) is never speech, however quiet the line. */
export const VAD_ABSOLUTE_FLOOR_DB = -55;
const SILENT_DB = -120;

/**
 * Decodes the recording once and returns peaks, duration and facts. Throws MediaRejectedError
 * (corrupt) when ffmpeg cannot decode it to the end or nothing decodes.
 */
export async function analyseRecording(path: string, opts: AnalyseOptions): Promise<AnalysisResult> {
  const tools = opts.tools ?? resolveMediaTools();
  const peaksPerSecond = opts.peaksPerSecond ?? 100;
  const probe = opts.probe ?? (await probeRecording(path, { maxBytes: Number.MAX_SAFE_INTEGER, maxSeconds: Number.MAX_SAFE_INTEGER }, tools));
  const sampleRate = chooseAnalysisRate(probe.sampleRate, peaksPerSecond);
  const channels = probe.channels;
  const acc = new PcmAccumulator(channels, sampleRate, peaksPerSecond, expectedFrames(probe.durationSec, sampleRate));

  // -ac pins the channel count the reducer expects (a decoder may differ from the header, as
  // HE-AAC v2 does); for telephony it is a no-op.
  const args = ['-v', 'error', '-i', mediaPath(path), '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', String(channels), '-f', 's16le', '-acodec', 'pcm_s16le'];
  if (sampleRate !== probe.sampleRate) args.push('-ar', String(sampleRate));
  // Without this ffmpeg flushes the pipe after every packet: 640-byte writes for GSM, 50 000
  // 'data' events an hour instead of 1 600.
  args.push('-flush_packets', '0', 'pipe:1');

  await new Promise<void>((resolve, reject) => {
    const child = spawnFfmpeg(tools, args, { timeoutMs: opts.timeoutMs });
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => acc.push(chunk));
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4096) stderr += b.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && acc.sampleFrames > 0) resolve();
      else reject(new MediaRejectedError('media.rejected.corrupt', { detail: code === 0 ? 'noSamples' : 'decodeFailed' }, stderr.trim()));
    });
  });

  const { peaks, energiesDb, sampleFrames } = acc.finish();
  const durationSec = round3(sampleFrames / sampleRate);
  const facts = factsFromEnergies(energiesDb, {
    frameSec: VAD_FRAME_MS / 1000,
    durationSec,
    silenceMinSeconds: opts.silenceMinSeconds,
    overlapMinSeconds: opts.overlapMinSeconds ?? 0.5,
  });
  return { durationSec, channels, peaks, facts };
}

/**
 * The PCM rate to analyse at: the source's own when it is at most 16 kHz and a whole number of
 * samples makes one waveform point, else 16 kHz (wideband is plenty for peaks and speech energy,
 * and keeps Node's share of a 48 kHz Opus file small), else 8 kHz.
 */
export function chooseAnalysisRate(sourceRate: number, peaksPerSecond: number): number {
  if (!Number.isInteger(peaksPerSecond) || peaksPerSecond <= 0) throw new RangeError('peaksPerSecond must be a positive integer');
  const fits = (r: number) => r % peaksPerSecond === 0 && (r * VAD_FRAME_MS) % 1000 === 0;
  if (sourceRate <= 16000 && fits(sourceRate)) return sourceRate;
  if (sourceRate > 16000 && fits(16000)) return 16000;
  if (fits(8000)) return 8000;
  if (fits(16000)) return 16000;
  throw new RangeError(`peaksPerSecond ${peaksPerSecond} does not divide 8000 or 16000`);
}

function expectedFrames(durationSec: number, rate: number): number {
  return Math.max(1, Math.ceil(durationSec * rate));
}

/**
 * Streaming reducer over interleaved s16le PCM: per channel, min/max per waveform point (8-bit,
 * audiowaveform scale) and mean-removed energy (dBFS) per VAD frame. Feed it Buffers of any size.
 * The hot loop walks blocks of gcd(point, frame) samples with nothing but min/max/sum/sum² in it
 * (about 4 ns a sample); points and frames are then put together from whole blocks.
 */
export class PcmAccumulator {
  sampleFrames = 0;
  private readonly spp: number;
  private readonly frameLen: number;
  private readonly block: number;
  private carry: Buffer | null = null;
  private readonly st: ChannelState[];

  constructor(
    readonly channels: number,
    readonly sampleRate: number,
    readonly peaksPerSecond: number,
    expectedSampleFrames = sampleRate * 60,
  ) {
    this.spp = sampleRate / peaksPerSecond;
    this.frameLen = (sampleRate * VAD_FRAME_MS) / 1000;
    if (!Number.isInteger(this.spp) || !Number.isInteger(this.frameLen)) throw new RangeError('rate must be a multiple of peaksPerSecond and of 50');
    this.block = gcd(this.spp, this.frameLen);
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
    }));
  }

  push(chunk: Buffer): void {
    // Only whole blocks of whole sample frames are reduced; a remainder waits for the next chunk.
    // The remainder is completed from the head of the next chunk rather than concatenated with
    // all of it, so the bulk of each chunk is read in place.
    const blockBytes = 2 * this.channels * this.block;
    let buf = chunk;
    if (this.carry) {
      const need = blockBytes - this.carry.length;
      if (chunk.length < need) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      this.reduce(Buffer.concat([this.carry, chunk.subarray(0, need)]), blockBytes, this.block);
      this.carry = null;
      buf = chunk.subarray(need);
    }
    const usable = buf.length - (buf.length % blockBytes);
    if (usable < buf.length) this.carry = Buffer.from(buf.subarray(usable));
    if (usable === 0) return;
    this.reduce(buf, usable, this.block);
  }

  private reduce(buf: Buffer, usable: number, block: number): void {
    // Int16Array needs an even byte offset; pooled Buffers are not always aligned.
    const aligned = buf.byteOffset % 2 === 0 ? buf : Buffer.from(buf.subarray(0, usable));
    const samples = new Int16Array(aligned.buffer, aligned.byteOffset, usable / 2);
    for (let c = 0; c < this.channels; c++) this.reduceChannel(this.st[c]!, samples, c, block);
    this.sampleFrames += usable / (2 * this.channels);
  }

  private reduceChannel(s: ChannelState, samples: Int16Array, c: number, block: number): void {
    const step = this.channels;
    const blockSpan = block * step;
    const spp = this.spp;
    const frameLen = this.frameLen;
    for (let start = c; start < samples.length; start += blockSpan) {
      let mn = 32767;
      let mx = -32768;
      let sum = 0;
      let sq = 0;
      const end = Math.min(samples.length, start + blockSpan);
      for (let j = start; j < end; j += step) {
        const v = samples[j]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        sum += v;
        sq += v * v;
      }
      if (mn < s.pMin) s.pMin = mn;
      if (mx > s.pMax) s.pMax = mx;
      s.pCount += block;
      if (s.pCount >= spp) {
        this.pushPoint(s, s.pMin, s.pMax);
        s.pMin = 32767;
        s.pMax = -32768;
        s.pCount = 0;
      }
      s.fSum += sum;
      s.fSumSq += sq;
      s.fCount += block;
      if (s.fCount >= frameLen) {
        this.pushFrame(s, s.fSum, s.fSumSq, s.fCount);
        s.fSum = 0;
        s.fSumSq = 0;
        s.fCount = 0;
      }
    }
  }

  private pushPoint(s: ChannelState, min: number, max: number): void {
    if (2 * s.points + 2 > s.peaks.length) s.peaks = grow(s.peaks, s.peaks.length * 2) as Int8Array;
    s.peaks[2 * s.points] = min >> 8;
    // Round the max up so a faint signal still shows as a sliver above the line.
    s.peaks[2 * s.points + 1] = Math.min(127, (max + 255) >> 8);
    s.points++;
  }

  private pushFrame(s: ChannelState, sum: number, sumSq: number, n: number): void {
    if (s.frames + 1 > s.energies.length) s.energies = grow(s.energies, s.energies.length * 2) as Float32Array;
    s.energies[s.frames++] = energyDb(sum, sumSq, n);
  }

  finish(): { peaks: WaveformPeaks; energiesDb: Float32Array[]; sampleFrames: number } {
    // The tail shorter than a block: whole sample frames only, as one short block.
    if (this.carry) {
      const frameBytes = 2 * this.channels;
      const usable = this.carry.length - (this.carry.length % frameBytes);
      if (usable > 0) this.reduce(this.carry, usable, usable / frameBytes);
      this.carry = null;
    }
    for (const s of this.st) {
      if (s.pCount > 0) this.pushPoint(s, s.pMin, s.pMax);
      // A last partial frame counts if it is at least half a frame long.
      if (s.fCount * 2 >= this.frameLen) this.pushFrame(s, s.fSum, s.fSumSq, s.fCount);
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
    };
  }
}

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
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function grow<T extends Int8Array | Float32Array>(arr: T, size: number): T {
  const next = new (arr.constructor as new (n: number) => T)(size);
  next.set(arr);
  return next;
}

/** Mean-removed energy of a frame in dBFS (a full-scale square wave is 0 dB). DC offset does not count as sound. */
export function energyDb(sum: number, sumSq: number, n: number): number {
  if (n <= 0) return SILENT_DB;
  const mean = sum / n;
  const power = sumSq / n - mean * mean;
  if (power <= 0) return SILENT_DB;
  return Math.max(SILENT_DB, 10 * Math.log10(power / (32768 * 32768)));
}

/** Per-frame energies (dBFS) of one channel of interleaved samples. Pure; what PcmAccumulator computes in stream. */
export function frameEnergies(samples: Int16Array, channels: number, channel: number, frameLen: number): Float32Array {
  const frames = Math.floor(samples.length / channels / frameLen);
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    let sumSq = 0;
    for (let k = 0; k < frameLen; k++) {
      const v = samples[(f * frameLen + k) * channels + channel]!;
      sum += v;
      sumSq += v * v;
    }
    out[f] = energyDb(sum, sumSq, frameLen);
  }
  return out;
}

/** Min/max per point of one channel of interleaved samples, full 16-bit scale. Pure; the reference for the streaming reducer. */
export function reducePeaks(samples: Int16Array, channels: number, channel: number, samplesPerPoint: number): Int16Array {
  const n = Math.floor(samples.length / channels);
  const points = Math.ceil(n / samplesPerPoint);
  const out = new Int16Array(points * 2);
  for (let p = 0; p < points; p++) {
    let min = 32767;
    let max = -32768;
    const end = Math.min(n, (p + 1) * samplesPerPoint);
    for (let i = p * samplesPerPoint; i < end; i++) {
      const v = samples[i * channels + channel]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out[2 * p] = min;
    out[2 * p + 1] = max;
  }
  return out;
}

/** The q-quantile (0..1) of frame energies, by a 0.5 dB histogram: O(n), no sort. */
export function energyQuantile(energiesDb: Float32Array, q: number): number {
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

/**
 * Adaptive speech threshold for one channel: the line's noise floor (10th percentile of frame
 * energy) plus a margin that grows with the spread up to the loud frames (97th percentile),
 * never below the absolute floor. A channel that never rises above its own noise gets a
 * threshold no frame reaches.
 */
export function vadThreshold(energiesDb: Float32Array): { thresholdDb: number; noiseFloorDb: number } {
  const noise = energyQuantile(energiesDb, 0.1);
  const loud = energyQuantile(energiesDb, 0.97);
  const margin = Math.min(20, Math.max(6, 0.35 * (loud - noise)));
  return { thresholdDb: Math.max(VAD_ABSOLUTE_FLOOR_DB, noise + margin), noiseFloorDb: noise };
}

/**
 * Speech (1) / quiet (0) per frame: frames above the threshold, minus bursts shorter than
 * minBurstFrames, with pauses shorter than bridgeFrames between speech filled in.
 */
export function activityMask(energiesDb: Float32Array, thresholdDb: number, bridgeFrames: number, minBurstFrames: number): Uint8Array {
  const n = energiesDb.length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = energiesDb[i]! > thresholdDb ? 1 : 0;
  for (const [s, e] of runs(mask, 1)) if (e - s < minBurstFrames) mask.fill(0, s, e);
  for (const [s, e] of runs(mask, 0)) if (s > 0 && e < n && e - s < bridgeFrames) mask.fill(1, s, e);
  return mask;
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

/** Frames where every channel is quiet, as segments at least minSeconds long (the last frame may be partial: end clamps to duration). */
export function silenceSegments(masks: Uint8Array[], frameSec: number, minSeconds: number, durationSec: number): TimeSegment[] {
  return segmentsWhere(masks, 0, frameSec, minSeconds, durationSec);
}

/** Frames where every channel speaks at once, as segments at least minSeconds long. */
export function overlapSegments(masks: Uint8Array[], frameSec: number, minSeconds: number, durationSec: number): TimeSegment[] {
  return segmentsWhere(masks, 1, frameSec, minSeconds, durationSec);
}

function segmentsWhere(masks: Uint8Array[], value: 0 | 1, frameSec: number, minSeconds: number, durationSec: number): TimeSegment[] {
  const n = Math.min(...masks.map((m) => m.length));
  const all = new Uint8Array(n);
  for (let i = 0; i < n; i++) all[i] = masks.every((m) => m[i] === value) ? 1 : 0;
  return runs(all, 1)
    .map(([s, e]) => ({ startSec: round3(s * frameSec), endSec: round3(Math.min(durationSec, e * frameSec)) }))
    .filter((seg) => seg.endSec - seg.startSec >= minSeconds - 1e-9);
}

function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

/** All the facts from per-channel frame energies. Pure. */
export function factsFromEnergies(
  energiesDb: Float32Array[],
  opts: { frameSec: number; durationSec: number; silenceMinSeconds: number; overlapMinSeconds: number },
): AudioFacts {
  const { frameSec, durationSec } = opts;
  const bridge = Math.round(VAD_BRIDGE_MS / 1000 / frameSec);
  const minBurst = Math.round(VAD_MIN_BURST_MS / 1000 / frameSec);
  const judged = energiesDb.map((e) => {
    const t = vadThreshold(e);
    return { ...t, mask: activityMask(e, t.thresholdDb, bridge, minBurst) };
  });
  const masks = judged.map((j) => j.mask);
  const silences = silenceSegments(masks, frameSec, opts.silenceMinSeconds, durationSec);
  const silenceLengths = silences.map((s) => s.endSec - s.startSec);
  let overlapSec: number | null = null;
  let overlaps: TimeSegment[] | null = null;
  if (masks.length === 2) {
    const both = new Uint8Array(Math.min(masks[0]!.length, masks[1]!.length));
    for (let i = 0; i < both.length; i++) both[i] = masks[0]![i]! & masks[1]![i]!;
    overlapSec = round3(countOnes(both) * frameSec);
    overlaps = overlapSegments(masks, frameSec, opts.overlapMinSeconds, durationSec);
  }
  return {
    durationSec,
    channels: energiesDb.length,
    talkSec: masks.map((m) => round3(Math.min(durationSec, countOnes(m) * frameSec))),
    silences,
    silenceSec: round3(silenceLengths.reduce((a, b) => a + b, 0)),
    longestSilenceSec: round3(Math.max(0, ...silenceLengths)),
    overlapSec,
    overlaps,
    vad: { frameMs: frameSec * 1000, thresholdDb: judged.map((j) => round1(j.thresholdDb)), noiseFloorDb: judged.map((j) => round1(j.noiseFloorDb)) },
  };
}

/** Analysis of samples already in memory (interleaved s16), same numbers as analyseRecording. For tests and the seed. */
export function analysePcm(
  samples: Int16Array,
  channels: number,
  sampleRate: number,
  opts: { silenceMinSeconds: number; peaksPerSecond?: number; overlapMinSeconds?: number },
): AnalysisResult {
  const acc = new PcmAccumulator(channels, sampleRate, opts.peaksPerSecond ?? 100, samples.length / channels);
  acc.push(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  const { peaks, energiesDb, sampleFrames } = acc.finish();
  const durationSec = round3(sampleFrames / sampleRate);
  const facts = factsFromEnergies(energiesDb, {
    frameSec: VAD_FRAME_MS / 1000,
    durationSec,
    silenceMinSeconds: opts.silenceMinSeconds,
    overlapMinSeconds: opts.overlapMinSeconds ?? 0.5,
  });
  return { durationSec, channels, peaks, facts };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
