import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { MediaRejectedError } from '../../../src/features/media/errors';
import { decodePeaksDat } from '../../../src/features/media/peaks-format';
import { admitRecording, prepareStoredRecording } from '../../../src/features/media/prepare';
import { resolveStored, storedExists } from '../../../src/features/media/store';
import { hasEncoder, makeTempDir, removeDir, tools, transcode, writeSynthCall } from './media-fixtures';

const limits = { maxBytes: 1e8, maxSeconds: 3600 };

describe('media/prepare', function () {
  this.timeout(60_000);
  let dir: string;
  let recordingsDir: string;
  beforeEach(() => {
    dir = makeTempDir();
    recordingsDir = path.join(dir, 'recordings');
  });
  afterEach(() => removeDir(dir));

  it('admits a call, then prepares peaks and facts and no rendition for a mu-law WAV', async () => {
    const tmp = writeSynthCall(dir, 'upload.tmp', 45, 31);
    const { probe, stored } = await admitRecording(tmp, { recordingsDir, limits, tools });
    expect(probe.codec).to.equal('pcm_mulaw');
    const prepared = await prepareStoredRecording(recordingsDir, stored.storageKey, { silenceMinSeconds: 3, probe, tools });
    expect(prepared.rendition).to.equal(null);
    expect(prepared.durationSec).to.equal(45);
    expect(prepared.facts.talkSec[0]).to.be.greaterThan(5);
    expect(prepared.facts.silences.length).to.be.greaterThan(0);
    const peaks = decodePeaksDat(fs.readFileSync(resolveStored(recordingsDir, prepared.peaksKey)));
    expect(peaks).to.include({ channels: 2, length: 4500 });
  });

  it('refuses a bad upload before storing anything', async () => {
    const tmp = path.join(dir, 'upload.tmp');
    fs.writeFileSync(tmp, 'not audio at all');
    let error: unknown;
    await admitRecording(tmp, { recordingsDir, limits, tools }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(MediaRejectedError);
    expect(fs.existsSync(recordingsDir)).to.equal(false);
  });

  it('makes an MP3 rendition for GSM 6.10 WAV, beside the original', async function () {
    if (!hasEncoder('libgsm_ms')) this.skip();
    const src = writeSynthCall(dir, 'src.wav', 5);
    const gsm = await transcode(src, dir, 'upload-gsm.tmp', ['-ac', '1', '-c:a', 'libgsm_ms', '-f', 'wav']);
    const { stored } = await admitRecording(gsm, { recordingsDir, limits, tools });
    const prepared = await prepareStoredRecording(recordingsDir, stored.storageKey, { silenceMinSeconds: 3, tools });
    expect(prepared.rendition).to.deep.equal({ key: `${stored.storageKey}.mp3`, mimeType: 'audio/mpeg' });
    expect(await storedExists(recordingsDir, prepared.rendition!.key)).to.equal(true);
  });
});
