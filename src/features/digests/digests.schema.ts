// What the digests pages accept: zod schemas whose messages are i18n keys.
import { z } from 'zod';
import { SCOPE_TYPES, type ScopeType } from './digest-content';
import { FREQUENCIES } from './digest-schedule';

/** "supervisor:12", "team:3" or "centre", as the scope select sends it. */
export function parseScope(raw: unknown): { type: ScopeType; id: number | null } | null {
  if (raw === 'centre') return { type: 'centre', id: null };
  const m = typeof raw === 'string' ? /^(supervisor|team):(\d{1,9})$/.exec(raw) : null;
  if (!m || !(SCOPE_TYPES as readonly string[]).includes(m[1])) return null;
  return { type: m[1] as ScopeType, id: Number(m[2]) };
}

export const digestFormSchema = z.object({
  scope: z.string().trim().min(1, 'digests.form.scopeRequired'),
  from: z.string().trim(),
  to: z.string().trim(),
  send: z.preprocess((v) => v === '1' || v === 'on' || v === true, z.boolean()),
});

export const scheduleFormSchema = z
  .object({
    userId: z.preprocess((v) => (v === '' || v == null ? undefined : v), z.coerce.number().int().positive().optional()),
    frequency: z.enum(['off', ...FREQUENCIES], 'digests.schedule.frequencyInvalid'),
    weekday: z.preprocess((v) => (v === '' || v == null ? undefined : v), z.coerce.number().int().min(1, 'digests.schedule.weekdayInvalid').max(7, 'digests.schedule.weekdayInvalid').optional()),
    sendTime: z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'digests.schedule.timeInvalid'),
  })
  .refine((s) => s.frequency !== 'weekly' || s.weekday !== undefined, { path: ['weekday'], message: 'digests.schedule.weekdayRequired' });
