// The calls feature's wiring to the media module: taking a recording in (probe, then the
// content-addressed store), preparing it (the persistent `media.prepare` job: analyse → peaks +
// facts, a rendition when the browser cannot play the original), and what the call page and the
// player need from it (preparation state, the file to serve, peaks for wavesurfer).
//
// Contract (docs/architecture.md): ensureRecordingPrepared(deps, recordingId) queues preparation
// once per recording (dedupe key `prepare:recording:<id>`); plans call it for drawn calls, the call
// page when it is opened. Only sampled or opened calls are ever prepared.
import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import type { Config } from '../../config';
import type { Job, JobHandler } from '../../jobs/queue';
import { PermanentJobError } from '../../jobs/queue';
import {
  assertPreparable,
  decodePeaksDat,
  hasAudioTrack,
  isMediaRejectedError,
  makeRendition,
  needsRendition,
  probeRecording,
  renditionFormatFor,
  renditionKey,
  renditionMimeType,
  resolveMediaTools,
  resolveStored,
  storeRecording,
  storedExists,
  parseStorageKey,
  type MediaTools,
  type ProbeResult,
  type StoredRecording,
  type WaveformPeaks,
  type RenditionExt,
} from '../media';
import { analyseAndStore, analysisCurrent } from './recordings.analyse';
import { overviewPeaksDat } from '../media/peaks-overview';
import * as repo from './recordings.repository';
import type { PrepareError, Recording } from './recordings.repository';

export const PREPARE_JOB = 'media.prepare';
/** Attempts before a preparation counts as failed (backoff 5 s, 10 s, 20 s between them). */
export const PREPARE_MAX_ATTEMPTS = 4;

export function prepareDedupeKey(recordingId: number): string {
  return `prepare:recording:${recordingId}`;
}

