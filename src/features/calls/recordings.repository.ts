// Recordings: the only place their SQL lives. A row per distinct content (sha256); calls point at it.
import type { Knex } from 'knex';
import { insertReturningId, nowIso, parseJson, toBool } from '../../db';
import type { AudioFacts } from '../media';

export type RecordingStatus = 'stored' | 'preparing' | 'ready' | 'failed';

/** Why preparation failed, as an i18n key and params (media.rejected.* or calls.prepare.*). */
export interface PrepareError {
  key: string;
  params: Record<string, string | number | boolean>;
}

export interface Recording {
  id: number;
  sha256: string;
  storageKey: string;
  originalName: string | null;
  sizeBytes: number;
  format: string | null;
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  durationSec: number | null;
  mimeType: string | null;
  hasVideo: boolean;
  status: RecordingStatus;
  renditionKey: string | null;
  peaksKey: string | null;
  facts: AudioFacts | null;
  prepareError: PrepareError | null;
  preparedAt: string | null;
  createdAt: string;
  /** When the analysis (peaks + audio facts) was made, and by which speech detector version. */
  analysedAt: string | null;
  analysisVersion: number | null;
  /** Why the recording could not be analysed (it then has no audio facts). */
  analysisError: PrepareError | null;
}

const COLUMNS = [
  'id', 'sha256', 'storage_key', 'original_name', 'size_bytes', 'format', 'codec', 'sample_rate', 'channels', 'duration_sec',
  'mime_type', 'has_video', 'status', 'rendition_key', 'peaks_key', 'facts', 'prepare_error', 'prepared_at', 'created_at',
  'analysed_at', 'analysis_version', 'analysis_error',
];

function mapRecording(r: Record<string, unknown>): Recording {
  return {
    id: Number(r.id),
    sha256: r.sha256 as string,
    storageKey: r.storage_key as string,
    originalName: (r.original_name as string | null) ?? null,
    sizeBytes: Number(r.size_bytes),
    format: (r.format as string | null) ?? null,
    codec: (r.codec as string | null) ?? null,
    sampleRate: r.sample_rate == null ? null : Number(r.sample_rate),
    channels: r.channels == null ? null : Number(r.channels),
    durationSec: r.duration_sec == null ? null : Number(r.duration_sec),
    mimeType: (r.mime_type as string | null) ?? null,
    hasVideo: toBool(r.has_video),
    status: r.status as RecordingStatus,
    renditionKey: (r.rendition_key as string | null) ?? null,
    peaksKey: (r.peaks_key as string | null) ?? null,
    facts: parseJson<AudioFacts | null>(r.facts, null),
    prepareError: parseJson<PrepareError | null>(r.prepare_error, null),
    preparedAt: (r.prepared_at as string | null) ?? null,
    createdAt: r.created_at as string,
    analysedAt: (r.analysed_at as string | null) ?? null,
    analysisVersion: r.analysis_version == null ? null : Number(r.analysis_version),
    analysisError: parseJson<PrepareError | null>(r.analysis_error, null),
  };
}

export async function findRecording(db: Knex | Knex.Transaction, id: number): Promise<Recording | null> {
  const r = await db('recordings').where({ id }).first(COLUMNS);
  return r ? mapRecording(r) : null;
}

export async function findRecordingBySha(db: Knex | Knex.Transaction, sha256: string): Promise<Recording | null> {
  const r = await db('recordings').where({ sha256 }).first(COLUMNS);
  return r ? mapRecording(r) : null;
}

export interface NewRecording {
  sha256: string;
  storageKey: string;
  originalName: string | null;
  sizeBytes: number;
  format: string;
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number;
  mimeType: string;
  hasVideo: boolean;
}

export async function insertRecording(db: Knex | Knex.Transaction, r: NewRecording, clock?: () => Date): Promise<number> {
  const now = nowIso(clock);
  return insertReturningId(db, 'recordings', {
    sha256: r.sha256,
    storage_key: r.storageKey,
    original_name: r.originalName ? r.originalName.slice(0, 255) : null,
    size_bytes: r.sizeBytes,
    format: r.format.slice(0, 32),
    codec: r.codec.slice(0, 32),
    sample_rate: r.sampleRate,
    channels: r.channels,
    duration_sec: r.durationSec,
    mime_type: r.mimeType.slice(0, 64),
    has_video: r.hasVideo,
    status: 'stored',
    created_at: now,
    updated_at: now,
  });
}

export async function markPreparing(db: Knex, id: number, clock?: () => Date): Promise<void> {
  await db('recordings').where({ id }).update({ status: 'preparing', updated_at: nowIso(clock) });
}

export interface PreparedRecording {
  format: string;
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number;
  mimeType: string;
  hasVideo: boolean;
  renditionKey: string | null;
  /** Null for a video without sound: no waveform, no audio facts. */
  peaksKey: string | null;
  facts: AudioFacts | null;
}

