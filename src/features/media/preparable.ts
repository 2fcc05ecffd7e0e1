// Recordings that pass the probe yet can never become a playable call: a sample rate no speech lives
// at (1 Hz), dozens of channels, an MP3 dressed up as a WAV, a float WAV full of infinities. They are
// refused when they come in (upload, API, import), with a translated reason, instead of failing later
// in preparation with ffmpeg's words. The rules are plain functions of the probe; the float check
// reads the samples once.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { MediaRejectedError } from './errors';
import { readWavLayout } from './probe';
import type { ProbeResult } from './probe';

/** Below this no speech can be heard (telephony is 8 kHz; wideband 16 kHz). */
export const MIN_PREPARABLE_SAMPLE_RATE = 4000;
/** Above this it is not a recording of a call (studio rates go to 384 kHz). */
export const MAX_PREPARABLE_SAMPLE_RATE = 384_000;
/** A call is mono or stereo; recorders with a channel per party may use a few more. */
export const MAX_PREPARABLE_CHANNELS = 8;

/** Codecs a WAV file really holds: PCM, ADPCM and the telephony codecs. Anything else is another format wearing a WAV header. */
export function isWavCodec(codec: string): boolean {
  return /^(pcm_|adpcm_)/.test(codec) || ['gsm_ms', 'gsm', 'g722', 'g723_1', 'g726', 'g726le', 'g729', 'truespeech'].includes(codec);
}

/** Why a probed recording can never be prepared, or null when it can. Pure. */
export function unpreparableReason(p: Pick<ProbeResult, 'container' | 'codec' | 'sampleRate' | 'channels'>): MediaRejectedError | null {
  // A video without a sound track (sign language) has no audio to judge; the probe checked the picture.
  if (p.channels === 0) return null;
  if (p.sampleRate < MIN_PREPARABLE_SAMPLE_RATE || p.sampleRate > MAX_PREPARABLE_SAMPLE_RATE) {
    return new MediaRejectedError('media.rejected.sampleRate', { sampleRate: p.sampleRate, minRate: MIN_PREPARABLE_SAMPLE_RATE });
  }
  if (p.channels > MAX_PREPARABLE_CHANNELS) return new MediaRejectedError('media.rejected.tooManyChannels', { channels: p.channels, maxChannels: MAX_PREPARABLE_CHANNELS });
  if (p.container === 'wav' && !isWavCodec(p.codec)) return new MediaRejectedError('media.rejected.disguised', { codec: p.codec });
  return null;
}

/** True when every sample of a float PCM buffer (little-endian) is a finite number. Pure. */
export function allFinite(data: Buffer, bytesPerSample: 4 | 8): boolean {
  const n = Math.floor(data.length / bytesPerSample);
  for (let i = 0; i < n; i++) {
    const v = bytesPerSample === 4 ? data.readFloatLE(i * 4) : data.readDoubleLE(i * 8);
    if (!Number.isFinite(v)) return false;
  }
  return true;
}

/**
 * Throws MediaRejectedError when a probed recording can never be prepared; resolves otherwise.
 * Call it right after probeRecording() wherever a recording comes in.
 */
export async function assertPreparable(file: string, probe: ProbeResult): Promise<void> {
  const reason = unpreparableReason(probe);
  if (reason) throw reason;
  if (probe.container === 'wav' && (probe.codec === 'pcm_f32le' || probe.codec === 'pcm_f64le')) {
    if (!(await floatWavIsFinite(file, probe.codec === 'pcm_f32le' ? 4 : 8))) throw new MediaRejectedError('media.rejected.notFinite', {});
  }
}

/** Streams a float WAV's data chunk and stops at the first infinity or NaN. */
async function floatWavIsFinite(file: string, bytesPerSample: 4 | 8): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(size, 1 << 20));
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const layout = readWavLayout(head, head.length >= size);
  if (typeof layout === 'string') return true; // the probe judged the header; nothing more to say here
  const end = Math.min(size, layout.dataOffset + (layout.declaredDataBytes ?? size)) - 1;
  if (end < layout.dataOffset) return true;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { start: layout.dataOffset, end, highWaterMark: 1 << 20 })) {
    const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const whole = buf.length - (buf.length % bytesPerSample);
    if (!allFinite(buf.subarray(0, whole), bytesPerSample)) return false;
    carry = buf.subarray(whole);
  }
  return true;
}
