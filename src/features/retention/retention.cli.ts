// `npm run cli -- retention purge [--dry-run]`: the daily purge by hand, or what it would delete.
import type { Command } from 'commander';
import type { AppDeps } from '../../app-context';
import { planPurge, runPurge } from './retention.service';

export function registerRetentionCommand(program: Command, deps: () => Promise<AppDeps>): void {
  const write = (s: string) => (program.configureOutput().writeOut ?? ((x: string) => process.stdout.write(x)))(s);
  program
    .command('retention')
    .description('retention of recordings')
    .command('purge')
    .description('delete the recordings past their retention period now (--dry-run: only list them)')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .action(async (o: { dryRun?: boolean }) => {
      const d = await deps();
      const now = d.clock();
      if (o.dryRun) {
        const plan = await planPurge(d, now, { listLimit: 1000 });
        for (const item of plan.due) write(`would delete recording #${item.recordingId} ${item.sha256} (${item.decision.action === 'purge' ? `${item.decision.callClass}, ${item.decision.days} days` : ''}) calls ${item.calls.map((c) => c.externalId).join(', ')}\n`);
        for (const item of plan.held) write(`kept by a legal hold: recording #${item.recordingId} calls ${item.calls.map((c) => c.externalId).join(', ')}\n`);
        write(`${plan.dueCount} recording(s), ${Math.round(plan.dueBytes / 1048576)} MB would be deleted; ${plan.heldCount} kept by a legal hold.\n`);
        return;
      }
      const out = await runPurge(d, now);
      write(`${out.deleted} recording(s) deleted (${Math.round(out.bytes / 1048576)} MB); ${out.held} kept by a legal hold.\n`);
    });
}
