// Forms and queries of the training pages, parsed with zod; messages are i18n keys.
import { z } from 'zod';
import { isIsoDate } from '../../time';
import { CRITERION_CODE_PATTERN } from '../rubrics/rubric.model';

export const MAX_LINKED_CRITERIA = 20;

function list(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? []).map((v) => String(v).trim()).filter(Boolean);
}

function idList(value: unknown): number[] {
  return [...new Set(list(value).map(Number).filter((n) => Number.isInteger(n) && n > 0))];
}

const isoDate = (key: string) => z.string().trim().refine((v) => isIsoDate(v), key);

export const trainingFormSchema = z.object({
  topic: z.string().trim().min(1, 'training.form.topicRequired').max(200, 'training.form.tooLong'),
  description: z.string().trim().max(4000, 'training.form.tooLong'),
  trainingDate: isoDate('training.form.dateInvalid'),
  trainer: z.string().trim().max(200, 'training.form.tooLong'),
  location: z.string().trim().max(200, 'training.form.tooLong'),
  criteria: z.array(z.string().regex(CRITERION_CODE_PATTERN, 'training.form.criterionInvalid')).max(MAX_LINKED_CRITERIA, 'training.form.tooManyCriteria'),
  participantIds: z.array(z.number().int().positive()).min(1, 'training.form.participantsRequired'),
  suggestedIds: z.array(z.number().int().positive()),
});
export type TrainingForm = z.infer<typeof trainingFormSchema>;

export function trainingFormInput(body: Record<string, unknown>) {
  return {
    topic: typeof body.topic === 'string' ? body.topic : '',
    description: typeof body.description === 'string' ? body.description : '',
    trainingDate: typeof body.trainingDate === 'string' ? body.trainingDate : '',
    trainer: typeof body.trainer === 'string' ? body.trainer : '',
    location: typeof body.location === 'string' ? body.location : '',
    criteria: [...new Set(list(body.criteria))],
    participantIds: idList(body.participantIds),
    suggestedIds: idList(body.suggestedIds),
  };
}
export type TrainingFormInput = ReturnType<typeof trainingFormInput>;

export const ruleChangeFormSchema = z.object({
  topic: z.string().trim().min(1, 'training.form.topicRequired').max(200, 'training.form.tooLong'),
  description: z.string().trim().min(1, 'training.ruleChange.descriptionRequired').max(4000, 'training.form.tooLong'),
  trainingDate: isoDate('training.form.dateInvalid'),
  criteria: z.array(z.string().regex(CRITERION_CODE_PATTERN, 'training.form.criterionInvalid')).max(MAX_LINKED_CRITERIA, 'training.form.tooManyCriteria'),
});

export function ruleChangeFormInput(body: Record<string, unknown>) {
  return {
    topic: typeof body.topic === 'string' ? body.topic : '',
    description: typeof body.description === 'string' ? body.description : '',
    trainingDate: typeof body.trainingDate === 'string' ? body.trainingDate : '',
    criteria: [...new Set(list(body.criteria))],
  };
}
export type RuleChangeFormInput = ReturnType<typeof ruleChangeFormInput>;

/** B1.03.4: relevance and clarity on 1–5, and what to improve. */
export const feedbackSchema = z.object({
  relevance: z.coerce.number({ error: 'training.feedback.ratingInvalid' }).int('training.feedback.ratingInvalid').min(1, 'training.feedback.ratingInvalid').max(5, 'training.feedback.ratingInvalid'),
  clarity: z.coerce.number({ error: 'training.feedback.ratingInvalid' }).int('training.feedback.ratingInvalid').min(1, 'training.feedback.ratingInvalid').max(5, 'training.feedback.ratingInvalid'),
  improve: z.string().trim().max(1000, 'training.form.tooLong'),
});

export function feedbackInput(body: Record<string, unknown>) {
  return {
    relevance: typeof body.relevance === 'string' && body.relevance !== '' ? body.relevance : undefined,
    clarity: typeof body.clarity === 'string' && body.clarity !== '' ? body.clarity : undefined,
    improve: typeof body.improve === 'string' ? body.improve : '',
  };
}

export function operatorIdsInput(body: Record<string, unknown>, name = 'operatorIds'): number[] {
  return idList(body[name]);
}

export function criteriaQuery(value: unknown): string[] {
  return [...new Set(list(value).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => CRITERION_CODE_PATTERN.test(v)))].slice(0, MAX_LINKED_CRITERIA);
}

export const shortcomingQuerySchema = z.object({
  from: z.string().optional().catch(undefined),
  to: z.string().optional().catch(undefined),
  team: z.coerce.number().int().positive().optional().catch(undefined),
  operator: z.coerce.number().int().positive().optional().catch(undefined),
});
export type ShortcomingQuery = z.infer<typeof shortcomingQuerySchema>;
