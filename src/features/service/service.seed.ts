// Demo call traffic for the Service page: 90 days of the whole queue as the telephony platform
// reports it — calls answered after a realistic ring (most within seconds, a slow tail in the
// evening peak), callers who hung up while it rang, dropped calls and their callback attempts, call
// cards with a field or two left empty, a recording on some — plus two impossible inputs a month
// that the page must leave out and say so. The history calls the reports seed imported with the
// answer time equal to the offer get a ring time too. Then every call's facts and checks, and the
// day sums. Deterministic (one seeded PRNG).
import type { Knex } from 'knex';
import type { SeedContext } from '../../app-context';
import { mulberry32, pick, weighted } from '../../random';
import { addDays, tashkentDate, tashkentToUtc, tashkentToday } from '../../time';
import { CALL_CARD_MANDATORY_FIELDS, cardCompleteness, type CardFieldValue } from '../calls/call-card';
import { insertCall, insertCallCard } from '../calls/calls.repository';
import { drainStaleChecks } from '../checks/checks.service';
import { drainStaleFacts } from '../facts/facts.service';
import { refreshServiceDays, serviceSettings } from './service.service';

export const SERVICE_SEED_DAYS = 90;
const CALLS_PER_DAY = 70;
/** Calls per hour of the day (Tashkent): quiet at night, busiest in the evening. */
const HOURLY: number[] = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 6, 6.5, 6.5, 6, 6, 6, 6, 6, 6.5, 7, 8, 8.5, 8, 6.5, 5, 3];
const CATEGORIES: [string, number][] = [['medical', 30], ['road_accident', 12], ['crime', 12], ['fire', 8], ['information', 14], ['gas', 6], ['domestic_violence', 6], ['false_call', 7], ['other', 5]];
const LANGUAGES: [string, number][] = [['uz', 74], ['ru', 18], ['kaa', 6], ['other', 2]];

/** A ring time in seconds: most calls within seconds, a tail that grows when the floor is busy. */
function ringSeconds(rand: () => number, busy: boolean): number {
  const x = rand();
  const tail = busy ? 0.12 : 0.06;
  if (x < 1 - tail - 0.03) return 2 + -Math.log(1 - rand()) * 4.5;
  if (x < 1 - 0.03) return 10 + -Math.log(1 - rand()) * 9;
  return 25 + -Math.log(1 - rand()) * 30;
}

async function giveHistoryRingTimes(db: Knex, rand: () => number): Promise<number> {
  const rows = await db('calls').where('external_id', 'like', 'HIST-%').whereRaw('answered_at = started_at').select('id', 'started_at');
  await db.transaction(async (trx) => {
    for (const r of rows as { id: number; started_at: string }[]) {
      const answered = new Date(Date.parse(r.started_at) + Math.round(ringSeconds(rand, false) * 1000));
      await trx('calls').where({ id: r.id }).update({ answered_at: answered.toISOString() });
    }
  });
  return rows.length;
}

