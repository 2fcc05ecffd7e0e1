import { expect } from 'chai';
import { encodePeaksDat, decodePeaksDat, type WaveformPeaks } from '../../../src/features/media/peaks-format';
import { datToChannels, overviewPeaksDat } from '../../../src/features/media/peaks-overview';

/** An hour of stereo peaks at 100 points/s: quiet, with one loud point per channel at a known place. */
function hourOfPeaks(bits: 8 | 16): WaveformPeaks {
  const length = 360_000;
  const make = (loudAt: number, loud: number) => {
    const a = bits === 8 ? new Int8Array(length * 2) : new Int16Array(length * 2);
    for (let i = 0; i < length; i++) {
      a[2 * i] = -3;
      a[2 * i + 1] = 3;
    }
    a[2 * loudAt] = -loud;
    a[2 * loudAt + 1] = loud;
    return a;
  };
  const loud = bits === 8 ? 120 : 30_000;
  return { format: 'audiowaveform-dat-v2', sampleRate: 8000, samplesPerPixel: 80, bits, channels: 2, length, data: [make(123_456, loud), make(7, loud)] };
}

describe('media/peaks-overview', () => {
  for (const bits of [8, 16] as const) {
    it(`reduces an hour of ${bits}-bit stereo peaks to a few thousand points per channel and keeps every loud moment`, () => {
      const detail = encodePeaksDat(hourOfPeaks(bits));
      const { bytes, reduced } = overviewPeaksDat(detail, 4000);
      expect(reduced).to.equal(true);
      expect(bytes.byteLength).to.be.below(detail.byteLength / 50);
      const o = decodePeaksDat(bytes);
      expect(o.length).to.be.at.most(4000);
      expect(o.channels).to.equal(2);
      // The same hour: points × seconds per point.
      expect((o.length * o.samplesPerPixel) / o.sampleRate).to.be.closeTo(3600, 1);
      const loud = bits === 8 ? 120 : 30_000;
      const pointOf = (second: number) => Math.floor((second * o.sampleRate) / o.samplesPerPixel);
      expect(o.data[0]![2 * pointOf(1234.56) + 1]).to.equal(loud);
      expect(o.data[0]![2 * pointOf(1234.56)]).to.equal(-loud);
      expect(o.data[1]![1]).to.equal(loud);
      expect(o.data[0]![3]).to.equal(3);
    });
  }

  it('gives a short call its stored peaks as they are, marked not reduced', () => {
    const p = hourOfPeaks(8);
    const short = encodePeaksDat({ ...p, length: 600, data: p.data.map((d) => d.slice(0, 1200)) });
    const { bytes, reduced } = overviewPeaksDat(short, 4000);
    expect(reduced).to.equal(false);
    expect(bytes).to.equal(short);
  });

  it('reads .dat bytes into what wavesurfer draws: min/max pairs per channel in -1..1, and the seconds covered', () => {
    const p = hourOfPeaks(8);
    const bytes = encodePeaksDat({ ...p, length: 500, data: p.data.map((d) => d.slice(0, 1000)) });
    const w = datToChannels(bytes);
    expect(w.peaks).to.have.length(2);
    expect(w.peaks[0]).to.have.length(1000);
    expect(w.duration).to.be.closeTo(5, 1e-9);
    expect(w.pointsPerSecond).to.equal(100);
    expect(w.peaks[1]![14]).to.be.closeTo(-120 / 128, 1e-6);
    expect(w.peaks[0]![1]).to.be.closeTo(3 / 128, 1e-6);
  });

  it('refuses a truncated peaks file', () => {
    const bytes = encodePeaksDat(hourOfPeaks(8));
    expect(() => overviewPeaksDat(bytes.subarray(0, 1000))).to.throw(/truncated/);
  });
});
