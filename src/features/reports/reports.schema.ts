// The filters a dashboard or export request may carry, checked before anything is read.
// Unknown parameter names are refused (a typo such as ?tema=3 must not silently show everything).
import { z } from 'zod';
import type { FieldError } from '../../http/errors';
import { isIsoDate } from '../../time';
import { defaultPeriod, periodDays, type Period } from './aggregate';
import { DEFAULT_SAMPLE, SAMPLES, type Sample } from '../evaluations/purpose';

export const FILTER_NAMES = ['from', 'to', 'team', 'region', 'category', 'language', 'sample'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** Languages a call can be in (calls.language). */
export const CALL_LANGUAGES = ['uz', 'kaa', 'ru', 'en', 'sign', 'other'] as const;

export interface ReportFilters extends Period {
  teamId: number | null;
  regionId: number | null;
  category: string | null;
  language: string | null;
  /** which evaluations the figures are taken over: the random sample unless asked */
  sample: Sample;
}

const optionalId = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === '') return null;
    if (!/^[1-9]\d{0,9}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'reports.filters.unknownValue' });
      return z.NEVER;
    }
    return Number(v);
  });

const querySchema = z.object({
  from: z.string().trim().optional(),
  to: z.string().trim().optional(),
  team: optionalId.optional(),
  region: optionalId.optional(),
  category: z
    .string()
    .trim()
    .max(64, 'reports.filters.unknownValue')
    .regex(/^[\p{L}\p{N} _.-]*$/u, 'reports.filters.unknownValue')
    .optional(),
  language: z.union([z.literal(''), z.enum(CALL_LANGUAGES, 'reports.filters.unknownValue')]).optional(),
  sample: z.union([z.literal(''), z.enum(SAMPLES, 'reports.filters.unknownValue')]).optional(),
});

export type ParsedFilters = { ok: true; filters: ReportFilters } | { ok: false; errors: FieldError[] };

/**
 * Parses a request's query into filters. `today` is Tashkent's today; `maxDays` is
 * Config.maxReportDays; `extraNames` are further parameters the route accepts (none today).
 * Checks only the shape: whether a team or a category exists is the service's question.
 */
export function parseReportFilters(query: Record<string, unknown>, opts: { today: string; maxDays: number; extraNames?: readonly string[] }): ParsedFilters {
  const allowed = new Set<string>([...FILTER_NAMES, ...(opts.extraNames ?? [])]);
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.has(name)) errors.push({ field: name, key: 'reports.filters.unknownFilter', params: { name } });
    // ?team=1&team=2 arrives as an array: one value per filter.
    else if (typeof value !== 'string') errors.push({ field: name, key: 'reports.filters.unknownValue' });
  }
  if (errors.length) return { ok: false, errors };

  const parsed = querySchema.safeParse(query);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? '_'), key: i.message.startsWith('reports.') ? i.message : 'reports.filters.unknownValue' })) };
  }
  const q = parsed.data;
  const fallback = defaultPeriod(opts.today);
  const from = q.from || (q.to && isIsoDate(q.to) ? defaultPeriod(q.to).from : fallback.from);
  const to = q.to || (q.from ? opts.today : fallback.to);
  if (!isIsoDate(from)) errors.push({ field: 'from', key: 'reports.filters.badDate' });
  if (!isIsoDate(to)) errors.push({ field: 'to', key: 'reports.filters.badDate' });
  if (!errors.length) {
    if (from > to) errors.push({ field: 'from', key: 'reports.filters.fromAfterTo' });
    else if (periodDays({ from, to }) > opts.maxDays) errors.push({ field: 'to', key: 'reports.filters.tooLong', params: { max: opts.maxDays, days: periodDays({ from, to }) } });
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    filters: {
      from,
      to,
      teamId: q.team ?? null,
      regionId: q.region ?? null,
      category: q.category || null,
      language: q.language || null,
      sample: q.sample || DEFAULT_SAMPLE,
    },
  };
}

/** The query string that asks for these filters again (for export links and CSV buttons). */
export function filtersQuery(f: ReportFilters): string {
  const params = new URLSearchParams({ from: f.from, to: f.to });
  if (f.teamId) params.set('team', String(f.teamId));
  if (f.regionId) params.set('region', String(f.regionId));
  if (f.category) params.set('category', f.category);
  if (f.language) params.set('language', f.language);
  if (f.sample !== DEFAULT_SAMPLE) params.set('sample', f.sample);
  return params.toString();
}
