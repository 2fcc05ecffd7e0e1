// /admin/events: events held longer than EVENTS_HOLD_MINUTES (their call never came) and operator
// codes the events named that no operator has, so an administrator can add the operator or ask the
// platform about the call. Adding the operator attaches the events within a minute.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import * as repo from './events.repository';

export function eventsAdminController(deps: AppDeps) {
  return {
    async problems(req: Request, res: Response) {
      const heldBefore = new Date(deps.clock().getTime() - deps.config.events.holdMinutes * 60000).toISOString();
      const [summary, unmatched, lastAt] = await Promise.all([repo.problemSummary(deps.db, heldBefore), repo.unmatchedEvents(deps.db, heldBefore, 200), repo.latestEventReceivedAt(deps.db)]);
      res.renderPage('events/problems', {
        title: req.t('events.problems.title'),
        summary,
        unmatched: unmatched.map((e) => ({ ...e, problemKey: e.problem ? `events.problem.${e.problem}` : null })),
        holdMinutes: deps.config.events.holdMinutes,
        lastAt,
      });
    },
  };
}
