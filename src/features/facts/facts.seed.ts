// Demo facts: a few calls that show what the facts say about the unusual — offered and never
// answered, a callback attempt that did not reach the caller, a source whose recorder puts the
// operator on the right — then every demo recording analysed and every demo call's facts computed,
// so the call pages and the channel-roles page have content after `npm start`.
import type { SeedContext } from '../../app-context';
import { mulberry32, pick } from '../../random';
import { addDays, tashkentDate, tashkentToUtc, tashkentToday } from '../../time';
import * as callsRepo from '../calls/calls.repository';
import { analyseRecordingJob } from '../calls/recordings.analyse';
import * as recRepo from '../calls/recordings.repository';
import { encodeMuLawWav, storeRecording, synthesizeCall } from '../media';
import { listOperators, listRegions } from '../users/users.repository';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saveChannelRole } from './facts.repository';
import { drainStaleFacts } from './facts.service';

/** The demo source whose recorder has the operator on the right channel. */
export const SEED_SWAPPED_SOURCE = 'pbx-samarqand';

export async function seedFacts(ctx: SeedContext): Promise<void> {
  const { db, clock } = ctx;
  const rand = mulberry32(2026_12_07);
  const operators = (await listOperators(db)).filter((o) => o.isActive);
  const regions = await listRegions(db);
  const today = tashkentToday(clock);
  const now = clock();
  let abandoned = 0;
  let attempts = 0;
  let swapped = 0;
  if (operators.length && regions.length) {
    await db.transaction(async (trx) => {
      // Offered and never answered: the caller hung up while ringing.
      for (let i = 0; i < 12; i++) {
        const day = addDays(today, -Math.floor(rand() * 10));
        let started = new Date(tashkentToUtc(day, `${String(8 + Math.floor(rand() * 12)).padStart(2, '0')}:00`).getTime() + Math.floor(rand() * 3600) * 1000);
        if (started > now) started = new Date(now.getTime() - (1 + i) * 37 * 60_000);
        const ring = 8 + Math.floor(rand() * 40);
        await callsRepo.insertCall(trx, {
          source: 'telephony', externalId: `TEL-AB-${day.replace(/-/g, '')}-${String(i + 1).padStart(3, '0')}`, startedAt: started.toISOString(), answeredAt: null,
          endedAt: new Date(started.getTime() + ring * 1000).toISOString(), callDate: tashkentDate(started), durationSec: null, operatorId: null, callerNumber: `+99893${String(Math.floor(rand() * 1e7)).padStart(7, '0')}`,
          language: 'uz', channel: 'voice', category: null, services: null, regionId: pick(rand, regions).id, dropped: false, callbackOfCallId: null, recordingId: null, extra: { queueWaitSec: ring },
        }, clock);
        abandoned++;
      }
      // A dropped call's first callback attempt that nobody answered (A1.03.3: up to 3 attempts).
      const dropped = await trx('calls').where({ dropped: true }).whereNull('deleted_at').orderBy('started_at', 'desc').limit(3).select('id', 'ended_at', 'operator_id', 'caller_number', 'region_id', 'language', 'category');
      for (const [i, d] of dropped.entries()) {
        const at = new Date(Date.parse(d.ended_at) + (60 + i * 30) * 1000);
        if (at > now) continue;
        await callsRepo.insertCall(trx, {
          source: 'telephony', externalId: `TEL-CB-${tashkentDate(at).replace(/-/g, '')}-${String(i + 1).padStart(3, '0')}`, startedAt: at.toISOString(), answeredAt: null,
          endedAt: new Date(at.getTime() + 30_000).toISOString(), callDate: tashkentDate(at), durationSec: null, operatorId: d.operator_id, callerNumber: d.caller_number,
          language: d.language, channel: 'voice', category: d.category, services: null, regionId: d.region_id, dropped: false, callbackOfCallId: Number(d.id), recordingId: null, extra: { outbound: true, result: 'no-answer' },
        }, clock);
        attempts++;
      }
    });

    // A second telephony source whose recorder puts the operator on the right.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-facts-seed-'));
    try {
      for (let i = 0; i < 4; i++) {
        const call = synthesizeCall({ seed: 9100 + i, durationSec: 40 + Math.round(rand() * 30) });
        const file = path.join(tmp, `swapped-${i}.wav`);
        fs.writeFileSync(file, encodeMuLawWav([call.channels[1], call.channels[0]], call.sampleRate));
        const stored = await storeRecording(file, ctx.config.recordingsDir);
        const durationSec = call.channels[0].length / call.sampleRate;
        const recordingId =
          (await recRepo.findRecordingBySha(db, stored.sha256))?.id ??
          (await recRepo.insertRecording(db, { sha256: stored.sha256, storageKey: stored.storageKey, originalName: `samarqand-${i + 1}.wav`, sizeBytes: stored.sizeBytes, format: 'wav', codec: 'pcm_mulaw', sampleRate: 8000, channels: 2, durationSec, mimeType: 'audio/wav', hasVideo: false }, clock));
        const day = addDays(today, -i);
        let started = new Date(tashkentToUtc(day, '10:00').getTime() + Math.floor(rand() * 8 * 3600) * 1000);
        if (started > now) started = new Date(now.getTime() - (i + 1) * 3600_000);
        const answered = new Date(started.getTime() + (3 + Math.floor(rand() * 6)) * 1000);
        const op = pick(rand, operators);
        await callsRepo.insertCall(db, {
          source: SEED_SWAPPED_SOURCE, externalId: `SAM-${day.replace(/-/g, '')}-${i + 1}`, startedAt: started.toISOString(), answeredAt: answered.toISOString(),
          endedAt: new Date(answered.getTime() + durationSec * 1000).toISOString(), callDate: tashkentDate(started), durationSec, operatorId: op.id, callerNumber: `+99866${String(Math.floor(rand() * 1e7)).padStart(7, '0')}`,
          language: 'uz', channel: 'voice', category: 'medical', services: '103', regionId: regions.find((r) => r.code === 'SA')?.id ?? null, dropped: false, callbackOfCallId: null, recordingId, extra: null,
        }, clock);
        swapped++;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    await saveChannelRole(db, SEED_SWAPPED_SOURCE, 1, null, clock);
  }

  // Every demo recording analysed, then every call's facts: what the jobs would do after intake.
  const recordings = await db('recordings').whereNull('analysed_at').whereNull('analysis_error').select('id');
  let analysed = 0;
  for (const r of recordings) {
    try {
      if ((await analyseRecordingJob(ctx, Number(r.id))).analysed) analysed++;
    } catch (e) {
      ctx.log(`facts: could not analyse demo recording ${r.id}: ${(e as Error).message}`);
    }
  }
  const drained = await drainStaleFacts(ctx);
  ctx.log(`facts: ${abandoned} abandoned calls, ${attempts} unanswered callback attempts, ${swapped} calls from ${SEED_SWAPPED_SOURCE}; ${analysed} recordings analysed, facts for ${drained.computed} calls`);
}
