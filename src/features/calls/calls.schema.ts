// A call's metadata as it arrives, from the telephony API (JSON) or the browser upload form. One
// schema for both: the form is turned into the API's shape first. Messages are i18n keys.
import { z } from 'zod';
import { normalizeStrings, textProblems } from '../../http/text';
import type { FieldError } from '../../http/errors';
import { tashkentToUtc, isIsoDate } from '../../time';
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_LANGUAGES, normaliseServices, type CallService } from './calls.model';

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY_MS = 24 * 3600 * 1000;
/** Largest `extra` object accepted, as JSON. */
export const EXTRA_MAX_BYTES = 16 * 1024;

function required(invalidKey: string) {
  return { error: (iss: { input?: unknown }) => (iss.input === undefined || iss.input === null || iss.input === '' ? 'calls.metadata.required' : invalidKey) };
}

/** An instant with an explicit offset (Z or ±hh:mm), returned as ISO-8601 UTC. */
const instant = z
  .string(required('calls.metadata.instantInvalid'))
  .refine((v) => INSTANT_RE.test(v) && !Number.isNaN(Date.parse(v)), 'calls.metadata.instantInvalid')
  .transform((v) => new Date(v).toISOString());

const optionalText = (max: number, key: string, re?: RegExp) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    (re ? z.string({ error: key }).max(max, key).regex(re, key) : z.string({ error: key }).max(max, key)).optional().nullable(),
  );

export const callMetadataSchema = z
  .object({
    source: z
      .string({ error: 'calls.metadata.sourceInvalid' })
      .regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/i, 'calls.metadata.sourceInvalid')
      .default('telephony'),
    externalId: z
      .string(required('calls.metadata.externalIdInvalid'))
      .trim()
      .min(1, 'calls.metadata.required')
      .max(100, 'calls.metadata.externalIdInvalid')
      .regex(/^[^\s\u0000-\u001f\u007f]+$/, 'calls.metadata.externalIdInvalid'),
    startedAt: instant,
    answeredAt: instant.optional().nullable(),
    endedAt: instant.optional().nullable(),
    durationSec: z.number({ error: 'calls.metadata.durationInvalid' }).min(0, 'calls.metadata.durationInvalid').max(86400, 'calls.metadata.durationInvalid').optional().nullable(),
    operatorCode: z.string(required('calls.metadata.operatorInvalid')).trim().min(1, 'calls.metadata.required').max(32, 'calls.metadata.operatorInvalid'),
    callerNumber: optionalText(32, 'calls.metadata.callerNumberInvalid', /^\+?[0-9][0-9 ()-]{1,30}$/),
    language: z.enum(CALL_LANGUAGES, required('calls.metadata.languageInvalid')),
    channel: z.enum(CALL_CHANNELS, { error: 'calls.metadata.channelInvalid' }).default('voice'),
    category: z.preprocess((v) => (v === '' ? undefined : v), z.enum(CALL_CATEGORIES, { error: 'calls.metadata.categoryInvalid' }).optional().nullable()),
    services: z
      .union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()], { error: 'calls.metadata.servicesInvalid' })
      .optional()
      .nullable()
      .transform((v, ctx): CallService[] => {
        const list = v == null ? [] : Array.isArray(v) ? v.map(String) : String(v).split(',');
        const { services, unknown } = normaliseServices(list);
        if (unknown.length) ctx.addIssue({ code: 'custom', message: 'calls.metadata.servicesInvalid', params: { values: unknown.join(', ') } });
        return services;
      }),
    regionCode: optionalText(16, 'calls.metadata.regionInvalid'),
    dropped: z.boolean({ error: 'calls.metadata.droppedInvalid' }).default(false),
    callbackOfExternalId: optionalText(100, 'calls.metadata.callbackInvalid'),
    extra: z
      .record(z.string(), z.unknown(), { error: 'calls.metadata.extraInvalid' })
      .optional()
      .nullable()
      .refine((v) => v == null || Buffer.byteLength(JSON.stringify(v), 'utf8') <= EXTRA_MAX_BYTES, 'calls.metadata.extraTooLarge'),
  })
  .strict()
  .superRefine((m, ctx) => {
    const start = Date.parse(m.startedAt);
    if (m.answeredAt && Date.parse(m.answeredAt) < start) ctx.addIssue({ code: 'custom', path: ['answeredAt'], message: 'calls.metadata.beforeStart' });
    if (m.endedAt && Date.parse(m.endedAt) < start) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'calls.metadata.beforeStart' });
    // No 112 call lasts a day: a longer span is a clock or export error, refused rather than counted.
    if (m.answeredAt && Date.parse(m.answeredAt) - start > DAY_MS) ctx.addIssue({ code: 'custom', path: ['answeredAt'], message: 'calls.metadata.longerThanDay' });
    if (m.endedAt && Date.parse(m.endedAt) - start > DAY_MS) ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'calls.metadata.longerThanDay' });
  });

