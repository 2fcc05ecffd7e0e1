// The shapes the evaluation page sends: an autosaved draft and a submission (the same state plus
// the confirmations). zod checks the shape; the rubric rules (validateAnswers) and the audio's
// length (validateMarks) are checked by the service, which knows the rubric version and the call.
import { z } from 'zod';
import type { FieldError } from '../../http/errors';

export const NOTE_MAX = 2000;
export const COMMENT_MAX = 2000;
export const SUMMARY_MAX = 4000;
export const REASON_MAX = 1000;
export const MAX_MARKS = 500;
export const MAX_PLAYED_INTERVALS = 5000;
export const MAX_ANSWERS = 300;

const K = {
  invalid: 'evaluations.save.invalid',
  tooLong: 'evaluations.save.tooLong',
  tooMany: 'evaluations.save.tooMany',
  revision: 'evaluations.save.revisionRequired',
  markKey: 'evaluations.marks.invalidKey',
  markTimes: 'evaluations.marks.invalidTimes',
} as const;

const text = (max: number) => z.string({ error: K.invalid }).max(max, { error: K.tooLong });

const answerSchema = z.object({
  // A whole number is checked against the criterion's range by validateAnswers; anything that is
  // not a number at all is a shape error.
  value: z.number({ error: K.invalid }).nullable().default(null),
  na: z.boolean({ error: K.invalid }).default(false),
  comment: text(COMMENT_MAX).default(''),
});

const markSchema = z.object({
  key: z.string({ error: K.markKey }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: K.markKey }),
  startSec: z.number({ error: K.markTimes }),
  endSec: z.number({ error: K.markTimes }),
  note: text(NOTE_MAX).default(''),
  criterionCode: z.string({ error: K.invalid }).max(32, { error: K.invalid }).nullable().default(null),
  severity: z.string({ error: K.invalid }).max(16, { error: K.invalid }).nullable().default(null),
  isError: z.boolean({ error: K.invalid }).default(false),
});

export const draftSchema = z.object({
  revision: z.int({ error: K.revision }).min(0, { error: K.revision }),
  answers: z.record(z.string().max(32), answerSchema, { error: K.invalid })
    .refine((a) => Object.keys(a).length <= MAX_ANSWERS, { error: K.tooMany })
    .default({}),
  marks: z.array(markSchema, { error: K.invalid }).max(MAX_MARKS, { error: K.tooMany }).default([]),
  played: z.array(z.tuple([z.number(), z.number()]), { error: K.invalid }).max(MAX_PLAYED_INTERVALS, { error: K.tooMany }).default([]),
  complexCase: z.boolean({ error: K.invalid }).default(false),
  complexReason: text(REASON_MAX).default(''),
  summaryComment: text(SUMMARY_MAX).default(''),
});

export const submitSchema = draftSchema.extend({
  /** The specialist saw the "you heard less than …" question and chose to submit anyway. */
  confirmLowHeard: z.boolean().default(false),
});

export type DraftInput = z.infer<typeof draftSchema>;
export type SubmitInput = z.infer<typeof submitSchema>;

export const reopenSchema = z.object({
  reason: z.string({ error: 'evaluations.reopen.reasonRequired' }).trim().min(1, { error: 'evaluations.reopen.reasonRequired' }).max(REASON_MAX, { error: K.tooLong }),
});

export function zodFieldErrors(issues: z.core.$ZodIssue[]): FieldError[] {
  return issues.map((i) => {
    const params: Record<string, unknown> = {};
    if (i.code === 'too_big' && typeof i.maximum !== 'undefined') params.max = Number(i.maximum);
    const key = /^[a-z]+\.[A-Za-z.]+$/.test(i.message) ? i.message : K.invalid;
    return { field: i.path.map(String).join('.') || '_', key, ...(Object.keys(params).length ? { params } : {}) };
  });
}

export const LIST_STATUSES = ['open', 'draft', 'reopened', 'submitted'] as const;

export const listQuerySchema = z.object({
  status: z.enum(LIST_STATUSES).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  complex: z.enum(['1']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10000).catch(1).default(1),
});
export type ListQuery = z.infer<typeof listQuerySchema>;
