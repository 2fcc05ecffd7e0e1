// One decoding pass over a recording, and on the way through waveform peaks and per-frame
// energies; from the energies the cheap audio facts a specialist sees before listening: duration,
// talk time per channel, long silences (hold), and on stereo calls the overlap. Two ways to decode,
// one contract, so callers never choose: the WAVs telephony records (G.711 mu-law / A-law, 8- and
// 16-bit PCM) are read and decoded in this process (fast-path.ts, no process started); anything
// else goes through ffmpeg as raw 16-bit PCM piped into Node. Both feed the same reducer
// (reducer.ts) and the same speech detector (vad.ts), so they give the same numbers.
// The decisions are plain exported functions, tested on synthetic sample arrays.
import { MediaRejectedError } from './errors';
import { analyseWavInProcess, inProcessPlan } from './fast-path';
import { mediaPath, resolveMediaTools, spawnFfmpeg, type MediaTools } from './ffmpeg';
import type { WaveformPeaks } from './peaks-format';
import { probeRecording, type ProbeResult } from './probe';
import { energyDb, SampleReducer, VAD_FRAME_MS, type ReducedAudio } from './reducer';
import { detectSpeech, maskSegments, runs, VAD_VERSION } from './vad';

export { VAD_FRAME_MS, energyDb } from './reducer';
export { energyQuantile, runs, smoothMask, detectSpeech, VAD_VERSION, VAD_PARAMS } from './vad';

export interface AnalyseOptions {
  /** Silences (every channel quiet) at least this long are listed. Config: silenceMinSeconds. */
  silenceMinSeconds: number;
  /** Waveform points per second (default 100: 10 ms each, enough to zoom into a 60-minute call). */
  peaksPerSecond?: number;
  /** Overlaps at least this long are listed (all overlap still counts in overlapSec). Default 0.5 s. */
  overlapMinSeconds?: number;
  /** A probe already made of this file (saves running ffprobe again on the ffmpeg path). */
  probe?: ProbeResult;
  tools?: MediaTools;
  /** Kill ffmpeg after this long (default 10 minutes). */
  timeoutMs?: number;
  /** 'auto' (default): in-process for the WAVs it decodes, else ffmpeg. 'ffmpeg': always ffmpeg (benchmarks, tests). */
  engine?: 'auto' | 'ffmpeg';
}

export interface TimeSegment {
  startSec: number;
  endSec: number;
}

export interface AudioFacts {
  durationSec: number;
  channels: number;
  /** Seconds of speech per channel (channel 0 = left; which side is the operator is the facts feature's per-source setting). */
  talkSec: number[];
  /** Stretches where every channel is quiet for at least silenceMinSeconds, in order. */
  silences: TimeSegment[];
  silenceSec: number;
  longestSilenceSec: number;
  /** Stereo only (null otherwise): total seconds both channels speak at once. */
  overlapSec: number | null;
  /** Stereo only: overlap stretches at least overlapMinSeconds long. */
  overlaps: TimeSegment[] | null;
  /** Per channel, the speech stretches found (absent in facts stored before VAD version 2). */
  speech?: TimeSegment[][];
  /** Per channel, share of samples at the codec's full scale, 0..1 (absent before VAD version 2). */
  clippedShare?: number[];
  /** How the voice activity was judged, for anyone who doubts a number. */
  vad: { frameMs: number; thresholdDb: number[]; noiseFloorDb: number[]; version?: number };
}

export interface AnalysisResult {
  durationSec: number;
  channels: number;
  /** Write with writePeaksFile / encodePeaksDat; the browser reads it with peaks-format.ts. */
  peaks: WaveformPeaks;
  facts: AudioFacts;
  /** Which decoder ran: in this process, or ffmpeg. */
  engine: 'in-process' | 'ffmpeg';
}

/**
 * Decodes the recording once and returns peaks, duration and facts. Throws MediaRejectedError
 * (corrupt) when it cannot be decoded to the end or nothing decodes.
 */
export async function analyseRecording(path: string, opts: AnalyseOptions): Promise<AnalysisResult> {
  const peaksPerSecond = opts.peaksPerSecond ?? 100;
  if (opts.engine !== 'ffmpeg') {
    const plan = await inProcessPlan(path, peaksPerSecond);
    if (plan) return analyseWavInProcess(path, plan, opts);
  }
  return analyseWithFfmpeg(path, opts);
}

async function analyseWithFfmpeg(path: string, opts: AnalyseOptions): Promise<AnalysisResult> {
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
  return { ...resultFromReduced(acc.finish(), sampleRate, opts), engine: 'ffmpeg' };
}

