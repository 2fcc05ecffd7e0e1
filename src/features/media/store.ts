// The recording store: content-addressed files under RECORDINGS_DIR. A recording's key comes only
// from its SHA-256 (`ab/cd/<sha256>`), so the same bytes uploaded twice are stored once, two app
// instances sharing the directory agree on every name, and no path is ever built from user input.
// Derived files sit beside the original: `<key>.peaks.dat` (waveform peaks, see peaks-format.ts)
// and `<key>.<ext>` (browser rendition). Every write goes to a temporary name in the target
// directory, is fsynced, then renamed: a reader sees the whole file or none.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { encodePeaksDat, type WaveformPeaks } from './peaks-format';
import type { RenditionExt } from './rendition';

export interface StoredRecording {
  sha256: string;
  /** `ab/cd/<sha256>`, relative to the recordings directory. Store this in the database. */
  storageKey: string;
  sizeBytes: number;
  /** The same content was already in the store (nothing was written). */
  alreadyStored: boolean;
}

export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
}

const SHA256_RE = /^[0-9a-f]{64}$/;
const KEY_RE = /^([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})(?:\.(peaks\.dat|mp3|webm|ogg|mp4))?$/;

export type DerivedKind = 'peaks' | RenditionExt;

/** The storage key of a SHA-256 (lower-case hex). */
export function storageKeyFor(sha256: string): string {
  if (!SHA256_RE.test(sha256)) throw new InvalidStorageKeyError('not a sha256');
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

export function peaksKey(storageKey: string): string {
  assertRecordingKey(storageKey);
  return `${storageKey}.peaks.dat`;
}

export function renditionKey(storageKey: string, ext: RenditionExt): string {
  assertRecordingKey(storageKey);
  return `${storageKey}.${ext}`;
}

/** Splits a key into its sha256 and derived kind (null for the original); null when the key is not one of ours. */
export function parseStorageKey(key: string): { sha256: string; derived: DerivedKind | null } | null {
  const m = KEY_RE.exec(key);
  if (!m) return null;
  const [, a, b, sha, suffix] = m;
  if (sha!.slice(0, 2) !== a || sha!.slice(2, 4) !== b) return null;
  return { sha256: sha!, derived: suffix === undefined ? null : suffix === 'peaks.dat' ? 'peaks' : (suffix as RenditionExt) };
}

/**
 * Absolute path of a stored file (original or derived). Refuses anything that is not exactly a
 * key of the store's shape, so a key read from a request or the database cannot leave the directory.
 */
export function resolveStored(recordingsDir: string, key: string): string {
  if (typeof key !== 'string' || !parseStorageKey(key)) throw new InvalidStorageKeyError('invalid storage key');
  return path.join(path.resolve(recordingsDir), ...key.split('/'));
}

/** SHA-256 and size of a file, streamed. */
export async function sha256File(file: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

/**
 * Copies an uploaded/imported file into the store under its content key. Idempotent: when the
 * content is already there nothing is written. The source file is left alone (the caller removes
 * its own temporary file).
 */
export async function storeRecording(tempFilePath: string, recordingsDir: string): Promise<StoredRecording> {
  const { sha256, sizeBytes } = await sha256File(tempFilePath);
  const storageKey = storageKeyFor(sha256);
  const dest = resolveStored(recordingsDir, storageKey);
  const existing = await fs.stat(dest).catch(() => null);
  if (existing && existing.size === sizeBytes) return { sha256, storageKey, sizeBytes, alreadyStored: true };
  await atomically(dest, (tmp) => fs.copyFile(tempFilePath, tmp));
  return { sha256, storageKey, sizeBytes, alreadyStored: false };
}

/** Writes bytes to dest atomically (temporary name in the same directory, fsync, rename). */
export async function writeFileAtomic(dest: string, data: Uint8Array): Promise<void> {
  await atomically(dest, (tmp) => fs.writeFile(tmp, data));
}

/** Writes waveform peaks (audiowaveform .dat v2) atomically to an absolute path, e.g. resolveStored(dir, peaksKey(key)). */
export async function writePeaksFile(dest: string, peaks: WaveformPeaks): Promise<void> {
  await writeFileAtomic(dest, encodePeaksDat(peaks));
}

/** True when the stored file (original or derived) exists. */
export async function storedExists(recordingsDir: string, key: string): Promise<boolean> {
  return fs.stat(resolveStored(recordingsDir, key)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Writes through a temporary file in the same folder, fsyncs, then renames: readers never see half a file. */
export async function atomically(dest: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const dir = path.dirname(dest);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await write(tmp);
    const fh = await fs.open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, dest);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

/** fsync the directory so the rename itself survives a crash (not supported everywhere: best effort). */
async function syncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows and some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await fh?.close();
  }
}

function assertRecordingKey(key: string): void {
  const parsed = parseStorageKey(key);
  if (!parsed || parsed.derived !== null) throw new InvalidStorageKeyError('not a recording key');
}
