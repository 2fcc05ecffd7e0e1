// Demo check results: every demo call's checks computed from its facts (what the job would do),
// so the evaluation page shows suggestions and the agreement page has pairs after `npm start`.
import type { SeedContext } from '../../app-context';
import { drainStaleChecks } from './checks.service';

export async function seedChecks(ctx: SeedContext): Promise<void> {
  const r = await drainStaleChecks(ctx);
  ctx.log(`checks: results for ${r.computed} calls, ${r.backfilled} backfilled`);
}
