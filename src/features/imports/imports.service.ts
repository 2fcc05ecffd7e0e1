// Running an import: read the manifest row by row, check each row, and store the good ones in
// batches (one lookup and one insert per batch, inside a transaction). A bad row never stops the
// good ones; re-running the same manifest adds nothing twice (calls are unique on source +
// external id; the same id with the same data is "already imported", with other data a conflict).
//
// Recordings: the import does not transcode or analyse (only calls that are sampled or opened need
// that, and the calls feature queues it then). It does probe each named recording once, quickly,
// before storing it — so a file that is not audio is refused on the import's own result page,
// next to its row, instead of surfacing days later when a specialist opens the call.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { JobContext, JobQueue } from '../../jobs/queue';
import { JobLostError, PermanentJobError } from '../../jobs/queue';
import { audit } from '../../audit/audit';
import { isRecordingPurged } from '../retention/retention.service';
import { revivePurgedRecording } from '../retention/retention.repository';
import { assertPreparable, isMediaRejectedError, probeRecording, resolveMediaTools, sha256File, storeRecording, type MediaTools } from '../media';
import {
  ManifestError,
  analyseHeader,
  buildOperatorMaps,
  buildRegionMap,
  differingColumns,
  recordingRejection,
  validateRow,
  type CallDraft,
  type ManifestHeader,
  type ReferenceData,
  type RejectedRow,
  type RowProblem,
  DEFAULT_SOURCE,
  isValidSource,
} from './imports.manifest';
import { countManifestRows, openManifest, type ManifestFormat } from './imports.reader';
import { folderLocator, moveFile, stagingDir, uploadLocator, type RecordingLocator, type StagedFile } from './imports.files';
import * as repo from './imports.repository';

export const IMPORT_JOB = 'calls.import';
/** Rejected rows kept with an import; past this only the count grows (a wrong file can reject 100,000 rows). */
export const MAX_STORED_REJECTIONS = 5000;
/** Files one web upload may carry. */
export const MAX_UPLOAD_RECORDINGS = 2000;

export type ImportConfig = Pick<Config, 'recordingsDir' | 'maxUploadBytes' | 'maxRecordingSeconds' | 'ffmpegPath' | 'ffprobePath'>;

export interface ImportDeps {
  db: Knex;
  config: ImportConfig;
  clock: () => Date;
  logger?: Logger;
}

export interface ImportProgress extends repo.ImportCounts {
  percent: number;
}

export interface ImportOutcome {
  format: ManifestFormat;
  counts: repo.ImportCounts;
  rejectedRows: RejectedRow[];
  rejectedTruncated: boolean;
  ignoredColumns: string[];
}

/** Reads just the header: refuses a manifest that is not CSV/XLSX or lacks required columns, before anything is stored. */
export async function checkManifest(file: string): Promise<{ format: ManifestFormat; header: ManifestHeader }> {
  const reader = await openManifest(file);
  try {
    return { format: reader.format, header: analyseHeader(reader.header) };
  } finally {
    reader.close();
  }
}

async function loadReferenceData(db: Knex, now: Date, defaultSource: string): Promise<ReferenceData> {
  const [operators, regions] = await Promise.all([repo.loadOperatorCodes(db), repo.loadRegions(db)]);
  return { ...buildOperatorMaps(operators), regions: buildRegionMap(regions), now, defaultSource };
}

/** Runs at most `limit` of fn at once, in order of the list. */
async function eachLimit<T>(list: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) await fn(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}

/** One run of one manifest. Holds the counts so a failure half-way can still report them. */
export class ImportRun {
  readonly counts: repo.ImportCounts = { totalRows: 0, acceptedCount: 0, alreadyCount: 0, rejectedCount: 0, recordingsStored: 0 };
  readonly rejectedRows: RejectedRow[] = [];
  rejectedTruncated = false;
  ignoredColumns: string[] = [];
  private header!: ManifestHeader;
  private refs!: ReferenceData;
  private seen = new Map<string, number>();
  private pending: CallDraft[] = [];
  private decided = 0;
  private knownTotal: number | null = null;
  private bytes: () => number = () => 0;
  private sizeBytes = 1;
  private tools: MediaTools | null = null;

