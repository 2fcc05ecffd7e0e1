// Facts benchmark (issue #12): how cheap the facts of every call are.
//   - analysis speed of an 8 kHz stereo G.711 mu-law WAV, in × real time on one core, and a
//     60-minute call in ms — the in-process path, with the ffmpeg path beside it;
//   - a 3-minute call end to end: file on disk → analysis (peaks file + audio facts stored) → the
//     call's facts computed and stored (SQLite file, WAL), as the `media.analyse` and
//     `facts.compute` jobs do it;
//   - CPU minutes for a national day: 60,000 calls of 3 minutes at that end-to-end CPU cost;
//   - speech detection frame accuracy at 20/10/5 dB SNR on the labelled set (and the other line
//     conditions), both paths.
// Medians of several runs. Synthetic audio is generated here; nothing to download. The summary's
// "× real time" is per CPU second on one core (what a national day costs, and steady on a shared
// machine); the 60-minute and 3-minute figures are wall-clock milliseconds.
//
//   npm run bench:facts
//   npm run bench:facts -- --runs 3 --minutes 10      # quicker
//
//   npm run bench:facts -- --service-real-days 2 --service-runs 5   # the Service page part quicker
//
// The Service KPI page at 60,000 calls a day × 365 days is measured by bench/service-page.ts (what
// it builds and why is written there); its median is the summary's last figure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppDeps } from '../src/app-context';
import { loadConfig } from '../src/config';
import { createDbFromUrl, migrate, type Db } from '../src/db';
import { analyseRecordingJob } from '../src/features/calls/recordings.analyse';
import * as recRepo from '../src/features/calls/recordings.repository';
import { drainStaleFacts } from '../src/features/facts/facts.service';
import { analyseRecording, resolveMediaTools, storeRecording, synthesizeCallWav } from '../src/features/media';
import { frameAccuracy, LABELLED_CONDITIONS, labelledCall, labelledCallWav, maskFromSegments, type LabelledCondition } from '../src/features/media/labelled-calls';
import { JobQueue } from '../src/jobs/queue';
import { insertReturningId } from '../src/db';
import { tashkentDate } from '../src/time';
import pino from 'pino';
import { measureRuns, median } from './measure';
import { servicePageBench } from './service-page';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const RUNS = arg('runs', 5);
const MINUTES = arg('minutes', 60);
const E2E_RUNS = arg('e2e-runs', 9);
const NATIONAL_CALLS = 60_000;
const LABEL_SEEDS = [1, 2, 3, 4];
const SERVICE = { realDays: arg('service-real-days', 7), runs: arg('service-runs', 9), callsPerDay: arg('service-calls', 60_000), days: arg('service-days', 365) };

async function timed(runs: number, fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const { wall, cpu } = await measureRuns(runs, fn);
  return { wall: median(wall), cpu: median(cpu) };
}

/** The Service KPI page at 60,000 calls a day × 365 days, median ms (bench/service-page.ts). */
async function servicePageMs(dir: string): Promise<number | null> {
  process.stdout.write(`\nService page: ${SERVICE.days} days × ${SERVICE.callsPerDay.toLocaleString('en')} calls a day (${SERVICE.realDays} days generated, the rest copied), ${SERVICE.runs} views\n`);
  const r = await servicePageBench(dir, SERVICE);
  for (const line of r.lines) process.stdout.write(`${line}\n`);
  return r.pageMs;
}

/** A 3-minute call, end to end: stored WAV → analysis stored → call facts stored. */
async function endToEnd(dir: string, runs: number, engine: 'auto' | 'ffmpeg'): Promise<{ wall: number; cpu: number }> {
  const dbFile = path.join(dir, `e2e-${engine}.db`);
  const db: Db = createDbFromUrl(`sqlite:${dbFile}`);
  await migrate(db);
  const base = loadConfig();
  const config = { ...base, recordingsDir: path.join(dir, `store-${engine}`), logLevel: 'silent' };
  const clock = () => new Date();
  const deps: AppDeps = { db, config, clock, logger: pino({ level: 'silent' }), jobs: new JobQueue(db, { concurrency: 1 }) };
  const operatorId = await insertReturningId(db, 'operators', { employee_code: 'B-1', full_name: 'Bench Operator', created_at: clock().toISOString(), updated_at: clock().toISOString() });
  const startedAt = new Date(Date.now() - 3600_000).toISOString();
  // Distinct recordings (a content-addressed store would share identical ones), made beforehand.
  const prepared: { callId: number; recordingId: number }[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const src = path.join(dir, `e2e-${i}.wav`);
    fs.writeFileSync(src, synthesizeCallWav({ seed: 700 + i, durationSec: 180 }));
    const stored = await storeRecording(src, config.recordingsDir);
    const recordingId = await recRepo.insertRecording(db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: null, sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec: 180, mimeType: 'audio/wav', hasVideo: false }, clock);
    const callId = await insertReturningId(db, 'calls', {
      source: 'telephony', external_id: `E2E-${engine}-${i}`, started_at: startedAt, answered_at: new Date(Date.parse(startedAt) + 5000).toISOString(), ended_at: new Date(Date.parse(startedAt) + 185_000).toISOString(),
      call_date: tashkentDate(startedAt), duration_sec: 180, operator_id: operatorId, language: 'uz', channel: 'voice', dropped: false, recording_id: recordingId, created_at: startedAt, updated_at: startedAt,
    });
    prepared.push({ callId, recordingId });
  }
  await drainStaleFacts(deps); // metadata facts of the new calls: what intake leaves before the analysis
  const first = prepared.shift()!; // warm-up
  await analyseRecordingJob(deps, first.recordingId, { engine });
  await drainStaleFacts(deps);
  const r = await timed(runs, async () => {
    const next = prepared.shift()!;
    await analyseRecordingJob(deps, next.recordingId, { engine });
    const d = await drainStaleFacts(deps);
    if (d.computed !== 1) throw new Error(`expected the one call's facts, computed ${d.computed}`);
  });
  await db.destroy();
  return r;
}

