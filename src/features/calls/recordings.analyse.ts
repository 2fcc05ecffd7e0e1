// Recording analysis for EVERY arriving recording — one decoding pass into waveform peaks and
// audio facts (talk, silences, overlap) — apart from the browser rendition, which is still made
// only for calls that are sampled or opened (`media.prepare`, recordings.service.ts).
// The telephony WAVs are analysed in this process in milliseconds (media/fast-path.ts); a WAV the
// browser plays as it is becomes ready for the player by the same pass, so opening it needs no
// further job. Its own persistent job, `media.analyse` (dedupe key `analyse:recording:<id>`, 4
// attempts, backoff), so a failure is retried and isolated to its recording, as preparation is.
import fs from 'node:fs/promises';
import type { AppDeps } from '../../app-context';
import type { JobHandler } from '../../jobs/queue';
import { PermanentJobError } from '../../jobs/queue';
import { analyseRecording, isMediaRejectedError, needsRendition, peaksKey, resolveStored, VAD_VERSION, writePeaksFile, type AudioFacts, type ProbeResult } from '../media';
import { kickFacts } from '../facts/facts.service';
import * as repo from './recordings.repository';
import type { PrepareError, Recording } from './recordings.repository';
import { mediaTools } from './recordings.service';

export const ANALYSE_JOB = 'media.analyse';
/** Attempts before an analysis counts as failed (backoff 5 s, 10 s, 20 s between them). */
export const ANALYSE_MAX_ATTEMPTS = 4;

export function analyseDedupeKey(recordingId: number): string {
  return `analyse:recording:${recordingId}`;
}

/** The recording's stored analysis is current: made by this speech detector version. Pure. */
export function analysisCurrent(rec: Pick<Recording, 'analysedAt' | 'analysisVersion' | 'facts' | 'peaksKey'>): boolean {
  return rec.analysedAt !== null && rec.analysisVersion === VAD_VERSION && rec.facts !== null && rec.peaksKey !== null;
}

/** The analysis is not current and not known to be impossible: it should be (re)made. Pure. */
export function analysisWanted(rec: Pick<Recording, 'analysedAt' | 'analysisVersion' | 'facts' | 'peaksKey' | 'analysisError'>): boolean {
  return !analysisCurrent(rec) && rec.analysisError === null;
}

/**
 * Queues `media.analyse` for a recording unless its analysis is current, impossible, or already
 * queued/running. Cheap: callers run it for every arriving recording.
 */
export async function ensureRecordingAnalysed(deps: Pick<AppDeps, 'db' | 'jobs'>, recordingId: number): Promise<void> {
  const rec = await repo.findRecording(deps.db, recordingId);
  if (!rec || !analysisWanted(rec) || rec.channels === 0) return; // a silent video has no audio to analyse
  const key = analyseDedupeKey(recordingId);
  const job = await deps.jobs.findByKey(key);
  if (!job) await deps.jobs.enqueue(ANALYSE_JOB, { recordingId }, { dedupeKey: key, maxAttempts: ANALYSE_MAX_ATTEMPTS });
  // Done earlier (a newer detector since, or the facts were reset): analyse again.
  else if (job.status === 'done') await deps.jobs.retry(job.id);
}

export interface StoredAnalysis {
  durationSec: number;
  channels: number;
  facts: AudioFacts;
  peaksKey: string;
}

/**
 * Analyses a stored recording and keeps the result: peaks file beside it, facts on the row.
 * `probe`, when the caller has one, tells whether the browser plays the original (then the
 * recording becomes ready for the player); without it only in-process WAVs count as playable.
 * Throws MediaRejectedError when the recording cannot be decoded (the caller records why).
 */
export async function analyseAndStore(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, rec: Recording, probe?: ProbeResult, engine?: 'auto' | 'ffmpeg'): Promise<StoredAnalysis> {
  const { config } = deps;
  const src = resolveStored(config.recordingsDir, rec.storageKey);
  const analysis = await analyseRecording(src, { silenceMinSeconds: config.silenceMinSeconds, probe, tools: mediaTools(config), engine });
  const pKey = peaksKey(rec.storageKey);
  await writePeaksFile(resolveStored(config.recordingsDir, pKey), analysis.peaks);
  const playsAsIs = probe
    ? !needsRendition(probe)
    : analysis.engine === 'in-process' && !needsRendition({ container: 'wav', codec: rec.codec ?? '', channels: analysis.channels, hasVideo: false, videoCodec: null });
  await repo.markAnalysed(
    deps.db,
    rec.id,
    { durationSec: analysis.durationSec, channels: analysis.channels, peaksKey: pKey, facts: analysis.facts, analysisVersion: VAD_VERSION, playable: playsAsIs && !probe ? { mimeType: 'audio/wav' } : null },
    deps.clock,
  );
  return { durationSec: analysis.durationSec, channels: analysis.channels, facts: analysis.facts, peaksKey: pKey };
}

/**
 * The `media.analyse` work for one recording. A recording that cannot be decoded, or whose file is
 * gone, fails for good (analysis_error; the player would fail on it too); other errors are thrown
 * for the queue to retry, and on the last attempt recorded so the facts stop waiting for it.
 */
export async function analyseRecordingJob(
  deps: Pick<AppDeps, 'db' | 'config' | 'clock'>,
  recordingId: number,
  opts: { finalAttempt?: boolean; /** benchmarks: compare with the ffmpeg path */ engine?: 'auto' | 'ffmpeg' } = {},
): Promise<{ analysed: boolean }> {
  const rec = await repo.findRecording(deps.db, recordingId);
  if (!rec) throw new PermanentJobError(`recording ${recordingId} not found`);
  if (analysisCurrent(rec) || rec.channels === 0) return { analysed: false };
  const exists = await fs.stat(resolveStored(deps.config.recordingsDir, rec.storageKey)).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) {
    await repo.markAnalysisFailed(deps.db, rec.id, { key: 'calls.prepare.originalMissing', params: {} }, true, deps.clock);
    throw new PermanentJobError('calls.prepare.originalMissing');
  }
  try {
    await analyseAndStore(deps, rec, undefined, opts.engine);
    return { analysed: true };
  } catch (e) {
    if (isMediaRejectedError(e)) {
      await repo.markAnalysisFailed(deps.db, rec.id, { key: e.reasonKey, params: e.params }, true, deps.clock);
      throw new PermanentJobError(e.message);
    }
    if (opts.finalAttempt ?? true) {
      const error: PrepareError = { key: 'calls.prepare.error', params: { detail: ((e as Error)?.message ?? String(e)).slice(0, 300) } };
      await repo.markAnalysisFailed(deps.db, rec.id, error, false, deps.clock);
    }
    throw e;
  }
}

/** The `media.analyse` job: payload {recordingId}. Its calls' facts follow at once (the triggers marked them). */
export function analyseJobHandler(deps: AppDeps): JobHandler {
  return async (payload) => {
    const recordingId = Number(payload.recordingId);
    if (!Number.isInteger(recordingId) || recordingId <= 0) throw new PermanentJobError('payload without recordingId');
    const job = await deps.jobs.findByKey(analyseDedupeKey(recordingId));
    try {
      return await analyseRecordingJob(deps, recordingId, { finalAttempt: !job || job.attempts >= job.maxAttempts });
    } finally {
      await kickFacts(deps);
    }
  };
}