  constructor(
    private readonly deps: ImportDeps,
    private readonly input: {
      importId: number | null;
      manifestPath: string;
      recordings: RecordingLocator;
      defaultSource?: string;
      onProgress?: (p: ImportProgress) => void | Promise<void>;
      batchSize?: number;
    },
  ) {}

  percent(): number {
    if (this.knownTotal) return Math.min(99, (this.decided / this.knownTotal) * 100);
    return Math.min(99, (this.bytes() / this.sizeBytes) * 100);
  }

  private async report(): Promise<void> {
    await this.input.onProgress?.({ ...this.counts, percent: this.percent() });
  }

  private reject(row: number, externalId: string | null, problems: RowProblem[]): void {
    this.counts.rejectedCount++;
    this.decided++;
    for (const p of problems) {
      if (this.rejectedRows.length >= MAX_STORED_REJECTIONS) {
        this.rejectedTruncated = true;
        break;
      }
      this.rejectedRows.push({ row, externalId, ...p });
    }
  }

  async run(): Promise<ImportOutcome> {
    const { db, clock } = this.deps;
    const reader = await openManifest(this.input.manifestPath);
    try {
      this.header = analyseHeader(reader.header);
      this.ignoredColumns = this.header.ignored;
      this.bytes = reader.bytesRead;
      this.sizeBytes = Math.max(1, reader.sizeBytes);
      // Rows with recordings are slow (a probe each): count them first so the bar moves by rows, not bytes read.
      if (this.header.has('recording_file')) this.knownTotal = await countManifestRows(this.input.manifestPath);
      this.refs = await loadReferenceData(db, clock(), this.input.defaultSource ?? DEFAULT_SOURCE);
      const batchSize = this.input.batchSize ?? (this.header.has('recording_file') ? 50 : 5000);
      let batch: CallDraft[] = [];
      let broken: unknown = null;
      try {
        for await (const { row, cells } of reader.rows) {
          this.counts.totalRows++;
          const res = validateRow(cells, row, this.header, this.refs);
          const externalId = res.ok ? res.draft.externalId : res.externalId;
          let problems = res.ok ? [] : res.problems;
          if (externalId) {
            const key = repo.callKey(res.ok ? res.draft.source : res.source, externalId);
            const firstRow = this.seen.get(key);
            if (firstRow !== undefined) problems = [{ column: 'external_id', key: 'imports.reject.duplicateInFile', params: { firstRow } }, ...problems];
            else this.seen.set(key, row);
          }
          if (problems.length || !res.ok) {
            this.reject(row, externalId, problems);
            continue;
          }
          batch.push(res.draft);
          if (batch.length >= batchSize) {
            await this.flush(batch, false);
            batch = [];
            await this.report();
          }
        }
      } catch (e) {
        // The file breaks off (a broken CSV line): the good rows read before it are still stored.
        if (!(e instanceof ManifestError)) throw e;
        broken = e;
      }
      await this.flush(batch, false);
      // Callbacks to calls later in the file (or later in the same batch) wait until the end.
      while (this.pending.length) {
        const waiting = this.pending;
        this.pending = [];
        await this.flush(waiting, false);
        if (this.pending.length === waiting.length) {
          const last = this.pending;
          this.pending = [];
          await this.flush(last, true);
        }
      }
      if (broken) throw broken;
      return { format: reader.format, counts: this.counts, rejectedRows: this.rejectedRows, rejectedTruncated: this.rejectedTruncated, ignoredColumns: this.ignoredColumns };
    } finally {
      reader.close();
    }
  }