export async function seedService(ctx: SeedContext): Promise<void> {
  const { db, clock } = ctx;
  const rand = mulberry32(2026_12_112);
  const operators = (await db('operators').where('is_active', true).select('id').orderBy('id')).map((o) => Number(o.id));
  const regions = (await db('regions').select('id').orderBy('id')).map((r) => Number(r.id));
  if (!operators.length || !regions.length) {
    ctx.log('service: no operators or regions; call traffic not seeded');
    return;
  }
  const recordings = (await db('recordings').whereNotNull('analysed_at').whereNull('analysis_error').select('id', 'duration_sec').orderBy('id').limit(40)).map((r) => ({ id: Number(r.id), durationSec: Number(r.duration_sec ?? 120) }));
  const history = await giveHistoryRingTimes(db, rand);
  const today = tashkentToday(clock);
  const now = clock();
  const hourWeights: [number, number][] = HOURLY.map((w, h) => [h, w]);
  let calls = 0;
  let callbacks = 0;
  let seq = 0;
  await db.transaction(async (trx) => {
    for (let back = SERVICE_SEED_DAYS - 1; back >= 0; back--) {
      const day = addDays(today, -back);
      const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
      const count = Math.round(CALLS_PER_DAY * (weekend ? 1.15 : 1) * (0.85 + rand() * 0.3));
      for (let i = 0; i < count; i++) {
        const hour = weighted(rand, hourWeights);
        const started = new Date(tashkentToUtc(day, `${String(hour).padStart(2, '0')}:00`).getTime() + Math.floor(rand() * 3600) * 1000);
        if (started > now) continue;
        seq++;
        const externalId = `Q-${day.replace(/-/g, '')}-${String(seq).padStart(5, '0')}`;
        const busy = hour >= 17 && hour <= 21;
        const ring = ringSeconds(rand, busy);
        const category = weighted(rand, CATEGORIES);
        const base = {
          source: 'telephony', externalId, startedAt: started.toISOString(), callDate: tashkentDate(started), callerNumber: `+99897${String(Math.floor(rand() * 1e7)).padStart(7, '0')}`,
          language: weighted(rand, LANGUAGES), channel: 'voice', category, regionId: pick(rand, regions), callbackOfCallId: null, extra: { queueWaitSec: Math.round(ring) },
        };
        // The caller hung up while it rang (more often when the wait is long).
        if (rand() < (ring > 20 ? 0.35 : 0.02)) {
          await insertCall(trx, { ...base, answeredAt: null, endedAt: new Date(started.getTime() + Math.round(ring * 1000)).toISOString(), durationSec: null, operatorId: null, services: null, dropped: false, recordingId: null }, clock);
          calls++;
          continue;
        }
        const answered = new Date(started.getTime() + Math.round(ring * 1000));
        const rec = recordings.length && rand() < 0.25 ? pick(rand, recordings) : null;
        const talk = rec ? rec.durationSec : 50 + Math.round(rand() * 300);
        const ended = new Date(answered.getTime() + talk * 1000);
        const dropped = rand() < 0.035;
        const operatorId = pick(rand, operators);
        // Two impossible inputs a month: an answer time before the offer, a duration over a day.
        const impossible = seq % 900 === 450 ? 'answeredBeforeOffered' : seq % 900 === 0 ? 'durationOver24h' : null;
        const callId = await insertCall(
          trx,
          {
            ...base,
            answeredAt: impossible === 'answeredBeforeOffered' ? new Date(started.getTime() - 40_000).toISOString() : answered.toISOString(),
            endedAt: impossible === 'durationOver24h' ? null : ended.toISOString(),
            durationSec: impossible === 'durationOver24h' ? 90_000 : talk,
            operatorId, services: category === 'medical' ? '103' : category === 'fire' ? '101' : category === 'gas' ? '104' : '102', dropped, recordingId: rec?.id ?? null,
          },
          clock,
        );
        calls++;
        if (category !== 'false_call' && rand() < 0.9) {
          const fields: Record<string, CardFieldValue> = { cardNumber: `112-${day.slice(0, 4)}-${seq}`, incidentType: category, callerPhone: base.callerNumber, address: 'Toshkent sh.', latitude: 41.31, longitude: 69.27, servicesRouted: ['103'], operatorNotes: 'Holat aniqlandi' };
          if (rand() < 0.18) fields[pick(rand, ['address', 'latitude', 'operatorNotes', 'callerPhone', 'servicesRouted'])] = null;
          if (rand() < 0.05) fields.operatorNotes = null;
          const { completeness, missing } = cardCompleteness(fields, CALL_CARD_MANDATORY_FIELDS);
          await insertCallCard(trx, { callId, xml: `<callCard><cardNumber>${String(fields.cardNumber)}</cardNumber></callCard>`, fields, completeness, missingFields: missing }, clock);
        }
        if (!dropped) continue;
        // Callbacks (A1.03.3): usually within minutes, sometimes late, sometimes never.
        const plan = rand();
        if (plan > 0.85) continue;
        let at = ended.getTime() + (plan < 0.75 ? 40 + rand() * 420 : 700 + rand() * 1500) * 1000;
        for (let attempt = 1; attempt <= 3; attempt++) {
          if (at > now.getTime()) break;
          const reached = rand() < 0.65;
          await insertCall(trx, {
            ...base, externalId: `${externalId}-CB${attempt}`, startedAt: new Date(at).toISOString(), callDate: tashkentDate(new Date(at)), answeredAt: reached ? new Date(at + 6000).toISOString() : null,
            endedAt: new Date(at + (reached ? 60_000 : 30_000)).toISOString(), durationSec: reached ? 54 : null, operatorId, services: null, dropped: false, callbackOfCallId: callId, recordingId: null, extra: { outbound: true },
          }, clock);
          callbacks++;
          if (reached) break;
          at += (90 + rand() * 120) * 1000;
        }
      }
    }
  });
  const facts = await drainStaleFacts(ctx);
  const checks = await drainStaleChecks(ctx);
  const days = await refreshServiceDays(db, addDays(today, -(ctx.config.maxReportDays - 1)), today, serviceSettings(ctx.config), clock);
  ctx.log(`service: ${calls} queue calls and ${callbacks} callback attempts over ${SERVICE_SEED_DAYS} days, ring times for ${history} history calls; facts of ${facts.computed} calls, checks of ${checks.computed}; ${days.summed.length} days summed`);
}