export function mediaTools(config: Pick<Config, 'ffmpegPath' | 'ffprobePath'>): MediaTools {
  return resolveMediaTools({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
}

export function uploadLimits(config: Pick<Config, 'maxUploadBytes' | 'maxRecordingSeconds'>) {
  return { maxBytes: config.maxUploadBytes, maxSeconds: config.maxRecordingSeconds };
}

// ---- taking a recording in ----------------------------------------------------------------

/** Probes an uploaded file against the configured limits. Throws MediaRejectedError (media.rejected.*) with the reason. */
export async function probeIncoming(config: Config, tempPath: string): Promise<ProbeResult> {
  const probe = await probeRecording(tempPath, uploadLimits(config), mediaTools(config));
  await assertPreparable(tempPath, probe);
  return probe;
}

/** Copies a probed upload into the store (content-addressed, atomic; the same bytes are stored once). */
export async function storeIncoming(config: Config, tempPath: string): Promise<StoredRecording> {
  return storeRecording(tempPath, config.recordingsDir);
}

/**
 * Removes a file this request wrote into the store when nothing refers to it (the database work
 * after storing failed): a failed upload leaves no file behind. A file that was already there, or
 * that a recording row names, stays.
 */
export async function discardStoredIfUnused(deps: Pick<AppDeps, 'db' | 'config'>, stored: StoredRecording): Promise<void> {
  if (stored.alreadyStored) return;
  if (await repo.recordingInUse(deps.db, stored.sha256)) return;
  await fs.rm(resolveStored(deps.config.recordingsDir, stored.storageKey), { force: true });
}

// ---- preparation state --------------------------------------------------------------------

export type PreparationStatus = 'none' | 'queued' | 'running' | 'ready' | 'failed';

export interface PreparationState {
  status: PreparationStatus;
  /** The last failure (also while a retry is queued). */
  error: PrepareError | null;
  attempts: number;
  maxAttempts: number;
}

/**
 * What the call page shows, from the recording row and its job. Pure.
 * The recording is the truth for "ready"; the job says queued / running / failed.
 */
export function combinePreparationState(rec: Pick<Recording, 'status' | 'prepareError'>, job: Pick<Job, 'status' | 'attempts' | 'maxAttempts' | 'lastError'> | null): PreparationState {
  const base = { attempts: job?.attempts ?? 0, maxAttempts: job?.maxAttempts ?? PREPARE_MAX_ATTEMPTS };
  if (rec.status === 'ready') return { status: 'ready', error: null, ...base };
  // The job's last error is the tool's raw text: shown as the translated "could not be prepared" only.
  const error = rec.prepareError ?? (job?.lastError ? { key: 'calls.prepare.error', params: {} } : null);
  if (!job) return { status: rec.status === 'failed' ? 'failed' : 'none', error: rec.status === 'failed' ? error : null, ...base };
  switch (job.status) {
    case 'running':
      return { status: 'running', error, ...base };
    case 'queued':
      return { status: 'queued', error, ...base };
    case 'failed':
      return { status: 'failed', error: error ?? { key: 'calls.prepare.error', params: {} }, ...base };
    case 'done':
      // Done but not ready: the files went missing or the row was reset; it needs doing again.
      return { status: rec.status === 'failed' ? 'failed' : 'none', error: rec.status === 'failed' ? error : null, ...base };
  }
}

export async function preparationState(deps: Pick<AppDeps, 'jobs'>, rec: Recording): Promise<PreparationState> {
  if (rec.status === 'ready') return combinePreparationState(rec, null);
  return combinePreparationState(rec, await deps.jobs.findByKey(prepareDedupeKey(rec.id)));
}

/**
 * Makes sure a recording is (or will be) prepared: queues the `media.prepare` job unless the
 * recording is ready, already queued or running. A failed preparation stays failed unless
 * `retryFailed` (the Retry button), which also takes back a stuck one (running, lease lapsed). Returns the state after the call. Unknown id → null.
 */
export async function ensureRecordingPrepared(
  deps: Pick<AppDeps, 'db' | 'jobs'>,
  recordingId: number,
  opts: { retryFailed?: boolean } = {},
): Promise<PreparationState | null> {
  const rec = await repo.findRecording(deps.db, recordingId);
  if (!rec) return null;
  if (rec.status === 'ready') return combinePreparationState(rec, null);
  const key = prepareDedupeKey(recordingId);
  let job = await deps.jobs.findByKey(key);
  if (!job) {
    await deps.jobs.enqueue(PREPARE_JOB, { recordingId }, { dedupeKey: key, maxAttempts: PREPARE_MAX_ATTEMPTS });
  } else if (job.status === 'done' || (opts.retryFailed && (job.status === 'failed' || deps.jobs.isStuck(job)))) {
    // A stuck job (its instance died and the lease lapsed) is put back at once on Retry.
    await deps.jobs.retry(job.id);
  } else {
    return combinePreparationState(rec, job);
  }
  job = await deps.jobs.findByKey(key);
  return combinePreparationState(await repo.findRecording(deps.db, recordingId) ?? rec, job);
}

// ---- the preparation itself ---------------------------------------------------------------
// Since every arriving recording is analysed by `media.analyse` (recordings.analyse.ts), what is
// left here for sampled or opened calls is the browser rendition; the analysis is made here only
// when it is missing or stale.

export interface PrepareOutcome {
  durationSec: number;
  renditionKey: string | null;
  /** Null for a video without sound. */
  peaksKey: string | null;
}

/**
 * Probe, the analysis (peaks file + facts) unless already current, and a rendition when the browser needs one.
 * Status goes stored → preparing → ready (or failed). A rejected recording (corrupt, not audio…)
 * fails for good; other errors are thrown for the queue to retry, and `finalAttempt` says whether
 * this was the last try (then the recording is marked failed too).
 */
export async function prepareRecording(
  deps: Pick<AppDeps, 'db' | 'config' | 'clock'>,
  recordingId: number,
  opts: { finalAttempt?: boolean } = {},
): Promise<PrepareOutcome> {
  const { db, config, clock } = deps;
  const rec = await repo.findRecording(db, recordingId);
  if (!rec) throw new PermanentJobError(`recording ${recordingId} not found`);
  await repo.markPreparing(db, rec.id, clock);
  try {
    const src = resolveStored(config.recordingsDir, rec.storageKey);
    if (!(await storedExists(config.recordingsDir, rec.storageKey))) {
      const error: PrepareError = { key: 'calls.prepare.originalMissing', params: {} };
      await repo.markPrepareFailed(db, rec.id, error, true, clock);
      throw new PermanentJobError(error.key);
    }
    const tools = mediaTools(config);
    // Already accepted when it came in: no size/length limit now (the settings may have changed since).
    const probe = await probeRecording(src, { maxBytes: Number.MAX_SAFE_INTEGER, maxSeconds: Number.MAX_SAFE_INTEGER }, tools);
    await assertPreparable(src, probe);
    // A video without sound (sign language) has nothing to analyse: no peaks, no audio facts.
    // Otherwise every arriving recording is analysed on its own (`media.analyse`): reuse that when current.
    const analysis = !hasAudioTrack(probe)
      ? null
      : analysisCurrent(rec) && (await storedExists(config.recordingsDir, rec.peaksKey!))
        ? { durationSec: rec.durationSec ?? probe.durationSec, facts: rec.facts!, peaksKey: rec.peaksKey! }
        : await analyseAndStore(deps, rec, probe);
    const pKey = analysis?.peaksKey ?? null;
    const durationSec = analysis?.durationSec ?? probe.durationSec;
    let rKey: string | null = null;
    if (needsRendition(probe)) {
      const { ext } = renditionFormatFor(probe);
      rKey = renditionKey(rec.storageKey, ext);
      if (!(await storedExists(config.recordingsDir, rKey))) await makeRendition(src, resolveStored(config.recordingsDir, rKey), { probe, tools });
    }
    await repo.markReady(
      db,
      rec.id,
      {
        format: probe.container,
        codec: probe.codec,
        sampleRate: probe.sampleRate,
        channels: probe.channels,
        durationSec,
        mimeType: probe.mimeType,
        hasVideo: probe.hasVideo,
        renditionKey: rKey,
        peaksKey: pKey,
        facts: analysis?.facts ?? null,
      },
      clock,
    );
    return { durationSec, renditionKey: rKey, peaksKey: pKey };
  } catch (e) {
    if (e instanceof PermanentJobError) throw e;
    if (isMediaRejectedError(e)) {
      await repo.markPrepareFailed(db, rec.id, { key: e.reasonKey, params: e.params }, true, clock);
      throw new PermanentJobError(e.message);
    }
    // ffmpeg's own words go to the log (the job keeps them too), never to a user.
    await repo.markPrepareFailed(db, rec.id, { key: 'calls.prepare.error', params: {} }, opts.finalAttempt ?? true, clock);
    throw e;
  }
}

/** The `media.prepare` job: payload {recordingId}. */
export function prepareJobHandler(deps: AppDeps): JobHandler {
  return async (payload) => {
    const recordingId = Number(payload.recordingId);
    if (!Number.isInteger(recordingId) || recordingId <= 0) throw new PermanentJobError('payload without recordingId');
    // The queue does not pass the attempt number; the job row has it (already counted for this run).
    const job = await deps.jobs.findByKey(prepareDedupeKey(recordingId));
    const finalAttempt = !job || job.attempts >= job.maxAttempts;
    return prepareRecording(deps, recordingId, { finalAttempt });
  };
}

// ---- serving ------------------------------------------------------------------------------

/** The file the player gets: the rendition when one was made (and is there), else the original. */
export async function playableFile(config: Pick<Config, 'recordingsDir'>, rec: Recording): Promise<{ path: string; mimeType: string; isRendition: boolean }> {
  if (rec.renditionKey && (await storedExists(config.recordingsDir, rec.renditionKey))) {
    const ext = parseStorageKey(rec.renditionKey)?.derived as RenditionExt;
    return { path: resolveStored(config.recordingsDir, rec.renditionKey), mimeType: renditionMimeType(ext), isRendition: true };
  }
  return { path: resolveStored(config.recordingsDir, rec.storageKey), mimeType: rec.mimeType ?? 'application/octet-stream', isRendition: false };
}

/** What /calls/:id/peaks answers: per-channel arrays of -1..1 for wavesurfer.js. */
export interface PeaksResponse {
  duration: number;
  channels: number;
  /** Array entries per second of audio, in each channel's array. */
  peaksPerSecond: number;
  peaks: number[][];
}

/** Most entries per channel in a peaks response (two per point: min, max). Longer calls are reduced. */
export const MAX_PEAKS_PER_CHANNEL = 200_000;

/**
 * Peaks for wavesurfer from the stored min/max points: each point gives its min and its max, in
 * order, scaled to -1..1 and rounded to 3 decimals. When a call is too long for the cap, runs of
 * points are merged (min of mins, max of maxes). Pure.
 */
export function peaksResponse(peaks: WaveformPeaks, durationSec: number | null, maxEntries = MAX_PEAKS_PER_CHANNEL): PeaksResponse {
  const scale = peaks.bits === 8 ? 1 / 128 : 1 / 32768;
  const pointsPerSecond = peaks.sampleRate / peaks.samplesPerPixel;
  const merge = Math.max(1, Math.ceil((peaks.length * 2) / maxEntries));
  const outPoints = Math.ceil(peaks.length / merge);
  const round = (v: number) => Math.round(Math.max(-1, Math.min(1, v * scale)) * 1000) / 1000;
  const out = peaks.data.map((src) => {
    const dst: number[] = new Array(outPoints * 2);
    for (let p = 0; p < outPoints; p++) {
      let min = Infinity;
      let max = -Infinity;
      const end = Math.min(peaks.length, (p + 1) * merge);
      for (let i = p * merge; i < end; i++) {
        if (src[2 * i]! < min) min = src[2 * i]!;
        if (src[2 * i + 1]! > max) max = src[2 * i + 1]!;
      }
      dst[2 * p] = round(min);
      dst[2 * p + 1] = round(max);
    }
    return dst;
  });
  const duration = durationSec ?? (peaks.length * peaks.samplesPerPixel) / peaks.sampleRate;
  return { duration, channels: peaks.channels, peaksPerSecond: Math.round(((2 * pointsPerSecond) / merge) * 1000) / 1000, peaks: out };
}

/** Overviews made lately, by peaks key (content-addressed, so an entry never goes stale). ~16 KB each. */
const OVERVIEW_CACHE_SIZE = 64;
const overviewCache = new Map<string, { bytes: Uint8Array; reduced: boolean }>();

/**
 * The coarse overview of a recording's stored peaks (a few thousand points per channel) the player
 * draws first: served at /calls/:id/peaks-overview.dat and written into the evaluation page itself.
 * Rejects with ENOENT when the peaks file is missing.
 */
export async function peaksOverview(config: Pick<Config, 'recordingsDir'>, peaksKeyOfRecording: string): Promise<{ bytes: Uint8Array; reduced: boolean }> {
  const hit = overviewCache.get(peaksKeyOfRecording);
  if (hit) return hit;
  const made = overviewPeaksDat(new Uint8Array(await fs.readFile(resolveStored(config.recordingsDir, peaksKeyOfRecording))));
  if (overviewCache.size >= OVERVIEW_CACHE_SIZE) overviewCache.delete(overviewCache.keys().next().value!);
  overviewCache.set(peaksKeyOfRecording, made);
  return made;
}

export async function readPeaks(config: Pick<Config, 'recordingsDir'>, rec: Recording): Promise<WaveformPeaks | null> {
  if (!rec.peaksKey) return null;
  try {
    return decodePeaksDat(await fs.readFile(resolveStored(config.recordingsDir, rec.peaksKey)));
  } catch {
    return null;
  }
}

/**
 * The byte ranges of a call's recording the server sent to a user (audio_deliveries): what the
 * evaluation's heard share is checked against.
 */
export async function audioSentTo(db: Knex, userId: number, callId: number, recordingId: number): Promise<{ byteStart: number; byteEnd: number; sizeBytes: number }[]> {
  return repo.audioDeliveries(db, userId, callId, recordingId);
}
