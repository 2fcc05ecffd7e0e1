// Where the recordings a manifest names are found. Two ways in, one question ("this row names
// 'a.wav' — which file is it?"):
// - a folder on the server, given on the command line by the administrator who runs the CLI;
// - files uploaded with the manifest on the web page, matched by their original names. On the web
//   a name is only ever a key into the list of uploaded files, never part of a path on disk.
import fs from 'node:fs/promises';
import path from 'node:path';
import { baseName, relativeRecordingPath } from './imports.manifest';

export type LocateResult = { ok: true; path: string } | { ok: false; key: string };

export interface RecordingLocator {
  locate(name: string): Promise<LocateResult>;
}

/** Recordings in a folder (CLI). Names are relative to it and may not leave it, not even by a symlink. */
export async function folderLocator(folder: string): Promise<RecordingLocator> {
  const root = await fs.realpath(folder);
  return {
    async locate(name) {
      const parts = relativeRecordingPath(name.normalize('NFC'));
      if (!parts) return { ok: false, key: 'imports.reject.recording.badPath' };
      const full = path.join(root, ...parts);
      const stat = await fs.stat(full).catch(() => null);
      if (!stat || !stat.isFile()) {
        // Files written on macOS keep decomposed letters (NFD) in their names; try that spelling too.
        const nfd = path.join(root, ...parts.map((p) => p.normalize('NFD')));
        const statNfd = nfd !== full ? await fs.stat(nfd).catch(() => null) : null;
        if (!statNfd || !statNfd.isFile()) return { ok: false, key: 'imports.reject.recording.missing' };
        return inside(root, nfd);
      }
      return inside(root, full);
    },
  };
}

async function inside(root: string, file: string): Promise<LocateResult> {
  const real = await fs.realpath(file);
  if (!real.startsWith(root + path.sep)) return { ok: false, key: 'imports.reject.recording.badPath' };
  return { ok: true, path: real };
}

export interface StagedFile {
  /** The name the browser sent (already decoded, NFC). */
  name: string;
  /** Absolute path of our copy; its name never comes from the user. */
  path: string;
}

/**
 * Uploaded recordings, matched by name: the exact name the row gives, else its last part (a row
 * may say "2026-11/a.wav" while the browser sent "a.wav"). Two uploads that share a name make
 * that name ambiguous rather than silently picking one.
 */
export function uploadLocator(files: StagedFile[]): RecordingLocator {
  const exact = new Map<string, string[]>();
  const byBase = new Map<string, string[]>();
  for (const f of files) {
    const name = f.name.normalize('NFC');
    (exact.get(name) ?? exact.set(name, []).get(name)!).push(f.path);
    const base = baseName(name).toLowerCase();
    (byBase.get(base) ?? byBase.set(base, []).get(base)!).push(f.path);
  }
  return {
    async locate(name) {
      const n = name.normalize('NFC');
      const found = exact.get(n) ?? byBase.get(baseName(n).toLowerCase()) ?? [];
      if (!found.length) return { ok: false, key: 'imports.reject.recording.missing' };
      if (found.length > 1) return { ok: false, key: 'imports.reject.recording.ambiguous' };
      return { ok: true, path: found[0]! };
    },
  };
}

/** Where a web import's uploads wait for its job: under the shared recordings directory (every app instance sees it), named by the import's id only. */
export function stagingDir(recordingsDir: string, importId: number): string {
  if (!Number.isInteger(importId) || importId <= 0) throw new Error('bad import id');
  return path.join(path.resolve(recordingsDir), '.imports', String(importId));
}

/** Moves a temporary upload to our staging name (rename, or copy when /tmp is another filesystem). */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await fs.copyFile(from, to);
    await fs.rm(from, { force: true });
  }
}
