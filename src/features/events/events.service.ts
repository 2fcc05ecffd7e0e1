// Taking call events in: check the batch, drop repeats (a repeat with other content is a 409),
// correct the platform's clock, store the new events in one transaction and settle them
// (apply.ts), together with the requests that arrived meanwhile (group commit, below). Nothing of
// a refused batch is stored. Takes collaborators as arguments.
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError } from '../../http/errors';
import { CallCardError, parseCallCard } from '../calls/call-card';
import { settle } from './apply';
import { eventsStored, serialised } from './event-bus';
import { clockOffsetMs, shiftInstant } from './fold';
import * as repo from './events.repository';
import { contentHash, parseBatch, type CallEvent } from './events.schema';
import type { Db } from '../../db';

export interface IngestSummary {
  /** events stored now */
  stored: number;
  /** events already here with the same content */
  duplicates: number;
  /** stored events waiting for their call */
  held: number;
  /** how far the platform's clock was off (received − sent), seconds; 0 within the tolerance */
  clockOffsetSec: number;
  /** the stored sequence after this batch (the board's SSE id) */
  lastSeq: number | null;
}

export interface IngestActor {
  apiTokenId: number | null;
}

/**
 * Stores a batch. Throws AppError 400/413 (events.api.*) with per-event field errors, and 409
 * events.api.conflict naming the event ids whose content differs from what is stored.
 */
export async function ingestBatch(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, body: unknown, actor: IngestActor): Promise<IngestSummary> {
  const parsed = parseBatch(body, deps.config.events.maxBatch);
  if (!parsed.ok) {
    if (parsed.errors.length) throw new ValidationError(parsed.errors.map((e) => ({ ...e, field: e.index === null ? e.field : `events[${e.index}].${e.field}` })), parsed.key, parsed.status);
    throw new AppError(parsed.status, parsed.key, parsed.params ?? {});
  }
  // Cards are checked before anything is stored: a card the parser refuses refuses the batch.
  const cardErrors = parsed.events.flatMap(({ index, event }) => {
    const xml = (event as { xml?: string }).xml;
    if (!xml) return [];
    try {
      parseCallCard(xml);
      return [];
    } catch (e) {
      if (e instanceof CallCardError) return [{ field: `events[${index}].xml`, key: e.key, params: e.params }];
      throw e;
    }
  });
  if (cardErrors.length) throw new ValidationError(cardErrors, 'events.api.invalid');

  const received = deps.clock();
  const offset = clockOffsetMs(parsed.sentAt, received, deps.config.events.clockToleranceSeconds);
  const candidates: Candidate[] = [];
  const inBatch = new Map<string, string>();
  const conflicts = new Set<string>();
  for (const { raw, event } of parsed.events) {
    const hash = contentHash(raw);
    const seen = inBatch.get(event.id);
    if (seen !== undefined) {
      if (seen !== hash) conflicts.add(event.id);
      continue;
    }
    inBatch.set(event.id, hash);
    candidates.push({ event, hash });
  }
  if (conflicts.size) throw new AppError(409, 'events.api.conflict', { ids: [...conflicts].slice(0, 20).join(', ') });

  const result = await commit(deps, { candidates, receivedAt: received.toISOString(), offset, apiTokenId: actor.apiTokenId });
  return { ...result, duplicates: result.duplicates + (parsed.events.length - candidates.length), clockOffsetSec: Math.round(offset / 1000) };
}

// ---- group commit ----
// Requests that arrive while an ingest transaction runs wait and are then stored together in ONE
// transaction. A request of one event costs about as much as a request of hundreds (the
// cross-instance writer lock, the round trips of settling, the commit), so storing them one at a
// time caps a busy floor at a few dozen requests a second and a burst queues up for seconds. Each
// request still gets its own answer: a conflict refuses only its own request, and if a group's
// transaction fails for another reason each request is tried again alone.

interface Candidate {
  event: CallEvent;
  hash: string;
}

interface Waiting {
  candidates: Candidate[];
  receivedAt: string;
  offset: number;
  apiTokenId: number | null;
  resolve(r: Stored): void;
  reject(e: unknown): void;
}

type Stored = Omit<IngestSummary, 'clockOffsetSec'>;
type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/**
 * A group takes requests up to the events of one full request (EVENTS_MAX_BATCH; a request is never
 * split): no transaction is longer than the largest single request, which matters on SQLite, where
 * a writer on another connection waits for it.
 */
