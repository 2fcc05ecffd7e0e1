// Keeping every call's facts current. Database triggers mark a call stale whenever anything its
// facts read changes (migration 20261207400400); the `facts.compute` job drains the stale list in
// batches — kicked after every intake and every minute by the scheduler — so whoever writes (the
// web, the API, an import, call events, the CLI, hand-run SQL) the facts follow without anyone
// having to remember to ask. Recordings that have no current analysis yet get their
// `media.analyse` job queued from here too, so a recording attached by any writer is measured.
import type { AppDeps } from '../../app-context';
import { ensureRecordingAnalysed } from '../calls/recordings.analyse';
import { VAD_VERSION } from '../media';
import { computeCallFacts, type FactsRecording } from './compute';
import { FACTS_VERSION, type CallFacts } from './facts.model';
import * as repo from './facts.repository';

export const FACTS_JOB = 'facts.compute';
/** One job row serves every kick: queued again when done (see kickFacts). */
export const FACTS_JOB_KEY = 'facts:compute';
export const FACTS_BATCH_SIZE = 500;

type FactsDeps = Pick<AppDeps, 'db' | 'config' | 'clock'> & Partial<Pick<AppDeps, 'jobs'>>;

export interface DrainResult {
  computed: number;
  removed: number;
  batches: number;
  /** Recordings whose analysis was queued because a call needed it. */
  analysisQueued: number;
}

/** The recording as the facts see it. Pure. */
export function recordingState(rec: repo.RecordingRow | undefined): FactsRecording | null {
  if (!rec) return null;
  return { silent: rec.silent, facts: rec.facts, current: rec.analysedAt !== null && rec.analysisVersion === VAD_VERSION, failed: rec.analysisError !== null };
}

/** Which channel is the operator for a source: its own row, else the '*' default, else left. Pure. */
export function operatorChannelFor(roles: Map<string, number>, source: string): number {
  return roles.get(source) ?? roles.get('*') ?? 0;
}

/** Computes and stores the facts of the given stale marks; clears the marks that did not change meanwhile. */
export async function computeBatch(deps: FactsDeps, marks: repo.StaleMark[], roles?: Map<string, number>): Promise<Omit<DrainResult, 'batches'>> {
  const { db } = deps;
  const ids = marks.map((m) => m.callId);
  const [inputs, roleMap] = await Promise.all([repo.loadBatchInputs(db, ids), roles ? Promise.resolve(roles) : repo.channelRoleMap(db)]);
  const computedAt = deps.clock().toISOString();
  const facts: CallFacts[] = [];
  const gone: number[] = [];
  const wantAnalysis = new Set<number>();
  for (const id of ids) {
    const call = inputs.calls.get(id);
    if (!call || call.deleted) {
      gone.push(id);
      continue;
    }
    const rec = call.recordingId === null ? undefined : inputs.recordings.get(call.recordingId);
    const recording = recordingState(rec);
    if (rec && recording && !recording.current && !recording.failed) wantAnalysis.add(rec.id);
    facts.push(
      computeCallFacts(
        {
          call,
          card: inputs.cards.get(id) ?? null,
          callbacks: inputs.callbacks.get(id) ?? [],
          firstReviewAt: inputs.firstReviews.get(id) ?? null,
          recording,
          operatorChannel: operatorChannelFor(roleMap, call.source),
          holdMinSeconds: deps.config.holdMinSeconds,
        },
        computedAt,
      ),
    );
  }
  await db.transaction(async (trx) => {
    await repo.upsertCallFacts(trx, facts);
    await repo.deleteCallFacts(trx, gone);
    await repo.clearStale(trx, marks);
  });
  if (deps.jobs) for (const recordingId of wantAnalysis) await ensureRecordingAnalysed({ db, jobs: deps.jobs }, recordingId);
  return { computed: facts.length, removed: gone.length, analysisQueued: deps.jobs ? wantAnalysis.size : 0 };
}

/** Drains the stale list in batches until it is empty (or maxBatches). */
export async function drainStaleFacts(deps: FactsDeps, o: { batchSize?: number; maxBatches?: number } = {}): Promise<DrainResult> {
  const batchSize = o.batchSize ?? FACTS_BATCH_SIZE;
  const out: DrainResult = { computed: 0, removed: 0, batches: 0, analysisQueued: 0 };
  const roles = await repo.channelRoleMap(deps.db);
  for (;;) {
    if (o.maxBatches !== undefined && out.batches >= o.maxBatches) break;
    const marks = await repo.staleBatch(deps.db, batchSize);
    if (!marks.length) break;
    const r = await computeBatch(deps, marks, roles);
    out.computed += r.computed;
    out.removed += r.removed;
    out.analysisQueued += r.analysisQueued;
    out.batches++;
  }
  return out;
}

/**
 * Makes sure the `facts.compute` job runs soon: queues it, or queues its one row again when it
 * has finished. A job already queued or running picks new marks up in its loop.
 */
export async function kickFacts(deps: Pick<AppDeps, 'jobs'>): Promise<void> {
  await kickJob(deps, FACTS_JOB, FACTS_JOB_KEY);
}

/** Queues a job kept as one row under its dedupe key, or queues that row again once finished. */
export async function kickJob(deps: Pick<AppDeps, 'jobs'>, type: string, dedupeKey: string): Promise<void> {
  const job = await deps.jobs.findByKey(dedupeKey);
  if (!job) await deps.jobs.enqueue(type, {}, { dedupeKey, maxAttempts: 5 });
  else if (job.status === 'done' || job.status === 'failed') await deps.jobs.retry(job.id);
}

/**
 * What every intake calls once its calls are stored: queue the analysis of the new recordings
 * and kick the facts job. The triggers have already marked the calls; this only makes it prompt.
 */
export async function callsArrived(deps: Pick<AppDeps, 'db' | 'jobs'>, o: { recordingIds?: (number | null | undefined)[] } = {}): Promise<void> {
  for (const id of new Set(o.recordingIds ?? [])) if (id) await ensureRecordingAnalysed(deps, id);
  await kickFacts(deps);
}

/** The scheduler's tick: kick the job when anything is stale (cheap when nothing is). */
export function factsTick(deps: AppDeps) {
  return async (): Promise<void> => {
    if (await repo.staleCount(deps.db)) await kickFacts(deps);
  };
}

/** At start: calls whose facts came from older rules, or whose recording from an older detector, are marked again. */
export async function markOutdated(deps: Pick<AppDeps, 'db'>): Promise<number> {
  return repo.markOutdated(deps.db, FACTS_VERSION, VAD_VERSION);
}

/** Facts of one call, computed now when missing or stale (the call page never shows outdated facts). */
export async function callFacts(deps: FactsDeps, callId: number): Promise<CallFacts | null> {
  const mark = await repo.staleMark(deps.db, callId);
  const stored = mark ? null : await repo.findCallFacts(deps.db, callId);
  if (stored) return stored;
  await computeBatch(deps, [mark ?? { callId, token: -1 }]);
  return repo.findCallFacts(deps.db, callId);
}
