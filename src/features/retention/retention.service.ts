// Retention: the daily purge of recordings past their class's period (original, rendition, peaks),
// its dry run, the policies an administrator sets and the legal holds that stop a purge. The call,
// its card and its evaluations stay; only the files go, each deletion in the append-only log.
import fs from 'node:fs/promises';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { AppError, NotFoundError, ValidationError } from '../../http/errors';
import { cleanText } from '../../http/text';
import { nowIso } from '../../db';
import { tashkentClock, tashkentDate } from '../../time';
import { resolveStored } from '../media/store';
import type { JobHandler } from '../../jobs/queue';
import { decideRecording, keepUntil, parsePolicyForm, shortestRetention, type RecordingDecision, type RetentionClass, type RetentionPolicies } from './retention.policy';
import * as repo from './retention.repository';

export const PURGE_JOB = 'retention.purge';
/** Recordings decided per query: bounded memory whatever the store's size. */
const BATCH = 500;
/** Files of recordings purged this recently are deleted again by each run (a crash after the commit). */
const SWEEP_DAYS = 7;

type Deps = Pick<AppDeps, 'db' | 'config' | 'clock'>;

export interface PurgeItem {
  recordingId: number;
  sha256: string;
  sizeBytes: number;
  calls: { id: number; externalId: string }[];
  decision: RecordingDecision;
}

export interface PurgePlan {
  /** What the next purge deletes. */
  due: PurgeItem[];
  /** Past their period but under a legal hold. */
  held: PurgeItem[];
  dueBytes: number;
  /** The lists stop at this many (the counts do not). */
  dueCount: number;
  heldCount: number;
}

/** Walks the candidate recordings in batches and hands each decision to `visit`. */
async function eachDecision(deps: Deps, now: Date, visit: (item: PurgeItem) => Promise<void>): Promise<void> {
  const pol = await repo.policies(deps.db);
  const shortest = shortestRetention(pol);
  if (shortest === null) return;
  const before = keepUntil(now.toISOString(), -shortest)!;
  let afterId = 0;
  for (;;) {
    const ids = await repo.candidateRecordingIds(deps.db, before, { afterId, limit: BATCH });
    if (!ids.length) return;
    const [facts, files] = await Promise.all([repo.callFactsByRecording(deps.db, ids), repo.recordingFiles(deps.db, ids)]);
    for (const id of ids) {
      const calls = facts.get(id) ?? [];
      const f = files.get(id);
      if (!f) continue;
      await visit({ recordingId: id, sha256: f.sha256, sizeBytes: f.sizeBytes, calls: calls.map((c) => ({ id: c.callId, externalId: c.externalId })), decision: decideRecording(calls, pol, now) });
    }
    afterId = ids[ids.length - 1]!;
  }
}

/** The dry run: what the next purge would delete, and what a legal hold keeps. Changes nothing. */
export async function planPurge(deps: Deps, now: Date, opts: { listLimit?: number } = {}): Promise<PurgePlan> {
  const limit = opts.listLimit ?? 200;
  const plan: PurgePlan = { due: [], held: [], dueBytes: 0, dueCount: 0, heldCount: 0 };
  await eachDecision(deps, now, async (item) => {
    if (item.decision.action === 'purge') {
      plan.dueCount++;
      plan.dueBytes += item.sizeBytes;
      if (plan.due.length < limit) plan.due.push(item);
    } else if (item.decision.reason === 'held' && item.decision.dueAt !== null && item.decision.dueAt <= now.toISOString()) {
      plan.heldCount++;
      if (plan.held.length < limit) plan.held.push(item);
    }
  });
  return plan;
}

export interface PurgeOutcome {
  deleted: number;
  bytes: number;
  held: number;
}

/**
 * Deletes the files of every recording past retention. Each recording is decided again inside its
 * own transaction with its row locked (a legal hold placed meanwhile wins), marked purged and
 * logged; the files go after the commit, so a file is never gone while the database says it is there.
 */
