// Media preparation benchmark: how long a 60-minute 8 kHz stereo mu-law call takes to become
// "ready to open" (probe + one analysis pass for peaks and facts), against a bare ffmpeg decode,
// and how fast a browser rendition is made when one is needed.
//
//   npm run bench:media                      # 60 minutes, 5 runs, the ffmpeg resolveMediaTools() picks
//   npm run bench:media -- --minutes 10 --runs 3
//   npm run bench:media -- --installer       # the static ffmpeg/ffprobe from npm (fresh-machine fallback)
//
// Goals: ready to open under 1 s; rendition at least 500× real time (or skipped: Chrome plays
// mu-law/A-law/PCM WAV, MP3 and OGG/Opus as they are).
// Wall times on a shared 2-core machine swing with its load, so the CPU time (this process plus
// its ffmpeg children) is printed too: it does not depend on what else runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyseRecording } from '../src/features/media/analyse';
import { resolveMediaTools, runFfmpeg, type MediaTools } from '../src/features/media/ffmpeg';
import { probeRecording, type ProbeResult } from '../src/features/media/probe';
import { makeRendition, needsRendition, renditionFormatFor } from '../src/features/media/rendition';
import { storeRecording, writePeaksFile } from '../src/features/media/store';
import { synthesizeCallWav } from '../src/features/media/synth';
import { measureRuns, median } from './measure';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const MINUTES = arg('minutes', 60);
const RUNS = arg('runs', 5);
const RENDITION_RUNS = arg('rendition-runs', 3);
const SECONDS = MINUTES * 60;

function pickTools(): MediaTools {
  if (!process.argv.includes('--installer')) return resolveMediaTools();
  const ffmpegPath = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  const ffprobePath = (require('@ffprobe-installer/ffprobe') as { path: string }).path;
  return resolveMediaTools({ ffmpegPath, ffprobePath });
}


interface Row {
  label: string;
  wall: number[];
  cpu: number[];
  note?: string;
}

async function step(label: string, runs: number, fn: () => Promise<unknown>, note?: string): Promise<Row> {
  return { label, ...(await measureRuns(runs, fn)), note };
}


