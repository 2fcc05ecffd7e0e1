import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import {
  analysePcm, analyseRecording, chooseAnalysisRate, detectSpeech, energyDb, energyQuantile, factsFromEnergies, frameEnergies,
  overlapSegments, PcmAccumulator, reducePeaks, runs, silenceSegments, smoothMask,
} from '../../../src/features/media/analyse';
import { MediaRejectedError } from '../../../src/features/media/errors';
import { probeRecording } from '../../../src/features/media/probe';
import { encodeMuLawWav, synthesizeCall } from '../../../src/features/media/synth';
import { hasEncoder, makeTempDir, removeDir, TELEPHONY_FORMATS, tools, transcode, writeSynthCall } from './media-fixtures';

const RATE = 8000;

/** Interleaves per-channel sample arrays. */
function interleave(...chs: Int16Array[]): Int16Array {
  const n = chs[0]!.length;
  const out = new Int16Array(n * chs.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < chs.length; c++) out[i * chs.length + c] = chs[c]![i]!;
  return out;
}

/** A channel of `seconds` with a 300 Hz tone of `amp` inside the given [start, end) second spans, faint noise elsewhere. */
function toneChannel(seconds: number, spans: Array<[number, number]>, amp = 8000, seed = 1): Int16Array {
  const out = new Int16Array(Math.round(seconds * RATE));
  let x = seed;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((x >> 16) % 7) - 3; // about -80 dBFS of hiss
  }
  for (const [s, e] of spans) {
    for (let i = Math.round(s * RATE); i < Math.round(e * RATE); i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * 300 * i) / RATE));
  }
  return out;
}

const mask = (s: string) => Uint8Array.from(s.split('').map(Number));

