// Settling a call's state from its events by the events' own times, not their arrival order: the
// same set of events gives the same call, card and service rows whatever order they came in. Pure.
import type { CallService } from '../calls/calls.model';
import type { CallEvent, CallEventOf } from './events.schema';

export interface TimedEvent {
  seq: number;
  at: string;
  event: CallEvent;
}

/** Events in time order; the stored sequence breaks ties. */
export function byTime<T extends { at: string; seq: number }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
}

function ofType<T extends CallEvent['type']>(events: readonly TimedEvent[], type: T): (TimedEvent & { event: CallEventOf<T> })[] {
  return events.filter((e) => e.event.type === type) as (TimedEvent & { event: CallEventOf<T> })[];
}

export interface CallFold {
  /** null when no event says when the call started (a call that came through /api/v1/calls) */
  startedAt: string | null;
  answeredAt: string | null;
  operatorCode: string | null;
  endedAt: string | null;
  endReason: 'normal' | 'dropped' | 'transferred' | null;
  dropped: boolean | null;
  callerNumber: string | null;
  language: string | null;
  channel: string | null;
  category: string | null;
  regionCode: string | null;
  /** the dropped call this one calls back (its call id on the platform) */
  callbackOf: string | null;
  callbackResult: string | null;
  services: CallService[];
}

/** A call's row fields from its events. */
export function foldCall(events: readonly TimedEvent[]): CallFold {
  const ev = byTime(events);
  const offered = ofType(ev, 'call.offered');
  const attempts = ofType(ev, 'callback.attempted');
  const answered = ofType(ev, 'call.answered');
  const ended = ofType(ev, 'call.ended');
  const first = <T>(xs: T[]): T | undefined => xs[0];
  const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
  const value = <K extends 'callerNumber' | 'language' | 'channel' | 'category' | 'regionCode'>(k: K): string | null =>
    (offered.map((o) => o.event[k]).find((v) => v !== undefined) as string | undefined) ?? null;

  const attempt = first(attempts);
  const reached = attempts.find((a) => a.event.result === 'reached');
  const answer = first(answered);
  const end = last(ended);
  const startedAt = first(offered)?.at ?? attempt?.at ?? null;
  let answeredAt = answer?.at ?? reached?.at ?? null;
  let operatorCode = answer?.event.operatorCode ?? attempt?.event.operatorCode ?? null;
  if (!answer && reached) operatorCode = reached.event.operatorCode;
  let endedAt = end?.at ?? null;
  // An attempt that reached no one is over when it is reported.
  if (!endedAt && attempt && !reached) endedAt = last(attempts)!.at;
  if (answeredAt && startedAt && answeredAt < startedAt && !offered.length) answeredAt = startedAt;
  const services = [...new Set(ofType(ev, 'service.dispatched').map((d) => d.event.service))];
  return {
    startedAt,
    answeredAt,
    operatorCode,
    endedAt,
    endReason: end?.event.reason ?? null,
    dropped: end ? end.event.reason === 'dropped' : attempt ? false : null,
    callerNumber: value('callerNumber'),
    language: value('language'),
    channel: value('channel'),
    category: value('category'),
    regionCode: value('regionCode'),
    callbackOf: attempt?.event.callbackOf ?? null,
    callbackResult: last(attempts)?.event.result ?? null,
    services,
  };
}

export interface CardFold {
  /** the newest version's XML; null when only a close came (the stored XML stays) */
  xml: string | null;
  status: 'open' | 'closed';
  versionAt: string;
  closedAt: string | null;
}

/** The newest card version, and whether the newest word on it is "closed". Null without card events. */
export function foldCard(events: readonly TimedEvent[]): CardFold | null {
  const cards = byTime(events).filter((e) => e.event.type.startsWith('card.'));
  if (!cards.length) return null;
  const newest = cards[cards.length - 1]!;
  const withXml = [...cards].reverse().find((e) => (e.event as { xml?: string }).xml);
  const closed = newest.event.type === 'card.closed';
  return { xml: (withXml?.event as { xml?: string } | undefined)?.xml ?? null, status: closed ? 'closed' : 'open', versionAt: newest.at, closedAt: closed ? newest.at : null };
}

export interface ServiceFold {
  service: CallService;
  dispatchedAt: string | null;
  arrivedAt: string | null;
  outcome: 'fulfilled' | 'not_fulfilled' | null;
  outcomeAt: string | null;
  reason: string | null;
}

/** One row per service named in the call's dispatch and outcome events. */
export function foldServices(events: readonly TimedEvent[]): ServiceFold[] {
  const out = new Map<CallService, ServiceFold>();
  const get = (s: CallService) => {
    let f = out.get(s);
    if (!f) out.set(s, (f = { service: s, dispatchedAt: null, arrivedAt: null, outcome: null, outcomeAt: null, reason: null }));
    return f;
  };
  for (const e of byTime(events)) {
    if (e.event.type === 'service.dispatched') {
      const f = get(e.event.service);
      f.dispatchedAt ??= e.at;
    } else if (e.event.type === 'service.outcome') {
      const f = get(e.event.service);
      if (e.event.outcome === 'arrived') f.arrivedAt ??= e.at;
      else {
        f.outcome = e.event.outcome;
        f.outcomeAt = e.at;
        f.reason = e.event.reason ?? null;
      }
    }
  }
  return [...out.values()];
}

/** The newest satisfaction score, and the first complex-case report. */
export function foldFeedback(events: readonly TimedEvent[]): { score: { value: number; at: string } | null; complex: { at: string; note: string | null; operatorCode: string | null } | null } {
  const ev = byTime(events);
  const scores = ofType(ev, 'satisfaction.scored');
  const s = scores[scores.length - 1];
  const c = ofType(ev, 'complex.raised')[0];
  return {
    score: s ? { value: s.event.score, at: s.at } : null,
    complex: c ? { at: c.at, note: c.event.note ?? null, operatorCode: c.event.operatorCode ?? null } : null,
  };
}

/**
 * The platform's clock offset from a batch's sentAt: received − sent, in ms, or 0 when within
 * the tolerance (network time is not a clock error). Pure.
 */
export function clockOffsetMs(sentAt: string | null, receivedAt: Date, toleranceSeconds: number): number {
  if (!sentAt) return 0;
  const offset = receivedAt.getTime() - Date.parse(sentAt);
  return Math.abs(offset) > toleranceSeconds * 1000 ? offset : 0;
}

export function shiftInstant(iso: string, offsetMs: number): string {
  return offsetMs ? new Date(Date.parse(iso) + offsetMs).toISOString() : iso;
}