export type CallMetadata = z.output<typeof callMetadataSchema>;

/** Field errors from zod issues whose messages are i18n keys; unknown fields are named one by one. */
export function metadataFieldErrors(issues: z.core.$ZodIssue[]): FieldError[] {
  const out: FieldError[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ field: k, key: 'calls.metadata.unknownField', params: { field: k } });
      continue;
    }
    const key = /^[a-zA-Z]+(\.[a-zA-Z]+)+$/.test(i.message) ? i.message : 'calls.metadata.invalid';
    const params = (i as { params?: Record<string, unknown> }).params;
    out.push({ field: i.path.map(String).join('.') || 'metadata', key, ...(params ? { params } : {}) });
  }
  return out;
}

export type MetadataParse = { ok: true; value: CallMetadata } | { ok: false; fields: FieldError[] };

export function parseCallMetadata(raw: unknown): MetadataParse {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, fields: [{ field: 'metadata', key: 'calls.metadata.notObject' }] };
  const r = callMetadataSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, fields: metadataFieldErrors(r.error.issues) };
}

/** The `metadata` multipart field of the API: a JSON object. */
export function parseMetadataJson(text: unknown): MetadataParse {
  if (typeof text !== 'string' || !text.trim()) return { ok: false, fields: [{ field: 'metadata', key: 'calls.metadata.missing' }] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, fields: [{ field: 'metadata', key: 'calls.metadata.notJson' }] };
  }
  // Escaped NUL or bidi characters arrive only now, after JSON.parse (http/text.ts).
  const problems = textProblems(raw);
  if (problems.length) return { ok: false, fields: problems };
  return parseCallMetadata(normalizeStrings(raw));
}

/** The upload form's fields, as posted. */
export interface UploadFormBody {
  externalId?: string;
  startedAt?: string; // datetime-local, Tashkent wall clock: YYYY-MM-DDTHH:MM
  operatorCode?: string;
  callerNumber?: string;
  language?: string;
  channel?: string;
  category?: string;
  services?: string | string[];
  regionCode?: string;
  dropped?: string;
}

/**
 * The upload form in the API's shape. The start time is typed in Tashkent time; the external id
 * may be left empty (one is generated per file). The source is always `upload`.
 */
export function metadataFromUploadForm(b: UploadFormBody, generatedExternalId: string): Record<string, unknown> {
  const started = String(b.startedAt ?? '').trim();
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2})?$/.exec(started);
  let startedAt: string = started;
  if (m && isIsoDate(m[1])) startedAt = tashkentToUtc(m[1]!, m[2]).toISOString();
  else if (started) startedAt = 'invalid';
  const services = b.services === undefined ? [] : Array.isArray(b.services) ? b.services : [b.services];
  const out: Record<string, unknown> = {
    source: 'upload',
    externalId: String(b.externalId ?? '').trim() || generatedExternalId,
    startedAt: startedAt || undefined,
    operatorCode: String(b.operatorCode ?? '').trim() || undefined,
    callerNumber: b.callerNumber ?? '',
    language: b.language || undefined,
    channel: b.channel || 'voice',
    category: b.category ?? '',
    services,
    regionCode: b.regionCode ?? '',
    dropped: b.dropped === '1' || b.dropped === 'on' || b.dropped === 'true',
  };
  return out;
}