export async function markReady(db: Knex, id: number, p: PreparedRecording, clock?: () => Date): Promise<void> {
  const now = nowIso(clock);
  await db('recordings').where({ id }).update({
    status: 'ready',
    format: p.format.slice(0, 32),
    codec: p.codec.slice(0, 32),
    sample_rate: p.sampleRate,
    channels: p.channels,
    duration_sec: p.durationSec,
    mime_type: p.mimeType.slice(0, 64),
    has_video: p.hasVideo,
    rendition_key: p.renditionKey,
    peaks_key: p.peaksKey,
    facts: p.facts === null ? null : JSON.stringify(p.facts),
    prepare_error: null,
    prepared_at: now,
    updated_at: now,
  });
}

export interface AnalysedRecording {
  durationSec: number;
  channels: number;
  peaksKey: string;
  facts: AudioFacts;
  analysisVersion: number;
  /** Set when the browser plays the original as it is: the recording is then ready for the player too. */
  playable: { mimeType: string } | null;
}

/** Stores an analysis (peaks file key, audio facts); marks the recording ready when it needs no rendition. */
export async function markAnalysed(db: Knex, id: number, a: AnalysedRecording, clock?: () => Date): Promise<void> {
  const now = nowIso(clock);
  await db('recordings')
    .where({ id })
    .update({
      duration_sec: a.durationSec,
      channels: a.channels,
      peaks_key: a.peaksKey,
      facts: JSON.stringify(a.facts),
      analysis_version: a.analysisVersion,
      analysis_error: null,
      analysed_at: now,
      updated_at: now,
      ...(a.playable ? { status: 'ready', mime_type: db.raw('coalesce(mime_type, ?)', [a.playable.mimeType]), prepare_error: null, prepared_at: now } : {}),
    });
}

/** Records why a recording cannot be analysed. `alsoPreparation`: the player cannot use it either (status failed). */
export async function markAnalysisFailed(db: Knex, id: number, error: PrepareError, alsoPreparation: boolean, clock?: () => Date): Promise<void> {
  const now = nowIso(clock);
  await db('recordings')
    .where({ id })
    .update({ analysis_error: JSON.stringify(error), updated_at: now, ...(alsoPreparation ? { status: 'failed', prepare_error: JSON.stringify(error) } : {}) });
}

/** Records a failure: final (status failed) or one that will be retried (back to stored, error kept for the page). */
export async function markPrepareFailed(db: Knex, id: number, error: PrepareError, final: boolean, clock?: () => Date): Promise<void> {
  await db('recordings').where({ id }).update({ status: final ? 'failed' : 'stored', prepare_error: JSON.stringify(error), updated_at: nowIso(clock) });
}

/** How many calls use a recording (the content-addressed store shares one file between calls). */
export async function recordingInUse(db: Knex | Knex.Transaction, sha256: string): Promise<boolean> {
  const r = await db('recordings').where({ sha256 }).first('id');
  return Boolean(r);
}

/** When this user's last recorded listening of the call began (its `recording.play` audit row), or null. */
export async function lastListeningAt(db: Knex, userId: number, callId: number): Promise<Date | null> {
  // Served by audit_log_entity_idx (entity_type, entity_id): a call has few audit rows.
  const row = await db('audit_log').where({ entity_type: 'call', entity_id: String(callId), action: 'recording.play', user_id: userId }).max({ at: 'at' }).first();
  if (!row?.at) return null;
  return row.at instanceof Date ? row.at : new Date(String(row.at));
}

// ---- what was actually sent (the evaluation's heard share is checked against it) ----

export interface AudioDelivery {
  userId: number;
  callId: number;
  recordingId: number;
  rendition: boolean;
  /** first byte sent, and one past the last */
  byteStart: number;
  byteEnd: number;
  /** size of the file served */
  sizeBytes: number;
  durationSec: number | null;
}

/** Records an audio response as it starts (the range about to be sent); returns its id for the correction at the end. */
export async function insertAudioDelivery(db: Knex, d: AudioDelivery, servedAt: string): Promise<number> {
  return insertReturningId(db, 'audio_deliveries', {
    user_id: d.userId, call_id: d.callId, recording_id: d.recordingId, rendition: d.rendition,
    byte_start: d.byteStart, byte_end: d.byteEnd, size_bytes: d.sizeBytes, duration_sec: d.durationSec, served_at: servedAt,
  });
}

/** What the response really sent once it ended (a listener who seeks or leaves aborts it early); nothing sent removes the row. */
export async function settleAudioDelivery(db: Knex, id: number, byteStart: number, byteEnd: number): Promise<void> {
  if (byteEnd <= byteStart) await db('audio_deliveries').where({ id }).del();
  else await db('audio_deliveries').where({ id }).update({ byte_start: byteStart, byte_end: byteEnd });
}

/** The byte ranges of a recording sent to a user for a call. */
export async function audioDeliveries(db: Knex, userId: number, callId: number, recordingId: number): Promise<{ byteStart: number; byteEnd: number; sizeBytes: number }[]> {
  const rows = await db('audio_deliveries').where({ user_id: userId, call_id: callId, recording_id: recordingId }).select('byte_start', 'byte_end', 'size_bytes').orderBy('id');
  return rows.map((r) => ({ byteStart: Number(r.byte_start), byteEnd: Number(r.byte_end), sizeBytes: Number(r.size_bytes) }));
}
