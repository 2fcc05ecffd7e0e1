// The browser bundles a page asks for, and the shared chunks they import (public/build/manifest.json,
// written by scripts/build-client.ts): the layout announces the chunks with <link rel="modulepreload">
// so they download beside the entry instead of after it has been parsed.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../config';

const MANIFEST = path.join(ROOT_DIR, 'public', 'build', 'manifest.json');
let cached: { mtimeMs: number; chunks: Record<string, string[]> } | null = null;

function manifest(): Record<string, string[]> {
  const stat = fs.statSync(MANIFEST, { throwIfNoEntry: false });
  if (!stat) return {};
  // Re-read after a rebuild (the chunk names change with their content).
  if (!cached || cached.mtimeMs !== stat.mtimeMs) cached = { mtimeMs: stat.mtimeMs, chunks: JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Record<string, string[]> };
  return cached.chunks;
}

/** The chunk files the given entries import, each once. */
export function chunksFor(entries: readonly string[]): string[] {
  const m = manifest();
  return [...new Set(entries.flatMap((e) => m[e] ?? []))];
}
