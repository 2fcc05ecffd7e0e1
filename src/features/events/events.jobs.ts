// Once a minute: events whose operator code was unknown are attached to the operator once an
// administrator has added it.
import type { AppDeps } from '../../app-context';
import type { ScheduleTick } from '../../jobs/scheduler';
import { resolveLateOperators } from './apply';
import { serialised } from './event-bus';

export function resolveLateOperatorsTick(deps: AppDeps): ScheduleTick {
  return async (now) => {
    await serialised(deps.db, () =>
      deps.db.transaction(async (trx) => {
        await resolveLateOperators(trx, { now: now.toISOString(), followupDueMinutes: deps.config.followups.dueMinutes });
      }),
    );
  };
}
