// The media steps in the order the rest of the app runs them, so routes, the job handler and the
// demo seed cannot get the order wrong:
//   admitRecording()          at upload/import: probe (refuse early), then store by content hash
//   prepareStoredRecording()  in the media job: one analysis pass → peaks file + facts, and a
//                             browser rendition only when Chrome cannot play the original
// Both are pure of HTTP and the database: they return what the caller should save.
import { analyseRecording, type AudioFacts } from './analyse';
import { resolveMediaTools, type MediaTools } from './ffmpeg';
import { probeRecording, type ProbeLimits, type ProbeResult } from './probe';
import { assertPreparable } from './preparable';
import { makeRendition, needsRendition, renditionFormatFor } from './rendition';
import { peaksKey, renditionKey, resolveStored, storeRecording, writePeaksFile, type StoredRecording } from './store';

export interface AdmittedRecording {
  probe: ProbeResult;
  stored: StoredRecording;
}

/**
 * Probes an uploaded/imported file and, if it is acceptable, copies it into the store.
 * Throws MediaRejectedError (nothing stored) when it is not. The caller removes its temp file.
 */
export async function admitRecording(
  tempFilePath: string,
  opts: { recordingsDir: string; limits: ProbeLimits; tools?: MediaTools },
): Promise<AdmittedRecording> {
  const tools = opts.tools ?? resolveMediaTools();
  const probe = await probeRecording(tempFilePath, opts.limits, tools);
  await assertPreparable(tempFilePath, probe);
  const stored = await storeRecording(tempFilePath, opts.recordingsDir);
  return { probe, stored };
}

export interface PreparedMedia {
  /** Decoded length: more exact than the probe's for compressed formats. */
  durationSec: number;
  channels: number;
  facts: AudioFacts;
  /** Storage key of the waveform peaks file (audiowaveform .dat v2). */
  peaksKey: string;
  /** The browser rendition, or null when Chrome plays the original as is. */
  rendition: { key: string; mimeType: string } | null;
}

/**
 * Prepares a stored recording for the player: peaks file, audio facts, and a rendition if the
 * browser needs one. Idempotent: running it again rewrites the same derived files.
 */
export async function prepareStoredRecording(
  recordingsDir: string,
  storageKey: string,
  opts: { silenceMinSeconds: number; probe?: ProbeResult; tools?: MediaTools; peaksPerSecond?: number },
): Promise<PreparedMedia> {
  const tools = opts.tools ?? resolveMediaTools();
  const src = resolveStored(recordingsDir, storageKey);
  const probe = opts.probe ?? (await probeRecording(src, { maxBytes: Number.MAX_SAFE_INTEGER, maxSeconds: Number.MAX_SAFE_INTEGER }, tools));
  const analysis = await analyseRecording(src, { silenceMinSeconds: opts.silenceMinSeconds, peaksPerSecond: opts.peaksPerSecond, probe, tools });
  const pKey = peaksKey(storageKey);
  await writePeaksFile(resolveStored(recordingsDir, pKey), analysis.peaks);
  let rendition: PreparedMedia['rendition'] = null;
  if (needsRendition(probe)) {
    const { ext, mimeType } = renditionFormatFor(probe);
    const key = renditionKey(storageKey, ext);
    await makeRendition(src, resolveStored(recordingsDir, key), { probe, tools });
    rendition = { key, mimeType };
  }
  return { durationSec: analysis.durationSec, channels: analysis.channels, facts: analysis.facts, peaksKey: pKey, rendition };
}