  private async flush(batch: CallDraft[], final: boolean): Promise<void> {
    if (!batch.length) return;
    const { db, clock } = this.deps;
    const existing = await repo.findExistingCalls(db, batch.map((d) => ({ source: d.source, externalId: d.externalId })));
    const fresh = batch.filter((d) => !existing.has(repo.callKey(d.source, d.externalId)));
    const callbackKeys = fresh.filter((d) => d.callbackOf).map((d) => ({ source: d.source, externalId: d.callbackOf! }));
    const callbackIds = callbackKeys.length ? await repo.findCallIds(db, callbackKeys) : new Map<string, number>();
    const inserts: repo.CallInsert[] = [];
    const hasRecordings = batch.some((d) => d.recordingFile);

    await eachLimit(batch, hasRecordings ? 2 : 1, async (d) => {
      const old = existing.get(repo.callKey(d.source, d.externalId));
      if (old) {
        let sha: string | null = null;
        if (this.header.has('recording_file') && d.recordingFile) {
          const loc = await this.input.recordings.locate(d.recordingFile);
          if (loc.ok) sha = (await sha256File(loc.path)).sha256;
          // The call has its recording already and the file was not sent again: nothing to compare.
          else if (loc.key === 'imports.reject.recording.missing' && old.recordingSha256) sha = old.recordingSha256;
          else return this.reject(d.row, d.externalId, [{ column: 'recording_file', key: loc.key, params: { file: d.recordingFile } }]);
        }
        const diff = differingColumns(d, old, this.header, sha);
        if (diff.length) return this.reject(d.row, d.externalId, [{ column: diff[0]!, key: 'imports.reject.conflict', params: { columns: diff.join(', ') } }]);
        // Stored by this same import before it was interrupted and resumed: accepted, not "already there".
        if (this.input.importId !== null && old.importId === this.input.importId) this.counts.acceptedCount++;
        else this.counts.alreadyCount++;
        this.decided++;
        return;
      }
      let callbackOfCallId: number | null = null;
      if (d.callbackOf) {
        callbackOfCallId = callbackIds.get(repo.callKey(d.source, d.callbackOf)) ?? null;
        if (callbackOfCallId === null) {
          if (!final) {
            this.pending.push(d);
            return;
          }
          return this.reject(d.row, d.externalId, [{ column: 'callback_of', key: 'imports.reject.callbackUnknown', params: { value: d.callbackOf } }]);
        }
      }
      let recordingId: number | null = null;
      if (d.recordingFile) {
        const r = await this.prepareRecording(d.recordingFile);
        if (!r.ok) return this.reject(d.row, d.externalId, [r.problem]);
        recordingId = r.id;
        // No length in the manifest: the recording's measured length is the call's.
        if (d.durationSec === null && r.durationSec !== null) d.durationSec = r.durationSec;
      }
      inserts.push({ draft: d, recordingId, callbackOfCallId });
    });

    const inserted = await repo.insertCalls(db, this.input.importId, inserts, clock);
    this.counts.acceptedCount += inserted.size;
    // Stored by someone else between our lookup and our insert: the same call, already there.
    this.counts.alreadyCount += inserts.length - inserted.size;
    this.decided += inserts.length;
  }

