// Demo retention: the default policies, a few calls from four to five months ago whose recordings the
// purge has deleted (their pages say when and under which policy), and one kept by a legal hold.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedContext } from '../../app-context';
import { tashkentDate } from '../../time';
import { storeRecording, synthesizeCallWav } from '../media';
import { insertCall } from '../calls/calls.repository';
import { insertRecording } from '../calls/recordings.repository';
import { ensureDefaultPolicies } from './retention.repository';
import { placeHold, runPurge } from './retention.service';

const OLD_CALLS = [
  { daysAgo: 150, category: 'information', held: false },
  { daysAgo: 131, category: 'false_call', held: false },
  { daysAgo: 118, category: 'medical', held: true },
  { daysAgo: 104, category: 'other', held: false },
  { daysAgo: 97, category: 'information', held: false },
];

export async function seedRetention(ctx: SeedContext): Promise<void> {
  const { db, config, clock } = ctx;
  await ensureDefaultPolicies(db, clock);
  const admin = await db('users').where({ role: 'admin' }).orderBy('id').first('id');
  const operators = await db('operators').where({ is_active: true }).orderBy('id').limit(OLD_CALLS.length).select('id');
  const regions = await db('regions').orderBy('id').limit(OLD_CALLS.length).select('id');
  if (!admin || !operators.length) return;
  const now = clock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-retention-seed-'));
  const heldCalls: string[] = [];
  try {
    for (const [i, c] of OLD_CALLS.entries()) {
      const durationSec = 8 + i * 3;
      const file = path.join(dir, `old-${i}.wav`);
      fs.writeFileSync(file, synthesizeCallWav({ seed: 9100 + i, durationSec }));
      const stored = await storeRecording(file, config.recordingsDir);
      const recordingId = await insertRecording(db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: `arxiv-${i + 1}.wav`, sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec, mimeType: 'audio/wav', hasVideo: false }, clock);
      const started = new Date(now.getTime() - c.daysAgo * 86_400_000 - (9 + i) * 3_600_000);
      const externalId = `TEL-${tashkentDate(started).replace(/-/g, '')}-A${String(i + 1).padStart(4, '0')}`;
      await insertCall(
        db,
        {
          source: 'telephony',
          externalId,
          startedAt: started.toISOString(),
          answeredAt: new Date(started.getTime() + 4000).toISOString(),
          endedAt: new Date(started.getTime() + 4000 + durationSec * 1000).toISOString(),
          callDate: tashkentDate(started),
          durationSec,
          operatorId: operators[i % operators.length]!.id,
          callerNumber: `+99871${String(2_000_000 + i * 7919).padStart(7, '0')}`,
          language: 'uz',
          channel: 'voice',
          category: c.category,
          services: c.category === 'medical' ? '103' : null,
          regionId: regions.length ? Number(regions[i % regions.length]!.id) : null,
          dropped: false,
          callbackOfCallId: null,
          recordingId,
          extra: null,
        },
        clock,
      );
      if (c.held) heldCalls.push(externalId);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const externalId of heldCalls) {
    await placeHold(ctx, Number(admin.id), { call: externalId, reason: "Toshkent shahar prokuraturasining 2026-yil 14-iyuldagi so'rovi (№ 12/4-871): yozuv tergov tugaguncha saqlansin." });
  }
  const out = await runPurge(ctx, now);
  ctx.log(`retention: default policies, ${out.deleted} old recordings purged, ${out.held} kept by a legal hold`);
}