const committers = new WeakMap<Db, { waiting: Waiting[]; running: boolean }>();

function commit(deps: Deps, w: Omit<Waiting, 'resolve' | 'reject'>): Promise<Stored> {
  let c = committers.get(deps.db);
  if (!c) committers.set(deps.db, (c = { waiting: [], running: false }));
  const p = new Promise<Stored>((resolve, reject) => c.waiting.push({ ...w, resolve, reject }));
  if (!c.running) void drain(deps, c);
  return p;
}

async function drain(deps: Deps, c: { waiting: Waiting[]; running: boolean }): Promise<void> {
  c.running = true;
  try {
    while (c.waiting.length) {
      let n = 0;
      let events = 0;
      while (n < c.waiting.length && (n === 0 || events + c.waiting[n]!.candidates.length <= deps.config.events.maxBatch)) events += c.waiting[n++]!.candidates.length;
      const group = c.waiting.splice(0, n);
      try {
        const out = await serialised(deps.db, () => storeGroup(deps, group));
        group.forEach((w, i) => settleWaiting(w, out.results[i]!));
        if (out.lastSeq !== null) eventsStored(deps.db, out.lastSeq);
      } catch (e) {
        if (group.length === 1) {
          group[0]!.reject(e);
          continue;
        }
        for (const w of group) {
          try {
            const out = await serialised(deps.db, () => storeGroup(deps, [w]));
            settleWaiting(w, out.results[0]!);
            if (out.lastSeq !== null) eventsStored(deps.db, out.lastSeq);
          } catch (e1) {
            w.reject(e1);
          }
        }
      }
    }
  } finally {
    c.running = false;
  }
}

function settleWaiting(w: Waiting, r: Stored | AppError): void {
  if (r instanceof AppError) w.reject(r);
  else w.resolve(r);
}

/** Stores a group of requests in one transaction: per request its summary, or the 409 that refused it (nothing of it stored). */
async function storeGroup(deps: Deps, group: Waiting[]): Promise<{ results: (Stored | AppError)[]; lastSeq: number | null }> {
  return deps.db.transaction(async (trx) => {
    await repo.lockEventWriters(trx);
    const stored = await repo.hashesOf(trx, group.flatMap((w) => w.candidates.map((c) => c.event.id)));
    const results: (Stored | AppError)[] = [];
    const rows: (repo.NewEventRow & { request: number })[] = [];
    group.forEach((w, request) => {
      // Already stored, or taken by an earlier request of this group: the same content is a repeat, other content a conflict.
      const clash = w.candidates.filter((c) => stored.has(c.event.id) && stored.get(c.event.id) !== c.hash).map((c) => c.event.id);
      if (clash.length) return void (results[request] = new AppError(409, 'events.api.conflict', { ids: clash.slice(0, 20).join(', ') }));
      const fresh = w.candidates.filter((c) => !stored.has(c.event.id));
      for (const { event, hash } of fresh) {
        stored.set(event.id, hash);
        rows.push({
          request,
          eventId: event.id,
          type: event.type,
          occurredAt: shiftInstant(event.at, w.offset),
          platformAt: event.at,
          receivedAt: w.receivedAt,
          source: event.source,
          callRef: 'callId' in event ? event.callId : null,
          operatorCode: 'operatorCode' in event ? (event.operatorCode ?? null) : null,
          payload: w.offset ? { ...event, at: shiftInstant(event.at, w.offset) } : event,
          contentHash: hash,
          apiTokenId: w.apiTokenId,
        });
      }
      results[request] = { stored: fresh.length, duplicates: w.candidates.length - fresh.length, held: 0, lastSeq: null };
    });
    if (!rows.length) return { results, lastSeq: null };
    // Time order, so an offer gets a lower sequence than its answer.
    rows.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
    const seqs = await repo.insertEvents(trx, rows);
    const now = group.reduce((m, w) => (w.receivedAt > m ? w.receivedAt : m), '');
    const settled = await settle(trx, { now, followupDueMinutes: deps.config.followups.dueMinutes }, seqs);
    const lastSeq = Math.max(...seqs);
    await repo.notifyBoards(trx, lastSeq);
    rows.forEach((row, i) => {
      const r = results[row.request] as Stored;
      r.lastSeq = lastSeq;
      if (settled.heldSeqs.has(seqs[i]!)) r.held++;
    });
    return { results, lastSeq };
  });
}
