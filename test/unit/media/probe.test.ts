import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { MediaRejectedError } from '../../../src/features/media/errors';
import { hasAudioTrack, measureVideoSeconds, mimeTypeFor, probeRecording, readWavLayout, sniffContainer, wavCodec, wavDataExtent, type WavLayout } from '../../../src/features/media/probe';
import { runFfmpeg } from '../../../src/features/media/ffmpeg';
import { encodeMuLawWav } from '../../../src/features/media/synth';
import { hasEncoder, makeTempDir, makeVideo, removeDir, TELEPHONY_FORMATS, tools, transcode, writeSynthCall } from './media-fixtures';

const LIMITS = { maxBytes: 50 * 1024 * 1024, maxSeconds: 4 * 3600 };

async function rejection(p: Promise<unknown>): Promise<MediaRejectedError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(MediaRejectedError);
    return e as MediaRejectedError;
  }
  expect.fail('expected a MediaRejectedError');
}

function bytes(...parts: Array<string | number[]>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

/** A minimal PCM WAV header followed by `dataBytes` bytes of data, declaring `declared` bytes. */
function wavBytes(declared: number, dataBytes: number, opts: { sampleRate?: number; channels?: number } = {}): Buffer {
  const sampleRate = opts.sampleRate ?? 8000;
  const channels = opts.channels ?? 1;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + declared), 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(declared >>> 0, 40);
  const data = Buffer.alloc(dataBytes);
  for (let i = 0; i + 1 < dataBytes; i += 2) data.writeInt16LE(Math.round(8000 * Math.sin(i / 7)), i);
  return Buffer.concat([h, data]);
}

