// The waveform in two steps: a coarse overview the evaluation page draws at once (a few thousand
// points per channel, ~16 KB for a stereo hour instead of the 1.4 MB stored at 100 points/s), then
// the stored detail for zooming in. Both are audiowaveform .dat v2 (see peaks-format.ts); the
// overview is derived from the stored peaks when served, so the analysis and its output stay as
// they are. Works on the raw bytes in one pass; imports nothing from Node or the DOM (the browser
// bundle uses datToChannels).
import { PEAKS_HEADER_BYTES, PeaksFormatError } from './peaks-format';

/** Points per channel in an overview: twice the widest waveform at zoom 0 on a 1920 px screen. */
export const OVERVIEW_MAX_POINTS = 4000;

export interface DatHeader {
  bits: 8 | 16;
  sampleRate: number;
  samplesPerPixel: number;
  /** Points per channel. */
  length: number;
  channels: number;
}

export function readDatHeader(u8: Uint8Array): DatHeader {
  if (u8.byteLength < PEAKS_HEADER_BYTES) throw new PeaksFormatError('peaks file too short');
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  if (view.getInt32(0, true) !== 2) throw new PeaksFormatError('peaks version not supported');
  const header: DatHeader = {
    bits: view.getUint32(4, true) & 1 ? 8 : 16,
    sampleRate: view.getInt32(8, true),
    samplesPerPixel: view.getInt32(12, true),
    length: view.getUint32(16, true),
    channels: view.getInt32(20, true),
  };
  if (header.channels < 1 || header.sampleRate < 1 || header.samplesPerPixel < 1) throw new PeaksFormatError('bad peaks header');
  if (u8.byteLength < PEAKS_HEADER_BYTES + header.length * header.channels * 2 * (header.bits / 8)) throw new PeaksFormatError('peaks file truncated');
  return header;
}

/**
 * At most `maxPoints` points per channel: runs of consecutive points merged into one (min of the
 * mins, max of the maxes), so every peak of the detail still shows. `reduced` is false when the
 * stored peaks were small enough already (then they are returned as they are). Pure.
 */
export function overviewPeaksDat(bytes: Uint8Array, maxPoints = OVERVIEW_MAX_POINTS): { bytes: Uint8Array; reduced: boolean } {
  const h = readDatHeader(bytes);
  if (h.length <= maxPoints) return { bytes, reduced: false };
  const merge = Math.ceil(h.length / maxPoints);
  const outLength = Math.ceil(h.length / merge);
  const bytesPer = h.bits / 8;
  const out = new Uint8Array(PEAKS_HEADER_BYTES + outLength * h.channels * 2 * bytesPer);
  out.set(bytes.subarray(0, PEAKS_HEADER_BYTES));
  const outView = new DataView(out.buffer);
  outView.setInt32(12, h.samplesPerPixel * merge, true);
  outView.setUint32(16, outLength, true);
  const stride = h.channels * 2;
  if (h.bits === 8) {
    const src = new Int8Array(bytes.buffer, bytes.byteOffset + PEAKS_HEADER_BYTES, h.length * stride);
    const dst = new Int8Array(out.buffer, PEAKS_HEADER_BYTES);
    for (let p = 0; p < outLength; p++) {
      const end = Math.min(h.length, (p + 1) * merge);
      for (let c = 0; c < h.channels; c++) {
        let min = 127;
        let max = -128;
        for (let i = p * merge, o = i * stride + 2 * c; i < end; i++, o += stride) {
          if (src[o]! < min) min = src[o]!;
          if (src[o + 1]! > max) max = src[o + 1]!;
        }
        dst[p * stride + 2 * c] = min;
        dst[p * stride + 2 * c + 1] = max;
      }
    }
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let p = 0; p < outLength; p++) {
      const end = Math.min(h.length, (p + 1) * merge);
      for (let c = 0; c < h.channels; c++) {
        let min = 32767;
        let max = -32768;
        for (let i = p * merge; i < end; i++) {
          const o = PEAKS_HEADER_BYTES + (i * stride + 2 * c) * 2;
          min = Math.min(min, view.getInt16(o, true));
          max = Math.max(max, view.getInt16(o + 2, true));
        }
        const o = PEAKS_HEADER_BYTES + (p * stride + 2 * c) * 2;
        outView.setInt16(o, min, true);
        outView.setInt16(o + 2, max, true);
      }
    }
  }
  return { bytes: out, reduced: true };
}

/**
 * What wavesurfer.js draws from, straight from .dat bytes in one pass: per channel the min/max
 * pairs scaled to -1..1, and the seconds they cover. Pure.
 */
export function datToChannels(buffer: ArrayBuffer | Uint8Array): { peaks: Float32Array[]; duration: number; pointsPerSecond: number } {
  const u8 = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const h = readDatHeader(u8);
  const stride = h.channels * 2;
  const peaks = Array.from({ length: h.channels }, () => new Float32Array(h.length * 2));
  if (h.bits === 8) {
    const src = new Int8Array(u8.buffer, u8.byteOffset + PEAKS_HEADER_BYTES, h.length * stride);
    for (let c = 0; c < h.channels; c++) {
      const dst = peaks[c]!;
      for (let i = 0, o = 2 * c; i < h.length; i++, o += stride) {
        dst[2 * i] = src[o]! / 128;
        dst[2 * i + 1] = src[o + 1]! / 128;
      }
    }
  } else {
    const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    for (let c = 0; c < h.channels; c++) {
      const dst = peaks[c]!;
      for (let i = 0; i < h.length; i++) {
        const o = PEAKS_HEADER_BYTES + (i * stride + 2 * c) * 2;
        dst[2 * i] = view.getInt16(o, true) / 32768;
        dst[2 * i + 1] = view.getInt16(o + 2, true) / 32768;
      }
    }
  }
  const pointsPerSecond = h.sampleRate / h.samplesPerPixel;
  return { peaks, duration: h.length / pointsPerSecond, pointsPerSecond };
}
