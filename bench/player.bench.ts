// How fast the evaluation page opens a 60-minute stereo call, in headless Chromium:
//  (a) the real evaluation page: the waveform drawn from a coarse overview of the precomputed peaks
//      (/calls/:id/peaks-overview.dat, the detail /peaks.dat following in parallel) and the audio
//      streamed by the page's own media element (MediaElement backend, Range requests);
//  (b) the same player on a bare page, from the peaks (the page's own cost taken out);
//  (c) the same player on a bare page without peaks: wavesurfer.js downloads and decodes the whole
//      file in the browser, as it does with no precomputed data.
// Each run opens a fresh browser context (no HTTP cache), waits for the player's
// performance.mark('player:waveform') (wavesurfer drew data), then presses play and waits for
// performance.mark('player:canplay') (the media element's 'canplay'; the player buffers from page
// load, so this often comes before the press). Both are milliseconds since navigation start;
// "drawn+playable" is the later of the two. Medians of several runs, the variants interleaved.
// The server counts the requests for the recording per open of (a): the goal is one.
// Goals: (a) ≤ 500 ms and at least 8× faster than (c).
//
//   npm run bench:player                       (builds the browser bundles first)
//   npm run bench:player -- --runs 7 --minutes 60
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../src/config';
import { createDb, migrate } from '../src/db';
import { createApp } from '../src/app';
import { JobQueue } from '../src/jobs/queue';
import type { AppDeps } from '../src/app-context';
import { FEATURES } from '../src/features';
import { storeRecording, synthesizeCallWav } from '../src/features/media';
import { insertRecording } from '../src/features/calls/recordings.repository';
import { prepareRecording } from '../src/features/calls/recordings.service';
import { insertUser, insertOperator } from '../src/features/users/users.repository';
import { hashPassword } from '../src/features/users/users.service';
import { insertReturningId } from '../src/db';
import { tashkentDate } from '../src/time';
import { rubricVersionForCall } from '../src/features/rubrics/rubrics.service';
import * as evalRepo from '../src/features/evaluations/evaluations.repository';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 5);
const MINUTES = arg('minutes', 60);
const PASSWORD = 'bench-password-112';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The player's markup (as in views/evaluations/_player.ejs) on a page of its own. */
function barePage(callId: number, withPeaks: boolean, durationSec: number): string {
  const messages = JSON.stringify({ loading: 'loading', preparing: 'preparing', failed: 'failed', decoding: 'decoding' }).replace(/"/g, '&quot;');
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/public/css/app.css">
${withPeaks ? `<link rel="preload" href="/calls/${callId}/peaks-overview.dat" as="fetch" crossorigin="anonymous">` : ''}
<script type="module" src="/public/build/player.js"></script></head><body><main class="content"><div class="eval"><div class="card">
<div class="player" data-player data-audio-url="/calls/${callId}/audio" ${withPeaks ? `data-overview-url="/calls/${callId}/peaks-overview.dat" data-peaks-url="/calls/${callId}/peaks.dat" data-duration="${durationSec}"` : ''}
 data-lanes='["Operator","Caller"]' data-silences="[]" data-messages="${messages}">
 ${withPeaks ? `<audio data-role="media" preload="auto" src="/calls/${callId}/audio" hidden></audio>` : ''}<div class="player-stage"><div class="player-lanes" data-role="lanes"></div><div class="player-wave" data-role="wave"></div></div>
 <div class="player-minimap" data-role="minimap"></div><p class="player-status" data-role="status"></p>
 <div class="player-controls"><button type="button" class="btn btn-primary" data-action="play">Play</button><span data-role="time"></span></div>
</div></div></div></main></body></html>`;
}

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-bench-player-'));
  const config = loadConfig({ ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`, RECORDINGS_DIR: path.join(dir, 'recordings'), JOBS_ENABLED: 'false', DEMO_MODE: 'false', LOG_LEVEL: 'silent' }, { env: 'test', passwordHashRounds: 4 });
  const db = createDb(config);
  await migrate(db);
  const logger = pino({ level: 'silent' });
  const clock = () => new Date();
  const jobs = new JobQueue(db, { concurrency: 1, logger, clock });
  const deps: AppDeps = { config, db, logger, clock, jobs };
  for (const f of FEATURES) if (f.bootstrap) await f.bootstrap(deps);

  const durationSec = MINUTES * 60;
  let t0 = Date.now();
  const wav = path.join(dir, 'call.wav');
  fs.writeFileSync(wav, synthesizeCallWav({ seed: 60, durationSec }));
  const synthMs = Date.now() - t0;
  const stored = await storeRecording(wav, config.recordingsDir);
  fs.rmSync(wav, { force: true });
  const recordingId = await insertRecording(db, {
    sha256: stored.sha256, storageKey: stored.storageKey, originalName: 'bench-60min.wav', sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw',
    sampleRate: 8000, channels: 2, durationSec, mimeType: 'audio/wav', hasVideo: false,
  });
  t0 = Date.now();
  await prepareRecording(deps, recordingId);
  const prepareMs = Date.now() - t0;

  const operatorId = await insertOperator(db, { employeeCode: 'B-1', fullName: 'Bench Operator', teamId: null, category: 'A1', languages: ['uz'], isActive: true });
  const userId = await insertUser(db, { username: 'bench', displayName: 'Bench Specialist', passwordHash: await hashPassword(PASSWORD, 4), role: 'specialist', language: 'en' });
  const started = new Date(Date.now() - 3 * 3600_000).toISOString();
  const now = new Date().toISOString();
  const callId = await insertReturningId(db, 'calls', {
    source: 'telephony', external_id: 'BENCH-60', started_at: started, call_date: tashkentDate(started), duration_sec: durationSec, operator_id: operatorId,
    caller_number: '+998901234567', language: 'uz', channel: 'voice', category: 'medical', services: '103', dropped: false, recording_id: recordingId, created_at: now, updated_at: now,
  });
  const version = await rubricVersionForCall(db, 'medical');
  const evaluationId = await evalRepo.insertEvaluation(db, { callId, operatorId, rubricVersionId: version!.versionId, specialistUserId: userId, purpose: 'random', now });

  const app = createApp(deps, { sessionSecret: 'bench-secret-bench-secret-bench-secret' });
  // Compiled templates kept, as in production (Express does so when NODE_ENV=production).
  app.enable('view cache');
  const outer = express();
  // Requests for the recording per open of the page: the Range asked for and the bytes sent.
  const audioRequests: AudioRequest[] = [];
  outer.use((req, res, next) => {
    if (!/^\/calls\/\d+\/audio$/.test(req.path)) return next();
    const entry: AudioRequest = { range: req.get('range') ?? 'whole', bytes: 0 };
    audioRequests.push(entry);
    const before = req.socket.bytesWritten;
    res.on('close', () => {
      entry.bytes = req.socket.bytesWritten - before;
      entry.closed = true;
    });
    next();
  });
  outer.get('/bench/bare/:mode', (req, res) => {
    res.type('html').send(barePage(callId, req.params.mode === 'peaks', durationSec));
  });
  outer.use(app);
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = outer.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    dir, db, jobs, server, baseUrl, evaluationId, callId, synthMs, prepareMs, sizeBytes: stored.sizeBytes, audioRequests,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await jobs.stop();
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface AudioRequest {
  range: string;
  bytes: number;
  closed?: boolean;
}

