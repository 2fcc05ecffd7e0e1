import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { browserPlayback, makeRendition, needsRendition, renditionArgs, renditionFormatFor } from '../../../src/features/media/rendition';
import { probeRecording, type ProbeResult } from '../../../src/features/media/probe';
import { hasEncoder, makeTempDir, makeVideo, removeDir, TELEPHONY_FORMATS, tools, transcode, writeSynthCall } from './media-fixtures';

type Playable = Pick<ProbeResult, 'container' | 'codec' | 'channels' | 'hasVideo' | 'videoCodec'>;
const audio = (container: ProbeResult['container'], codec: string, channels = 2): Playable => ({ container, codec, channels, hasVideo: false, videoCodec: null });

describe('media/rendition (pure)', () => {
  describe('needsRendition()', () => {
    it('lets Chrome play what it was seen to play: mu-law, A-law and PCM WAV, MP3, OGG/Opus', () => {
      for (const codec of ['pcm_mulaw', 'pcm_alaw', 'pcm_s16le']) {
        expect(needsRendition(audio('wav', codec)), codec).to.equal(false);
        expect(needsRendition(audio('wav', codec, 1)), `${codec} mono`).to.equal(false);
      }
      expect(needsRendition(audio('mpeg-audio', 'mp3'))).to.equal(false);
      expect(needsRendition(audio('ogg', 'opus'))).to.equal(false);
      expect(needsRendition(audio('matroska', 'opus'))).to.equal(false);
      expect(needsRendition(audio('mp4', 'aac'))).to.equal(false);
    });

    it('asks for a rendition of GSM 6.10 WAV and other codecs or containers Chrome refuses', () => {
      expect(browserPlayback(audio('wav', 'gsm_ms', 1))).to.deep.equal({ playsAsIs: false, why: 'codec' });
      expect(needsRendition(audio('wav', 'adpcm_ima_wav'))).to.equal(true);
      expect(needsRendition(audio('wav', 'g723_1'))).to.equal(true);
      expect(needsRendition(audio('amr', 'amr_nb', 1))).to.equal(true);
      expect(browserPlayback(audio('aiff', 'pcm_s16be'))).to.deep.equal({ playsAsIs: false, why: 'container' });
      expect(needsRendition(audio('mpeg-audio', 'mp2'))).to.equal(true);
      expect(browserPlayback(audio('wav', 'pcm_s16le', 6))).to.deep.equal({ playsAsIs: false, why: 'channels' });
    });

    it('plays H.264 video with AAC as is and converts other video', () => {
      expect(needsRendition({ container: 'mp4', codec: 'aac', channels: 2, hasVideo: true, videoCodec: 'h264' })).to.equal(false);
      expect(browserPlayback({ container: 'mp4', codec: 'aac', channels: 2, hasVideo: true, videoCodec: 'mpeg4' })).to.deep.equal({ playsAsIs: false, why: 'video' });
      expect(needsRendition({ container: 'avi', codec: 'pcm_s16le', channels: 1, hasVideo: true, videoCodec: 'h264' })).to.equal(true);
    });

    it('plays a video without sound as is when Chrome plays its picture and container (sign-language calls)', () => {
      const silent = (container: ProbeResult['container'], videoCodec: string): Playable => ({ container, codec: 'none', channels: 0, hasVideo: true, videoCodec });
      expect(needsRendition(silent('mp4', 'h264'))).to.equal(false);
      expect(needsRendition(silent('matroska', 'vp8'))).to.equal(false);
      expect(needsRendition(silent('matroska', 'vp9'))).to.equal(false);
      expect(browserPlayback(silent('mp4', 'mpeg4'))).to.deep.equal({ playsAsIs: false, why: 'video' });
      expect(needsRendition(silent('avi', 'h264'))).to.equal(true);
    });
  });

  describe('renditionFormatFor() and renditionArgs()', () => {
    it('makes MP3 for audio and MP4 for video', () => {
      expect(renditionFormatFor({ hasVideo: false })).to.deep.equal({ ext: 'mp3', mimeType: 'audio/mpeg' });
      expect(renditionFormatFor({ hasVideo: true })).to.deep.equal({ ext: 'mp4', mimeType: 'video/mp4' });
    });

    it('keeps 8 kHz and both channels, 16 kb/s per channel', () => {
      const args = renditionArgs('mp3', { sampleRate: 8000, channels: 2 });
      expect(args.join(' ')).to.contain('-ar 8000').and.contain('-b:a 32k').and.contain('libmp3lame');
      expect(args).to.not.include('-ac');
      expect(renditionArgs('mp3', { sampleRate: 8000, channels: 1 }).join(' ')).to.contain('-b:a 16k');
    });

    it('moves rates MP3 cannot carry to 16 kHz and more than two channels down to two', () => {
      const args = renditionArgs('mp3', { sampleRate: 96000, channels: 6 }).join(' ');
      expect(args).to.contain('-ar 16000').and.contain('-ac 2');
    });

    it('uses the voip application for Opus', () => {
      expect(renditionArgs('webm', { sampleRate: 8000, channels: 2 }).join(' ')).to.contain('libopus').and.contain('-application voip').and.contain('-f webm');
    });
  });
});

