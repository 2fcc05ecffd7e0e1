// Prints the README's settings table from src/config.ts, so the two cannot drift apart
// (test/unit/config/readme.test.ts checks the README against it).
import { SETTINGS } from '../src/config';

export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]) => `| \`${name}\` | ${s.default === '' ? '—' : `\`${s.default}\``} | ${s.doc} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) process.stdout.write(`${settingsTable()}\n`);