async function accuracy(dir: string, engine: 'auto' | 'ffmpeg', conditions: readonly LabelledCondition[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const condition of conditions) {
    let correct = 0;
    let total = 0;
    for (const seed of LABEL_SEEDS) {
      const call = labelledCall(condition, seed, 60);
      const file = path.join(dir, `label-${condition}-${seed}.wav`);
      if (!fs.existsSync(file)) fs.writeFileSync(file, labelledCallWav(call));
      const r = await analyseRecording(file, { silenceMinSeconds: 3, engine });
      const a = frameAccuracy(call.truth, r.facts.speech!.map((s) => maskFromSegments(s, call.truth[0].length)));
      correct += a.correct;
      total += a.total;
    }
    out[condition] = (100 * correct) / total;
  }
  return out;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-bench-facts-'));
  const tools = resolveMediaTools();
  try {
    process.stdout.write(`facts benchmark: ${MINUTES}-minute 8 kHz stereo mu-law WAV, ${RUNS} runs; 3-minute call end to end, ${E2E_RUNS} runs; ffmpeg ${tools.origin.ffmpeg}; ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}\n`);
    const long = path.join(dir, 'long.wav');
    fs.writeFileSync(long, synthesizeCallWav({ seed: 12, durationSec: MINUTES * 60 }));
    const audioSec = MINUTES * 60;

    await analyseRecording(long, { silenceMinSeconds: 3 }); // warm-up (JIT, page cache)
    const fast = await timed(RUNS, () => analyseRecording(long, { silenceMinSeconds: 3, tools }));
    const slow = await timed(Math.max(1, Math.min(RUNS, 3)), () => analyseRecording(long, { silenceMinSeconds: 3, tools, engine: 'ffmpeg' }));

    const e2eFast = await endToEnd(dir, E2E_RUNS, 'auto');
    const e2eSlow = await endToEnd(dir, Math.min(E2E_RUNS, 5), 'ffmpeg');

    const accFast = await accuracy(dir, 'auto', LABELLED_CONDITIONS);
    const accSlow = await accuracy(dir, 'ffmpeg', ['snr20', 'snr10', 'snr5']);
    const service = await servicePageMs(dir);
    process.stdout.write('\n\n');

    const xrt = (ms: number) => Math.round(audioSec / (ms / 1000));
    const scale = 60 / MINUTES; // the 60-minute figure from a shorter run, when asked for one
    const nationalMin = (cpu: number) => (NATIONAL_CALLS * cpu) / 60_000;
    const rows: [string, string, string][] = [
      ['', 'in-process', 'ffmpeg path'],
      [`analysis × real time (wall, ${MINUTES} min)`, `${xrt(fast.wall)}×`, `${xrt(slow.wall)}×`],
      ['analysis × real time (CPU, one core)', `${xrt(fast.cpu)}×`, `${xrt(slow.cpu)}×`],
      ['60-minute call, ms (wall)', (fast.wall * scale).toFixed(0), (slow.wall * scale).toFixed(0)],
      ['3-minute call end to end, ms (wall)', e2eFast.wall.toFixed(1), e2eSlow.wall.toFixed(1)],
      ['3-minute call end to end, CPU ms', e2eFast.cpu.toFixed(1), e2eSlow.cpu.toFixed(1)],
      [`national day (${NATIONAL_CALLS.toLocaleString('en')} × 3 min), CPU-min`, nationalMin(e2eFast.cpu).toFixed(1), nationalMin(e2eSlow.cpu).toFixed(1)],
      ...(['snr20', 'snr10', 'snr5'] as const).map((c): [string, string, string] => [`accuracy at ${c.slice(3)} dB SNR`, `${accFast[c]!.toFixed(2)}%`, `${accSlow[c]!.toFixed(2)}%`]),
      ...LABELLED_CONDITIONS.filter((c) => !c.startsWith('snr')).map((c): [string, string, string] => [`accuracy, ${c}`, `${accFast[c]!.toFixed(2)}%`, '']),
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padStart(12)}  ${c.padStart(12)}\n`);
    process.stdout.write(`\nGoals: ≥ 10,000× real time (60-minute call ≤ 360 ms), 3-minute call end to end ≤ 20 ms, accuracy ≥ 95 % at 10 dB. Wall times swing with the machine's load; CPU times do not.\n`);
    process.stdout.write(
      `facts: ${xrt(fast.cpu)}x real time, 60-min call ${(fast.wall * scale).toFixed(0)} ms, national day ${nationalMin(e2eFast.cpu).toFixed(1)} CPU-min, accuracy@10dB ${accFast.snr10!.toFixed(1)}%, service page ${service === null ? 'n/a' : service.toFixed(0)} ms\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
