// Calls: taking one in (from the browser or the telephony API), listing them, and what a call page
// shows. Takes its collaborators as arguments; never sees req/res.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import type { Language } from '../../i18n';
import { tashkentDate } from '../../time';
import { isMediaRejectedError, sha256File, type ProbeResult, type StoredRecording } from '../media';
import { CallCardError, parseCallCard, type ParsedCallCard } from './call-card';
import { CALL_COUNT_CAP, CALL_PAGE_SIZE, walksDurationIndex, type CallListCursor, type CallListFilters } from './calls.filters';
import { servicesToColumn } from './calls.model';
import { canViewCall, type Viewer } from './calls.policy';
import * as repo from './calls.repository';
import type { CallMetadata } from './calls.schema';
import * as recRepo from './recordings.repository';
import { revivePurgedRecording } from '../retention/retention.repository';
import { discardStoredIfUnused, probeIncoming, storeIncoming } from './recordings.service';

// ---- taking a call in ---------------------------------------------------------------------

export interface IngestActor {
  userId: number | null;
  /** A supervisor may only add calls of their own teams' operators. */
  supervisorUserId?: number | null;
  apiTokenId?: number | null;
  ip?: string;
  via: 'upload' | 'api' | 'seed';
}

export interface IngestInput {
  metadata: CallMetadata;
  recording: { path: string; originalName: string | null };
  /** The call card XML, when one came with the call. */
  card?: Buffer | string | null;
  actor: IngestActor;
  /**
   * The external id was made up here (a browser upload without one): the same audio uploaded again
   * is then the same call — "already uploaded as call N" — instead of a second call.
   */
  externalIdGenerated?: boolean;
}

export interface IngestResult {
  /**
   * created: a new call; duplicate: the same call with the same audio was already here; attached:
   * the call was already known from its events (no recording yet) and the recording joined it.
   */
  outcome: 'created' | 'duplicate' | 'attached';
  callId: number;
  recordingId: number | null;
  /** a card sent with a call already here was stored with it */
  cardAttached?: boolean;
}

/** What references in the metadata point at, or field errors. */
interface ResolvedRefs {
  operatorId: number;
  regionId: number | null;
  callbackOfCallId: number | null;
}

async function resolveRefs(db: Knex, m: CallMetadata, actor: IngestActor): Promise<ResolvedRefs> {
  const fields: FieldError[] = [];
  const operator = await repo.findOperatorIdByCode(db, m.operatorCode);
  if (!operator) fields.push({ field: 'operatorCode', key: 'calls.metadata.operatorUnknown', params: { code: m.operatorCode } });
  else if (actor.supervisorUserId && operator.teamSupervisorUserId !== actor.supervisorUserId) {
    fields.push({ field: 'operatorCode', key: 'calls.metadata.operatorNotInTeam', params: { code: m.operatorCode } });
  }
  let regionId: number | null = null;
  if (m.regionCode) {
    const region = await repo.findRegionByCode(db, m.regionCode);
    if (!region) fields.push({ field: 'regionCode', key: 'calls.metadata.regionUnknown', params: { code: m.regionCode } });
    else regionId = region.id;
  }
  let callbackOfCallId: number | null = null;
  if (m.callbackOfExternalId) {
    const original = await repo.findCallBySourceAndExternalId(db, m.source, m.callbackOfExternalId);
    if (!original) fields.push({ field: 'callbackOfExternalId', key: 'calls.metadata.callbackUnknown', params: { externalId: m.callbackOfExternalId } });
    else callbackOfCallId = original.id;
  }
  if (fields.length) throw new ValidationError(fields);
  return { operatorId: operator!.id, regionId, callbackOfCallId };
}

/**
 * Checks the call's references; throws ValidationError (400) with field errors. Cheap (no file
 * work), so a browser batch validates its shared metadata once before any file is touched.
 */
