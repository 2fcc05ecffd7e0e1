// `npm run cli -- facts recompute [--source S] [--call ID]`: marks calls stale and computes their
// facts here and now (the same work as the `facts.compute` job), e.g. after changing a rule.
import type { Command } from 'commander';
import type { AppDeps } from '../../app-context';
import * as repo from './facts.repository';
import { drainStaleFacts } from './facts.service';

export function registerFactsCommands(program: Command, deps: () => Promise<AppDeps>): void {
  const facts = program.command('facts').description('per-call facts (answer delay, callbacks, card, talk, silence…)');
  facts
    .command('recompute')
    .description('compute the facts of every call (or of one source / one call) again, now')
    .option('--source <name>', 'only calls of this source')
    .option('--call <id>', 'only this call')
    .action(async (o: { source?: string; call?: string }) => {
      const write = (s: string) => (program.configureOutput().writeOut ?? ((x: string) => process.stdout.write(x)))(s);
      const d = await deps();
      if (o.call) await repo.markStale(d.db, [Number(o.call)]);
      else await repo.markAllStale(d.db, { source: o.source });
      const t0 = Date.now();
      const r = await drainStaleFacts(d);
      write(`Facts computed for ${r.computed} call(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${r.removed} removed call(s) cleared; ${r.analysisQueued} recording(s) queued for analysis.\n`);
    });
}