describe('media/analyse (pure)', () => {
  describe('energyDb()', () => {
    it('puts a full-scale square wave at 0 dBFS and a half-scale one at -6 dB', () => {
      expect(energyDb(0, 4 * 32768 * 32768, 4)).to.be.closeTo(0, 1e-9);
      expect(energyDb(0, 4 * 16384 * 16384, 4)).to.be.closeTo(-6.02, 0.01);
    });

    it('does not count a DC offset as sound', () => {
      expect(energyDb(4 * 1000, 4 * 1000 * 1000, 4)).to.equal(-120);
    });
  });

  describe('frameEnergies()', () => {
    it('gives each 20 ms frame of one channel its level, ignoring the other channel', () => {
      const loud = toneChannel(0.1, [[0, 0.04]], 16384);
      const quiet = new Int16Array(loud.length);
      const e = frameEnergies(interleave(quiet, loud), 2, 1, 160);
      expect(e.length).to.equal(5);
      // a sine of amplitude A has RMS A/√2: 16384 → -9 dBFS
      expect(e[0]).to.be.closeTo(-9.03, 0.1);
      expect(e[1]).to.be.closeTo(-9.03, 0.1);
      expect(e[2]).to.be.below(-60);
      expect(frameEnergies(interleave(quiet, loud), 2, 0, 160)[0]).to.equal(-120);
    });
  });

  describe('reducePeaks()', () => {
    it('keeps the min and max of each point', () => {
      const s = Int16Array.from([1, -5, 9, 2, -7, 3, 0]);
      expect(Array.from(reducePeaks(s, 1, 0, 3))).to.deep.equal([-5, 9, -7, 3, 0, 0]);
    });
  });

  describe('PcmAccumulator', () => {
    it('gives the same peaks and energies however the stream is cut into chunks', () => {
      const left = toneChannel(1, [[0.1, 0.5]], 12000, 3);
      const right = toneChannel(1, [[0.4, 0.9]], 20000, 5);
      const bytes = Buffer.from(interleave(left, right).buffer);
      const whole = new PcmAccumulator(2, RATE, 100);
      whole.push(bytes);
      const pieces = new PcmAccumulator(2, RATE, 100);
      // odd sizes: cuts inside samples and inside sample frames
      for (let o = 0, step = 1; o < bytes.length; o += step, step = (step * 7 + 3) % 997 + 1) pieces.push(bytes.subarray(o, o + step));
      const a = whole.finish();
      const b = pieces.finish();
      expect(b.sampleFrames).to.equal(RATE);
      expect(Array.from(b.peaks.data[1]!)).to.deep.equal(Array.from(a.peaks.data[1]!));
      expect(Array.from(b.energiesDb[0]!)).to.deep.equal(Array.from(a.energiesDb[0]!));
    });

    it('agrees with the reference reducers, in 8-bit audiowaveform scale', () => {
      const left = toneChannel(0.5, [[0, 0.25]], 30000, 9);
      const acc = new PcmAccumulator(1, RATE, 100);
      acc.push(Buffer.from(left.buffer));
      const { peaks, energiesDb } = acc.finish();
      const ref = reducePeaks(left, 1, 0, 80);
      expect(peaks).to.include({ length: 50, samplesPerPixel: 80, sampleRate: RATE, bits: 8, channels: 1 });
      for (let i = 0; i < 50; i++) {
        expect(peaks.data[0]![2 * i]).to.equal(ref[2 * i]! >> 8);
        expect(peaks.data[0]![2 * i + 1]).to.equal(Math.min(127, (ref[2 * i + 1]! + 255) >> 8));
      }
      expect(Array.from(energiesDb[0]!)).to.deep.equal(Array.from(frameEnergies(left, 1, 0, 160)));
    });

    it('keeps a last partial point, and a last frame only when at least half long', () => {
      const acc = new PcmAccumulator(1, RATE, 100);
      acc.push(Buffer.from(new Int16Array(160 + 90).buffer));
      const r = acc.finish();
      expect(r.peaks.length).to.equal(4); // 80 + 80 + 80 + 10
      expect(r.energiesDb[0]!.length).to.equal(2); // 160 + 90 (≥ 80)
    });
  });

  describe('chooseAnalysisRate()', () => {
    it('keeps telephony rates, brings high rates down to 16 kHz, and odd ones to 8 kHz', () => {
      expect(chooseAnalysisRate(8000, 100)).to.equal(8000);
      expect(chooseAnalysisRate(16000, 100)).to.equal(16000);
      expect(chooseAnalysisRate(48000, 100)).to.equal(16000);
      expect(chooseAnalysisRate(44100, 100)).to.equal(16000);
      expect(chooseAnalysisRate(11025, 100)).to.equal(8000);
    });

    it('refuses a point rate that does not divide the analysis rates', () => {
      expect(() => chooseAnalysisRate(8000, 3)).to.throw(RangeError);
      expect(() => chooseAnalysisRate(8000, 0)).to.throw(RangeError);
    });
  });

  describe('energyQuantile() and detectSpeech()', () => {
    it('reads quantiles to within a decibel', () => {
      const e = Float32Array.from({ length: 100 }, (_, i) => -100 + i);
      expect(energyQuantile(e, 0.1)).to.be.closeTo(-90, 1);
      expect(energyQuantile(e, 0.97)).to.be.closeTo(-4, 1);
      expect(energyQuantile(new Float32Array(0), 0.5)).to.equal(-120);
    });

    it('finds speech stretches above an adaptive noise floor', () => {
      // 20 ms frames: 1 s of line noise at -62 dBFS, then 0.4 s of speech at -25, twice
      const e = Float32Array.from({ length: 140 }, (_, i) => (i % 70 >= 50 ? -25 : -62 + (i % 3) * 0.4));
      const { mask, noiseFloorDb, thresholdDb } = detectSpeech(e, 0.02);
      expect(noiseFloorDb).to.be.within(-63, -59);
      expect(thresholdDb).to.be.within(noiseFloorDb, -30);
      // the 20 ms pad widens each stretch by a frame on either side
      expect(runs(mask, 1)).to.deep.equal([[49, 71], [119, 140]]);
    });

    it('never calls constant line noise speech', () => {
      const e = Float32Array.from({ length: 1000 }, (_, i) => -40 + (i % 5) * 0.5);
      expect(detectSpeech(e, 0.02).mask.some((v) => v === 1)).to.equal(false);
    });

    it('never calls near-digital silence speech, however it flickers', () => {
      const e = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -110 : -100));
      expect(detectSpeech(e, 0.02).mask.some((v) => v === 1)).to.equal(false);
    });

    it('does not call the other side\'s echo, 40 dB down, speech', () => {
      // own speech at -20 for 2 s, then the other party's echo at -60 over hiss at -80
      const e = Float32Array.from({ length: 300 }, (_, i) => (i < 100 ? -20 : i % 20 < 12 ? -60 : -80));
      expect(runs(detectSpeech(e, 0.02).mask, 1)).to.deep.equal([[0, 101]]);
    });
  });

  describe('runs() and smoothMask()', () => {
    it('lists half-open runs of a value', () => {
      expect(runs(mask('0011100111'), 1)).to.deep.equal([[2, 5], [7, 10]]);
      expect(runs(mask('0011100111'), 0)).to.deep.equal([[0, 2], [5, 7]]);
      expect(runs(new Uint8Array(0), 1)).to.deep.equal([]);
    });

    it('drops bursts shorter than the minimum and bridges short pauses inside speech', () => {
      // burst "1" at index 1 is shorter than 2 frames → dropped; the 1-frame pause at 11 → bridged
      expect(Array.from(smoothMask(mask('0100000111101111000'), 2, 2)).join('')).to.equal('0000000111111111000');
    });

    it('does not bridge the quiet before the first or after the last speech', () => {
      expect(Array.from(smoothMask(mask('0110'), 5, 1)).join('')).to.equal('0110');
    });
  });

  describe('silenceSegments() and overlapSegments()', () => {
    const a = mask('1110000000111100');
    const b = mask('0000000111111000');
    it('finds stretches where every channel is quiet, at least the minimum long, clamped to the duration', () => {
      expect(silenceSegments([a, b], 0.5, 1.5, 7.8)).to.deep.equal([{ startSec: 1.5, endSec: 3.5 }]);
      expect(silenceSegments([a, b], 0.5, 0.8, 7.8)).to.deep.equal([{ startSec: 1.5, endSec: 3.5 }, { startSec: 7, endSec: 7.8 }]);
      expect(silenceSegments([a, b], 0.5, 0.9, 7.8)).to.deep.equal([{ startSec: 1.5, endSec: 3.5 }]);
    });

    it('finds stretches where both channels speak at once', () => {
      expect(overlapSegments([a, b], 0.5, 0.5, 8)).to.deep.equal([{ startSec: 5, endSec: 6.5 }]);
      expect(overlapSegments([a, b], 0.5, 2, 8)).to.deep.equal([]);
    });
  });

  describe('factsFromEnergies()', () => {
    it('adds talk per channel, silence and overlap; mono has no overlap', () => {
      const loud = -20;
      const quiet = -70;
      // 100 frames of 0.1 s: left talks 0–3 s, right 2.5–6 s, nobody 6–10 s
      const left = Float32Array.from({ length: 100 }, (_, i) => (i < 30 ? loud : quiet));
      const right = Float32Array.from({ length: 100 }, (_, i) => (i >= 25 && i < 60 ? loud : quiet));
      const facts = factsFromEnergies([left, right], { frameSec: 0.1, durationSec: 10, silenceMinSeconds: 3, overlapMinSeconds: 0.5 });
      expect(facts.talkSec).to.deep.equal([3, 3.5]);
      expect(facts.silences).to.deep.equal([{ startSec: 6, endSec: 10 }]);
      expect(facts).to.include({ silenceSec: 4, longestSilenceSec: 4, overlapSec: 0.5, channels: 2, durationSec: 10 });
      expect(facts.overlaps).to.deep.equal([{ startSec: 2.5, endSec: 3 }]);
      const mono = factsFromEnergies([left], { frameSec: 0.1, durationSec: 10, silenceMinSeconds: 3, overlapMinSeconds: 0.5 });
      expect(mono.overlapSec).to.equal(null);
      expect(mono.overlaps).to.equal(null);
      expect(mono.silences).to.deep.equal([{ startSec: 3, endSec: 10 }]);
    });
  });

  describe('analysePcm()', () => {
    it('finds talk, a hold and an overlap in tone bursts on two channels', () => {
      const left = toneChannel(20, [[0.5, 4], [5, 8], [15, 18]]);
      const right = toneChannel(20, [[3.5, 5.2], [8.3, 10]], 5000, 7);
      const r = analysePcm(interleave(left, right), 2, RATE, { silenceMinSeconds: 3 });
      expect(r.durationSec).to.equal(20);
      expect(r.peaks.length).to.equal(2000);
      // each stretch is padded by 20 ms (speech fades in and out; these tones do not)
      expect(r.facts.talkSec[0]).to.be.closeTo(9.5 + 6 * 0.02, 0.05);
      expect(r.facts.talkSec[1]).to.be.closeTo(3.4 + 4 * 0.02, 0.05);
      expect(r.facts.silences).to.have.length(1);
      expect(r.facts.silences[0]!.startSec).to.be.closeTo(10, 0.05);
      expect(r.facts.silences[0]!.endSec).to.be.closeTo(15, 0.05);
      expect(r.facts.overlapSec).to.be.closeTo(0.7 + 4 * 0.02, 0.05);
      expect(r.facts.overlaps!.map((o) => o.startSec)).to.deep.equal([3.48]);
    });

    it('finds no talk on a silent recording, and one silence as long as the call', () => {
      const r = analysePcm(interleave(new Int16Array(RATE * 5), new Int16Array(RATE * 5)), 2, RATE, { silenceMinSeconds: 3 });
      expect(r.facts.talkSec).to.deep.equal([0, 0]);
      expect(r.facts.silences).to.deep.equal([{ startSec: 0, endSec: 5 }]);
    });

    it('matches the ground truth of a synthetic call within 10 %', () => {
      const call = synthesizeCall({ seed: 5, durationSec: 90 });
      const r = analysePcm(interleave(...call.channels), 2, RATE, { silenceMinSeconds: 3 });
      for (const ch of [0, 1] as const) {
        const truth = call.turns.filter((t) => t.channel === ch).reduce((s, t) => s + t.endSec - t.startSec, 0);
        expect(r.facts.talkSec[ch]).to.be.closeTo(truth, truth * 0.1);
      }
      for (const hold of call.holds) {
        expect(r.facts.silences.some((s) => Math.abs(s.startSec - hold.startSec) < 0.4 && Math.abs(s.endSec - hold.endSec) < 0.4)).to.equal(true);
      }
    });
  });
});