describe('media/probe (pure)', () => {
  describe('sniffContainer()', () => {
    it('recognises the telephony and common media containers by their first bytes', () => {
      expect(sniffContainer(bytes('RIFF', [0, 0, 0, 0], 'WAVE'))).to.equal('wav');
      expect(sniffContainer(bytes('RF64', [0, 0, 0, 0], 'WAVE'))).to.equal('wav');
      expect(sniffContainer(bytes('RIFF', [0, 0, 0, 0], 'AVI '))).to.equal('avi');
      expect(sniffContainer(bytes('ID3', [4, 0, 0]))).to.equal('mpeg-audio');
      expect(sniffContainer(bytes([0xff, 0xfb, 0x90, 0x64]))).to.equal('mpeg-audio');
      expect(sniffContainer(bytes([0, 0, 0, 0xff, 0xf3, 0x48, 0xc4]))).to.equal('mpeg-audio');
      expect(sniffContainer(bytes('OggS', [0, 2]))).to.equal('ogg');
      expect(sniffContainer(bytes([0x1a, 0x45, 0xdf, 0xa3, 1]))).to.equal('matroska');
      expect(sniffContainer(bytes([0, 0, 0, 0x20], 'ftypisom'))).to.equal('mp4');
      expect(sniffContainer(bytes('#!AMR\n'))).to.equal('amr');
      expect(sniffContainer(bytes('fLaC', [0]))).to.equal('flac');
      expect(sniffContainer(bytes('FORM', [0, 0, 0, 0], 'AIFF'))).to.equal('aiff');
    });

    it('refuses text, images and RIFF files that are not WAVE or AVI, whatever they are called', () => {
      expect(sniffContainer(bytes('hello, this is not audio'))).to.equal(null);
      expect(sniffContainer(bytes([0x89], 'PNG\r\n'))).to.equal(null);
      expect(sniffContainer(bytes('%PDF-1.7'))).to.equal(null);
      expect(sniffContainer(bytes('RIFF', [0, 0, 0, 0], 'WEBP'))).to.equal(null);
      expect(sniffContainer(bytes('RIF'))).to.equal(null);
      // 0xFF then a reserved MPEG version is not a frame sync
      expect(sniffContainer(bytes([0xff, 0xe8, 0, 0]))).to.equal(null);
    });
  });

  describe('readWavLayout()', () => {
    it('finds the format and the data chunk past other chunks', () => {
      const wav = encodeMuLawWav([new Int16Array(800), new Int16Array(800)], 8000);
      const layout = readWavLayout(wav, true) as WavLayout;
      expect(layout).to.include({ formatTag: 7, channels: 2, sampleRate: 8000, byteRate: 16000, blockAlign: 2, bitsPerSample: 8, declaredDataBytes: 1600 });
      expect(wav.toString('latin1', layout.dataOffset - 8, layout.dataOffset - 4)).to.equal('data');
    });

    it('calls a whole WAV cut inside its header malformed, and a long header beyond the bytes read unknown', () => {
      const wav = wavBytes(16000, 16000);
      expect(readWavLayout(wav.subarray(0, 30), true)).to.equal('malformed');
      expect(readWavLayout(wav.subarray(0, 30), false)).to.equal('unknown');
    });

    it('treats 0 and 0xFFFFFFFF data sizes as streaming placeholders, not claims', () => {
      expect((readWavLayout(wavBytes(0xffffffff, 100), true) as WavLayout).declaredDataBytes).to.equal(null);
      expect((readWavLayout(wavBytes(0, 100), true) as WavLayout).declaredDataBytes).to.equal(null);
    });
  });

  describe('wavDataExtent()', () => {
    const layout = (declared: number | null): WavLayout => ({
      formatTag: 1, channels: 1, sampleRate: 8000, byteRate: 16000, blockAlign: 2, bitsPerSample: 16, dataOffset: 44, declaredDataBytes: declared,
    });

    it('measures the bytes present, not the header claim', () => {
      const e = wavDataExtent(layout(16000 * 3600 * 3), 44 + 16000);
      expect(e.presentSec).to.equal(1);
      expect(e.claimedSec).to.equal(3 * 3600);
      expect(e.truncated).to.equal(true);
    });

    it('is not truncated when everything declared is there (trailing chunks ignored)', () => {
      const e = wavDataExtent(layout(32000), 44 + 32000 + 500);
      expect(e).to.deep.include({ presentBytes: 32000, presentSec: 2, claimedSec: 2, truncated: false });
    });

    it('tolerates a few missing bytes but not a missing tenth of a second', () => {
      expect(wavDataExtent(layout(32000), 44 + 32000 - 400).truncated).to.equal(false);
      expect(wavDataExtent(layout(32000), 44 + 32000 - 1600).truncated).to.equal(true);
    });

    it('counts only whole sample frames', () => {
      expect(wavDataExtent(layout(null), 44 + 16001).presentSec).to.equal(1);
    });
  });

  describe('wavCodec()', () => {
    const w = (o: Partial<WavLayout>): WavLayout => ({
      formatTag: 1, channels: 2, sampleRate: 8000, byteRate: 32000, blockAlign: 4, bitsPerSample: 16, dataOffset: 44, declaredDataBytes: 100, ...o,
    });
    it('names the telephony codecs of a consistent header the way ffmpeg does', () => {
      expect(wavCodec(w({}))).to.equal('pcm_s16le');
      expect(wavCodec(w({ formatTag: 7, byteRate: 16000, blockAlign: 2, bitsPerSample: 8 }))).to.equal('pcm_mulaw');
      expect(wavCodec(w({ formatTag: 6, channels: 1, byteRate: 8000, blockAlign: 1, bitsPerSample: 8 }))).to.equal('pcm_alaw');
      expect(wavCodec(w({ formatTag: 0x31, channels: 1, byteRate: 1625, blockAlign: 65, bitsPerSample: 0 }))).to.equal('gsm_ms');
    });

    it('leaves inconsistent or unfamiliar headers to ffprobe', () => {
      expect(wavCodec(w({ byteRate: 64000 }))).to.equal(null);
      expect(wavCodec(w({ blockAlign: 3 }))).to.equal(null);
      expect(wavCodec(w({ formatTag: 0xfffe }))).to.equal(null);
      expect(wavCodec(w({ formatTag: 0x11 }))).to.equal(null); // IMA ADPCM
      expect(wavCodec(w({ channels: 0 }))).to.equal(null);
    });
  });

  it('mimeTypeFor() serves audio as audio and video as video', () => {
    expect(mimeTypeFor('wav', false)).to.equal('audio/wav');
    expect(mimeTypeFor('mpeg-audio', false)).to.equal('audio/mpeg');
    expect(mimeTypeFor('mp4', true)).to.equal('video/mp4');
    expect(mimeTypeFor('matroska', false)).to.equal('audio/webm');
  });
});

