// The in-process path against the ffmpeg path on the same files: the same numbers, without a process.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { analyseRecording, type AnalysisResult } from '../../../src/features/media/analyse';
import { MediaRejectedError } from '../../../src/features/media/errors';
import { aLawToLinear, decodeTable } from '../../../src/features/media/g711';
import { encodeMuLawWav, synthesizeCall } from '../../../src/features/media/synth';
import { hasEncoder, makeTempDir, removeDir, tools, transcode, writeSynthCall } from './media-fixtures';

const opts = { silenceMinSeconds: 3, tools };

function sameAnalysis(a: AnalysisResult, b: AnalysisResult, label: string): void {
  expect(a.durationSec, label).to.equal(b.durationSec);
  expect(a.channels, label).to.equal(b.channels);
  expect(a.facts, label).to.deep.equal(b.facts);
  expect({ ...a.peaks, data: a.peaks.data.map((d) => Array.from(d)) }, label).to.deep.equal({ ...b.peaks, data: b.peaks.data.map((d) => Array.from(d)) });
}

describe('media/fast-path: telephony WAVs analysed in this process', function () {
  this.timeout(60_000);
  let dir: string;
  let src: string;
  before(() => {
    dir = makeTempDir();
    src = writeSynthCall(dir, 'src.wav', 20, 31);
  });
  after(() => removeDir(dir));

  it('decodes A-law as ITU-T G.711 does (and as ffmpeg does)', () => {
    expect(aLawToLinear(0xd5)).to.equal(8);
    expect(aLawToLinear(0x55)).to.equal(-8);
    expect(aLawToLinear(0xaa)).to.equal(32256);
    expect(aLawToLinear(0x2a)).to.equal(-32256);
    expect(decodeTable('pcm_u8')[0]).to.equal(-32768);
    expect(decodeTable('pcm_u8')[128]).to.equal(0);
  });

  it('gives exactly the ffmpeg path\'s peaks, duration and facts for every codec it decodes', async () => {
    const cases: Array<{ name: string; args: string[] }> = [
      { name: 'mulaw-stereo.wav', args: ['-c:a', 'pcm_mulaw'] },
      { name: 'alaw-stereo.wav', args: ['-c:a', 'pcm_alaw'] },
      { name: 'alaw-mono.wav', args: ['-ac', '1', '-c:a', 'pcm_alaw'] },
      { name: 'pcm16-stereo.wav', args: ['-c:a', 'pcm_s16le'] },
      { name: 'pcm8-mono.wav', args: ['-ac', '1', '-c:a', 'pcm_u8'] },
      { name: 'pcm16-16k.wav', args: ['-ar', '16000', '-c:a', 'pcm_s16le'] },
    ];
    for (const c of cases) {
      const file = await transcode(src, dir, c.name, c.args);
      const fast = await analyseRecording(file, opts);
      const slow = await analyseRecording(file, { ...opts, engine: 'ffmpeg' });
      expect(fast.engine, c.name).to.equal('in-process');
      expect(slow.engine, c.name).to.equal('ffmpeg');
      sameAnalysis(fast, slow, c.name);
      expect(fast.durationSec, c.name).to.be.closeTo(20, 0.01);
    }
  });

  it('leaves compressed audio and rates it would resample to ffmpeg, behind the same call', async function () {
    const mp3 = await transcode(src, dir, 'call.mp3', ['-c:a', 'libmp3lame', '-b:a', '32k']);
    expect((await analyseRecording(mp3, opts)).engine).to.equal('ffmpeg');
    const odd = await transcode(src, dir, 'pcm-11k.wav', ['-ar', '11025', '-c:a', 'pcm_s16le']);
    expect((await analyseRecording(odd, opts)).engine).to.equal('ffmpeg');
    if (hasEncoder('libgsm_ms')) expect((await analyseRecording(await transcode(src, dir, 'gsm.wav', ['-ac', '1', '-c:a', 'libgsm_ms']), opts)).engine).to.equal('ffmpeg');
  });

  it('reads a streaming header (data size 0xFFFFFFFF) to the end of the file', async () => {
    const wav = fs.readFileSync(src);
    const streaming = Buffer.from(wav);
    streaming.writeUInt32LE(0xffffffff, 54); // encodeMuLawWav's data size field
    streaming.writeUInt32LE(0xffffffff, 4);
    const file = path.join(dir, 'streaming.wav');
    fs.writeFileSync(file, streaming);
    const r = await analyseRecording(file, opts);
    expect(r.engine).to.equal('in-process');
    sameAnalysis(r, await analyseRecording(src, opts), 'streaming header');
  });

  it('analyses what a truncated file holds, and an odd chunk without its pad byte does not throw it off', async () => {
    const call = synthesizeCall({ seed: 4, durationSec: 10 });
    const wav = encodeMuLawWav(call.channels, 8000);
    const cut = path.join(dir, 'cut.wav');
    fs.writeFileSync(cut, wav.subarray(0, 58 + 2 * 8000 * 6 + 1)); // 6 s and half a sample frame
    const r = await analyseRecording(cut, opts);
    expect(r.engine).to.equal('in-process');
    expect(r.durationSec).to.equal(6);

    // a LIST chunk of odd size and no pad byte between fmt and data
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc')]);
    const withList = Buffer.concat([wav.subarray(0, 38), list, wav.subarray(38)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    const listed = path.join(dir, 'listed.wav');
    fs.writeFileSync(listed, withList);
    const plain = path.join(dir, 'plain.wav');
    fs.writeFileSync(plain, wav);
    sameAnalysis(await analyseRecording(listed, opts), await analyseRecording(plain, opts), 'unpadded chunk');
  });

  it('refuses a WAV with no samples as corrupt', async () => {
    const file = path.join(dir, 'empty.wav');
    fs.writeFileSync(file, encodeMuLawWav([new Int16Array(0)], 8000));
    try {
      await analyseRecording(file, opts);
      expect.fail('expected a rejection');
    } catch (e) {
      expect(e).to.be.instanceOf(MediaRejectedError);
      expect((e as MediaRejectedError).reasonKey).to.equal('media.rejected.corrupt');
    }
  });
});
