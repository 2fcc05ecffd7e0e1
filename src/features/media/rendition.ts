// Does Chrome play the original as it is, and if not, a browser rendition that keeps the channels
// apart (operator left, caller right). Measured on this project's machine (TOOLCHAIN.md): Chromium
// plays 8 kHz mu-law/A-law WAV, 16-bit PCM WAV, 8 kHz MP3 and OGG/Opus as they are; GSM 6.10 WAV
// fails. Most telephony recordings therefore need no rendition at all.
//
// The audio rendition is MP3: LAME encodes an hour of 8 kHz stereo in about 4–6 s (≈ 600–850×
// real time), where Opus/WebM with -application voip takes 13–17 s even at its lowest complexity.
// Opus is still available by asking for a .webm or .ogg destination (smaller files, slower).
import path from 'node:path';
import { mediaPath, resolveMediaTools, runFfmpeg, type MediaTools } from './ffmpeg';
import { probeRecording, type ProbeResult } from './probe';
import { atomically } from './store';

/** WAV sample codecs Chrome's WAV demuxer decodes. */
const CHROME_WAV_CODECS = new Set(['pcm_u8', 'pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_mulaw', 'pcm_alaw']);
const CHROME_VIDEO_CODECS = new Set(['h264', 'vp8', 'vp9', 'av1']);

export type PlaybackVerdict =
  | { playsAsIs: true }
  | { playsAsIs: false; why: 'codec' | 'container' | 'video' | 'channels' };

/** Whether Chrome plays the original file. Pure: decided from the probe alone. */
export function browserPlayback(p: Pick<ProbeResult, 'container' | 'codec' | 'channels' | 'hasVideo' | 'videoCodec'>): PlaybackVerdict {
  // More than two channels: browsers downmix unpredictably; the rendition keeps the first two apart.
  if (p.channels > 2) return { playsAsIs: false, why: 'channels' };
  if (p.hasVideo && !CHROME_VIDEO_CODECS.has(p.videoCodec ?? '')) return { playsAsIs: false, why: 'video' };
  // A video without sound (sign language) is judged by its picture and container alone.
  const silent = p.hasVideo && p.channels === 0;
  switch (p.container) {
    case 'wav':
      return CHROME_WAV_CODECS.has(p.codec) ? { playsAsIs: true } : { playsAsIs: false, why: 'codec' };
    case 'mpeg-audio':
      return p.codec === 'mp3' ? { playsAsIs: true } : { playsAsIs: false, why: 'codec' };
    case 'ogg':
      return !p.hasVideo && ['opus', 'vorbis', 'flac'].includes(p.codec) ? { playsAsIs: true } : { playsAsIs: false, why: 'codec' };
    case 'flac':
      return p.codec === 'flac' ? { playsAsIs: true } : { playsAsIs: false, why: 'codec' };
    case 'matroska':
      return (silent || ['opus', 'vorbis'].includes(p.codec)) && (!p.hasVideo || ['vp8', 'vp9', 'av1'].includes(p.videoCodec ?? ''))
        ? { playsAsIs: true }
        : { playsAsIs: false, why: 'codec' };
    case 'mp4':
      return silent || ['aac', 'mp3', 'opus', 'flac'].includes(p.codec) ? { playsAsIs: true } : { playsAsIs: false, why: 'codec' };
    default:
      return { playsAsIs: false, why: 'container' };
  }
}

/** True when the browser needs a rendition of this recording. Pure. */
export function needsRendition(p: Pick<ProbeResult, 'container' | 'codec' | 'channels' | 'hasVideo' | 'videoCodec'>): boolean {
  return !browserPlayback(p).playsAsIs;
}

export type RenditionExt = 'mp3' | 'webm' | 'ogg' | 'mp4';

/** The rendition to make for a recording: MP4 (H.264 + AAC) for video, MP3 for audio. Pure. */
export function renditionFormatFor(p: Pick<ProbeResult, 'hasVideo'>): { ext: RenditionExt; mimeType: string } {
  return p.hasVideo ? { ext: 'mp4', mimeType: 'video/mp4' } : { ext: 'mp3', mimeType: 'audio/mpeg' };
}

export function renditionMimeType(ext: RenditionExt): string {
  return { mp3: 'audio/mpeg', webm: 'audio/webm', ogg: 'audio/ogg', mp4: 'video/mp4' }[ext];
}

/** Sample rates MPEG audio (MPEG-1, 2 and 2.5) can carry. */
const MP3_RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]);

/**
 * ffmpeg output arguments for a rendition. Channels are kept (at most two); 8 kHz telephony
 * stays 8 kHz. Pure, so the choice of codec settings is tested without running ffmpeg.
 */
export function renditionArgs(ext: RenditionExt, source: Pick<ProbeResult, 'sampleRate' | 'channels'>): string[] {
  const channels = Math.min(2, Math.max(1, source.channels));
  const ch = source.channels > 2 ? ['-ac', '2'] : [];
  switch (ext) {
    case 'mp3': {
      const rate = MP3_RATES.has(source.sampleRate) ? source.sampleRate : 16000;
      // 16 kb/s per channel is clear narrowband speech at 8 kHz; more for wideband sources.
      const perChannel = rate <= 12000 ? 16 : rate <= 24000 ? 32 : 48;
      return ['-vn', ...ch, '-ar', String(rate), '-c:a', 'libmp3lame', '-b:a', `${perChannel * channels}k`, '-compression_level', '7', '-f', 'mp3'];
    }
    case 'webm':
    case 'ogg':
      return ['-vn', ...ch, '-c:a', 'libopus', '-b:a', `${12 * channels}k`, '-application', 'voip', '-compression_level', '0', '-f', ext];
    case 'mp4': {
      // H.264 + AAC; a video without sound stays without (sign-language calls may have none).
      const sound = source.channels > 0 ? ['-map', '0:a:0', ...ch, '-c:a', 'aac', '-b:a', `${32 * channels}k`] : ['-an'];
      return [
        '-map', '0:v:0', ...sound,
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p',
        '-movflags', '+faststart', '-f', 'mp4',
      ];
    }
  }
}

/**
 * Makes a browser rendition of `src` at `dest`; the codec follows dest's extension
 * (.mp3, .webm, .ogg, .mp4 — see renditionFormatFor). Written to a temporary name beside dest
 * and renamed into place, so a reader never sees half a file.
 */
export async function makeRendition(
  src: string,
  dest: string,
  opts: { probe?: Pick<ProbeResult, 'sampleRate' | 'channels'>; tools?: MediaTools } = {},
): Promise<void> {
  const ext = path.extname(dest).slice(1) as RenditionExt;
  if (!['mp3', 'webm', 'ogg', 'mp4'].includes(ext)) throw new RangeError(`unsupported rendition extension: ${dest}`);
  const tools = opts.tools ?? resolveMediaTools();
  const source = opts.probe ?? (await probeRecording(src, { maxBytes: Number.MAX_SAFE_INTEGER, maxSeconds: Number.MAX_SAFE_INTEGER }, tools));
  await atomically(dest, (tmp) => runFfmpeg(tools, ['-v', 'error', '-y', '-i', mediaPath(src), ...renditionArgs(ext, source), mediaPath(tmp)]).then(() => undefined));
}
