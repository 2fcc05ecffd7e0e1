// Demo calls: about two weeks of calls ending today (Tashkent days) across the seeded operators,
// regions, languages and incident categories, with recordings and call cards. Deterministic: one
// seeded PRNG drives every choice (dates follow the clock). To keep the disk small, ~40 distinct
// synthetic stereo recordings (operator left, caller right) are shared between the calls — the
// content-addressed store keeps each once. A handful are prepared right here so the first call
// pages open ready; the rest are prepared when a call is opened or drawn into a plan. Two
// sign-language calls are video (one with sound in a format Chrome needs a rendition for, one
// without sound), made with ffmpeg at seed time and prepared here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedContext } from '../../app-context';
import { addDays, tashkentDate, tashkentToUtc, tashkentToday } from '../../time';
import { storeRecording, synthesizeCallWav } from '../media';
import { mulberry32, pick, weighted } from '../../random';
import { listOperators, listRegions } from '../users/users.repository';
import { CATEGORY_SERVICES, servicesToColumn, type CallCategory, type CallLanguage, type CallService } from './calls.model';
import { parseCallCard } from './call-card';
import * as repo from './calls.repository';
import * as recRepo from './recordings.repository';
import { mediaTools, prepareRecording } from './recordings.service';
import { synthesizeVideoCall, type SyntheticVideoKind } from '../media/synth-video';

export const SEED_DAYS = 14;
export const SEED_CALLS = 350;
export const SEED_RECORDING_POOL = 40;
/** Recordings prepared at seed time (those of the newest calls). */
export const SEED_PREPARED = 6;

const CATEGORY_WEIGHTS: [CallCategory, number][] = [
  ['medical', 30],
  ['road_accident', 12],
  ['crime', 12],
  ['fire', 8],
  ['information', 14],
  ['gas', 6],
  ['domestic_violence', 6],
  ['false_call', 7],
  ['suicide_risk', 3],
  ['other', 2],
];

/** Calls per hour of the Tashkent day: quiet at night, busiest late morning and evening. */
const HOUR_WEIGHTS = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 7, 8, 8, 8, 7, 7, 7, 7, 8, 9, 9, 8, 7, 5, 4, 3];

/** Approximate centres (lat, lon) of the 14 regions, by code, for card coordinates. */
const REGION_CENTRES: Record<string, [number, number]> = {
  QR: [42.46, 59.6], AN: [40.78, 72.34], BU: [39.77, 64.42], JI: [40.12, 67.84], QA: [38.86, 65.79], NV: [40.1, 65.37], NG: [41.0, 71.67],
  SA: [39.65, 66.96], SU: [37.22, 67.28], SI: [40.49, 68.78], TO: [41.0, 69.5], FA: [40.38, 71.79], XO: [41.55, 60.63], TK: [41.31, 69.28],
};
const REGION_WEIGHTS: Record<string, number> = { TK: 22, TO: 10, SA: 9, FA: 9, AN: 8, NG: 7, QA: 7, SU: 6, BU: 5, XO: 5, QR: 5, JI: 3, NV: 3, SI: 2 };