/** Bytes of the recording sent more than once in one open (overlapping ranges). Pure. */
function bytesTwice(requests: AudioRequest[]): number {
  const spans = requests.map((r) => {
    const from = Number(/^bytes=(\d+)-/.exec(r.range)?.[1] ?? 0);
    return [from, from + r.bytes] as const;
  }).sort((a, b) => a[0] - b[0]);
  let twice = 0;
  let reach = 0;
  for (const [from, to] of spans) {
    twice += Math.max(0, Math.min(to, reach) - from);
    reach = Math.max(reach, to);
  }
  return twice;
}

interface RunResult {
  waveformMs: number;
  canplayMs: number;
  /** When the page's HTML had arrived (the server's share). */
  htmlMs: number;
  /** When the page's HTML was parsed and its module scripts ran (DOMContentLoaded end). */
  domReadyMs: number;
  /** When the peaks JSON (or, without peaks, the whole audio file) had arrived. */
  dataMs: number;
  /** Bytes of the peaks drawn first, or of the whole audio file when decoding in the browser. */
  dataBytes: number;
  /** Requests the server answered for the recording during this open. */
  audioRequests: AudioRequest[];
}

async function measure(browser: Browser, storageState: Awaited<ReturnType<BrowserContext['storageState']>>, url: string, rootSelector: string, audioLog: AudioRequest[]): Promise<RunResult> {
  const context = await browser.newContext({ storageState, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  audioLog.length = 0;
  let timings: Omit<RunResult, 'audioRequests'>;
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector(`${rootSelector}[data-waveform-ready="1"]`, { timeout: 180_000 });
    await page.locator(`${rootSelector} [data-action="play"]`).click();
    await page.waitForSelector(`${rootSelector}[data-audio-ready="1"]`, { timeout: 60_000 });
    // Let the detail peaks arrive and any later request for the recording show up before counting.
    await page.waitForTimeout(300);
    timings = await page.evaluate(() => {
      const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      // The data the waveform is drawn from: the overview written into the page, the overview or the
      // peaks fetched, or the audio fetched whole by wavesurfer.
      const inline = (JSON.parse(document.getElementById('evaluation-state')?.textContent || '{}') as { overviewData?: string | null }).overviewData;
      const data = resources.find((r) => r.name.endsWith('/peaks-overview.dat')) ?? resources.find((r) => r.name.endsWith('/peaks') || r.name.endsWith('/peaks.dat')) ?? resources.find((r) => r.name.endsWith('/audio') && r.initiatorType === 'fetch');
      return {
        waveformMs: marks['player:waveform']!,
        canplayMs: marks['player:canplay']!,
        htmlMs: nav.responseEnd,
        domReadyMs: nav.domContentLoadedEventEnd,
        dataMs: inline ? nav.responseEnd : data ? data.responseEnd : NaN,
        dataBytes: inline ? Math.round((inline.length * 3) / 4) : data ? data.decodedBodySize : NaN,
      };
    });
  } finally {
    await context.close();
  }
  // The context closed its connections: wait for every response for the recording to count its bytes.
  for (let i = 0; i < 100 && audioLog.some((r) => !r.closed); i++) await new Promise((r) => setTimeout(r, 20));
  return { ...timings, audioRequests: audioLog.map(({ range, bytes }) => ({ range, bytes })) };
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  // The pages load public/build/*.js: build them first, so the bench works on a fresh clone.
  execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'scripts', 'build-client.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(`player bench: ${MINUTES}-minute stereo call, ${RUNS} runs per variant; ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const env = await setup();
  process.stdout.write(`  synthesised in ${env.synthMs} ms (${(env.sizeBytes / 1e6).toFixed(1)} MB mu-law WAV), prepared (peaks + facts) in ${env.prepareMs} ms\n`);
  const browser = await chromium.launch({ executablePath: cfg.chromiumPath, args: CHROMIUM_ARGS, headless: true });
  try {
    const login = await browser.newContext();
    const page = await login.newPage();
    await page.goto(`${env.baseUrl}/login`);
    await page.fill('input[name=username]', 'bench');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
    const storageState = await login.storageState();
    await login.close();

    // The server's share: answering GET /calls/:id/peaks-overview.dat (read the .dat file, reduce; cached after the first).
    const cookie = storageState.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const serverMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${env.baseUrl}/calls/${env.callId}/peaks-overview.dat`, { headers: { cookie } });
      await res.arrayBuffer();
      serverMs.push(performance.now() - t0);
    }
    process.stdout.write(`  GET /calls/:id/peaks-overview.dat from Node (server time + transfer): first ${Math.round(serverMs[0]!)} ms, median ${Math.round(median(serverMs))} ms\n`);

    const variants = [
      { name: 'evaluation page, precomputed peaks', url: `${env.baseUrl}/evaluations/${env.evaluationId}`, root: '[data-evaluation-player]' },
      { name: 'bare player, precomputed peaks', url: `${env.baseUrl}/bench/bare/peaks`, root: '[data-player]' },
      { name: 'bare player, decoding the whole file', url: `${env.baseUrl}/bench/bare/decode`, root: '[data-player]' },
    ];
    const results = new Map<string, RunResult[]>(variants.map((v) => [v.name, []]));
    // Interleaved, so drift on the machine affects every variant alike; one warm-up round first.
    for (let run = -1; run < RUNS; run++) {
      for (const v of variants) {
        const r = await measure(browser, storageState, v.url, v.root, env.audioRequests);
        if (run >= 0) results.get(v.name)!.push(r);
      }
    }
    process.stdout.write('\n  variant                                  HTML in   page ready   data in    waveform drawn   can play*   drawn+playable   drawn from\n');
    const summary: Record<string, { htmlMs: number; waveformMs: number; canplayMs: number; readyMs: number; domReadyMs: number; dataMs: number; dataKB: number; audioRequests: number; bytesTwice: number }> = {};
    for (const v of variants) {
      const rs = results.get(v.name)!;
      const m = (f: (r: RunResult) => number) => Math.round(median(rs.map(f)));
      const row = { htmlMs: m((r) => r.htmlMs), domReadyMs: m((r) => r.domReadyMs), dataMs: m((r) => r.dataMs), waveformMs: m((r) => r.waveformMs), canplayMs: m((r) => r.canplayMs), readyMs: m((r) => Math.max(r.waveformMs, r.canplayMs)), dataKB: Math.round(median(rs.map((r) => r.dataBytes)) / 1e3), audioRequests: Math.max(...rs.map((r) => r.audioRequests.length)), bytesTwice: Math.max(...rs.map((r) => bytesTwice(r.audioRequests))) };
      summary[v.name] = row;
      const ms = (x: number) => `${x} ms`.padStart(8);
      process.stdout.write(`  ${v.name.padEnd(40)} ${ms(row.htmlMs)}  ${ms(row.domReadyMs)}   ${ms(row.dataMs)}   ${ms(row.waveformMs).padStart(14)}   ${ms(row.canplayMs)}   ${ms(row.readyMs).padStart(14)}   ${`${row.dataKB >= 1000 ? `${(row.dataKB / 1000).toFixed(1)} MB` : `${row.dataKB} KB`}`.padStart(10)}\n`);
    }
    process.stdout.write('  (* the media element\'s canplay; play is pressed the moment the waveform is drawn; medians since navigation start)\n');
    const evalPage = summary[variants[0]!.name]!;
    const decode = summary[variants[2]!.name]!;
    const ratio = decode.readyMs / Math.max(1, evalPage.readyMs);
    const pageRuns = results.get(variants[0]!.name)!;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    process.stdout.write(`  the recording per open of the evaluation page: ${evalPage.audioRequests} request(s) at most (first run: ${pageRuns[0]!.audioRequests.map((r) => `${r.range} → ${mb(r.bytes)}`).join(', ')}), bytes sent twice: ${evalPage.bytesTwice}\n`);
    const once = evalPage.audioRequests === 1 && evalPage.bytesTwice === 0;
    process.stdout.write(`  goals: drawn+playable ≤ 500 ms — ${evalPage.readyMs <= 500 ? 'met' : 'NOT met'}; ≥ 8× faster than whole-file decoding — ${ratio >= 8 ? 'met' : 'NOT met'}; recording fetched once — ${once ? 'met' : 'NOT met'}\n`);
    process.stdout.write(`${JSON.stringify({ bench: 'player', minutes: MINUTES, runs: RUNS, loadAverage: os.loadavg()[0], peaksServerMs: Math.round(median(serverMs)), medians: summary })}\n`);
    process.stdout.write(`player: drawn+playable ${evalPage.readyMs} ms, whole-file decode ${decode.readyMs} ms, ratio ${ratio.toFixed(1)}\n`);
  } finally {
    await browser.close();
    await env.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
