// Replaying a file of call events (NDJSON: one event per line) through the same ingest as the API,
// as fast as possible or at a speed (60 = an hour of events in a minute). Batches go out in the
// events' time order; a bad line is reported with its number and skipped.
import fs from 'node:fs';
import readline from 'node:readline';
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError } from '../../http/errors';
import { ingestBatch } from './events.service';

export interface ReplayLine {
  line: number;
  event: Record<string, unknown>;
  at: number;
}

export interface ReplayReport {
  lines: number;
  stored: number;
  duplicates: number;
  held: number;
  rejected: { line: number; reason: string }[];
}

/** Reads the file's events; lines that are not a JSON object with a valid `at` are returned as rejected. */
export async function readNdjson(file: string): Promise<{ events: ReplayLine[]; rejected: { line: number; reason: string }[]; lines: number }> {
  const events: ReplayLine[] = [];
  const rejected: { line: number; reason: string }[] = [];
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (!text.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      rejected.push({ line: n, reason: 'not JSON' });
      continue;
    }
    const at = v && typeof v === 'object' && !Array.isArray(v) ? Date.parse(String((v as { at?: unknown }).at)) : NaN;
    if (Number.isNaN(at)) rejected.push({ line: n, reason: 'no valid "at"' });
    else events.push({ line: n, event: v as Record<string, unknown>, at });
  }
  return { events, rejected, lines: n };
}

/** Groups events (in time order) into batches due at the same moment of the replay. Pure. */
export function replayBatches(events: readonly ReplayLine[], o: { speed: number | null; maxBatch: number }): { dueMs: number; items: ReplayLine[] }[] {
  const sorted = [...events].sort((a, b) => a.at - b.at || a.line - b.line);
  const out: { dueMs: number; items: ReplayLine[] }[] = [];
  const start = sorted[0]?.at ?? 0;
  for (const e of sorted) {
    // With a speed, events within 200 ms of replay time travel together.
    const due = o.speed ? Math.floor((e.at - start) / o.speed / 200) * 200 : 0;
    const last = out[out.length - 1];
    if (last && last.dueMs === due && last.items.length < o.maxBatch) last.items.push(e);
    else out.push({ dueMs: due, items: [e] });
  }
  return out;
}

export async function replayFile(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  file: string,
  o: { speed: number | null; onProgress?: (done: number, total: number) => void; sleep?: (ms: number) => Promise<void> },
): Promise<ReplayReport> {
  const { events, rejected, lines } = await readNdjson(file);
  const report: ReplayReport = { lines, stored: 0, duplicates: 0, held: 0, rejected };
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  let done = 0;
  for (const batch of replayBatches(events, { speed: o.speed, maxBatch: deps.config.events.maxBatch })) {
    const wait = batch.dueMs - (Date.now() - started);
    if (wait > 0) await sleep(wait);
    const result = await sendBatch(deps, batch.items, report);
    report.stored += result.stored;
    report.duplicates += result.duplicates;
    report.held += result.held;
    done += batch.items.length;
    o.onProgress?.(done, events.length);
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

/** One batch; when it is refused, each event alone, so one bad line does not sink its neighbours. */
async function sendBatch(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, items: ReplayLine[], report: ReplayReport): Promise<{ stored: number; duplicates: number; held: number }> {
  try {
    return await ingestBatch(deps, { events: items.map((i) => i.event) }, { apiTokenId: null });
  } catch (e) {
    if (!(e instanceof AppError) || items.length === 1) {
      if (e instanceof AppError) report.rejected.push({ line: items[0]!.line, reason: describe(e) });
      else throw e;
      return { stored: 0, duplicates: 0, held: 0 };
    }
    const sum = { stored: 0, duplicates: 0, held: 0 };
    for (const item of items) {
      const r = await sendBatch(deps, [item], report);
      sum.stored += r.stored;
      sum.duplicates += r.duplicates;
      sum.held += r.held;
    }
    return sum;
  }
}

function describe(e: AppError): string {
  if (e instanceof ValidationError && e.fields.length) return e.fields.map((f) => `${f.field.replace(/^events\[\d+\]\./, '')}: ${f.key}`).join('; ');
  return `${e.key}${Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`;
}
