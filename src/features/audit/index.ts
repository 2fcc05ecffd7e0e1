// The audit log's command line: `npm run cli -- audit verify` walks the hash chain (src/audit/chain.ts)
// and names the first broken link. (The audit-log page itself is the users feature's.)
import type { Command } from 'commander';
import type { Feature } from '../../app-context';
import { verifyAuditChain, type ChainCheck } from '../../audit/chain';

const REASONS = {
  unhashed: 'the row has no hash (written outside the application, or the migration that hashes old rows has not run)',
  contentChanged: 'the row was changed after it was written',
  linkBroken: 'the row before it was removed, replaced or inserted afterwards',
} as const;

/** The command's report. Pure. */
export function describeChainCheck(c: ChainCheck): string {
  if (!c.broken) return `Audit log verified: ${c.rows} row(s), every link holds${c.lastId ? ` (last #${c.lastId})` : ''}.\n`;
  return `Audit log chain broken at #${c.broken.id}: ${REASONS[c.broken.reason]}. ${c.rows} row(s) before it hold${c.lastId ? ` (up to #${c.lastId})` : ''}.\n`;
}

export class AuditChainBrokenError extends Error {}

export const auditFeature: Feature = {
  name: 'audit',
  cli(program: Command, deps) {
    const audit = program.command('audit').description('the audit log');
    audit
      .command('verify')
      .description('check the audit log hash chain and name the first broken link (exit code 1 when broken)')
      .action(async () => {
        const d = await deps();
        const check = await verifyAuditChain(d.db);
        if (check.broken) throw new AuditChainBrokenError(describeChainCheck(check).trim());
        (program.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s)))(describeChainCheck(check));
      });
  },
};
