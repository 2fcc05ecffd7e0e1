import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  InvalidStorageKeyError, parseStorageKey, peaksKey, renditionKey, resolveStored, storageKeyFor, storedExists, storeRecording, writeFileAtomic,
  writePeaksFile,
} from '../../../src/features/media/store';
import { decodePeaksDat, type WaveformPeaks } from '../../../src/features/media/peaks-format';
import { makeTempDir, removeDir } from './media-fixtures';

const SHA = 'ab' + 'cd' + '0123456789abcdef'.repeat(3) + '0123456789ab';

function listAll(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describe('media/store', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir('sifat-store-')));
  afterEach(() => removeDir(dir));

  describe('keys', () => {
    it('derives the key from the sha256 alone: two levels of fan-out, then the hash', () => {
      expect(SHA).to.have.length(64);
      expect(storageKeyFor(SHA)).to.equal(`ab/cd/${SHA}`);
      expect(peaksKey(`ab/cd/${SHA}`)).to.equal(`ab/cd/${SHA}.peaks.dat`);
      expect(renditionKey(`ab/cd/${SHA}`, 'mp3')).to.equal(`ab/cd/${SHA}.mp3`);
    });

    it('parses originals and derived files, and nothing else', () => {
      expect(parseStorageKey(`ab/cd/${SHA}`)).to.deep.equal({ sha256: SHA, derived: null });
      expect(parseStorageKey(`ab/cd/${SHA}.peaks.dat`)).to.deep.equal({ sha256: SHA, derived: 'peaks' });
      expect(parseStorageKey(`ab/cd/${SHA}.webm`)).to.deep.equal({ sha256: SHA, derived: 'webm' });
      expect(parseStorageKey(`ab/ce/${SHA}`), 'fan-out must match the hash').to.equal(null);
      expect(parseStorageKey(`ab/cd/${SHA.toUpperCase()}`)).to.equal(null);
      expect(parseStorageKey(`ab/cd/${SHA}.exe`)).to.equal(null);
    });

    it('refuses to build a path from anything that is not a key of the store', () => {
      for (const bad of ['../etc/passwd', `ab/cd/../../${SHA}`, `/ab/cd/${SHA}`, `ab\\cd\\${SHA}`, `ab/cd/${SHA}/`, `ab/cd/${SHA}\0`, '', SHA]) {
        expect(() => resolveStored(dir, bad), JSON.stringify(bad)).to.throw(InvalidStorageKeyError);
      }
      expect(() => storageKeyFor('../x')).to.throw(InvalidStorageKeyError);
      expect(() => peaksKey(`ab/cd/${SHA}.mp3`)).to.throw(InvalidStorageKeyError);
      expect(resolveStored(dir, `ab/cd/${SHA}.mp3`)).to.equal(path.join(dir, 'ab', 'cd', `${SHA}.mp3`));
    });
  });

  describe('storeRecording()', () => {
    it('stores the file under its content hash and leaves the source in place', async () => {
      const src = path.join(dir, 'upload.tmp');
      const content = Buffer.from('RIFF fake recording bytes');
      fs.writeFileSync(src, content);
      const stored = await storeRecording(src, path.join(dir, 'recordings'));
      const sha = createHash('sha256').update(content).digest('hex');
      expect(stored).to.deep.equal({ sha256: sha, storageKey: storageKeyFor(sha), sizeBytes: content.length, alreadyStored: false });
      expect(fs.readFileSync(resolveStored(path.join(dir, 'recordings'), stored.storageKey))).to.deep.equal(content);
      expect(fs.existsSync(src)).to.equal(true);
      expect(listAll(path.join(dir, 'recordings')), 'no temporary files left').to.deep.equal([path.join(sha.slice(0, 2), sha.slice(2, 4), sha)]);
    });

    it('is idempotent: the same content twice is stored once', async () => {
      const rec = path.join(dir, 'recordings');
      const a = path.join(dir, 'a.wav');
      const b = path.join(dir, 'b.mp3');
      fs.writeFileSync(a, 'same bytes');
      fs.writeFileSync(b, 'same bytes');
      const first = await storeRecording(a, rec);
      const second = await storeRecording(b, rec);
      expect(second).to.deep.equal({ ...first, alreadyStored: true });
      expect(listAll(rec)).to.have.length(1);
    });

    it('gives different content different keys', async () => {
      const a = path.join(dir, 'a');
      fs.writeFileSync(a, 'one');
      const k1 = (await storeRecording(a, dir)).storageKey;
      fs.writeFileSync(a, 'two');
      const k2 = (await storeRecording(a, dir)).storageKey;
      expect(k1).to.not.equal(k2);
      expect(await storedExists(dir, k1)).to.equal(true);
      expect(await storedExists(dir, peaksKey(k1))).to.equal(false);
    });
  });

  describe('derived files', () => {
    it('writes atomically, replacing an older version and leaving no temporary file', async () => {
      const dest = resolveStored(dir, `ab/cd/${SHA}.mp3`);
      await writeFileAtomic(dest, Buffer.from('old'));
      await writeFileAtomic(dest, Buffer.from('new'));
      expect(fs.readFileSync(dest, 'utf8')).to.equal('new');
      expect(listAll(dir)).to.deep.equal([path.join('ab', 'cd', `${SHA}.mp3`)]);
    });

    it('writes peaks in the .dat format the browser reads', async () => {
      const peaks: WaveformPeaks = { format: 'audiowaveform-dat-v2', sampleRate: 8000, samplesPerPixel: 80, bits: 8, channels: 1, length: 2, data: [Int8Array.from([-3, 4, -5, 6])] };
      const dest = resolveStored(dir, peaksKey(`ab/cd/${SHA}`));
      await writePeaksFile(dest, peaks);
      expect(decodePeaksDat(fs.readFileSync(dest))).to.deep.equal(peaks);
    });
  });
});
