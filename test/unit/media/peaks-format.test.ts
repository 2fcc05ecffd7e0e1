import { expect } from 'chai';
import { decodePeaksDat, encodePeaksDat, peaksForWavesurfer, PeaksFormatError, type WaveformPeaks } from '../../../src/features/media/peaks-format';

function stereoPeaks(): WaveformPeaks {
  return {
    format: 'audiowaveform-dat-v2',
    sampleRate: 8000,
    samplesPerPixel: 80,
    bits: 8,
    channels: 2,
    length: 3,
    data: [Int8Array.from([-1, 2, -128, 127, 0, 0]), Int8Array.from([-10, 20, -30, 40, -50, 60])],
  };
}

describe('media/peaks-format', () => {
  it('writes the audiowaveform .dat v2 header and interleaves min/max per point, channel by channel', () => {
    const bytes = encodePeaksDat(stereoPeaks());
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes.byteLength).to.equal(24 + 3 * 2 * 2);
    expect([0, 4, 8, 12, 16, 20].map((o) => view.getInt32(o, true))).to.deep.equal([2, 1, 8000, 80, 3, 2]);
    expect(Array.from(new Int8Array(bytes.buffer, 24))).to.deep.equal([-1, 2, -10, 20, -128, 127, -30, 40, 0, 0, -50, 60]);
  });

  it('reads back what it wrote, 8-bit and 16-bit', () => {
    const p = stereoPeaks();
    expect(decodePeaksDat(encodePeaksDat(p))).to.deep.equal(p);
    const wide: WaveformPeaks = { ...p, bits: 16, data: [Int16Array.from([-32768, 32767, 5, 6, -7, 8]), Int16Array.from([1, 2, 3, 4, 5, 6])] };
    expect(decodePeaksDat(encodePeaksDat(wide))).to.deep.equal(wide);
  });

  it('refuses a short, truncated or unknown-version file', () => {
    const bytes = encodePeaksDat(stereoPeaks());
    expect(() => decodePeaksDat(bytes.subarray(0, 10))).to.throw(PeaksFormatError);
    expect(() => decodePeaksDat(bytes.subarray(0, bytes.length - 1))).to.throw(PeaksFormatError, /truncated/);
    const v3 = Uint8Array.from(bytes);
    v3[0] = 3;
    expect(() => decodePeaksDat(v3)).to.throw(PeaksFormatError, /version/);
  });

  it('hands wavesurfer one -1..1 array per channel and the duration', () => {
    const { peaks, duration } = peaksForWavesurfer(stereoPeaks());
    expect(peaks).to.have.length(2);
    expect(Array.from(peaks[0]!)).to.deep.equal([-1 / 128, 2 / 128, -1, 127 / 128, 0, 0]);
    expect(duration).to.equal(0.03);
    expect(peaksForWavesurfer(stereoPeaks(), 0.025).duration).to.equal(0.025);
    for (const ch of peaks) for (const v of ch) expect(Math.abs(v)).to.be.at.most(1);
  });
});
