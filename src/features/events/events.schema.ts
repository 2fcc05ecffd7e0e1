// The call events the telephony platform and the CRM push (docs/api.md): one zod schema per type,
// a batch of them, and the canonical content an event id stands for. Messages are i18n keys.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { FieldError } from '../../http/errors';
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_LANGUAGES, normaliseServices, type CallService } from '../calls/calls.model';

export const EVENT_TYPES = [
  'call.offered',
  'call.answered',
  'call.ended',
  'callback.attempted',
  'card.created',
  'card.updated',
  'card.closed',
  'service.dispatched',
  'service.outcome',
  'satisfaction.scored',
  'complex.raised',
  'operator.state',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const END_REASONS = ['normal', 'dropped', 'transferred'] as const;
export const CALLBACK_RESULTS = ['reached', 'no_answer', 'busy', 'failed'] as const;
export const SERVICE_OUTCOMES = ['arrived', 'fulfilled', 'not_fulfilled'] as const;
export const OPERATOR_STATES = ['logged_in', 'ready', 'busy', 'break', 'logged_out'] as const;
export type OperatorState = (typeof OPERATOR_STATES)[number];

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Largest card XML inside one event. A real card is a few kilobytes. */
export const EVENT_CARD_MAX_CHARS = 256 * 1024;

const instant = z
  .string({ error: 'events.field.instantInvalid' })
  .refine((v) => INSTANT_RE.test(v) && !Number.isNaN(Date.parse(v)), 'events.field.instantInvalid')
  .transform((v) => new Date(v).toISOString());
const ref = (key: string) => z.string({ error: key }).trim().min(1, key).max(100, key).regex(/^[^\s\u0000-\u001f\u007f]+$/, key);
const code = z.string({ error: 'events.field.operatorInvalid' }).trim().min(1, 'events.field.operatorInvalid').max(32, 'events.field.operatorInvalid');
const service = z.union([z.string(), z.number()], { error: 'events.field.serviceInvalid' }).transform((v, ctx): CallService => {
  const { services } = normaliseServices([String(v)]);
  if (services.length !== 1) {
    ctx.addIssue({ code: 'custom', message: 'events.field.serviceInvalid' });
    return z.NEVER;
  }
  return services[0]!;
});
const text = (max: number, key: string) => z.string({ error: key }).max(max, key);

const base = {
  id: ref('events.field.idInvalid'),
  at: instant,
  source: z.string({ error: 'events.field.sourceInvalid' }).regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/i, 'events.field.sourceInvalid').default('telephony'),
};
const call = { ...base, callId: ref('events.field.callIdInvalid') };

const card = z.string({ error: 'events.field.xmlInvalid' }).min(1, 'events.field.xmlInvalid').max(EVENT_CARD_MAX_CHARS, 'events.field.xmlTooLarge');

export const eventSchema = z.discriminatedUnion(
  'type',
  [
    z.object({
      ...call,
      type: z.literal('call.offered'),
      callerNumber: z.string({ error: 'events.field.callerNumberInvalid' }).regex(/^\+?[0-9][0-9 ()-]{1,30}$/, 'events.field.callerNumberInvalid').optional(),
      language: z.enum(CALL_LANGUAGES, { error: 'events.field.languageInvalid' }).optional(),
      channel: z.enum(CALL_CHANNELS, { error: 'events.field.channelInvalid' }).optional(),
      category: z.enum(CALL_CATEGORIES, { error: 'events.field.categoryInvalid' }).optional(),
      regionCode: text(16, 'events.field.regionInvalid').optional(),
    }).strict(),
    z.object({ ...call, type: z.literal('call.answered'), operatorCode: code }).strict(),
    z.object({ ...call, type: z.literal('call.ended'), reason: z.enum(END_REASONS, { error: 'events.field.reasonInvalid' }) }).strict(),
    z.object({
      ...call,
      type: z.literal('callback.attempted'),
      callbackOf: ref('events.field.callbackOfInvalid'),
      operatorCode: code,
      result: z.enum(CALLBACK_RESULTS, { error: 'events.field.resultInvalid' }),
    }).strict(),
    z.object({ ...call, type: z.literal('card.created'), xml: card }).strict(),
    z.object({ ...call, type: z.literal('card.updated'), xml: card }).strict(),
    z.object({ ...call, type: z.literal('card.closed'), xml: card.optional() }).strict(),
    z.object({ ...call, type: z.literal('service.dispatched'), service }).strict(),
    z.object({
      ...call,
      type: z.literal('service.outcome'),
      service,
      outcome: z.enum(SERVICE_OUTCOMES, { error: 'events.field.outcomeInvalid' }),
      reason: text(500, 'events.field.reasonTooLong').optional(),
    }).strict(),
    z.object({ ...call, type: z.literal('satisfaction.scored'), score: z.number({ error: 'events.field.scoreInvalid' }).int('events.field.scoreInvalid').min(1, 'events.field.scoreInvalid').max(5, 'events.field.scoreInvalid') }).strict(),
    z.object({ ...call, type: z.literal('complex.raised'), operatorCode: code.optional(), note: text(1000, 'events.field.noteTooLong').optional() }).strict(),
    z.object({ ...base, type: z.literal('operator.state'), operatorCode: code, state: z.enum(OPERATOR_STATES, { error: 'events.field.stateInvalid' }) }).strict(),
  ],
  { error: 'events.field.typeInvalid' },
);

