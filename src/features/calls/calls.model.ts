// The vocabulary of a call: languages, channels, incident categories and the emergency services a
// card can be routed to. Shared by the upload form, the API, the list filters and the demo seed.

export const CALL_LANGUAGES = ['uz', 'kaa', 'ru', 'en', 'other', 'sign'] as const;
export type CallLanguage = (typeof CALL_LANGUAGES)[number];

export const CALL_CHANNELS = ['voice', 'video', 'sms', 'email'] as const;
export type CallChannel = (typeof CALL_CHANNELS)[number];

/** Incident categories (the card's incident type). `information` = non-emergency / information request. */
export const CALL_CATEGORIES = [
  'medical',
  'fire',
  'crime',
  'road_accident',
  'gas',
  'domestic_violence',
  'suicide_risk',
  'information',
  'false_call',
  'other',
] as const;
export type CallCategory = (typeof CALL_CATEGORIES)[number];

/**
 * Emergency services: 101 fire and rescue (also reached as 1050), 102 police, 103 ambulance,
 * 104 gas emergency, 1146 the women's support line. Stored comma-separated in calls.services.
 */
export const CALL_SERVICES = ['101', '102', '103', '104', '1146', 'other'] as const;
export type CallService = (typeof CALL_SERVICES)[number];

/** Service numbers that mean the same service as one in CALL_SERVICES. */
export const SERVICE_ALIASES: Record<string, CallService> = { '1050': '101' };

/** The services a call of each category is usually routed to (the demo seed follows this). */
export const CATEGORY_SERVICES: Record<CallCategory, CallService[]> = {
  medical: ['103'],
  fire: ['101'],
  crime: ['102'],
  road_accident: ['102', '103'],
  gas: ['104'],
  domestic_violence: ['102', '1146'],
  suicide_risk: ['103', '102'],
  information: ['other'], // referred to a social or information service (HELP-4)
  false_call: [],
  other: ['other'],
};

/** Normalises a list of service numbers: aliases mapped, duplicates dropped, in CALL_SERVICES order. Unknown values are returned apart. */
export function normaliseServices(values: readonly string[]): { services: CallService[]; unknown: string[] } {
  const picked = new Set<CallService>();
  const unknown: string[] = [];
  for (const raw of values) {
    const v = String(raw).trim();
    if (!v) continue;
    const s = SERVICE_ALIASES[v] ?? v;
    if ((CALL_SERVICES as readonly string[]).includes(s)) picked.add(s as CallService);
    else unknown.push(v);
  }
  return { services: CALL_SERVICES.filter((s) => picked.has(s)), unknown };
}

export function servicesToColumn(services: readonly CallService[]): string | null {
  return services.length ? services.join(',') : null;
}

export function servicesFromColumn(v: string | null | undefined): CallService[] {
  return v ? normaliseServices(v.split(',')).services : [];
}

export function isCallLanguage(v: unknown): v is CallLanguage {
  return typeof v === 'string' && (CALL_LANGUAGES as readonly string[]).includes(v);
}

export function isCallCategory(v: unknown): v is CallCategory {
  return typeof v === 'string' && (CALL_CATEGORIES as readonly string[]).includes(v);
}

/** A recording this much shorter than the call it belongs to is flagged (and at least this many seconds). */
export const SHORTFALL_SHARE = 0.9;
export const SHORTFALL_MIN_SECONDS = 5;

/**
 * Whether a recording covers much less than the call's listed duration (2:31 listed, 0:32 recorded:
 * most of the call cannot be heard, and an evaluation of it would judge what is not there). Null when
 * either length is unknown or the recording covers the call. Pure.
 */
export function recordingShortfall(listedSec: number | null | undefined, recordedSec: number | null | undefined): { listedSec: number; recordedSec: number; missingSec: number } | null {
  if (listedSec == null || recordedSec == null || !(listedSec > 0) || recordedSec < 0) return null;
  const missingSec = listedSec - recordedSec;
  if (recordedSec >= listedSec * SHORTFALL_SHARE || missingSec < SHORTFALL_MIN_SECONDS) return null;
  return { listedSec, recordedSec, missingSec };
}