const STREETS = ["Amir Temur shoh ko'chasi", "Navoiy ko'chasi", "Bunyodkor shoh ko'chasi", "Mustaqillik ko'chasi", "Bog'ishamol ko'chasi", "Yangi hayot ko'chasi", "Istiqlol ko'chasi", "Do'stlik ko'chasi", "Sharq ko'chasi", "Mirobod ko'chasi"];
const CALLER_NAMES = ['Mavluda Ergasheva', 'Bahodir Tojiyev', 'Nodira Xasanova', 'Olim Rajabov', 'Gulchehra Nazarova', 'Shavkat Mirzayev', 'Dilbar Yo\'ldosheva', 'Rustam Qosimov', 'Ольга Ким', 'Азамат Жумабаев', 'Aynur Bekmuratova', 'Jahongir Sultonov'];
const DESCRIPTIONS: Record<CallCategory, string[]> = {
  medical: ['Keksa ayol hushidan ketgan, nafas olyapti.', "Bolada yuqori harorat va tutqanoq.", "Erkak ko'kragida kuchli og'riq."],
  fire: ["Ko'p qavatli uyning 3-qavatidan tutun chiqyapti.", "Hovlidagi omborxona yonmoqda."],
  crime: ["Do'kondan o'g'irlik, gumondor qochib ketgan.", "Ko'chada janjal, pichoq ko'rsatildi."],
  road_accident: ["Ikki yengil avtomobil to'qnashdi, bir kishi jarohatlangan.", "Piyoda urib ketilgan, haydovchi joyida."],
  gas: ["Podyezdda gaz hidi kuchli.", "Gaz ballonidan sizib chiqish."],
  domestic_violence: ["Qo'shni xonadondan qichqiriq, ayol yordam so'ramoqda.", "Ayol eri tomonidan kaltaklanganini aytdi."],
  suicide_risk: ["Yigit ko'prikda turibdi, o'zini tashlamoqchi.", "Chaqiruvchi o'z joniga qasd qilish fikrini aytdi."],
  information: ["Navbatchi dorixona manzilini so'radi.", "Elektr uzilishi haqida ma'lumot so'radi."],
  false_call: ["Bola o'ynab qo'ng'iroq qildi.", "Chaqiruvchi javob bermadi, so'kindi."],
  other: ["Adashgan it ko'chada bolalarga tashlanmoqda.", "Liftda odam qolib ketgan."],
};
const NOTES = ["Chaqiruvchiga birinchi yordam bo'yicha ko'rsatma berildi.", "Brigada yo'lda, chaqiruvchi kutib turadi.", "Manzil xaritada tekshirildi.", "Chaqiruvchi tinchlantirildi, qayta qo'ng'iroq qilish aytildi.", "Supervayzerga xabar berildi."];

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface CardData {
  cardNumber: string;
  createdAt: string;
  operatorCode: string;
  callerName: string;
  callerPhone: string;
  category: CallCategory;
  description: string;
  victims: number;
  regionCode: string;
  address: string;
  lat: number;
  lon: number;
  services: CallService[];
  notes: string;
  /** Mandatory parts left out, to give the completeness check something to find. */
  omit: Set<string>;
}