export async function validateCallReferences(deps: Pick<AppDeps, 'db'>, m: CallMetadata, actor: IngestActor): Promise<void> {
  await resolveRefs(deps.db, m, actor);
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Takes one call in: metadata references, the card (parsed safely), the recording (probed,
 * then stored by content), then the rows in one transaction. Idempotent on (source, external id):
 * the same call with the same audio again → 'duplicate' with the existing id; with different
 * audio → ConflictError (409). Every refusal leaves nothing behind: no row, no file.
 * Throws ValidationError (400, field errors), AppError 400 calls.card.*, AppError 422 media.rejected.*.
 */
export async function ingestCall(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, input: IngestInput): Promise<IngestResult> {
  const { db, config, clock } = deps;
  const m = input.metadata;
  const refs = await resolveRefs(db, m, input.actor);

  let card: ParsedCallCard | null = null;
  if (input.card != null && (typeof input.card === 'string' ? input.card.length : input.card.length) > 0) {
    try {
      card = parseCallCard(input.card);
    } catch (e) {
      if (e instanceof CallCardError) throw new AppError(400, e.key, e.params);
      throw e;
    }
  }

  const { sha256 } = await sha256File(input.recording.path);
  if (input.externalIdGenerated) {
    const same = await repo.findCallByRecordingSha(db, sha256);
    if (same) return { outcome: 'duplicate', callId: same.id, recordingId: same.recordingId };
  }
  const existing = await repo.findCallBySourceAndExternalId(db, m.source, m.externalId);
  if (existing && existing.recordingId !== null) {
    const same = sameOrConflict(existing, sha256);
    // A card sent after its call (the call and its audio already here) joins the call.
    return card ? { ...same, cardAttached: await attachCard(db, existing.id, card, clock) } : same;
  }

  let probe: ProbeResult;
  try {
    probe = await probeIncoming(config, input.recording.path);
  } catch (e) {
    if (isMediaRejectedError(e)) throw new AppError(422, e.reasonKey, e.params);
    throw e;
  }

  const stored: StoredRecording = await storeIncoming(config, input.recording.path);
  if (existing) return attachRecording(deps, existing.id, { input, refs, card, stored, probe });
  try {
    const created = await db.transaction(async (trx) => {
      const recordingId = await findOrInsertRecording(trx, stored, probe, input.recording.originalName, clock);
      const durationSec = m.durationSec ?? (m.endedAt ? (Date.parse(m.endedAt) - Date.parse(m.startedAt)) / 1000 : probe.durationSec);
      const endedAt = m.endedAt ?? new Date(Date.parse(m.startedAt) + Math.round(durationSec * 1000)).toISOString();
      const id = await repo.insertCall(
        trx,
        {
          source: m.source,
          externalId: m.externalId,
          startedAt: m.startedAt,
          answeredAt: m.answeredAt ?? null,
          endedAt,
          callDate: tashkentDate(m.startedAt),
          durationSec: Math.round(durationSec * 1000) / 1000,
          operatorId: refs.operatorId,
          callerNumber: m.callerNumber ?? null,
          language: m.language,
          channel: m.channel,
          category: m.category ?? null,
          services: servicesToColumn(m.services),
          regionId: refs.regionId,
          dropped: m.dropped,
          callbackOfCallId: refs.callbackOfCallId,
          recordingId,
          extra: m.extra ?? null,
        },
        clock,
      );
      if (card) await repo.insertCallCard(trx, { callId: id, xml: card.xml, fields: card.fields, completeness: card.completeness, missingFields: card.missingFields }, clock);
      await audit(
        trx,
        {
          userId: input.actor.userId,
          action: 'call.create',
          entityType: 'call',
          entityId: id,
          ip: input.actor.ip,
          details: { via: input.actor.via, source: m.source, externalId: m.externalId, recordingId, apiTokenId: input.actor.apiTokenId ?? undefined, card: Boolean(card) },
        },
        clock,
      );
      return { id, recordingId };
    });
    return { outcome: 'created', callId: created.id, recordingId: created.recordingId };
  } catch (e) {
    await discardStoredIfUnused(deps, stored);
    // Two deliveries of the same call at once: the loser answers like a retry would.
    if (isUniqueViolation(e)) {
      const now = await repo.findCallBySourceAndExternalId(db, m.source, m.externalId);
      if (now) return sameOrConflict(now, sha256);
    }
    throw e;
  }
}

/** Stores a card for a call that has none, or replaces a different one. Returns whether anything changed. */
async function attachCard(db: Knex, callId: number, card: ParsedCallCard, clock: () => Date): Promise<boolean> {
  const current = await repo.findCallCard(db, callId);
  if (current?.xml === card.xml) return false;
  await db.transaction(async (trx) => {
    if (current) await repo.replaceCallCard(trx, { callId, xml: card.xml, fields: card.fields, completeness: card.completeness, missingFields: card.missingFields }, clock);
    else await repo.insertCallCard(trx, { callId, xml: card.xml, fields: card.fields, completeness: card.completeness, missingFields: card.missingFields }, clock);
    await audit(trx, { userId: null, action: 'call.card', entityType: 'call', entityId: callId, details: { replaced: Boolean(current) } }, clock);
  });
  return true;
}

/**
 * The recording (and metadata, card) of a call already known from its events: the recording joins
 * the call; metadata fills what the events did not say, never overwriting what they did.
 */
async function attachRecording(
  deps: Pick<AppDeps, 'db' | 'config' | 'clock'>,
  callId: number,
  o: { input: IngestInput; refs: ResolvedRefs; card: ParsedCallCard | null; stored: StoredRecording; probe: ProbeResult },
): Promise<IngestResult> {
  const { db, clock } = deps;
  const m = o.input.metadata;
  try {
    const recordingId = await db.transaction(async (trx) => {
      const recId = await findOrInsertRecording(trx, o.stored, o.probe, o.input.recording.originalName, clock);
      await repo.fillCallFromMetadata(trx, callId, {
        recordingId: recId,
        operatorId: o.refs.operatorId,
        answeredAt: m.answeredAt ?? null,
        endedAt: m.endedAt ?? null,
        callerNumber: m.callerNumber ?? null,
        language: m.language,
        category: m.category ?? null,
        services: servicesToColumn(m.services),
        regionId: o.refs.regionId,
        extra: m.extra ?? null,
      }, clock);
      if (o.card && !(await repo.findCallCard(trx as unknown as Knex, callId))) await repo.insertCallCard(trx, { callId, xml: o.card.xml, fields: o.card.fields, completeness: o.card.completeness, missingFields: o.card.missingFields }, clock);
      await audit(trx, { userId: o.input.actor.userId, action: 'call.attach', entityType: 'call', entityId: callId, ip: o.input.actor.ip, details: { via: o.input.actor.via, recordingId: recId, apiTokenId: o.input.actor.apiTokenId ?? undefined, card: Boolean(o.card) } }, clock);
      return recId;
    });
    return { outcome: 'attached', callId, recordingId };
  } catch (e) {
    await discardStoredIfUnused(deps, o.stored);
    throw e;
  }
}

function sameOrConflict(existing: { id: number; recordingId: number | null; recordingSha256: string | null }, sha256: string): IngestResult {
  if (existing.recordingSha256 === sha256) return { outcome: 'duplicate', callId: existing.id, recordingId: existing.recordingId };
  throw new ConflictError('calls.ingest.conflict', { callId: existing.id });
}

async function findOrInsertRecording(trx: Knex.Transaction, stored: StoredRecording, probe: ProbeResult, originalName: string | null, clock: () => Date): Promise<number> {
  const found = await recRepo.findRecordingBySha(trx, stored.sha256);
  if (found) {
    // Its files may have been deleted under retention; storing the bytes again brought them back.
    await revivePurgedRecording(trx, found.id, clock);
    return found.id;
  }
  return recRepo.insertRecording(
    trx,
    {
      sha256: stored.sha256,
      storageKey: stored.storageKey,
      originalName: cleanOriginalName(originalName),
      sizeBytes: stored.sizeBytes,
      format: probe.container,
      codec: probe.codec,
      sampleRate: probe.sampleRate,
      channels: probe.channels,
      durationSec: probe.durationSec,
      mimeType: probe.mimeType,
      hasVideo: probe.hasVideo,
    },
    clock,
  );
}

/**
 * The client's file name, kept for display only (never part of a path): control characters
 * removed, at most 255 characters. `../../etc/passwd` is just a label here.
 */
export function cleanOriginalName(name: string | null | undefined): string | null {
  if (!name) return null;
  const clean = repairLatin1FileName(name).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean || null;
}

/**
 * multer hands file names over decoded as latin1 unless told otherwise (its defParamCharset), but
 * browsers send them as UTF-8: "Звонок.wav" arrives as "Ð\u0097Ð²Ð¾Ð½Ð¾Ðº.wav". When the name is
 * all latin1 code points whose bytes are valid UTF-8, the UTF-8 reading is the real name. Pure.
 */
export function repairLatin1FileName(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return name;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(name, 'latin1'));
  } catch {
    return name;
  }
}

