// Test data for the calls HTTP tests: recordings made at test time (the media module's synth and
// ffmpeg) into a temporary folder, an organisation with a supervisor's team, and a look into the
// recordings store to prove that refused uploads leave nothing behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Knex } from 'knex';
import { synthesizeCallWav } from '../../../src/features/media/synth';
import { resolveMediaTools } from '../../../src/features/media/ffmpeg';
import { makeOperator, makeTeam, makeUser } from '../../helpers/builders';

export function tempDir(prefix = 'sifat-calls-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A synthetic stereo mu-law call (operator left, caller right). */
export function wavFile(dir: string, name: string, durationSec = 3, seed = 7): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, synthesizeCallWav({ seed, durationSec }));
  return file;
}

export function textFile(dir: string, name: string, text = 'this is not audio, just text pretending to be a WAV\n'.repeat(20)): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

export function emptyFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.alloc(0));
  return file;
}

/** A WAV cut off in the middle of its data: the header promises more than the file holds. */
export function truncatedWav(dir: string, name: string): string {
  const full = synthesizeCallWav({ seed: 3, durationSec: 4 });
  const file = path.join(dir, name);
  fs.writeFileSync(file, full.subarray(0, Math.floor(full.length / 3)));
  return file;
}

/** A WAV whose header claims about three hours while it holds one second of audio. */
export function wavClaimingHours(dir: string, name: string): string {
  const buf = Buffer.from(synthesizeCallWav({ seed: 4, durationSec: 1 }));
  const dataOffset = buf.indexOf('data', 12, 'latin1');
  const claimed = 8000 * 2 * 3 * 3600; // 3 h of 8 kHz stereo mu-law
  buf.writeUInt32LE(claimed, dataOffset + 4);
  buf.writeUInt32LE(claimed + dataOffset, 4);
  const file = path.join(dir, name);
  fs.writeFileSync(file, buf);
  return file;
}

/** A three-channel 16-bit WAV: the browser cannot be trusted with it, so preparation makes a rendition. */
export function threeChannelWav(dir: string, name: string): string {
  const file = path.join(dir, name);
  const tools = resolveMediaTools();
  execFileSync(tools.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2:sample_rate=8000', '-filter_complex', '[0:a]asplit=3[a][b][c];[a][b][c]amerge=inputs=3', '-c:a', 'pcm_s16le', file]);
  return file;
}

/** Every regular file under the recordings store (temporary dot-files included: they must not linger either). */
export function storedFiles(recordingsDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(recordingsDir, p));
    }
  };
  walk(recordingsDir);
  return out;
}

/** Two supervisors with a team each, an operator in each team, plus the other roles. */
export async function makeOrganisation(db: Knex) {
  const supervisor = await makeUser(db, { role: 'supervisor' });
  const otherSupervisor = await makeUser(db, { role: 'supervisor' });
  const team = await makeTeam(db, { supervisorUserId: supervisor.id });
  const otherTeam = await makeTeam(db, { supervisorUserId: otherSupervisor.id });
  const operatorId = await makeOperator(db, { teamId: team, name: 'Jasur Yusupov' });
  const otherOperatorId = await makeOperator(db, { teamId: otherTeam, name: 'Madina Saidova' });
  const operatorCode = (await db('operators').where({ id: operatorId }).first('employee_code')).employee_code as string;
  const otherOperatorCode = (await db('operators').where({ id: otherOperatorId }).first('employee_code')).employee_code as string;
  const admin = await makeUser(db, { role: 'admin' });
  const specialist = await makeUser(db, { role: 'specialist' });
  const leadership = await makeUser(db, { role: 'leadership' });
  const operatorUser = await makeUser(db, { role: 'operator', operatorId });
  return { supervisor, otherSupervisor, team, otherTeam, operatorId, otherOperatorId, operatorCode, otherOperatorCode, admin, specialist, leadership, operatorUser };
}

export async function countRows(db: Knex, table: string): Promise<number> {
  const r = await db(table).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}
