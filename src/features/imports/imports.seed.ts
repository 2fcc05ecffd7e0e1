// Demo: one finished import, run for real through the import code, so the import page shows what a
// result looks like — calls accepted (a few with synthetic recordings) and the usual mistakes
// rejected with their reasons.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedContext } from '../../app-context';
import { synthesizeCallWav } from '../media';
import { addDays, tashkentToday } from '../../time';
import { folderLocator } from './imports.files';
import { toExcelCsv } from './imports.manifest';
import { executeImport } from './imports.service';
import * as repo from './imports.repository';

const CATEGORIES = ['medical', 'road_accident', 'fire', 'crime', 'medical', 'gas', 'information', 'domestic_violence'];
const SERVICES: Record<string, string> = { medical: '103', road_accident: '102;103', fire: '101', crime: '102', gas: '104', information: '', domestic_violence: '102;1146' };
const REGIONS = ['TK', 'TO', "Farg'ona viloyati", 'SA', 'AN', 'Buxoro viloyati', 'NG', 'QR'];

export async function seedDemoImport(ctx: SeedContext): Promise<void> {
  const { db, clock } = ctx;
  const operators = (await db('operators').where({ is_active: true }).orderBy('employee_code').limit(8).select('employee_code')).map((r) => r.employee_code as string);
  const admin = await db('users').where({ username: 'admin' }).first('id', 'display_name');
  if (!operators.length) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-demo-import-'));
  try {
    const day = addDays(tashkentToday(clock), -1);
    const rows: (string | number)[][] = [['external_id', 'started_at', 'ended_at', 'operator_code', 'caller_number', 'language', 'category', 'services', 'region', 'dropped', 'recording_file', 'extra.card_number']];
    for (let i = 0; i < 20; i++) {
      const minute = 8 * 60 + i * 23;
      const hh = String(Math.floor(minute / 60)).padStart(2, '0');
      const mm = String(minute % 60).padStart(2, '0');
      const len = 40 + ((i * 37) % 200);
      const end = new Date(Date.parse(`${day}T${hh}:${mm}:00+05:00`) + len * 1000).toISOString().replace('.000Z', 'Z');
      const category = CATEGORIES[i % CATEGORIES.length]!;
      let recording = '';
      if (i < 5) {
        recording = `yozuvlar/chaqiruv-${i + 1}.wav`;
        fs.mkdirSync(path.join(dir, 'yozuvlar'), { recursive: true });
        fs.writeFileSync(path.join(dir, recording), synthesizeCallWav({ seed: 500 + i, durationSec: 20 + i * 4 }));
      }
      rows.push([`demo-import-${1001 + i}`, `${day} ${hh}:${mm}:00`, end, operators[i % operators.length]!, `+99890${String(1234567 + i * 7919).slice(0, 7)}`, i % 4 === 3 ? 'ru' : 'uz', category, SERVICES[category]!, REGIONS[i % REGIONS.length]!, i % 9 === 4 ? 'yes' : 'no', recording, `K-${7700 + i}`]);
    }
    // The mistakes an export from the telephony platform usually has.
    fs.writeFileSync(path.join(dir, 'izoh.txt'), 'Bu audio emas.\n');
    rows.push(['demo-import-1021', `${day} 17:05:00`, '', 'OP-999', '+998901112233', 'uz', 'medical', '103', 'TK', 'no', '', '']);
    rows.push(['demo-import-1022', '2026-13-45 25:00', '', operators[0]!, '', 'uz', 'fire', '101', 'TK', 'no', '', '']);
    rows.push(['demo-import-1003', `${day} 17:20:00`, '', operators[1 % operators.length]!, '', 'uz', 'crime', '102', 'SA', 'no', '', '']);
    rows.push(['demo-import-1024', `${day} 17:31:00`, '', operators[2 % operators.length]!, '', 'uz', 'medical', '103', 'ZZ', 'no', '', '']);
    rows.push(['demo-import-1025', `${day} 17:44:00`, '', operators[3 % operators.length]!, '', 'uz', 'medical', '103', 'AN', 'no', 'yozuvlar/chaqiruv-99.wav', '']);
    rows.push(['demo-import-1026', `${day} 17:52:00`, '', operators[4 % operators.length]!, '', 'uz', 'fire', '101', 'NV', 'no', 'izoh.txt', '']);
    const manifest = path.join(dir, 'chaqiruvlar.csv');
    fs.writeFileSync(manifest, toExcelCsv(rows));

    const importId = await repo.insertImport(db, { fileName: `chaqiruvlar-${day}.csv`, origin: 'web', createdBy: admin ? Number(admin.id) : null, actor: admin?.display_name ?? 'admin', defaultSource: 'telephony', recordingFiles: 6 }, clock);
    const result = await executeImport(ctx, importId, { manifestPath: manifest, recordings: await folderLocator(dir), defaultSource: 'telephony' });
    ctx.log(`imports: 1 demo import (${result.acceptedCount} accepted, ${result.rejectedCount} rejected)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