describe('media/rendition makeRendition() on real files', function () {
  this.timeout(60_000);
  let dir: string;
  let call: string;
  before(() => {
    dir = makeTempDir();
    call = writeSynthCall(dir, 'call.wav', 4);
  });
  after(() => removeDir(dir));

  it('turns GSM 6.10 WAV into an MP3 Chrome plays, same length', async function () {
    if (!hasEncoder('libgsm_ms')) this.skip();
    const gsm = await transcode(call, dir, 'gsm.wav', TELEPHONY_FORMATS.find((f) => f.codec === 'gsm_ms')!.args);
    const src = await probeRecording(gsm, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(needsRendition(src)).to.equal(true);
    const dest = path.join(dir, 'out', 'gsm.mp3');
    await makeRendition(gsm, dest, { probe: src, tools });
    const out = await probeRecording(dest, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(out).to.include({ codec: 'mp3', sampleRate: 8000, channels: 1 });
    expect(needsRendition(out)).to.equal(false);
    expect(out.durationSec).to.be.closeTo(4, 0.25);
    expect(fs.readdirSync(path.dirname(dest))).to.deep.equal(['gsm.mp3']);
  });

  it('keeps the two channels of a stereo call apart', async () => {
    const aiff = await transcode(call, dir, 'call.aiff', ['-c:a', 'pcm_s16be']);
    const src = await probeRecording(aiff, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(needsRendition(src)).to.equal(true);
    for (const ext of ['mp3', 'webm'] as const) {
      const dest = path.join(dir, `stereo.${ext}`);
      await makeRendition(aiff, dest, { tools });
      const out = await probeRecording(dest, { maxBytes: 1e8, maxSeconds: 60 }, tools);
      expect(out.channels, ext).to.equal(2);
      expect(needsRendition(out), ext).to.equal(false);
    }
  });

  it('turns a video Chrome cannot play into H.264 MP4 with its sound', async function () {
    if (!hasEncoder('libx264')) this.skip();
    const video = await makeVideo(dir, 'sign.mp4', call);
    const src = await probeRecording(video, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(needsRendition(src)).to.equal(true);
    const dest = path.join(dir, `sign-r.${renditionFormatFor(src).ext}`);
    await makeRendition(video, dest, { probe: src, tools });
    const out = await probeRecording(dest, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(out).to.include({ hasVideo: true, videoCodec: 'h264', codec: 'aac' });
    expect(needsRendition(out)).to.equal(false);
  });

  it('turns a silent video Chrome cannot play into H.264 MP4 without a sound track', async function () {
    if (!hasEncoder('libx264')) this.skip();
    const video = await makeVideo(dir, 'silent.mp4', null);
    const src = await probeRecording(video, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(renditionArgs('mp4', src)).to.include('-an').and.not.include('0:a:0');
    const dest = path.join(dir, `silent-r.${renditionFormatFor(src).ext}`);
    await makeRendition(video, dest, { probe: src, tools });
    const out = await probeRecording(dest, { maxBytes: 1e8, maxSeconds: 60 }, tools);
    expect(out).to.include({ hasVideo: true, videoCodec: 'h264', channels: 0, codec: 'none', mimeType: 'video/mp4' });
    expect(needsRendition(out)).to.equal(false);
  });

  it('leaves no file behind when ffmpeg fails', async () => {
    const bad = path.join(dir, 'bad.wav');
    fs.writeFileSync(bad, 'not audio');
    const outDir = path.join(dir, 'failed');
    let failed = false;
    await makeRendition(bad, path.join(outDir, 'x.mp3'), { probe: { sampleRate: 8000, channels: 1 }, tools }).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(fs.readdirSync(outDir)).to.deep.equal([]);
  });

  it('refuses a destination with an unknown extension', async () => {
    let error: unknown;
    await makeRendition(call, path.join(dir, 'x.exe'), { tools }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });
});