/** An external id for a call uploaded without one: `upload-<yyyymmdd>-<12 hex>`. */
export function generateExternalId(clock: () => Date, random: () => string = () => crypto.randomBytes(6).toString('hex')): string {
  return `upload-${tashkentDate(clock()).replace(/-/g, '')}-${random()}`;
}

/** What one file of a browser upload came to. */
export interface UploadResult {
  file: string;
  outcome: 'created' | 'duplicate' | 'attached' | 'rejected';
  callId?: number;
  url?: string;
  /** HTTP status of a refusal (413, 422, 409, 400). */
  status?: number;
  key?: string;
  message: string;
}

/**
 * The HTTP status of an upload answer. One file (the page sends one per request): 201 created,
 * 200 already there, or the refusal's own status. Several files (the form without script): 200,
 * the results say the rest. Pure.
 */
export function uploadResponseStatus(results: readonly Pick<UploadResult, 'outcome' | 'status'>[]): number {
  if (results.length !== 1) return 200;
  const only = results[0]!;
  if (only.outcome === 'rejected') return only.status ?? 422;
  return only.outcome === 'created' ? 201 : 200;
}

// ---- listing ------------------------------------------------------------------------------

export function visibilityFor(viewer: Viewer): repo.CallVisibility {
  if (viewer.role === 'admin' || viewer.role === 'specialist') return { kind: 'all' };
  if (viewer.role === 'supervisor') return { kind: 'supervisor', userId: viewer.id };
  throw new ForbiddenError();
}

