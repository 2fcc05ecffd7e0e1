import { expect } from 'chai';
import path from 'node:path';
import fs from 'node:fs';
import { encodeMuLawWav, linearToMuLaw, muLawToLinear, mulberry32, synthesizeCall, synthesizeCallWav } from '../../../src/features/media/synth';
import { readWavLayout, probeRecording, type WavLayout } from '../../../src/features/media/probe';
import { makeTempDir, removeDir, tools } from './media-fixtures';

describe('media/synth', () => {
  describe('G.711 mu-law', () => {
    it('encodes the reference points of the standard', () => {
      expect(linearToMuLaw(0)).to.equal(0xff);
      expect(linearToMuLaw(-1)).to.equal(0x7f);
      expect(linearToMuLaw(32767)).to.equal(0x80);
      expect(linearToMuLaw(-32768)).to.equal(0x00);
      expect(muLawToLinear(0xff)).to.equal(0);
      expect(muLawToLinear(0x80)).to.equal(32124);
      expect(muLawToLinear(0x00)).to.equal(-32124);
    });

    it('round-trips every 16-bit sample within the quantisation step of its segment', () => {
      for (let s = -32768; s <= 32767; s += 37) {
        const back = muLawToLinear(linearToMuLaw(s));
        const clipped = Math.max(-32124, Math.min(32124, s));
        // the step doubles per segment: 8 at the bottom, 1024 at the top; error ≤ half a step (+ bias rounding)
        expect(Math.abs(back - clipped), `sample ${s}`).to.be.at.most(Math.max(8, Math.abs(clipped) / 16 + 8));
        expect(Math.sign(back) === Math.sign(s) || back === 0 || Math.abs(s) < 8, `sign of ${s}`).to.equal(true);
      }
    });

    it('writes a WAV with format 7, the right rates and interleaved channels', () => {
      const left = Int16Array.from([0, 1000, -1000]);
      const right = Int16Array.from([32767, 0, -32768]);
      const wav = encodeMuLawWav([left, right], 8000);
      const layout = readWavLayout(wav, true) as WavLayout;
      expect(layout).to.include({ formatTag: 7, channels: 2, sampleRate: 8000, byteRate: 16000, blockAlign: 2, bitsPerSample: 8, declaredDataBytes: 6 });
      expect(wav.readUInt32LE(4)).to.equal(wav.length - 8);
      const data = Array.from(wav.subarray(layout.dataOffset, layout.dataOffset + 6));
      expect(data).to.deep.equal([0xff, 0x80, linearToMuLaw(1000), 0xff, linearToMuLaw(-1000), 0x00]);
      expect(() => encodeMuLawWav([left, new Int16Array(2)], 8000)).to.throw(RangeError);
    });
  });

  describe('synthesizeCall()', () => {
    it('is deterministic from its seed', () => {
      const a = synthesizeCallWav({ seed: 99, durationSec: 5 });
      expect(synthesizeCallWav({ seed: 99, durationSec: 5 }).equals(a)).to.equal(true);
      expect(synthesizeCallWav({ seed: 100, durationSec: 5 }).equals(a)).to.equal(false);
    });

    it('has the operator answer first, speakers taking turns, and holds in long calls', () => {
      const call = synthesizeCall({ seed: 4, durationSec: 120 });
      expect(call.channels[0]).to.have.length(120 * 8000);
      expect(call.turns[0]!.channel).to.equal(0);
      expect(new Set(call.turns.map((t) => t.channel))).to.deep.equal(new Set([0, 1]));
      expect(call.holds).to.have.length(1);
      expect(call.holds[0]!.endSec - call.holds[0]!.startSec).to.be.within(6, 12);
      // nobody speaks during the hold
      for (const t of call.turns) expect(t.endSec <= call.holds[0]!.startSec || t.startSec >= call.holds[0]!.endSec).to.equal(true);
      for (const t of call.turns) expect(t.endSec).to.be.at.most(120);
    });

    it('makes speech loud on its own channel and only a faint echo on the other', () => {
      const call = synthesizeCall({ seed: 6, durationSec: 20, holds: 0 });
      const turn = call.turns.find((t) => t.channel === 1 && t.endSec - t.startSec > 1 && !call.turns.some((o) => o.channel === 0 && o.startSec < t.endSec && o.endSec > t.startSec))!;
      const rms = (ch: Int16Array) => {
        let s = 0;
        const a = Math.round(turn.startSec * 8000);
        const b = Math.round(turn.endSec * 8000);
        for (let i = a; i < b; i++) s += ch[i]! * ch[i]!;
        return Math.sqrt(s / (b - a));
      };
      const ratioDb = 20 * Math.log10(rms(call.channels[1]) / rms(call.channels[0]));
      expect(ratioDb).to.be.greaterThan(25);
    });

    it('synthesises a 60-second call in well under 100 ms', () => {
      synthesizeCallWav({ seed: 1, durationSec: 60 }); // warm-up
      // CPU time, not wall time: a busy shared machine must not fail this test, a slow synth must.
      const times = [2, 3, 4].map((seed) => {
        const c0 = process.cpuUsage();
        synthesizeCallWav({ seed, durationSec: 60 });
        const c = process.cpuUsage(c0);
        return (c.user + c.system) / 1000;
      });
      expect(Math.min(...times)).to.be.below(100);
    });

    it('mulberry32 is uniform enough for a seed', () => {
      const r = mulberry32(1);
      const n = 10000;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = r();
        expect(v).to.be.within(0, 1);
        sum += v;
      }
      expect(sum / n).to.be.closeTo(0.5, 0.02);
    });
  });

  describe('its WAV in ffprobe', function () {
    this.timeout(20_000);
    let dir: string;
    before(() => (dir = makeTempDir()));
    after(() => removeDir(dir));

    it('is a valid stereo 8 kHz mu-law recording of the requested length', async () => {
      const file = path.join(dir, 'synth.wav');
      fs.writeFileSync(file, synthesizeCallWav({ seed: 3, durationSec: 7.5 }));
      const p = await probeRecording(file, { maxBytes: 1e8, maxSeconds: 60 }, tools);
      expect(p).to.include({ codec: 'pcm_mulaw', channels: 2, sampleRate: 8000, durationSec: 7.5 });
    });
  });
});