  private async prepareRecording(name: string): Promise<{ ok: true; id: number; durationSec: number | null } | { ok: false; problem: RowProblem }> {
    const { db, config, clock } = this.deps;
    const loc = await this.input.recordings.locate(name);
    if (!loc.ok) return { ok: false, problem: { column: 'recording_file', key: loc.key, params: { file: name } } };
    const { sha256 } = await sha256File(loc.path);
    // The same bytes were stored (and probed) before: reuse that recording.
    const known = await repo.findRecordingBySha(db, sha256);
    if (known !== null) {
      // Its files were deleted under retention: the same bytes bring them back.
      if (await isRecordingPurged(db, known.id)) {
        await storeRecording(loc.path, config.recordingsDir);
        await revivePurgedRecording(db, known.id, clock);
      }
      return { ok: true, ...known };
    }
    let probe;
    try {
      this.tools ??= resolveMediaTools({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
      probe = await probeRecording(loc.path, { maxBytes: config.maxUploadBytes, maxSeconds: config.maxRecordingSeconds }, this.tools);
      await assertPreparable(loc.path, probe);
    } catch (e) {
      if (!isMediaRejectedError(e)) throw e;
      const r = recordingRejection(e.reasonKey, e.params);
      return { ok: false, problem: { column: 'recording_file', key: r.key, params: { file: name, ...r.params } } };
    }
    const stored = await storeRecording(loc.path, config.recordingsDir);
    const { id, created } = await repo.insertRecording(
      db,
      { sha256: stored.sha256, storageKey: stored.storageKey, originalName: path.basename(name.replace(/\\/g, '/')), sizeBytes: stored.sizeBytes, format: probe.formatName, codec: probe.codec, sampleRate: probe.sampleRate, channels: probe.channels, durationSec: probe.durationSec },
      clock,
    );
    if (created) this.counts.recordingsStored++;
    return { ok: true, id, durationSec: probe.durationSec };
  }
}

/**
 * Runs an import recorded in the imports table: marks it running, keeps its counts and progress
 * up to date (at most twice a second), and records the outcome. A manifest refused half-way
 * (a broken CSV line) fails the import with that reason; rows stored before it stay stored.
 */
export async function executeImport(
  deps: ImportDeps,
  importId: number,
  input: { manifestPath: string; recordings: RecordingLocator; defaultSource: string; onProgress?: (p: ImportProgress) => void | Promise<void> },
): Promise<repo.ImportRecord> {
  const { db, clock } = deps;
  await repo.markImportRunning(db, importId, clock);
  // A heartbeat through slow stretches (probing big recordings): an import whose process stopped
  // is told apart from a slow one by it (failInterruptedImports).
  const heartbeat = setInterval(() => void repo.touchImport(db, importId, clock).catch(() => undefined), IMPORT_HEARTBEAT_MS);
  heartbeat.unref();
  let lastWrite = 0;
  const run = new ImportRun(deps, {
    importId,
    manifestPath: input.manifestPath,
    recordings: input.recordings,
    defaultSource: input.defaultSource,
    onProgress: async (p) => {
      await input.onProgress?.(p);
      if (Date.now() - lastWrite < 500) return;
      lastWrite = Date.now();
      await repo.updateImportProgress(db, importId, p, p.percent, clock);
    },
  });
  try {
    const outcome = await run.run();
    await repo.finishImport(db, importId, { status: 'done', counts: outcome.counts, rejectedRows: outcome.rejectedRows, rejectedTruncated: outcome.rejectedTruncated, ignoredColumns: outcome.ignoredColumns }, clock);
  } catch (e) {
    // This run lost its job to another instance (lease lapsed): that one carries the import on.
    if (e instanceof JobLostError) throw e;
    const known = e instanceof ManifestError;
    if (!known) deps.logger?.error({ err: e, importId }, 'import failed');
    await repo.finishImport(
      db,
      importId,
      {
        status: 'failed',
        counts: run.counts,
        rejectedRows: run.rejectedRows,
        rejectedTruncated: run.rejectedTruncated,
        ignoredColumns: run.ignoredColumns,
        errorKey: known ? e.key : 'imports.error.crashed',
        // The cause (a tool's or the database's own words) is in the log above, not shown to users.
        errorParams: known ? e.params : {},
      },
      clock,
    );
  } finally {
    clearInterval(heartbeat);
  }
  return (await repo.findImport(db, importId))!;
}

/** How often a running import says it is alive, and how long without a word means its process stopped. */
export const IMPORT_HEARTBEAT_MS = 30_000;
export const IMPORT_INTERRUPTED_AFTER_MS = 2 * 60_000;

/** The scheduler's tick (every minute, every instance): imports that can no longer finish say so. */
export function interruptedImportsTick(deps: ImportDeps) {
  return async (now: Date): Promise<void> => {
    const n = await repo.failInterruptedImports(deps.db, new Date(now.getTime() - IMPORT_INTERRUPTED_AFTER_MS).toISOString(), deps.clock);
    if (n) deps.logger?.warn({ imports: n }, 'imports interrupted by a stopped process marked failed');
  };
}

// ---- the command line: a folder on this server ----

export async function runFolderImport(
  deps: ImportDeps,
  o: { folder: string; manifestPath: string; defaultSource?: string; actor?: string; onProgress?: (p: ImportProgress) => void | Promise<void> },
): Promise<repo.ImportRecord> {
  const folderStat = await fs.stat(o.folder).catch(() => null);
  if (!folderStat || !folderStat.isDirectory()) throw new ManifestError('imports.cli.folderNotFound', { path: o.folder });
  const manifestStat = await fs.stat(o.manifestPath).catch(() => null);
  if (!manifestStat || !manifestStat.isFile()) throw new ManifestError('imports.cli.manifestNotFound', { path: o.manifestPath });
  const source = (o.defaultSource ?? DEFAULT_SOURCE).toLowerCase();
  if (!isValidSource(source)) throw new ManifestError('imports.form.sourceInvalid');
  await checkManifest(o.manifestPath);
  const importId = await repo.insertImport(
    deps.db,
    { fileName: path.basename(o.manifestPath), origin: 'cli', createdBy: null, actor: o.actor ?? `cli:${safeOsUser()}`, defaultSource: source, recordingFiles: 0 },
    deps.clock,
  );
  await audit(deps.db, { action: 'import.start', entityType: 'import', entityId: importId, subject: o.actor ?? `cli:${safeOsUser()}`, details: { fileName: path.basename(o.manifestPath), origin: 'cli' } }, deps.clock);
  return executeImport(deps, importId, { manifestPath: o.manifestPath, recordings: await folderLocator(o.folder), defaultSource: source, onProgress: o.onProgress });
}

function safeOsUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

// ---- the web: an upload, then a job ----

export interface UploadedFile {
  /** multer's temporary file */
  path: string;
  /** the name the browser sent, decoded */
  name: string;
}

interface ImportJobPayload {
  importId: number;
  files: { name: string; staged: string }[];
}

/**
 * Takes a checked manifest and its recordings from an upload: records the import, moves the files
 * to the import's staging folder under names of our own, and queues the `calls.import` job.
 */
export async function startWebImport(
  deps: ImportDeps & { jobs: JobQueue },
  o: { userId: number; actor: string; manifest: UploadedFile; recordings: UploadedFile[]; defaultSource: string; ip?: string },
): Promise<number> {
  const { db, config, clock, jobs } = deps;
  const importId = await repo.insertImport(db, { fileName: o.manifest.name, origin: 'web', createdBy: o.userId, actor: o.actor, defaultSource: o.defaultSource, recordingFiles: o.recordings.length }, clock);
  const dir = stagingDir(config.recordingsDir, importId);
  try {
    await fs.mkdir(dir, { recursive: true });
    await moveFile(o.manifest.path, path.join(dir, 'manifest'));
    const files: ImportJobPayload['files'] = [];
    for (const [i, f] of o.recordings.entries()) {
      const staged = `r${i}`;
      await moveFile(f.path, path.join(dir, staged));
      files.push({ name: f.name, staged });
    }
    const jobId = await jobs.enqueue(IMPORT_JOB, { importId, files } satisfies ImportJobPayload as unknown as Record<string, unknown>, { dedupeKey: `import:${importId}`, maxAttempts: 3 });
    await repo.setImportJob(db, importId, jobId);
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    deps.logger?.error({ err: e, importId }, 'import could not start');
    await repo.failImport(db, importId, 'imports.error.crashed', {}, clock);
    throw e;
  }
  await audit(db, { userId: o.userId, action: 'import.start', entityType: 'import', entityId: importId, ip: o.ip, details: { fileName: o.manifest.name, recordingFiles: o.recordings.length, origin: 'web' } }, clock);
  return importId;
}

/** The `calls.import` job: runs a web import from its staging folder, then removes the folder. */
export async function runImportJob(deps: ImportDeps, payload: Record<string, unknown>, ctx: JobContext): Promise<unknown> {
  const p = payload as unknown as ImportJobPayload;
  const imp = await repo.findImport(deps.db, Number(p.importId));
  if (!imp) throw new PermanentJobError(`import ${p.importId} not found`);
  if (imp.status === 'done' || imp.status === 'failed') return { status: imp.status };
  const dir = stagingDir(deps.config.recordingsDir, imp.id);
  const manifestPath = path.join(dir, 'manifest');
  if (!(await fs.stat(manifestPath).catch(() => null))) {
    await repo.failImport(deps.db, imp.id, 'imports.error.stagingMissing', {}, deps.clock);
    throw new PermanentJobError('import staging folder missing');
  }
  const staged: StagedFile[] = (p.files ?? []).map((f) => ({ name: f.name, path: path.join(dir, path.basename(f.staged)) }));
  let lastPercent = -1;
  const result = await executeImport(deps, imp.id, {
    manifestPath,
    recordings: uploadLocator(staged),
    defaultSource: imp.defaultSource,
    onProgress: async (pr) => {
      const pct = Math.floor(pr.percent);
      if (pct !== lastPercent) {
        lastPercent = pct;
        await ctx.progress(pct);
      }
    },
  });
  await fs.rm(dir, { recursive: true, force: true });
  return { status: result.status, accepted: result.acceptedCount, already: result.alreadyCount, rejected: result.rejectedCount };
}