export async function listCallsPage(
  deps: Pick<AppDeps, 'db'>,
  viewer: Viewer,
  o: { filters: CallListFilters; cursor: CallListCursor | null; lang: Language },
): Promise<repo.CallListPage & { total: { count: number; capped: boolean } }> {
  const visibility = visibilityFor(viewer);
  // The (capped) count first: how many calls match decides how a duration-sorted page is read.
  const total = await repo.countCalls(deps.db, { filters: o.filters, visibility, cap: CALL_COUNT_CAP });
  const walkSortIndex = walksDurationIndex(o.filters.sort, total.capped);
  const page = await repo.listCalls(deps.db, { filters: o.filters, cursor: o.cursor, visibility, lang: o.lang, limit: CALL_PAGE_SIZE, walkSortIndex });
  return { ...page, total };
}

// ---- one call -----------------------------------------------------------------------------

/** A call the viewer may see, or 404 (no such call) / 403 (not theirs). */
export async function callForViewer(deps: Pick<AppDeps, 'db'>, viewer: Viewer, callId: number): Promise<repo.CallDetail> {
  const call = await repo.findCallDetail(deps.db, callId);
  if (!call) throw new NotFoundError('calls.show.notFound');
  if (!canViewCall(viewer, { operatorId: call.operatorId, teamSupervisorUserId: call.teamSupervisorUserId })) throw new ForbiddenError();
  return call;
}

/** Card fields in the order of the mapping, with whether each is mandatory and missing. Pure. */
export function cardRows(
  card: Pick<repo.StoredCallCard, 'fields' | 'missingFields'>,
  fieldOrder: readonly string[],
  mandatory: readonly string[],
): { name: string; value: string; mandatory: boolean; missing: boolean }[] {
  return fieldOrder.map((name) => {
    const v = card.fields[name];
    const value = v == null ? '' : Array.isArray(v) ? v.join(', ') : String(v);
    return { name, value, mandatory: mandatory.includes(name), missing: card.missingFields.includes(name) };
  });
}
