// Waveform peaks on disk: the "audiowaveform .dat version 2" binary format (the format of the
// BBC's audiowaveform tool, also read by peaks.js), 8-bit. Compact — a 60-minute stereo call at
// 100 points per second is 1.44 MB — and a browser reads it with one fetch + DataView.
// This file imports nothing from Node or the DOM so the client bundle can use it as is.
//
// Layout, little-endian:
//   offset  type    field
//   0       int32   version            = 2
//   4       uint32  flags              bit 0 set = 8-bit values (clear = 16-bit)
//   8       int32   sample_rate        rate of the audio the peaks were taken from (Hz)
//   12      int32   samples_per_pixel  audio samples per point (sample_rate / points per second)
//   16      uint32  length             points per channel
//   20      int32   channels
//   24      data    for each point, for each channel: min, max (int8, or int16 when 16-bit)
// Point i covers seconds [i, i+1) × samples_per_pixel / sample_rate.

export const PEAKS_FORMAT = 'audiowaveform-dat-v2' as const;
export const PEAKS_HEADER_BYTES = 24;

export interface WaveformPeaks {
  format: typeof PEAKS_FORMAT;
  sampleRate: number;
  samplesPerPixel: number;
  bits: 8 | 16;
  channels: number;
  /** Points per channel. */
  length: number;
  /** Per channel: [min0, max0, min1, max1, …] in the sample scale of `bits` (int8: -128..127). */
  data: Array<Int8Array | Int16Array>;
}

export function encodePeaksDat(peaks: WaveformPeaks): Uint8Array {
  const bytesPer = peaks.bits === 8 ? 1 : 2;
  const out = new Uint8Array(PEAKS_HEADER_BYTES + peaks.length * peaks.channels * 2 * bytesPer);
  const view = new DataView(out.buffer);
  view.setInt32(0, 2, true);
  view.setUint32(4, peaks.bits === 8 ? 1 : 0, true);
  view.setInt32(8, peaks.sampleRate, true);
  view.setInt32(12, peaks.samplesPerPixel, true);
  view.setUint32(16, peaks.length, true);
  view.setInt32(20, peaks.channels, true);
  const ch = peaks.channels;
  if (peaks.bits === 8) {
    const body = new Int8Array(out.buffer, PEAKS_HEADER_BYTES);
    for (let c = 0; c < ch; c++) {
      const src = peaks.data[c]!;
      for (let i = 0, o = c * 2; i < peaks.length; i++, o += ch * 2) {
        body[o] = src[2 * i]!;
        body[o + 1] = src[2 * i + 1]!;
      }
    }
  } else {
    for (let c = 0; c < ch; c++) {
      const src = peaks.data[c]!;
      for (let i = 0; i < peaks.length; i++) {
        const o = PEAKS_HEADER_BYTES + (i * ch + c) * 4;
        view.setInt16(o, src[2 * i]!, true);
        view.setInt16(o + 2, src[2 * i + 1]!, true);
      }
    }
  }
  return out;
}

export class PeaksFormatError extends Error {
  override name = 'PeaksFormatError';
}

export function decodePeaksDat(bytes: ArrayBuffer | Uint8Array): WaveformPeaks {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength < PEAKS_HEADER_BYTES) throw new PeaksFormatError('peaks file too short');
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = view.getInt32(0, true);
  if (version !== 2) throw new PeaksFormatError(`peaks version ${version} not supported`);
  const bits = view.getUint32(4, true) & 1 ? 8 : 16;
  const sampleRate = view.getInt32(8, true);
  const samplesPerPixel = view.getInt32(12, true);
  const length = view.getUint32(16, true);
  const channels = view.getInt32(20, true);
  const bytesPer = bits === 8 ? 1 : 2;
  if (channels < 1 || sampleRate < 1 || samplesPerPixel < 1) throw new PeaksFormatError('bad peaks header');
  if (u8.byteLength < PEAKS_HEADER_BYTES + length * channels * 2 * bytesPer) throw new PeaksFormatError('peaks file truncated');
  const data: Array<Int8Array | Int16Array> = [];
  for (let c = 0; c < channels; c++) {
    const dst = bits === 8 ? new Int8Array(length * 2) : new Int16Array(length * 2);
    for (let i = 0; i < length; i++) {
      const o = PEAKS_HEADER_BYTES + (i * channels + c) * 2 * bytesPer;
      if (bits === 8) {
        dst[2 * i] = view.getInt8(o);
        dst[2 * i + 1] = view.getInt8(o + 1);
      } else {
        dst[2 * i] = view.getInt16(o, true);
        dst[2 * i + 1] = view.getInt16(o + 2, true);
      }
    }
    data.push(dst);
  }
  return { format: PEAKS_FORMAT, sampleRate, samplesPerPixel, bits, channels, length, data };
}

/**
 * What wavesurfer.js 8 wants: `peaks` (one array per channel, values -1..1) and `duration`.
 * Each channel is the min/max pairs in order; wavesurfer takes the largest magnitude per pixel,
 * so both the positive and negative excursions of a point are kept.
 * Pass the recording's measured duration when known (more exact than length × point width).
 */
export function peaksForWavesurfer(peaks: WaveformPeaks, durationSec?: number): { peaks: Float32Array[]; duration: number } {
  const scale = peaks.bits === 8 ? 1 / 128 : 1 / 32768;
  const out = peaks.data.map((src) => {
    const dst = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) dst[i] = src[i]! * scale;
    return dst;
  });
  return { peaks: out, duration: durationSec ?? (peaks.length * peaks.samplesPerPixel) / peaks.sampleRate };
}
