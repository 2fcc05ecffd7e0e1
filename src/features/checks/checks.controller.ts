// /admin/checks: for every check bound in a published rubric, how far its results agree with the
// specialists' answers on evaluated calls — so administrators know which checks to trust.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError } from '../../http/errors';
import { addDays, isIsoDate, periodDays, tashkentToday } from '../../time';
import { ALPHA_RELIABLE, ALPHA_TENTATIVE } from '../calibration/agreement';
import { listRubrics } from '../rubrics/rubrics.repository';
import { rubricDisplayName } from '../rubrics/rubrics.service';
import { CHECKS } from './catalog';
import { AGREEMENT_DEFAULT_DAYS, agreementReport } from './checks.service';

/** How far to trust a check, from Krippendorff's thresholds (as for calibration). */
export function trustLevel(alpha: number | null, n: number): 'reliable' | 'tentative' | 'poor' | 'undetermined' {
  if (alpha === null || n < 10) return 'undetermined';
  if (alpha >= ALPHA_RELIABLE) return 'reliable';
  if (alpha >= ALPHA_TENTATIVE) return 'tentative';
  return 'poor';
}

export function checksController(deps: AppDeps) {
  return {
    async agreement(req: Request, res: Response) {
      const today = tashkentToday(deps.clock);
      const q = req.query as Record<string, unknown>;
      const from = typeof q.from === 'string' && q.from ? q.from : addDays(today, -(AGREEMENT_DEFAULT_DAYS - 1));
      const to = typeof q.to === 'string' && q.to ? q.to : today;
      const errors = [];
      if (!isIsoDate(from)) errors.push({ field: 'from', key: 'reports.filters.badDate' });
      if (!isIsoDate(to)) errors.push({ field: 'to', key: 'reports.filters.badDate' });
      if (!errors.length && from > to) errors.push({ field: 'from', key: 'reports.filters.fromAfterTo' });
      if (!errors.length && periodDays({ from, to }) > deps.config.maxReportDays) errors.push({ field: 'to', key: 'reports.filters.tooLong', params: { max: deps.config.maxReportDays, days: periodDays({ from, to }) } });
      if (errors.length) throw new ValidationError(errors, 'reports.filters.invalid');
      const report = await agreementReport(deps, { from, to });
      const rubrics = new Map((await listRubrics(deps.db)).map((r) => [r.id, rubricDisplayName(r, req.lang)]));
      res.renderPage('checks/agreement', {
        title: req.t('checks.agreement.title'),
        report,
        rubrics,
        catalog: CHECKS,
        trustLevel,
        values: { from, to },
        today,
      });
    },
  };
}
