// Taking call events in: check the batch, drop repeats (a repeat with other content is a 409),
// correct the platform's clock, store the new events in one transaction and settle them
// (apply.ts). Nothing of a refused batch is stored. Takes collaborators as arguments.
import type { AppDeps } from '../../app-context';
import { AppError, ValidationError } from '../../http/errors';
import { CallCardError, parseCallCard } from '../calls/call-card';
import { settle } from './apply';
import { eventsStored, serialised } from './event-bus';
import { clockOffsetMs, shiftInstant } from './fold';
import * as repo from './events.repository';
import { contentHash, parseBatch, type CallEvent } from './events.schema';

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
  const candidates: { event: CallEvent; hash: string }[] = [];
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

  const result = await serialised(deps.db, () =>
    deps.db.transaction(async (trx) => {
      await repo.lockEventWriters(trx);
      const stored = await repo.hashesOf(trx, candidates.map((c) => c.event.id));
      const clash = candidates.filter((c) => stored.has(c.event.id) && stored.get(c.event.id) !== c.hash).map((c) => c.event.id);
      if (clash.length) throw new AppError(409, 'events.api.conflict', { ids: clash.slice(0, 20).join(', ') });
      const fresh = candidates.filter((c) => !stored.has(c.event.id));
      if (!fresh.length) return { stored: 0, duplicates: candidates.length, held: 0, lastSeq: null };
      const receivedAt = received.toISOString();
      // Time order, so a batch's offer gets a lower sequence than its answer.
      fresh.sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : 0));
      const seqs = await repo.insertEvents(
        trx,
        fresh.map(({ event, hash }) => ({
          eventId: event.id,
          type: event.type,
          occurredAt: shiftInstant(event.at, offset),
          platformAt: event.at,
          receivedAt,
          source: event.source,
          callRef: 'callId' in event ? event.callId : null,
          operatorCode: 'operatorCode' in event ? (event.operatorCode ?? null) : null,
          payload: offset ? { ...event, at: shiftInstant(event.at, offset) } : event,
          contentHash: hash,
          apiTokenId: actor.apiTokenId,
        })),
      );
      const settled = await settle(trx, { now: receivedAt, followupDueMinutes: deps.config.followups.dueMinutes }, seqs);
      const lastSeq = Math.max(...seqs);
      await repo.notifyBoards(trx, lastSeq);
      return { stored: fresh.length, duplicates: candidates.length - fresh.length, held: settled.heldOfGiven, lastSeq };
    }),
  );
  if (result.lastSeq !== null) eventsStored(deps.db, result.lastSeq);
  return { ...result, duplicates: result.duplicates + (parsed.events.length - candidates.length), clockOffsetSec: Math.round(offset / 1000) };
}
