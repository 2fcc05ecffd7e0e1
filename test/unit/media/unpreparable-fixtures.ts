// Recordings that pass the probe but can never be prepared, built at test time.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { resolveMediaTools } from '../../../src/features/media/ffmpeg';

/** A WAV file from a format tag and raw sample bytes. */
export function wavBytes(o: { formatTag: number; channels: number; sampleRate: number; bits: number; data: Buffer }): Buffer {
  const block = (o.channels * o.bits) / 8;
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(o.formatTag, 0);
  fmt.writeUInt16LE(o.channels, 2);
  fmt.writeUInt32LE(o.sampleRate, 4);
  fmt.writeUInt32LE(o.sampleRate * block, 8);
  fmt.writeUInt16LE(block, 12);
  fmt.writeUInt16LE(o.bits, 14);
  const head = (id: string, size: number) => Buffer.concat([Buffer.from(id, 'latin1'), Buffer.from(Uint32Array.of(size).buffer)]);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), head('fmt ', 16), fmt, head('data', o.data.length), o.data]);
  return Buffer.concat([head('RIFF', body.length), body]);
}

export function floatWav(samples: number[]): Buffer {
  const data = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => data.writeFloatLE(v, i * 4));
  return wavBytes({ formatTag: 3, channels: 1, sampleRate: 8000, bits: 32, data });
}

/** Two seconds of float samples with infinities and NaN in the second half. */
export function floatWavWithInfinities(): Buffer {
  return floatWav(Array.from({ length: 16000 }, (_, i) => (i < 8000 ? Math.sin(i / 7) * 0.4 : [Infinity, -Infinity, NaN][i % 3]!)));
}

export function oneHertzWav(): Buffer {
  return wavBytes({ formatTag: 1, channels: 1, sampleRate: 1, bits: 16, data: Buffer.from(Int16Array.from({ length: 10 }, (_, i) => i * 1000).buffer) });
}

export function manyChannelWav(channels = 48): Buffer {
  return wavBytes({ formatTag: 1, channels, sampleRate: 8000, bits: 16, data: Buffer.alloc(channels * 2 * 8000, 1) });
}

/** An MP3 stream copied into a WAV container by ffmpeg (a "WAV" that is really MP3). */
export function mp3InsideWav(dir: string): Buffer {
  const tools = resolveMediaTools();
  const mp3 = path.join(dir, 'inside.mp3');
  const wav = path.join(dir, 'inside.wav');
  execFileSync(tools.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2:sample_rate=8000', '-c:a', 'libmp3lame', '-b:a', '32k', mp3]);
  execFileSync(tools.ffmpeg, ['-v', 'error', '-y', '-i', mp3, '-c:a', 'copy', '-f', 'wav', wav]);
  return fs.readFileSync(wav);
}
