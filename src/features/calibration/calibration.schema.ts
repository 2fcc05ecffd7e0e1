// The new-session form and the page queries, parsed with zod; messages are i18n keys.
import { z } from 'zod';
import { isIsoDate } from '../../time';

/** At most this many calls in one session: every participant scores each one in full. */
export const MAX_SESSION_CALLS = 10;
export const MAX_SESSION_PARTICIPANTS = 30;

/** Form values arrive as one string or a list of them (checkboxes). */
function idList(value: unknown): number[] {
  const items = ([] as unknown[]).concat(value ?? []);
  return [...new Set(items.map((v) => Number(v)).filter((n) => Number.isInteger(n) && n > 0))];
}

export const sessionFormSchema = z.object({
  title: z.string().trim().min(1, 'calibration.form.titleRequired').max(200, 'calibration.form.tooLong'),
  notes: z.string().trim().max(2000, 'calibration.form.tooLong'),
  deadline: z.string().trim().refine((v) => isIsoDate(v), 'calibration.form.deadlineInvalid'),
  callIds: z.array(z.number().int().positive()).min(1, 'calibration.form.callsRequired').max(MAX_SESSION_CALLS, 'calibration.form.tooManyCalls'),
  participantIds: z.array(z.number().int().positive()).max(MAX_SESSION_PARTICIPANTS, 'calibration.form.tooManyParticipants'),
  expertUserId: z.number().int().positive().nullable(),
});
export type SessionForm = z.infer<typeof sessionFormSchema>;

/** The raw form body as the schema reads it (ids as numbers, blanks as empty strings). */
export function sessionFormInput(body: Record<string, unknown>) {
  const expert = Number(body.expertUserId);
  return {
    title: typeof body.title === 'string' ? body.title : '',
    notes: typeof body.notes === 'string' ? body.notes : '',
    deadline: typeof body.deadline === 'string' ? body.deadline : '',
    callIds: idList(body.callIds),
    participantIds: idList(body.participantIds),
    expertUserId: Number.isInteger(expert) && expert > 0 ? expert : null,
  };
}

export const candidateQuerySchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  category: z.string().regex(/^[a-z_]{1,64}$/).optional().catch(undefined),
  days: z.coerce.number().int().min(1).max(90).catch(14),
});