describe('media/probe probeRecording() on real files', function () {
  this.timeout(60_000);
  let dir: string;
  let call: string;

  before(() => {
    dir = makeTempDir();
    call = writeSynthCall(dir, 'call.wav', 3);
  });
  after(() => removeDir(dir));

  it('accepts the synthetic call: stereo 8 kHz mu-law, measured length', async () => {
    const p = await probeRecording(call, LIMITS, tools);
    expect(p).to.include({ container: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 3, hasVideo: false, mimeType: 'audio/wav' });
  });

  for (const f of TELEPHONY_FORMATS) {
    it(`accepts ${f.label}`, async function () {
      if (!hasEncoder(f.encoder)) this.skip(); // e.g. the npm ffmpeg build has no libgsm
      const file = await transcode(call, dir, f.name, f.args);
      const p = await probeRecording(file, LIMITS, tools);
      expect(p.codec).to.equal(f.codec);
      expect(p.channels).to.equal(f.channels);
      // MP3's frame padding and encoder delay make its container length a little longer
      expect(p.durationSec).to.be.closeTo(3, f.codec === 'mp3' ? 0.25 : 0.05);
    });
  }

  it('accepts a WAV it leaves to ffprobe (IMA ADPCM), with the measured length', async () => {
    const file = await transcode(call, dir, 'ima.wav', ['-c:a', 'adpcm_ima_wav']);
    const p = await probeRecording(file, LIMITS, tools);
    expect(p).to.include({ container: 'wav', codec: 'adpcm_ima_wav', channels: 2, sampleRate: 8000 });
    expect(p.durationSec).to.be.closeTo(3, 0.1);
  });

  it('accepts a video with sound (sign-language calls are video)', async () => {
    const file = await makeVideo(dir, 'sign.mp4', call);
    const p = await probeRecording(file, LIMITS, tools);
    expect(p).to.include({ hasVideo: true, videoCodec: 'mpeg4', codec: 'aac', mimeType: 'video/mp4' });
  });

  it('accepts a video without sound (a sign-language call) and measures its length', async () => {
    const file = await makeVideo(dir, 'silent-film.mp4', null, 3);
    const p = await probeRecording(file, LIMITS, tools);
    expect(p).to.include({ hasVideo: true, videoCodec: 'mpeg4', codec: 'none', channels: 0, sampleRate: 0, mimeType: 'video/mp4' });
    expect(hasAudioTrack(p)).to.equal(false);
    expect(p.durationSec).to.be.closeTo(3, 0.2);
  });

  it('measures a silent WebM whose header gives no length (as browsers record them)', async function () {
    if (!hasEncoder('libvpx')) this.skip();
    const file = path.join(dir, 'recorder.webm');
    // Streamed WebM (live=1): no duration in the header, like MediaRecorder's.
    await runFfmpeg(tools, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=3:size=96x64:rate=10', '-c:v', 'libvpx', '-b:v', '200k', '-live', '1', '-f', 'webm', file]);
    expect(await measureVideoSeconds(tools, file, 60)).to.be.closeTo(3, 0.2);
    const p = await probeRecording(file, LIMITS, tools);
    expect(p).to.include({ hasVideo: true, videoCodec: 'vp8', channels: 0, mimeType: 'video/webm' });
    expect(p.durationSec).to.be.closeTo(3, 0.2);
  });

  it('accepts a WAV with a streaming placeholder size and reports the length it holds', async () => {
    const file = path.join(dir, 'streamed.wav');
    fs.writeFileSync(file, wavBytes(0xffffffff, 16000));
    const p = await probeRecording(file, { maxBytes: LIMITS.maxBytes, maxSeconds: 60 }, tools);
    expect(p.durationSec).to.equal(1);
  });

  describe('refuses', () => {
    it('a zero-byte file: empty', async () => {
      const file = path.join(dir, 'zero.wav');
      fs.writeFileSync(file, '');
      expect((await rejection(probeRecording(file, LIMITS, tools))).reasonKey).to.equal('media.rejected.empty');
    });

    it('a text file named .wav: notAudio', async () => {
      const file = path.join(dir, 'notes.wav');
      fs.writeFileSync(file, 'Operator notes: caller reported smoke on the 3rd floor.\n'.repeat(20));
      const e = await rejection(probeRecording(file, LIMITS, tools));
      expect(e.reasonKey).to.equal('media.rejected.notAudio');
    });

    it('random bytes named .mp3: notAudio', async () => {
      const file = path.join(dir, 'noise.mp3');
      fs.writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)));
      expect((await rejection(probeRecording(file, LIMITS, tools))).reasonKey).to.equal('media.rejected.notAudio');
    });

    it('a file over the size limit: tooLarge, before reading it', async () => {
      const e = await rejection(probeRecording(call, { maxBytes: 1000, maxSeconds: 3600 }, tools));
      expect(e.reasonKey).to.equal('media.rejected.tooLarge');
      expect(e.params).to.include({ maxBytes: 1000 });
    });

    it('a recording longer than the limit: tooLong', async () => {
      const e = await rejection(probeRecording(call, { maxBytes: LIMITS.maxBytes, maxSeconds: 2 }, tools));
      expect(e.reasonKey).to.equal('media.rejected.tooLong');
      expect(e.params).to.include({ maxSeconds: 2, durationSec: 3 });
    });

    it('a compressed recording longer than the limit: tooLong (decoded length)', async () => {
      const mp3 = await transcode(call, dir, 'long.mp3', ['-c:a', 'libmp3lame', '-b:a', '32k']);
      const e = await rejection(probeRecording(mp3, { maxBytes: LIMITS.maxBytes, maxSeconds: 2 }, tools));
      expect(e.reasonKey).to.equal('media.rejected.tooLong');
    });

    it('a truncated WAV: corrupt, with the claimed and actual lengths', async () => {
      const pcm = await transcode(call, dir, 'whole.wav', ['-c:a', 'pcm_s16le']);
      const whole = fs.readFileSync(pcm);
      const file = path.join(dir, 'truncated.wav');
      fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
      const e = await rejection(probeRecording(file, LIMITS, tools));
      expect(e.reasonKey).to.equal('media.rejected.corrupt');
      expect(e.params.detail).to.equal('truncated');
      expect(e.params.claimedSec).to.be.closeTo(3, 0.01);
      expect(e.params.actualSec).to.be.closeTo(1.8, 0.01);
    });

    it('a truncated compressed WAV (IMA ADPCM, judged through ffprobe): corrupt', async () => {
      const ima = await transcode(call, dir, 'ima-whole.wav', ['-c:a', 'adpcm_ima_wav']);
      const whole = fs.readFileSync(ima);
      const file = path.join(dir, 'ima-truncated.wav');
      fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
      const e = await rejection(probeRecording(file, LIMITS, tools));
      expect(e.reasonKey).to.equal('media.rejected.corrupt');
      expect(e.params.detail).to.equal('truncated');
      expect(e.params.actualSec).to.be.lessThan((e.params.claimedSec as number) * 0.6);
    });

    it('a WAV cut inside its header: corrupt', async () => {
      const file = path.join(dir, 'header-only.wav');
      fs.writeFileSync(file, fs.readFileSync(call).subarray(0, 30));
      expect((await rejection(probeRecording(file, LIMITS, tools))).reasonKey).to.equal('media.rejected.corrupt');
    });

    it('a WAV whose header claims three hours but holds one second: corrupt, judged on the real length (not tooLong)', async () => {
      const file = path.join(dir, 'liar.wav');
      fs.writeFileSync(file, wavBytes(16000 * 3 * 3600, 16000));
      const e = await rejection(probeRecording(file, { maxBytes: LIMITS.maxBytes, maxSeconds: 3600 }, tools));
      expect(e.reasonKey).to.equal('media.rejected.corrupt');
      expect(e.params).to.include({ claimedSec: 10800, actualSec: 1 });
    });

    it('a WAV with a valid header and no samples: empty', async () => {
      const file = path.join(dir, 'no-samples.wav');
      fs.writeFileSync(file, encodeMuLawWav([new Int16Array(0)], 8000));
      expect((await rejection(probeRecording(file, LIMITS, tools))).reasonKey).to.equal('media.rejected.empty');
    });

    it('a WAV in a codec no decoder knows: unsupported', async () => {
      const file = path.join(dir, 'unknown-codec.wav');
      const wav = encodeMuLawWav([new Int16Array(8000)], 8000);
      wav.writeUInt16LE(0x7777, 20); // format tag nobody registered
      fs.writeFileSync(file, wav);
      const e = await rejection(probeRecording(file, LIMITS, tools));
      expect(e.reasonKey).to.equal('media.rejected.unsupported');
    });

    it('a video without sound longer than the limit: tooLong', async () => {
      const file = await makeVideo(dir, 'long-silent.mp4', null, 4);
      const e = await rejection(probeRecording(file, { maxBytes: LIMITS.maxBytes, maxSeconds: 2 }, tools));
      expect(e.reasonKey).to.equal('media.rejected.tooLong');
    });
  });
});
