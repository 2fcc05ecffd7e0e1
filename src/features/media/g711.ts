// Decoding tables for the sample codecs telephony records: G.711 mu-law and A-law (ITU-T G.711,
// 8 bits a sample) and 8-bit unsigned PCM. 256 entries each, built once: decoding is one lookup
// per sample, the same 16-bit values ffmpeg's pcm_mulaw / pcm_alaw / pcm_u8 decoders give.
import { muLawToLinear } from './synth';

export type ByteCodec = 'pcm_mulaw' | 'pcm_alaw' | 'pcm_u8';

/** 16-bit linear sample of a G.711 A-law byte (the reference decoder of ITU-T G.711 / Sun's g711.c). */
export function aLawToLinear(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const tables = new Map<ByteCodec, Int32Array>();

/** value = table[byte]: the decoded 16-bit sample (as an Int32Array: integer sums stay exact). */
export function decodeTable(codec: ByteCodec): Int32Array {
  let t = tables.get(codec);
  if (!t) {
    t = new Int32Array(256);
    for (let b = 0; b < 256; b++) t[b] = codec === 'pcm_mulaw' ? muLawToLinear(b) : codec === 'pcm_alaw' ? aLawToLinear(b) : (b - 128) << 8;
    tables.set(codec, t);
  }
  return t;
}

/** The largest magnitude a codec can express: a sample there (either sign) is clipped. */
export function clipLevel(codec: ByteCodec | 'pcm_s16le'): number {
  switch (codec) {
    case 'pcm_mulaw':
      return 32124;
    case 'pcm_alaw':
      return 32256;
    case 'pcm_u8':
      return 32512;
    case 'pcm_s16le':
      return 32767;
  }
}