export async function runPurge(deps: Deps, now: Date, actor: { userId: number | null; ip?: string } = { userId: null }): Promise<PurgeOutcome> {
  const out: PurgeOutcome = { deleted: 0, bytes: 0, held: 0 };
  const pol = await repo.policies(deps.db);
  await eachDecision(deps, now, async (item) => {
    if (item.decision.action !== 'purge') {
      if (item.decision.reason === 'held') out.held++;
      return;
    }
    const done = await purgeRecording(deps, item.recordingId, pol, now, actor.userId);
    if (done) {
      out.deleted++;
      out.bytes += done.sizeBytes;
    }
  });
  await sweepPurgedFiles(deps, now);
  if (out.deleted || out.held) await audit(deps.db, { userId: actor.userId, action: 'retention.purge', entityType: 'retention', ip: actor.ip, details: { ...out, date: tashkentDate(now) } }, deps.clock);
  return out;
}

async function purgeRecording(deps: Deps, recordingId: number, pol: RetentionPolicies, now: Date, userId: number | null): Promise<repo.RecordingFiles | null> {
  const at = now.toISOString();
  const files = await deps.db.transaction(async (trx) => {
    const rec = await repo.lockRecording(trx, recordingId);
    if (!rec || rec.purgedAt) return null;
    const calls = (await repo.callFactsByRecording(trx, [recordingId])).get(recordingId) ?? [];
    const decision = decideRecording(calls, pol, now);
    if (decision.action !== 'purge') return null;
    await repo.markPurged(trx, recordingId, at);
    await repo.insertDeletion(trx, {
      at,
      recordingId,
      sha256: rec.sha256,
      sizeBytes: rec.sizeBytes,
      files: ['original', ...(rec.renditionKey ? ['rendition'] : []), ...(rec.peaksKey ? ['peaks'] : [])],
      callIds: calls.map((c) => c.callId),
      callClass: decision.callClass,
      policyDays: decision.days,
      deletedByUserId: userId,
    });
    return rec;
  });
  if (files) await deleteFiles(deps, files);
  return files;
}

/** Removes a purged recording's files; a file already gone is fine. */
async function deleteFiles(deps: Deps, rec: repo.RecordingFiles): Promise<void> {
  for (const key of [rec.storageKey, rec.renditionKey, rec.peaksKey]) {
    if (key) await fs.rm(resolveStored(deps.config.recordingsDir, key), { force: true });
  }
}

async function sweepPurgedFiles(deps: Deps, now: Date): Promise<void> {
  for (const rec of await repo.recentlyPurged(deps.db, new Date(now.getTime() - SWEEP_DAYS * 86_400_000).toISOString())) await deleteFiles(deps, rec);
}

// ---- policies ----

export async function savePolicies(deps: Pick<AppDeps, 'db' | 'clock'>, userId: number, body: Record<string, unknown>, ip?: string): Promise<RetentionPolicies> {
  const parsed = parsePolicyForm(body);
  if (!parsed.ok) throw new ValidationError(parsed.fields);
  await deps.db.transaction(async (trx) => {
    const before = await repo.policies(trx);
    await repo.savePolicies(trx, parsed.policies, userId, deps.clock);
    const changes = Object.fromEntries(Object.entries(parsed.policies).filter(([c, d]) => before[c as RetentionClass] !== d).map(([c, d]) => [c, { from: before[c as RetentionClass], to: d }]));
    await audit(trx, { userId, action: 'retention.policyUpdate', entityType: 'retention', ip, details: changes }, deps.clock);
  });
  return parsed.policies;
}

// ---- legal holds ----

export const HOLD_REASON_MAX = 1000;

function reasonOf(raw: unknown, field: string): string {
  const text = cleanText(typeof raw === 'string' ? raw.trim() : '', field);
  if (!text) throw new ValidationError([{ field, key: 'retention.holds.reasonRequired' }]);
  if (text.length > HOLD_REASON_MAX) throw new ValidationError([{ field, key: 'retention.holds.reasonTooLong', params: { max: HOLD_REASON_MAX } }]);
  return text;
}