describe('media/analyse analyseRecording() on real files', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => (dir = makeTempDir()));
  after(() => removeDir(dir));

  it('decodes a synthetic call once into peaks and facts that match its script', async () => {
    const seed = 21;
    const file = writeSynthCall(dir, 'call.wav', 60, seed);
    const call = synthesizeCall({ seed, durationSec: 60 });
    const r = await analyseRecording(file, { silenceMinSeconds: 3, tools });
    expect(r.durationSec).to.equal(60);
    expect(r.channels).to.equal(2);
    expect(r.peaks).to.include({ length: 6000, channels: 2, sampleRate: 8000, samplesPerPixel: 80 });
    for (const ch of [0, 1] as const) {
      const truth = call.turns.filter((t) => t.channel === ch).reduce((s, t) => s + t.endSec - t.startSec, 0);
      expect(r.facts.talkSec[ch], `channel ${ch}`).to.be.closeTo(truth, truth * 0.1);
    }
    expect(call.holds).to.have.length.greaterThan(0);
    for (const hold of call.holds) {
      expect(r.facts.silences.some((s) => s.startSec <= hold.startSec + 0.4 && s.endSec >= hold.endSec - 0.4), `hold at ${hold.startSec}`).to.equal(true);
    }
    const truthOverlap = overlapOf(call.turns);
    expect(r.facts.overlapSec).to.be.closeTo(truthOverlap, 0.5 + truthOverlap * 0.2);
  });

  it('gives the same result when handed the probe', async () => {
    const file = writeSynthCall(dir, 'call2.wav', 10, 3);
    const probe = await probeRecording(file, { maxBytes: 1e9, maxSeconds: 3600 }, tools);
    const a = await analyseRecording(file, { silenceMinSeconds: 3, probe, tools });
    const b = await analyseRecording(file, { silenceMinSeconds: 3, tools });
    expect(a.facts).to.deep.equal(b.facts);
  });

  it('analyses every telephony format to about the same duration and talk time', async function () {
    const src = writeSynthCall(dir, 'src.wav', 12, 8);
    const base = await analyseRecording(src, { silenceMinSeconds: 3, tools });
    for (const f of TELEPHONY_FORMATS) {
      if (!hasEncoder(f.encoder)) continue;
      const file = await transcode(src, dir, f.name, f.args);
      const r = await analyseRecording(file, { silenceMinSeconds: 3, tools });
      expect(r.channels, f.label).to.equal(f.channels);
      expect(r.durationSec, f.label).to.be.closeTo(12, 0.1);
      // A mono mix-down carries both voices: its talk is at least either side's.
      const expected = f.channels === 2 ? base.facts.talkSec[0]! : Math.max(...base.facts.talkSec);
      expect(r.facts.talkSec[0], f.label).to.be.within(expected * 0.85, f.channels === 2 ? expected * 1.15 : 12);
    }
  });

  it('refuses a file ffmpeg cannot decode: corrupt', async () => {
    const file = path.join(dir, 'garbage.wav');
    // a valid mu-law WAV header whose format tag is swapped for one no decoder knows
    const wav = encodeMuLawWav([new Int16Array(8000)], 8000);
    wav.writeUInt16LE(0x7777, 20);
    fs.writeFileSync(file, wav);
    const probe = { sampleRate: 8000, channels: 1, durationSec: 1 } as Parameters<typeof analyseRecording>[1]['probe'];
    try {
      await analyseRecording(file, { silenceMinSeconds: 3, probe, tools });
      expect.fail('expected a rejection');
    } catch (e) {
      expect(e).to.be.instanceOf(MediaRejectedError);
      expect((e as MediaRejectedError).reasonKey).to.equal('media.rejected.corrupt');
    }
  });
});

function overlapOf(turns: Array<{ channel: number; startSec: number; endSec: number }>): number {
  let total = 0;
  for (const a of turns) for (const b of turns) if (a.channel === 0 && b.channel === 1) total += Math.max(0, Math.min(a.endSec, b.endSec) - Math.max(a.startSec, b.startSec));
  return total;
}
