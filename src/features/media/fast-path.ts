// The in-process path for the recordings telephony makes: WAV with G.711 mu-law / A-law or 8- and
// 16-bit PCM samples, at 8 kHz and the other rates the analysis keeps as they are (chooseAnalysisRate).
// The file is read in ~1 MiB pieces (whole reducer blocks, so no sample is ever split) into one
// reused buffer and reduced where it lies: no ffprobe, no ffmpeg process, no copy per sample.
// Reading piece by piece also hands the event loop back between pieces: a 60-minute call does not
// hold up the web requests of the instance analysing it.
import fs from 'node:fs/promises';
import type { AnalyseOptions, AnalysisResult } from './analyse';
import { chooseAnalysisRate, resultFromReduced } from './analyse';
import { MediaRejectedError } from './errors';
import { clipLevel, decodeTable } from './g711';
import { SampleReducer } from './reducer';
import { readWavInfo, type InProcessCodec, type WavInfo } from './wav';

export interface InProcessPlan {
  wav: WavInfo & { codec: InProcessCodec };
}

/** The WAV layout when the in-process path can analyse this file, else null (ffmpeg will). */
export async function inProcessPlan(path: string, peaksPerSecond: number): Promise<InProcessPlan | null> {
  const wav = await readWavInfo(path).catch(() => null);
  if (!wav || !wav.codec) return null;
  // Rates the analysis would resample (or that a whole number of samples cannot split into
  // points and frames) go to ffmpeg, so both paths always give the same numbers.
  let rate: number;
  try {
    rate = chooseAnalysisRate(wav.sampleRate, peaksPerSecond);
  } catch {
    return null;
  }
  if (rate !== wav.sampleRate) return null;
  return { wav: wav as InProcessPlan['wav'] };
}

const TARGET_READ_BYTES = 1 << 20;

/** Decodes and reduces a WAV in this process. Same result shape (and numbers) as the ffmpeg path. */
export async function analyseWavInProcess(path: string, plan: InProcessPlan, opts: AnalyseOptions): Promise<AnalysisResult> {
  const { wav } = plan;
  const peaksPerSecond = opts.peaksPerSecond ?? 100;
  const frameBytes = wav.blockAlign;
  const totalFrames = Math.floor(wav.dataBytes / frameBytes);
  if (totalFrames <= 0) throw new MediaRejectedError('media.rejected.corrupt', { detail: 'noSamples' });
  const reducer = new SampleReducer(wav.channels, wav.sampleRate, peaksPerSecond, totalFrames, clipLevel(wav.codec));
  const blockBytes = reducer.block * frameBytes;
  const readBytes = Math.max(blockBytes, TARGET_READ_BYTES - (TARGET_READ_BYTES % blockBytes));
  // Its own ArrayBuffer at offset 0: an Int16Array view over it is always aligned.
  const buf = Buffer.allocUnsafeSlow(Math.min(readBytes, totalFrames * frameBytes));
  const s16 = wav.codec === 'pcm_s16le' ? new Int16Array(buf.buffer, buf.byteOffset, buf.length >> 1) : null;
  const table = wav.codec === 'pcm_s16le' ? null : decodeTable(wav.codec);

  const fh = await fs.open(path, 'r');
  try {
    let pos = wav.dataOffset;
    let framesLeft = totalFrames;
    while (framesLeft > 0) {
      const want = Math.min(buf.length, framesLeft * frameBytes);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const frames = Math.floor(got / frameBytes);
      if (frames === 0) break;
      const whole = frames - (frames % reducer.block);
      // Whole blocks, then (only ever at the very end) the rest as one short block.
      if (whole > 0) feed(reducer, s16, table, buf, whole, reducer.block, 0);
      if (frames > whole) feed(reducer, s16, table, buf, frames - whole, frames - whole, whole * frameBytes);
      pos += frames * frameBytes;
      framesLeft -= frames;
      if (got < want) break; // the file ended early (truncated after the header was read)
    }
  } finally {
    await fh.close();
  }
  if (reducer.sampleFrames === 0) throw new MediaRejectedError('media.rejected.corrupt', { detail: 'noSamples' });
  return { ...resultFromReduced(reducer.finish(), wav.sampleRate, opts), engine: 'in-process' };
}

function feed(reducer: SampleReducer, s16: Int16Array | null, table: Int32Array | null, buf: Buffer, frames: number, blockLen: number, byteOffset: number): void {
  if (s16) reducer.reduceInt16(byteOffset ? s16.subarray(byteOffset >> 1) : s16, frames, blockLen);
  else reducer.reduceCoded(byteOffset ? buf.subarray(byteOffset) : buf, frames, table!, blockLen);
}
