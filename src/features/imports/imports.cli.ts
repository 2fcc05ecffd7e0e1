// `npm run cli -- import <folder> --manifest <file>`: the same import as the web page, from a
// folder on this server, with a progress bar on a terminal and a summary at the end.
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { AppDeps } from '../../app-context';
import { AppError } from '../../http/errors';
import { translator } from '../../i18n';
import { ManifestError, DEFAULT_SOURCE } from './imports.manifest';
import { runFolderImport } from './imports.service';
import type { ImportRecord } from './imports.repository';
import { callsArrived } from '../facts/facts.service';

const t = translator('en');
/** Rejected rows printed; the rest are on the import's page and in its CSV. */
const PRINTED_REJECTIONS = 50;

export function importSummary(imp: ImportRecord): string {
  const lines = [
    `Import #${imp.id} (${imp.fileName}): ${t(`imports.status.${imp.status}`)}`,
    `  rows:              ${imp.totalRows}`,
    `  accepted:          ${imp.acceptedCount}`,
    `  already imported:  ${imp.alreadyCount}`,
    `  rejected:          ${imp.rejectedCount}`,
    `  recordings stored: ${imp.recordingsStored}`,
  ];
  if (imp.ignoredColumns.length) lines.push(`  ignored columns:   ${imp.ignoredColumns.join(', ')}`);
  if (imp.rejectedRows.length) {
    lines.push('Rejected rows:');
    for (const r of imp.rejectedRows.slice(0, PRINTED_REJECTIONS)) lines.push(`  row ${r.row}${r.externalId ? ` (${r.externalId})` : ''}, ${r.column}: ${t(r.key, r.params ?? {})}`);
    if (imp.rejectedRows.length > PRINTED_REJECTIONS || imp.rejectedTruncated) lines.push(`  … the full list is on /admin/imports/${imp.id} (download as CSV there).`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerImportCommand(program: Command, deps: () => Promise<AppDeps>): void {
  program
    .command('import')
    .description('import calls from a folder of recordings and a CSV/XLSX manifest (see docs/import-manifest.md)')
    .argument('<folder>', 'folder holding the recordings; recording_file names are relative to it')
    .requiredOption('--manifest <file>', 'the manifest: CSV (comma or semicolon, UTF-8) or XLSX')
    .option('--source <name>', 'calls.source for rows without a source column', DEFAULT_SOURCE)
    .action(async (folder: string, o: { manifest: string; source: string }) => {
      // Output goes where runCli points the program (tests capture it).
      const write = (s: string) => (program.configureOutput().writeOut ?? ((x: string) => process.stdout.write(x)))(s);
      const d = await deps();
      const tty = Boolean(process.stderr.isTTY);
      const bar = new SingleBar(
        { format: 'Importing |{bar}| {percentage}% | {rows} rows: {accepted} new, {already} already there, {rejected} rejected', hideCursor: true, stream: process.stderr, noTTYOutput: false },
        Presets.shades_classic,
      );
      if (tty) bar.start(100, 0, { rows: 0, accepted: 0, already: 0, rejected: 0 });
      let imp: ImportRecord;
      try {
        imp = await runFolderImport(d, {
          folder: path.resolve(folder),
          manifestPath: path.resolve(o.manifest),
          defaultSource: o.source,
          onProgress: (p) => {
            if (tty) bar.update(Math.floor(p.percent), { rows: p.totalRows, accepted: p.acceptedCount, already: p.alreadyCount, rejected: p.rejectedCount });
          },
        });
        if (tty) bar.update(100, { rows: imp.totalRows, accepted: imp.acceptedCount, already: imp.alreadyCount, rejected: imp.rejectedCount });
      } catch (e) {
        // A refused manifest or a wrong path: runCli prints the translated message and exits 1.
        if (e instanceof ManifestError) throw new AppError(400, e.key, e.params);
        throw e;
      } finally {
        if (tty) bar.stop();
      }
      // The calls' facts: computed by the app's `facts.compute` job, kicked here.
      await callsArrived(d);
      write(importSummary(imp));
      if (imp.status === 'failed') throw new AppError(400, imp.errorKey ?? 'imports.error.crashed', imp.errorParams);
    });
}
