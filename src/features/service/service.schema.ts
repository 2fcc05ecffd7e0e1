// The Service page's query: the report filters (period, team, region, category, language) plus
// the named service-level standard whose targets are drawn and, for supervisors, whether to look
// at their own teams or the whole service. Unknown names are refused, as on the dashboard.
import type { FieldError } from '../../http/errors';
import { parseReportFilters, filtersQuery, type ReportFilters } from '../reports/reports.schema';
import { STANDARD_NAMES, type StandardName } from './service-model';

export const SERVICE_EXTRA_PARAMS = ['standard', 'scope'] as const;

export interface ServiceQuery {
  filters: ReportFilters;
  standard: StandardName;
  /** a supervisor asked for the whole service instead of their teams */
  wholeService: boolean;
}

export type ParsedServiceQuery = { ok: true; query: ServiceQuery } | { ok: false; errors: FieldError[] };

export function parseServiceQuery(query: Record<string, unknown>, o: { today: string; maxDays: number; defaultStandard: StandardName }): ParsedServiceQuery {
  const { standard, scope, ...rest } = query;
  const errors: FieldError[] = [];
  const parsed = parseReportFilters(rest, { today: o.today, maxDays: o.maxDays });
  if (!parsed.ok) errors.push(...parsed.errors);
  if (standard !== undefined && standard !== '' && !(typeof standard === 'string' && (STANDARD_NAMES as string[]).includes(standard))) errors.push({ field: 'standard', key: 'reports.filters.unknownValue' });
  if (scope !== undefined && scope !== '' && scope !== 'teams' && scope !== 'service') errors.push({ field: 'scope', key: 'reports.filters.unknownValue' });
  if (errors.length || !parsed.ok) return { ok: false, errors };
  return { ok: true, query: { filters: parsed.filters, standard: (standard as StandardName) || o.defaultStandard, wholeService: scope === 'service' } };
}

/** The query string that asks for the same view again (export links, CSV buttons, presets). */
export function serviceQueryString(q: ServiceQuery): string {
  const params = new URLSearchParams(filtersQuery(q.filters));
  params.set('standard', q.standard);
  if (q.wholeService) params.set('scope', 'service');
  return params.toString();
}
