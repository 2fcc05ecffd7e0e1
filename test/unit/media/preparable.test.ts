import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { allFinite, assertPreparable, isWavCodec, unpreparableReason } from '../../../src/features/media/preparable';
import { probeRecording } from '../../../src/features/media/probe';
import { MediaRejectedError } from '../../../src/features/media/errors';
import { floatWav, floatWavWithInfinities, manyChannelWav, mp3InsideWav, oneHertzWav } from './unpreparable-fixtures';
import { synthesizeCallWav } from '../../../src/features/media/synth';

describe('recordings that pass the probe but can never be prepared (preparable.ts)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-preparable-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function verdict(bytes: Buffer, name: string): Promise<string> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    const probe = await probeRecording(file, { maxBytes: 1e9, maxSeconds: 14_400 });
    try {
      await assertPreparable(file, probe);
      return 'ok';
    } catch (e) {
      expect(e).to.be.instanceOf(MediaRejectedError);
      return (e as MediaRejectedError).reasonKey;
    }
  }

  it('refuses a float WAV holding infinities and NaN, and accepts a finite one', async () => {
    expect(await verdict(floatWavWithInfinities(), 'inf.wav')).to.equal('media.rejected.notFinite');
    expect(await verdict(floatWav(Array.from({ length: 8000 }, (_, i) => Math.sin(i / 5) * 0.5)), 'finite.wav')).to.equal('ok');
  });

  it('refuses a 1 Hz recording and one with dozens of channels', async () => {
    expect(await verdict(oneHertzWav(), 'one-hz.wav')).to.equal('media.rejected.sampleRate');
    expect(await verdict(manyChannelWav(48), 'many.wav')).to.equal('media.rejected.tooManyChannels');
  });

  it('refuses an MP3 inside a WAV container', async () => {
    expect(await verdict(mp3InsideWav(dir), 'mp3.wav')).to.equal('media.rejected.disguised');
  });

  it('accepts an ordinary 8 kHz stereo mu-law call', async () => {
    expect(await verdict(synthesizeCallWav({ seed: 2, durationSec: 1 }), 'call.wav')).to.equal('ok');
  });

  it('unpreparableReason judges rate, channels and the codec a WAV holds', () => {
    const base = { container: 'wav' as const, codec: 'pcm_mulaw', sampleRate: 8000, channels: 2 };
    expect(unpreparableReason(base)).to.equal(null);
    expect(unpreparableReason({ ...base, sampleRate: 3999 })?.reasonKey).to.equal('media.rejected.sampleRate');
    expect(unpreparableReason({ ...base, channels: 9 })?.reasonKey).to.equal('media.rejected.tooManyChannels');
    expect(unpreparableReason({ ...base, codec: 'opus' })?.params).to.deep.equal({ codec: 'opus' });
    expect(unpreparableReason({ ...base, container: 'mpeg-audio', codec: 'mp3' })).to.equal(null);
    expect(['pcm_s16le', 'pcm_alaw', 'adpcm_ima_wav', 'gsm_ms'].every(isWavCodec)).to.equal(true);
  });

  it('allFinite looks at every sample, also the last one', () => {
    const b = Buffer.alloc(16);
    expect(allFinite(b, 4)).to.equal(true);
    b.writeFloatLE(Infinity, 12);
    expect(allFinite(b, 4)).to.equal(false);
    expect(allFinite(Buffer.alloc(16), 8)).to.equal(true);
  });
});
