// `npm run cli -- events replay <file.ndjson> [--speed 60]`: feeds a day's events (tests, demos, a
// platform's export) through the same ingest as the API.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { AppDeps } from '../../app-context';
import { replayFile } from './replay';

export function eventsCli(program: Command, deps: () => Promise<AppDeps>): void {
  const events = program.command('events').description('call events');
  events
    .command('replay')
    .description('replay a file of call events (one JSON event per line) into the database')
    .argument('<file>', 'NDJSON file')
    .option('--speed <factor>', 'replay at this speed (60 = an hour of events in a minute); default: as fast as possible')
    .action(async (file: string, o: { speed?: string }) => {
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new Error(`No such file: ${file}`);
      const speed = o.speed === undefined ? null : Number(o.speed);
      if (speed !== null && !(Number.isFinite(speed) && speed > 0)) throw new Error('--speed must be a number above 0');
      const d = await deps();
      const report = await replayFile(d, file, {
        speed,
        onProgress: (done, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} events`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const lines = [`Replayed ${report.lines} line(s): ${report.stored} stored, ${report.duplicates} already there, ${report.held} waiting for their call, ${report.rejected.length} rejected.`];
      for (const r of report.rejected.slice(0, 20)) lines.push(`  line ${r.line}: ${r.reason}`);
      if (report.rejected.length > 20) lines.push(`  … and ${report.rejected.length - 20} more`);
      process.stdout.write(`${lines.join('\n')}\n`);
      if (report.rejected.length) process.exitCode = 1;
    });
}