/** A call card in the documented sample format (docs/call-card.md). */
export function demoCardXml(c: CardData): string {
  const o = c.omit;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<CallCard version="1.0" standard="A1.02.3">',
    `  <CardNumber>${xmlEscape(c.cardNumber)}</CardNumber>`,
    `  <CreatedAt>${c.createdAt}</CreatedAt>`,
    `  <Operator code="${xmlEscape(c.operatorCode)}"/>`,
    '  <Caller>',
    `    <Name>${xmlEscape(c.callerName)}</Name>`,
    o.has('callerPhone') ? '    <Phone/>' : `    <Phone>${xmlEscape(c.callerPhone)}</Phone>`,
    '  </Caller>',
    '  <Incident>',
    `    <Type>${c.category}</Type>`,
    `    <Description>${xmlEscape(c.description)}</Description>`,
    `    <Victims>${c.victims}</Victims>`,
    '  </Incident>',
    '  <Location>',
    `    <Region>${c.regionCode}</Region>`,
    o.has('address') ? '' : `    <Address>${xmlEscape(c.address)}</Address>`,
    o.has('coordinates') ? '' : `    <Coordinates lat="${c.lat.toFixed(5)}" lon="${c.lon.toFixed(5)}"/>`,
    '  </Location>',
    '  <Dispatch>',
    ...(o.has('services') ? [] : c.services.map((s) => `    <Service code="${s}"/>`)),
    '  </Dispatch>',
    o.has('notes') ? '' : `  <OperatorNotes>${xmlEscape(c.notes)}</OperatorNotes>`,
    '</CallCard>',
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

/** The demo's sign-language video calls: what kind of file, and how long. */
const SIGN_VIDEOS: { kind: SyntheticVideoKind; durationSec: number; name: string }[] = [
  { kind: 'mp4-mpeg4', durationSec: 48, name: 'demo-sign-1.mp4' },
  { kind: 'mp4-h264-silent', durationSec: 36, name: 'demo-sign-2.mp4' },
];

/** Makes and stores the sign-language videos; none (and a line in the log) when ffmpeg cannot. */
async function seedSignVideos(ctx: SeedContext): Promise<{ id: number; durationSec: number }[]> {
  const { db, config, clock } = ctx;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-seed-video-'));
  const out: { id: number; durationSec: number }[] = [];
  try {
    const tools = mediaTools(config);
    for (const [i, v] of SIGN_VIDEOS.entries()) {
      const sound = path.join(dir, `sound-${i}.wav`);
      fs.writeFileSync(sound, synthesizeCallWav({ seed: 9100 + i, durationSec: v.durationSec }));
      const file = path.join(dir, v.name);
      await synthesizeVideoCall(tools, file, { kind: v.kind, durationSec: v.durationSec, audioFile: sound });
      const stored = await storeRecording(file, config.recordingsDir);
      const existing = await recRepo.findRecordingBySha(db, stored.sha256);
      const silent = v.kind.endsWith('-silent');
      const id = existing?.id ?? (await recRepo.insertRecording(db, {
        sha256: stored.sha256, storageKey: stored.storageKey, originalName: v.name, sizeBytes: stored.sizeBytes,
        format: 'mp4', codec: silent ? 'none' : 'aac', sampleRate: silent ? 0 : 8000, channels: silent ? 0 : 2,
        durationSec: v.durationSec, mimeType: 'video/mp4', hasVideo: true,
      }, clock));
      out.push({ id, durationSec: v.durationSec });
    }
  } catch (e) {
    ctx.log(`calls: no demo video calls (${(e as Error).message})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export async function seedCalls(ctx: SeedContext): Promise<void> {
  const { db, config, clock } = ctx;
  const rand = mulberry32(112_2026);
  const operators = await listOperators(db);
  const regions = await listRegions(db);
  if (!operators.length || !regions.length) return;
  const now = clock();
  const today = tashkentToday(clock);

  // ---- the recording pool ----
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-seed-'));
  const pool: { id: number; durationSec: number }[] = [];
  try {
    for (let i = 0; i < SEED_RECORDING_POOL; i++) {
      const durationSec = Math.round(25 + rand() * 65);
      const file = path.join(tmpDir, `pool-${i}.wav`);
      fs.writeFileSync(file, synthesizeCallWav({ seed: 5000 + i, durationSec }));
      const stored = await storeRecording(file, config.recordingsDir);
      fs.rmSync(file, { force: true });
      const existing = await recRepo.findRecordingBySha(db, stored.sha256);
      const id =
        existing?.id ??
        (await recRepo.insertRecording(
          db,
          {
            sha256: stored.sha256,
            storageKey: stored.storageKey,
            originalName: `demo-${String(i + 1).padStart(2, '0')}.wav`,
            sizeBytes: stored.sizeBytes,
            format: 'wav',
            codec: 'pcm_mulaw',
            sampleRate: 8000,
            channels: 2,
            durationSec,
            mimeType: 'audio/wav',
            hasVideo: false,
          },
          clock,
        ));
      pool.push({ id, durationSec });
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  const shortPool = pool.filter((p) => p.durationSec <= 45);
  const signVideos = await seedSignVideos(ctx);

  // ---- the calls ----
  const activeOps = operators.filter((o) => o.isActive);
  const regionWeights = regions.map((r) => [r, REGION_WEIGHTS[r.code] ?? 3] as const);
  const firstDay = addDays(today, -(SEED_DAYS - 1));
  let seq = 0;
  let signCalls = 0;
  const created: { id: number; recordingId: number; startedAt: string }[] = [];

  await db.transaction(async (trx) => {
    for (let n = 0; n < SEED_CALLS; n++) {
      // Spread evenly over the days, then a time of day by the hourly weights; today only up to now.
      const day = addDays(firstDay, Math.floor((n / SEED_CALLS) * SEED_DAYS));
      const hour = weighted(rand, HOUR_WEIGHTS.map((w, h) => [h, w] as const));
      let started = new Date(tashkentToUtc(day, `${String(hour).padStart(2, '0')}:00`).getTime() + Math.floor(rand() * 3600) * 1000);
      if (started > now) started = new Date(now.getTime() - Math.floor(rand() * 6 * 3600 + 600) * 1000);

      const op = pick(rand, activeOps);
      const region = weighted(rand, regionWeights);
      const category = weighted(rand, CATEGORY_WEIGHTS);
      let language: CallLanguage = weighted<CallLanguage>(rand, [['uz', 74], ['ru', 18], ['kaa', region.code === 'QR' ? 40 : 3], ['en', 1], ['other', 1]]);
      if (language === 'kaa' && !op.languages.includes('kaa') && region.code !== 'QR') language = 'uz';
      let channel: 'voice' | 'video' = 'voice';
      let signVideo: { id: number; durationSec: number } | undefined;
      if (signCalls < 2 && n % 150 === 77) {
        language = 'sign';
        channel = 'video';
        signVideo = signVideos[signCalls];
        signCalls++;
      }
      let services: CallService[] = [...CATEGORY_SERVICES[category]];
      if (category === 'road_accident' && rand() < 0.25) services = ['101', ...services];
      if (category === 'gas' && rand() < 0.3) services = ['101', ...services];
      const dropped = rand() < 0.08;
      const rec = signVideo ?? (dropped && shortPool.length ? pick(rand, shortPool) : pick(rand, pool));
      const ring = 2 + Math.floor(rand() * 10);
      const answered = new Date(started.getTime() + ring * 1000);
      const ended = new Date(answered.getTime() + rec.durationSec * 1000);
      const callerNumber = `+99890${String(Math.floor(rand() * 10_000_000)).padStart(7, '0')}`;
      seq++;
      const externalId = `TEL-${day.replace(/-/g, '')}-${String(seq).padStart(5, '0')}`;
      const callId = await repo.insertCall(
        trx,
        {
          source: 'telephony',
          externalId,
          startedAt: started.toISOString(),
          answeredAt: answered.toISOString(),
          endedAt: ended.toISOString(),
          callDate: tashkentDate(started),
          durationSec: rec.durationSec,
          operatorId: op.id,
          callerNumber,
          language,
          channel,
          category,
          services: servicesToColumn(services),
          regionId: region.id,
          dropped,
          callbackOfCallId: null,
          recordingId: rec.id,
          extra: { trunk: `E1-${1 + Math.floor(rand() * 8)}`, queueWaitSec: ring },
        },
        clock,
      );
      created.push({ id: callId, recordingId: rec.id, startedAt: started.toISOString() });

      if (category !== 'false_call') {
        const centre = REGION_CENTRES[region.code] ?? [41.3, 69.3];
        const omit = new Set<string>();
        // About one card in five misses a mandatory part.
        if (rand() < 0.2) omit.add(pick(rand, ['address', 'coordinates', 'notes', 'services', 'callerPhone']));
        if (rand() < 0.05) omit.add(pick(rand, ['address', 'notes']));
        const xml = demoCardXml({
          cardNumber: `112-${region.code}-${day.slice(0, 4)}-${String(seq).padStart(6, '0')}`,
          createdAt: answered.toISOString(),
          operatorCode: op.employeeCode,
          callerName: pick(rand, CALLER_NAMES),
          callerPhone: callerNumber,
          category,
          description: pick(rand, DESCRIPTIONS[category]),
          victims: ['medical', 'road_accident', 'suicide_risk', 'domestic_violence'].includes(category) ? 1 + Math.floor(rand() * 2) : 0,
          regionCode: region.code,
          address: `${region.names.uz}, ${pick(rand, STREETS)}, ${1 + Math.floor(rand() * 120)}-uy`,
          lat: centre[0] + (rand() - 0.5) * 0.2,
          lon: centre[1] + (rand() - 0.5) * 0.2,
          services,
          notes: pick(rand, NOTES),
          omit,
        });
        const card = parseCallCard(xml);
        await repo.insertCallCard(trx, { callId, xml, fields: card.fields, completeness: card.completeness, missingFields: card.missingFields }, clock);
      }

      if (dropped) {
        // The operator calls back a few minutes later (A1.03.3): a short call of its own.
        const back = pick(rand, shortPool.length ? shortPool : pool);
        const cbStart = new Date(ended.getTime() + (2 + Math.floor(rand() * 6)) * 60_000);
        if (cbStart < now) {
          seq++;
          const cbId = await repo.insertCall(
            trx,
            {
              source: 'telephony',
              externalId: `TEL-${tashkentDate(cbStart).replace(/-/g, '')}-${String(seq).padStart(5, '0')}`,
              startedAt: cbStart.toISOString(),
              answeredAt: new Date(cbStart.getTime() + 6000).toISOString(),
              endedAt: new Date(cbStart.getTime() + 6000 + back.durationSec * 1000).toISOString(),
              callDate: tashkentDate(cbStart),
              durationSec: back.durationSec,
              operatorId: op.id,
              callerNumber,
              language,
              channel: 'voice',
              category,
              services: servicesToColumn(services),
              regionId: region.id,
              dropped: false,
              callbackOfCallId: callId,
              recordingId: back.id,
              extra: { outbound: true },
            },
            clock,
          );
          created.push({ id: cbId, recordingId: back.id, startedAt: cbStart.toISOString() });
        }
      }
    }
  });

  // Prepare the recordings of the newest calls now, directly (not through the queue).
  const newest = [...created].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const toPrepare = [...new Set([...signVideos.map((v) => v.id), ...newest.map((c) => c.recordingId).slice(0, SEED_PREPARED)])];
  for (const id of toPrepare) {
    try {
      await prepareRecording(ctx, id);
    } catch (e) {
      ctx.log(`calls: could not prepare demo recording ${id}: ${(e as Error).message}`);
    }
  }
  ctx.log(`calls: ${created.length} calls over ${SEED_DAYS} days, ${pool.length} recordings (${toPrepare.length} prepared)`);
}