export type CallEvent = z.output<typeof eventSchema>;
export type CallEventOf<T extends EventType> = Extract<CallEvent, { type: T }>;

/** The platform's events with their place in the batch, or per-event field errors. */
export type BatchParse =
  | { ok: true; sentAt: string | null; events: { index: number; raw: Record<string, unknown>; event: CallEvent }[] }
  | { ok: false; status: 400 | 413; key: string; params?: Record<string, unknown>; errors: (FieldError & { index: number | null })[] };

/**
 * A request body: `{sentAt?, events: [...]}` or a bare array. Every event is checked; one bad
 * event refuses the whole batch (the platform fixes and resends it), so nothing half-arrives.
 */
export function parseBatch(body: unknown, maxBatch: number): BatchParse {
  const wrapped = Array.isArray(body) ? { events: body } : body;
  if (wrapped === null || typeof wrapped !== 'object') return { ok: false, status: 400, key: 'events.api.notBatch', errors: [] };
  const { events, sentAt, ...rest } = wrapped as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) return { ok: false, status: 400, key: 'events.api.notBatch', errors: unknown.map((k) => ({ index: null, field: k, key: 'events.field.unknown', params: { field: k } })) };
  if (!Array.isArray(events) || events.length === 0) return { ok: false, status: 400, key: 'events.api.notBatch', errors: [] };
  if (events.length > maxBatch) return { ok: false, status: 413, key: 'events.api.batchTooLarge', params: { max: maxBatch, count: events.length }, errors: [] };
  let sent: string | null = null;
  const errors: (FieldError & { index: number | null })[] = [];
  if (sentAt !== undefined) {
    const s = instant.safeParse(sentAt);
    if (s.success) sent = s.data;
    else errors.push({ index: null, field: 'sentAt', key: 'events.field.instantInvalid' });
  }
  const out: { index: number; raw: Record<string, unknown>; event: CallEvent }[] = [];
  events.forEach((raw, index) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push({ index, field: '_', key: 'events.field.notObject' });
      return;
    }
    const r = eventSchema.safeParse(raw);
    if (r.success) out.push({ index, raw: raw as Record<string, unknown>, event: r.data });
    else errors.push(...eventFieldErrors(r.error.issues, index));
  });
  if (errors.length) return { ok: false, status: 400, key: 'events.api.invalid', errors };
  return { ok: true, sentAt: sent, events: out };
}

function eventFieldErrors(issues: z.core.$ZodIssue[], index: number): (FieldError & { index: number })[] {
  const out: (FieldError & { index: number })[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ index, field: k, key: 'events.field.unknown', params: { field: k } });
      continue;
    }
    const key = /^[a-zA-Z]+(\.[a-zA-Z]+)+$/.test(i.message) ? i.message : i.path[0] === 'type' ? 'events.field.typeInvalid' : 'events.field.invalid';
    out.push({ index, field: i.path.map(String).join('.') || 'type', key });
  }
  return out;
}

/**
 * What an event id stands for: the event's own fields with keys sorted (JSON key order and the
 * batch's sentAt do not matter), hashed. A repeat with the same hash is the same event. Pure.
 */
export function contentHash(raw: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(canonicalJson(raw)).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Events that concern a call (everything but operator states). */
export function isCallEvent(e: CallEvent): e is Exclude<CallEvent, { type: 'operator.state' }> {
  return e.type !== 'operator.state';
}

/** Events that can bring a call into being: the rest wait (are held) until their call is known. */
export function createsCall(e: CallEvent): boolean {
  return e.type === 'call.offered' || e.type === 'callback.attempted';
}