async function main(): Promise<void> {
  const tools = pickTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-media-bench-'));
  const limits = { maxBytes: 2 * 1024 ** 3, maxSeconds: 4 * 3600 };
  try {
    console.log(`Media benchmark: ${MINUTES}-minute 8 kHz stereo mu-law WAV, ${RUNS} runs (renditions ${RENDITION_RUNS}), medians`);
    console.log(`ffmpeg: ${tools.ffmpeg} (${tools.origin.ffmpeg}); ffprobe: ${tools.ffprobe} (${tools.origin.ffprobe})`);
    console.log(`machine: ${os.cpus().length} cores, load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    const wavPath = path.join(dir, 'call.wav');
    const t0 = performance.now();
    const wav = synthesizeCallWav({ seed: 112, durationSec: SECONDS });
    const synthMs = performance.now() - t0;
    fs.writeFileSync(wavPath, wav);
    console.log(`synthesised by synth.ts in ${(synthMs / 1000).toFixed(2)} s (${((synthMs / SECONDS) * 60).toFixed(1)} ms per minute of call), ${(wav.length / 1e6).toFixed(1)} MB`);

    const rows: Row[] = [];
    rows.push(await step('bare decode: ffmpeg -i file -f null -', RUNS, () => runFfmpeg(tools, ['-v', 'error', '-i', wavPath, '-f', 'null', '-'])));
    let probe: ProbeResult | null = null;
    rows.push(await step('probe', RUNS, async () => (probe = await probeRecording(wavPath, limits, tools))));
    let facts = '';
    let peaksBytes = 0;
    rows.push(
      await step('analyse: one decode pass → peaks + facts', RUNS, async () => {
        const r = await analyseRecording(wavPath, { silenceMinSeconds: 3, probe: probe!, tools });
        facts = `talk ${r.facts.talkSec.map((t) => t.toFixed(0)).join(' s / ')} s, ${r.facts.silences.length} silences ≥ 3 s, overlap ${r.facts.overlapSec?.toFixed(1)} s`;
        peaksBytes = 24 + r.peaks.length * r.peaks.channels * 2;
      }),
    );
    const ready = await step('READY TO OPEN: probe + analyse + write peaks', RUNS, async () => {
      const p = await probeRecording(wavPath, limits, tools);
      const r = await analyseRecording(wavPath, { silenceMinSeconds: 3, probe: p, tools });
      await writePeaksFile(path.join(dir, 'peaks.dat'), r.peaks);
    });
    rows.push(ready);
    const store = path.join(dir, 'recordings');
    rows.push(
      await step('store: sha256 + atomic copy', RUNS, async () => {
        fs.rmSync(store, { recursive: true, force: true });
        await storeRecording(wavPath, store);
      }, 'upload time, not "ready"'),
    );

    // Renditions: the mu-law original needs none. What GSM 6.10 WAV (the one telephony format
    // Chrome refuses) costs, and what a stereo MP3 would cost if a stereo original needed one.
    const renditions: Row[] = [];
    // The npm static ffmpeg has no libgsm encoder: try a tenth of a second to find out.
    const hasGsm = await runFfmpeg(tools, ['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '0.1', '-c:a', 'libgsm_ms', '-f', 'wav', '-y', path.join(dir, 't.wav')]).then(
      () => true,
      () => false,
    );
    if (hasGsm) {
      const gsmPath = path.join(dir, 'call-gsm.wav');
      await runFfmpeg(tools, ['-v', 'error', '-y', '-i', wavPath, '-ac', '1', '-c:a', 'libgsm_ms', gsmPath]);
      const gsmProbe = await probeRecording(gsmPath, limits, tools);
      rows.push(
        await step('ready to open, GSM 6.10 WAV (mono)', RUNS, async () => {
          const p = await probeRecording(gsmPath, limits, tools);
          await analyseRecording(gsmPath, { silenceMinSeconds: 3, probe: p, tools });
        }),
      );
      const ext = renditionFormatFor(gsmProbe).ext;
      renditions.push(await step(`rendition GSM 6.10 WAV (mono) → ${ext}`, RENDITION_RUNS, () => makeRendition(gsmPath, path.join(dir, `r-gsm.${ext}`), { probe: gsmProbe, tools })));
    } else {
      console.log('(this ffmpeg has no libgsm_ms encoder: GSM not measured)');
    }
    renditions.push(await step('rendition stereo mu-law → mp3 (if one were needed)', RENDITION_RUNS, () => makeRendition(wavPath, path.join(dir, 'r.mp3'), { probe: probe!, tools })));
    renditions.push(await step('rendition stereo mu-law → webm/opus (comparison)', 1, () => makeRendition(wavPath, path.join(dir, 'r.webm'), { probe: probe!, tools }), '1 run'));
    console.log('');

    const bare = median(rows[0]!.wall);
    const w = 50;
    const num = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`).padStart(9);
    console.log('');
    console.log(`${'step'.padEnd(w)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}${'CPU'.padStart(9)}${'vs bare'.padStart(9)}${'× real time'.padStart(13)}`);
    console.log('-'.repeat(w + 9 * 5 + 13));
    for (const r of [...rows, ...renditions]) {
      const m = median(r.wall);
      console.log(
        `${r.label.padEnd(w)}${num(m)}${num(Math.min(...r.wall))}${num(Math.max(...r.wall))}${num(median(r.cpu))}${`${(m / bare).toFixed(1)}×`.padStart(9)}${`${((SECONDS * 1000) / m).toFixed(0)}×`.padStart(13)}${r.note ? `  (${r.note})` : ''}`,
      );
    }
    console.log(`(CPU = this process + its ffmpeg/ffprobe children; load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    console.log('');
    console.log(`facts: ${facts}; peaks file ${(peaksBytes / 1e6).toFixed(2)} MB (audiowaveform .dat v2, 8-bit, 100 points/s)`);
    const readyMs = median(ready.wall);
    console.log(`goal "ready to open" < 1 s: ${readyMs < 1000 ? 'met' : 'NOT met'} (median ${(readyMs / 1000).toFixed(2)} s, best ${(Math.min(...ready.wall) / 1000).toFixed(2)} s)`);
    for (const r of renditions.filter((x) => !x.note)) {
      const speed = (SECONDS * 1000) / median(r.wall);
      console.log(`goal rendition ≥ 500× real time, ${r.label}: ${speed >= 500 ? 'met' : 'NOT met'} (${speed.toFixed(0)}×)`);
    }
    console.log('');
    console.log('which originals skip the rendition (Chrome plays them as they are):');
    const formats: Array<[string, Parameters<typeof needsRendition>[0]]> = [
      ['8 kHz mu-law WAV, mono/stereo', { container: 'wav', codec: 'pcm_mulaw', channels: 2, hasVideo: false, videoCodec: null }],
      ['8 kHz A-law WAV, mono/stereo', { container: 'wav', codec: 'pcm_alaw', channels: 2, hasVideo: false, videoCodec: null }],
      ['PCM s16 WAV', { container: 'wav', codec: 'pcm_s16le', channels: 2, hasVideo: false, videoCodec: null }],
      ['MP3', { container: 'mpeg-audio', codec: 'mp3', channels: 2, hasVideo: false, videoCodec: null }],
      ['OGG/Opus', { container: 'ogg', codec: 'opus', channels: 2, hasVideo: false, videoCodec: null }],
      ['GSM 6.10 WAV (gsm_ms)', { container: 'wav', codec: 'gsm_ms', channels: 1, hasVideo: false, videoCodec: null }],
      ['IMA ADPCM WAV', { container: 'wav', codec: 'adpcm_ima_wav', channels: 2, hasVideo: false, videoCodec: null }],
      ['MP4 video, H.264 + AAC', { container: 'mp4', codec: 'aac', channels: 2, hasVideo: true, videoCodec: 'h264' }],
      ['MP4 video, MPEG-4 part 2', { container: 'mp4', codec: 'aac', channels: 2, hasVideo: true, videoCodec: 'mpeg4' }],
    ];
    for (const [label, p] of formats) console.log(`  ${label.padEnd(32)} ${needsRendition(p) ? `rendition → ${renditionFormatFor(p).ext}` : 'skipped: plays as is'}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
