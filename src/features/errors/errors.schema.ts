// What the errors pages accept from a request: zod schemas whose messages are i18n keys.
import { z } from 'zod';
import { isIsoDate } from '../../time';
import { ERROR_CATEGORIES, SEVERITIES } from '../rubrics/rubric.model';
import { ACTION_TYPES, ERROR_STATUSES } from './error-status';

const optionalId = z.preprocess((v) => (v === '' || v == null ? undefined : v), z.coerce.number().int().positive().optional());
const optionalDay = z.preprocess((v) => (v === '' || v == null ? undefined : v), z.string().refine(isIsoDate, 'errors.period.invalidDate').optional());
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (v === '' || v == null ? undefined : v), z.enum(values).optional());

/** Inbox filters from the query string; anything malformed is dropped rather than refused. */
export const inboxQuerySchema = z.object({
  status: z.preprocess((v) => (v === '' || v == null ? undefined : v), z.enum(['open', 'all', ...ERROR_STATUSES]).optional()).catch(undefined),
  operator: optionalId.catch(undefined),
  team: optionalId.catch(undefined),
  category: optionalEnum(ERROR_CATEGORIES).catch(undefined),
  severity: optionalEnum(SEVERITIES).catch(undefined),
  overdue: z.preprocess((v) => v === '1' || v === 'true', z.boolean()).catch(false),
  from: optionalDay.catch(undefined),
  to: optionalDay.catch(undefined),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

export const analysisQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  team: optionalId.catch(undefined),
  operator: optionalId.catch(undefined),
  category: optionalEnum(ERROR_CATEGORIES).catch(undefined),
  severity: optionalEnum(SEVERITIES).catch(undefined),
});

export const ACTION_NOTE_MAX = 2000;
export const RESOLUTION_MAX = 4000;

/** A corrective action as the supervisor types it. Cross-field rules are in the service. */
export const actionFormSchema = z.object({
  actionType: z.enum(ACTION_TYPES, 'errors.action.typeRequired'),
  actionNote: z.string().trim().max(ACTION_NOTE_MAX, 'errors.action.noteTooLong').default(''),
  actionDue: z.string().trim().refine(isIsoDate, 'errors.action.dueInvalid'),
});

export const resolutionFormSchema = z.object({
  resolution: z.string().trim().min(1, 'errors.complex.resolutionRequired').max(RESOLUTION_MAX, 'errors.complex.resolutionTooLong'),
});

/** Ids of the errors ticked in the inbox for a bulk acknowledgement. */
export const bulkIdsSchema = z.object({
  ids: z.preprocess((v) => ([] as unknown[]).concat(v ?? []), z.array(z.coerce.number().int().positive()).min(1, 'errors.bulk.noneSelected').max(500, 'errors.bulk.tooMany')),
});