/** Places a legal hold on a call (by id or external id): its recording is kept until the hold is released. */
export async function placeHold(deps: Pick<AppDeps, 'db' | 'clock'>, userId: number, body: Record<string, unknown>, ip?: string): Promise<number> {
  const ref = typeof body.call === 'string' ? body.call.trim() : '';
  const reason = reasonOf(body.reason, 'reason');
  if (!ref) throw new ValidationError([{ field: 'call', key: 'retention.holds.callRequired' }]);
  const call = await repo.findCallForHold(deps.db, ref.slice(0, 100));
  if (!call) throw new ValidationError([{ field: 'call', key: 'retention.holds.callUnknown', params: { call: ref.slice(0, 100) } }]);
  return deps.db.transaction(async (trx) => {
    // The recording's row is locked as the purge locks it: a purge running now either finished
    // before this hold or sees it.
    if (call.recordingId) await repo.lockRecording(trx, call.recordingId);
    const id = await repo.insertHold(trx, { callId: call.id, reason, placedBy: userId, placedAt: nowIso(deps.clock) });
    await audit(trx, { userId, action: 'retention.holdPlaced', entityType: 'call', entityId: call.id, ip, details: { holdId: id, reason } }, deps.clock);
    return id;
  });
}

export async function releaseHold(deps: Pick<AppDeps, 'db' | 'clock'>, userId: number, holdId: number, body: Record<string, unknown>, ip?: string): Promise<repo.LegalHold> {
  const hold = await repo.findHold(deps.db, holdId);
  if (!hold) throw new NotFoundError('retention.holds.notFound');
  const reason = reasonOf(body.reason, `releaseReason-${holdId}`);
  await deps.db.transaction(async (trx) => {
    if (!(await repo.releaseHold(trx, holdId, { releasedBy: userId, releasedAt: nowIso(deps.clock), reason }))) throw new AppError(409, 'retention.holds.alreadyReleased');
    await audit(trx, { userId, action: 'retention.holdReleased', entityType: 'call', entityId: hold.callId, ip, details: { holdId, reason } }, deps.clock);
  });
  return hold;
}

// ---- what the call page shows ----

export interface RetentionNotice {
  purged: { at: string; callClass: RetentionClass | null; days: number | null; by: string | null } | null;
  hold: { reason: string; placedAt: string; placedBy: string | null } | null;
}

/** Whether a call's recording was deleted under retention (when, which policy) and whether it is held. */
export async function retentionNotice(db: AppDeps['db'], callId: number, recordingId: number | null): Promise<RetentionNotice> {
  const [hold, deletion] = await Promise.all([repo.activeHoldOf(db, callId), recordingId && (await repo.isPurged(db, recordingId)) ? repo.lastDeletionOf(db, recordingId) : Promise.resolve(null)]);
  return {
    purged: deletion ? { at: deletion.at, callClass: deletion.callClass, days: deletion.policyDays, by: deletion.deletedBy } : null,
    hold: hold ? { reason: hold.reason, placedAt: hold.placedAt, placedBy: hold.placedBy } : null,
  };
}

/** True when the recording's files were deleted under retention (the audio routes answer 410). */
export function isRecordingPurged(db: AppDeps['db'], recordingId: number): Promise<boolean> {
  return repo.isPurged(db, recordingId);
}

// ---- the daily job ----

export function purgeDedupeKey(date: string): string {
  return `retention:purge:${date}`;
}

/** Once a day at RETENTION_PURGE_TIME (Asia/Tashkent): one purge job per day, whatever the instances. */
export function purgeScheduleTick(deps: Pick<AppDeps, 'jobs' | 'config'>) {
  return async (now: Date): Promise<void> => {
    if (tashkentClock(now) < deps.config.retentionPurgeTime) return;
    const date = tashkentDate(now);
    await deps.jobs.enqueue(PURGE_JOB, { date }, { dedupeKey: purgeDedupeKey(date), maxAttempts: 3 });
  };
}

export function purgeJobHandler(deps: AppDeps): JobHandler {
  return async () => runPurge(deps, deps.clock());
}
