// `npm run cli -- backup <dir>`: an online backup of the database (SQLite) and the recordings while
// the app runs; `npm run cli -- backup-verify <dir>` checks one against its manifest. Restoring is
// described in docs/operations.md.
import type { Command } from 'commander';
import type { Feature } from '../../app-context';
import { createBackup, verifyBackup, type BackupManifest } from './backup.service';

/** The command's summary. Pure. */
export function describeBackup(dir: string, m: BackupManifest): string {
  const mb = (b: number) => (b / 1048576).toFixed(1);
  const lines = [
    `Backup written to ${dir}`,
    m.database.client === 'sqlite' ? `  database:   ${m.database.file.path} (${mb(m.database.file.size)} MB, sha256 ${m.database.file.sha256.slice(0, 16)}…)` : `  database:   ${m.database.note}`,
    `  recordings: ${m.recordings.files.length} file(s), ${mb(m.recordings.bytes)} MB (${m.recordings.linked} hard-linked, ${m.recordings.copied} copied)`,
    `  rows:       ${Object.entries(m.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '  manifest:   manifest.json (sizes and SHA-256 of every file)',
  ];
  return `${lines.join('\n')}\n`;
}

export const backupFeature: Feature = {
  name: 'backup',
  cli(program: Command, deps) {
    const write = (s: string) => (program.configureOutput().writeOut ?? ((x: string) => process.stdout.write(x)))(s);
    program
      .command('backup')
      .description('back up the database (SQLite; PostgreSQL: pg_dump) and the recordings into an empty folder, while the app runs')
      .argument('<dir>', 'a new or empty folder')
      .action(async (dir: string) => {
        const d = await deps();
        write(describeBackup(dir, await createBackup(d, dir)));
      });
    program
      .command('backup-verify')
      .description('check a backup folder against its manifest (sizes and SHA-256)')
      .argument('<dir>', 'the backup folder')
      .action(async (dir: string) => {
        const check = await verifyBackup(dir);
        if (!check.ok) throw new Error(`the backup does not match its manifest:\n  ${check.problems.slice(0, 20).join('\n  ')}`);
        write(`Backup verified: ${check.checked} file(s) match the manifest.\n`);
      });
  },
};
