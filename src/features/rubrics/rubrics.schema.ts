// Request shapes of the rubric pages, with i18n keys as messages.
import { z } from 'zod';

export const RUBRIC_NAME_MAX = 200;
export const RUBRIC_DESCRIPTION_MAX = 5000;
export const CALL_CATEGORY_MAX = 64;

const optionalText = (max: number, key: string) =>
  z.preprocess((v) => (typeof v === 'string' ? v : v == null ? '' : String(v)), z.string().trim().max(max, key))
    .transform((v) => v || null);

/** A rubric's settings: the new-rubric form and the settings form. */
export const rubricSettingsSchema = z.object({
  name: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().trim().min(1, 'rubrics.form.nameRequired').max(RUBRIC_NAME_MAX, 'rubrics.form.nameTooLong')),
  description: optionalText(RUBRIC_DESCRIPTION_MAX, 'rubrics.form.descriptionTooLong'),
  callCategory: optionalText(CALL_CATEGORY_MAX, 'rubrics.form.callCategoryTooLong'),
  isDefault: z.preprocess((v) => v === true || v === '1' || (Array.isArray(v) && v.includes('1')), z.boolean()),
});
export type RubricSettings = z.infer<typeof rubricSettingsSchema>;

export const moveSchema = z.object({
  direction: z.enum(['up', 'down']).optional(),
  toIndex: z.coerce.number().int().min(0).max(1000).optional(),
  toSection: z.string().trim().max(64).optional(),
});
