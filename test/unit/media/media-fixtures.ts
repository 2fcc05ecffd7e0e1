// Recordings made at test time into a temporary directory: a synthetic call from synth.ts, and
// ffmpeg's re-encodings of it into the telephony formats. Nothing binary is committed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveMediaTools, runFfmpeg, type MediaTools } from '../../../src/features/media/ffmpeg';
import { synthesizeCallWav } from '../../../src/features/media/synth';

export const tools: MediaTools = resolveMediaTools();

export function makeTempDir(prefix = 'sifat-media-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

let encoderList: string | null = null;
/** Whether the resolved ffmpeg has an encoder (the npm static build lacks libgsm, for one). */
export function hasEncoder(name: string): boolean {
  encoderList ??= execFileSync(tools.ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return new RegExp(`^\\s*[A-Z.]{6}\\s+${name}\\s`, 'm').test(encoderList);
}

/** A synthetic stereo mu-law call written to dir. */
export function writeSynthCall(dir: string, name: string, durationSec: number, seed = 11): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, synthesizeCallWav({ seed, durationSec }));
  return file;
}

/** ffmpeg re-encodes `src` with the given output args into dir/name. */
export async function transcode(src: string, dir: string, name: string, outArgs: string[]): Promise<string> {
  const file = path.join(dir, name);
  await runFfmpeg(tools, ['-v', 'error', '-y', '-i', src, ...outArgs, file]);
  return file;
}

export interface FormatFixture {
  label: string;
  name: string;
  args: string[];
  codec: string;
  channels: number;
  encoder: string;
  /** Chrome plays it as is (TOOLCHAIN.md measurements). */
  playsAsIs: boolean;
}

/** The telephony formats the probe must accept. Made from a stereo synthetic call. */
export const TELEPHONY_FORMATS: FormatFixture[] = [
  { label: '8 kHz PCM s16 WAV mono', name: 'pcm-mono.wav', args: ['-ac', '1', '-c:a', 'pcm_s16le'], codec: 'pcm_s16le', channels: 1, encoder: 'pcm_s16le', playsAsIs: true },
  { label: '8 kHz PCM s16 WAV stereo', name: 'pcm-stereo.wav', args: ['-c:a', 'pcm_s16le'], codec: 'pcm_s16le', channels: 2, encoder: 'pcm_s16le', playsAsIs: true },
  { label: 'mu-law WAV mono', name: 'mulaw-mono.wav', args: ['-ac', '1', '-c:a', 'pcm_mulaw'], codec: 'pcm_mulaw', channels: 1, encoder: 'pcm_mulaw', playsAsIs: true },
  { label: 'mu-law WAV stereo', name: 'mulaw-stereo.wav', args: ['-c:a', 'pcm_mulaw'], codec: 'pcm_mulaw', channels: 2, encoder: 'pcm_mulaw', playsAsIs: true },
  { label: 'A-law WAV mono', name: 'alaw-mono.wav', args: ['-ac', '1', '-c:a', 'pcm_alaw'], codec: 'pcm_alaw', channels: 1, encoder: 'pcm_alaw', playsAsIs: true },
  { label: 'A-law WAV stereo', name: 'alaw-stereo.wav', args: ['-c:a', 'pcm_alaw'], codec: 'pcm_alaw', channels: 2, encoder: 'pcm_alaw', playsAsIs: true },
  { label: 'MP3 stereo', name: 'call.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '32k'], codec: 'mp3', channels: 2, encoder: 'libmp3lame', playsAsIs: true },
  { label: 'GSM 6.10 WAV (gsm_ms)', name: 'gsm.wav', args: ['-ac', '1', '-c:a', 'libgsm_ms'], codec: 'gsm_ms', channels: 1, encoder: 'libgsm_ms', playsAsIs: false },
  { label: 'OGG/Opus stereo', name: 'call.ogg', args: ['-c:a', 'libopus', '-b:a', '24k', '-application', 'voip'], codec: 'opus', channels: 2, encoder: 'libopus', playsAsIs: true },
];

/** A short video (native mpeg4 encoder, present in every ffmpeg build) with or without the call's audio. */
export async function makeVideo(dir: string, name: string, audioSrc: string | null, seconds = 2): Promise<string> {
  const file = path.join(dir, name);
  const input = ['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=96x64:rate=10`];
  const args = audioSrc
    ? [...input, '-i', audioSrc, '-map', '0:v', '-map', '1:a', '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest']
    : [...input, '-c:v', 'mpeg4', '-an'];
  await runFfmpeg(tools, ['-v', 'error', '-y', ...args, file]);
  return file;
}
