// The working-time page's filters: a period of Tashkent days (the last 7 by default, at most 31)
// and a team. Only the shape is checked here; whether the viewer may see the team is the service's.
import { z } from 'zod';
import type { FieldError } from '../../http/errors';
import { addDays, isIsoDate, periodDays, type Period } from '../../time';

export const MAX_PERIOD_DAYS = 31;
export const DEFAULT_PERIOD_DAYS = 7;

export interface WorktimeFilters extends Period {
  teamId: number | null;
}

const schema = z.object({
  from: z.string().trim().optional(),
  to: z.string().trim().optional(),
  team: z
    .string()
    .trim()
    .regex(/^([1-9]\d{0,9})?$/, 'worktime.filters.unknownTeam')
    .optional(),
});

export function parseWorktimeFilters(query: Record<string, unknown>, today: string): { ok: true; filters: WorktimeFilters } | { ok: false; errors: FieldError[]; values: Record<string, string> } {
  const values = Object.fromEntries(['from', 'to', 'team'].map((k) => [k, typeof query[k] === 'string' ? (query[k] as string) : ''])) as Record<string, string>;
  const errors: FieldError[] = [];
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')));
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? '_'), key: i.message.startsWith('worktime.') ? i.message : 'worktime.filters.badDate' })), values };
  const q = parsed.data;
  const to = q.to || today;
  const from = q.from || (isIsoDate(to) ? addDays(to, -(DEFAULT_PERIOD_DAYS - 1)) : '');
  if (!isIsoDate(from)) errors.push({ field: 'from', key: 'worktime.filters.badDate' });
  if (!isIsoDate(to)) errors.push({ field: 'to', key: 'worktime.filters.badDate' });
  if (!errors.length) {
    if (from > to) errors.push({ field: 'from', key: 'worktime.filters.fromAfterTo' });
    else if (periodDays({ from, to }) > MAX_PERIOD_DAYS) errors.push({ field: 'to', key: 'worktime.filters.tooLong', params: { max: MAX_PERIOD_DAYS } });
  }
  if (errors.length) return { ok: false, errors, values };
  return { ok: true, filters: { from, to, teamId: q.team ? Number(q.team) : null } };
}