/** Duration, peaks and facts from what the reducer gathered. Shared by both decoding paths. */
export function resultFromReduced(r: ReducedAudio, sampleRate: number, opts: Pick<AnalyseOptions, 'silenceMinSeconds' | 'overlapMinSeconds'>): Omit<AnalysisResult, 'engine'> {
  const durationSec = round3(r.sampleFrames / sampleRate);
  const facts = factsFromEnergies(r.energiesDb, {
    frameSec: VAD_FRAME_MS / 1000,
    durationSec,
    silenceMinSeconds: opts.silenceMinSeconds,
    overlapMinSeconds: opts.overlapMinSeconds ?? 0.5,
    clippedShare: r.clippedShare,
  });
  return { durationSec, channels: r.peaks.channels, peaks: r.peaks, facts };
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
 * Streaming reducer over interleaved s16le PCM from the ffmpeg pipe (see reducer.ts): feed it
 * Buffers of any size. Only whole blocks of whole sample frames are reduced; a remainder waits for
 * the next chunk, completed from the head of that chunk rather than concatenated with all of it.
 */
export class PcmAccumulator {
  private carry: Buffer | null = null;
  private readonly reducer: SampleReducer;

  constructor(
    readonly channels: number,
    readonly sampleRate: number,
    readonly peaksPerSecond: number,
    expectedSampleFrames = sampleRate * 60,
  ) {
    this.reducer = new SampleReducer(channels, sampleRate, peaksPerSecond, expectedSampleFrames);
  }

  get sampleFrames(): number {
    return this.reducer.sampleFrames;
  }

  push(chunk: Buffer): void {
    const blockBytes = 2 * this.channels * this.reducer.block;
    let buf = chunk;
    if (this.carry) {
      const need = blockBytes - this.carry.length;
      if (chunk.length < need) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      this.reduce(Buffer.concat([this.carry, chunk.subarray(0, need)]), blockBytes);
      this.carry = null;
      buf = chunk.subarray(need);
    }
    const usable = buf.length - (buf.length % blockBytes);
    if (usable < buf.length) this.carry = Buffer.from(buf.subarray(usable));
    if (usable === 0) return;
    this.reduce(buf, usable);
  }

  private reduce(buf: Buffer, usable: number, blockLen?: number): void {
    // Int16Array needs an even byte offset; pooled Buffers are not always aligned.
    const aligned = buf.byteOffset % 2 === 0 ? buf : Buffer.from(buf.subarray(0, usable));
    const samples = new Int16Array(aligned.buffer, aligned.byteOffset, usable / 2);
    this.reducer.reduceInt16(samples, usable / (2 * this.channels), blockLen);
  }

  finish(): ReducedAudio {
    // The tail shorter than a block: whole sample frames only, as one short block.
    if (this.carry) {
      const frameBytes = 2 * this.channels;
      const usable = this.carry.length - (this.carry.length % frameBytes);
      if (usable > 0) this.reduce(this.carry, usable, usable / frameBytes);
      this.carry = null;
    }
    return this.reducer.finish();
  }
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

/** Frames where every channel is quiet, as segments at least minSeconds long (the last frame may be partial: end clamps to duration). */
export function silenceSegments(masks: Uint8Array[], frameSec: number, minSeconds: number, durationSec: number): TimeSegment[] {
  return segmentsWhere(masks, 0, frameSec, minSeconds, durationSec);
}

/** Frames where every channel speaks at once, as segments at least minSeconds long. */
export function overlapSegments(masks: Uint8Array[], frameSec: number, minSeconds: number, durationSec: number): TimeSegment[] {
  return segmentsWhere(masks, 1, frameSec, minSeconds, durationSec);
}

function segmentsWhere(masks: Uint8Array[], value: 0 | 1, frameSec: number, minSeconds: number, durationSec: number): TimeSegment[] {
  const n = masks.length ? Math.min(...masks.map((m) => m.length)) : 0;
  const all = new Uint8Array(n).fill(1);
  for (const m of masks) for (let i = 0; i < n; i++) if (m[i] !== value) all[i] = 0;
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
  opts: { frameSec: number; durationSec: number; silenceMinSeconds: number; overlapMinSeconds: number; clippedShare?: number[] },
): AudioFacts {
  const { frameSec, durationSec } = opts;
  const judged = energiesDb.map((e) => detectSpeech(e, frameSec));
  const masks = judged.map((j) => j.mask);
  const silences = silenceSegments(masks, frameSec, opts.silenceMinSeconds, durationSec);
  const silenceLengths = silences.map((s) => s.endSec - s.startSec);
  let overlapSec: number | null = null;
  let overlaps: TimeSegment[] | null = null;
  if (masks.length === 2) {
    const both = new Uint8Array(Math.min(masks[0]!.length, masks[1]!.length));
    for (let i = 0; i < both.length; i++) both[i] = masks[0]![i]! & masks[1]![i]!;
    overlapSec = round3(Math.min(durationSec, countOnes(both) * frameSec));
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
    speech: masks.map((m) => maskSegments(m, frameSec, durationSec)),
    clippedShare: (opts.clippedShare ?? masks.map(() => 0)).map((v) => Math.round(v * 1e4) / 1e4),
    vad: { frameMs: frameSec * 1000, thresholdDb: judged.map((j) => round1(j.thresholdDb)), noiseFloorDb: judged.map((j) => round1(j.noiseFloorDb)), version: VAD_VERSION },
  };
}

/** Analysis of samples already in memory (interleaved s16), same numbers as analyseRecording. For tests and the seed. */
export function analysePcm(
  samples: Int16Array,
  channels: number,
  sampleRate: number,
  opts: { silenceMinSeconds: number; peaksPerSecond?: number; overlapMinSeconds?: number },
): Omit<AnalysisResult, 'engine'> {
  const acc = new PcmAccumulator(channels, sampleRate, opts.peaksPerSecond ?? 100, samples.length / channels);
  acc.push(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  return resultFromReduced(acc.finish(), sampleRate, opts);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
