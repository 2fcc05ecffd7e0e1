import { expect } from 'chai';
import fs from 'node:fs';
import { MediaToolError, MediaToolsMissingError, resolveMediaTools, runFfmpeg, type MediaTools } from '../../../src/features/media/ffmpeg';
import { probeRecording } from '../../../src/features/media/probe';
import { analyseRecording } from '../../../src/features/media/analyse';
import { makeTempDir, removeDir, writeSynthCall } from './media-fixtures';

function installerTools(): MediaTools | null {
  try {
    const ffmpeg = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const ffprobe = (require('@ffprobe-installer/ffprobe') as { path: string }).path;
    return fs.existsSync(ffmpeg) && fs.existsSync(ffprobe) ? resolveMediaTools({ ffmpegPath: ffmpeg, ffprobePath: ffprobe }) : null;
  } catch {
    return null;
  }
}

describe('media/ffmpeg', function () {
  this.timeout(30_000);

  it('finds an ffmpeg and an ffprobe without configuration', () => {
    const tools = resolveMediaTools();
    expect(['system', 'installer']).to.include(tools.origin.ffmpeg);
    expect(['system', 'installer']).to.include(tools.origin.ffprobe);
    expect(resolveMediaTools()).to.equal(tools); // cached
  });

  it('uses a configured path, and refuses one that does not exist, naming the setting', () => {
    const tools = installerTools();
    if (tools) expect(tools.origin).to.deep.equal({ ffmpeg: 'config', ffprobe: 'config' });
    expect(() => resolveMediaTools({ ffmpegPath: '/nonexistent/ffmpeg' })).to.throw(MediaToolsMissingError, /FFMPEG_PATH/);
    expect(() => resolveMediaTools({ ffprobePath: '/nonexistent/ffprobe' })).to.throw(MediaToolsMissingError, /FFPROBE_PATH/);
  });

  it('reports a failed run with its exit code and stderr', async () => {
    let error: unknown;
    await runFfmpeg(resolveMediaTools(), ['-v', 'error', '-i', '/nonexistent/input.wav', '-f', 'null', '-']).catch((e) => (error = e));
    expect(error).to.be.instanceOf(MediaToolError);
    expect((error as MediaToolError).exitCode).to.not.equal(0);
    expect((error as MediaToolError).stderr).to.contain('nonexistent');
  });

  it('probes and analyses with the static binaries from npm (the fresh-machine fallback)', async function () {
    const tools = installerTools();
    if (!tools) this.skip();
    const dir = makeTempDir();
    try {
      const file = writeSynthCall(dir, 'call.wav', 5);
      const probe = await probeRecording(file, { maxBytes: 1e8, maxSeconds: 60 }, tools);
      expect(probe).to.include({ codec: 'pcm_mulaw', channels: 2, durationSec: 5 });
      const r = await analyseRecording(file, { silenceMinSeconds: 3, probe, tools });
      expect(r.durationSec).to.equal(5);
      expect(r.facts.talkSec[0]).to.be.greaterThan(0.5);
    } finally {
      removeDir(dir);
    }
  });
});
