// One Tashkent day's Service sums, per part, from that day's calls and their facts — and a
// period's sums from its days' stored parts. Parts: the whole service ('all'), each team (the
// operator's current team), each region, incident category and call language; each part holds
// the day's total, its breakdowns by hour, operator, region, category and language, the answer-
// time and review-lag histograms, the card fields left empty and the check outcomes. A viewer's
// period is then a few hundred stored rows however many calls it covers. Pure: no database.
import { BAD_INPUT_FLAGS, type AnswerState, type AudioState, type FactFlag } from '../facts/facts.model';
import type { CheckOutcome } from '../checks/rules';
import {
  ANSWER_BUCKETS, K, LAG_BUCKETS, MAX_THRESHOLDS, VECTOR_LENGTH, addStoredBuckets, addToHistogram, addVec, answerBucket, denseHistogram, emptyVec, lagBucket, trimVec, type Histogram, type Vec,
} from './kpi';

/** A dropped call counts as called back when reached in at most this many attempts (A1.03.3). */
export const CALLBACK_MAX_ATTEMPTS = 3;
/** APCO/NENA ANS 1.107.1: evaluations within 5 days of the call. */
export const REVIEW_WITHIN_DAYS = 5;
/** Bumped when the stored form or a rule of the sums changes: stored days of another format are summed again. */
export const SUMS_FORMAT = 1;

export interface ServiceSettings {
  /** answer-time thresholds the service level is counted at, seconds, ascending (1–4) */
  answerSeconds: readonly number[];
  /** a dropped call's callback counts within this many minutes */
  callbackMinutes: number;
}

/** What the stored sums were counted with: days counted otherwise are summed again. */
export function sumsSpec(s: ServiceSettings): string {
  return `v${SUMS_FORMAT};t=${s.answerSeconds.join(',')};cb=${s.callbackMinutes}`;
}

export interface CallFactsForSums {
  answerState: AnswerState;
  answerDelaySec: number | null;
  durationSec: number | null;
  dropped: boolean;
  firstCallbackSec: number | null;
  reachedCallbackSec: number | null;
  attemptsToReach: number | null;
  cardPresent: boolean;
  cardComplete: boolean | null;
  cardMissingFields: string[];
  reviewLagSec: number | null;
  audioState: AudioState;
  talkSec: number | null;
  holdCount: number | null;
  holdTotalSec: number | null;
  silenceTotalSec: number | null;
  talkOverSec: number | null;
  greetingLatencySec: number | null;
  flags: FactFlag[];
}

/** One inbound call of the day as the sums read it (callbacks and deleted calls are not read). */
export interface SumsCall {
  id: number;
  /** Tashkent hour of the offer, 0..23 */
  hour: number;
  operatorId: number | null;
  teamId: number | null;
  regionId: number | null;
  category: string | null;
  language: string | null;
  /** null: not computed yet */
  facts: CallFactsForSums | null;
  checks: [string, CheckOutcome][];
}

type Key = number | string | null;
/** [key, ...vector] */
type KeyedVec = [Key, ...number[]];

/** A part of one day, as stored (JSON). Vectors drop their trailing zeros. */
export interface ServiceDaySums {
  /** the part's total */
  t: number[];
  /** per Tashkent hour */
  h: KeyedVec[];
  /** per operator, region, category, language */
  o: KeyedVec[];
  r: KeyedVec[];
  k: KeyedVec[];
  l: KeyedVec[];
  /** answer-time histogram: [bucket, calls, sum of seconds] */
  a: [number, number, number][];
  /** review-lag histogram: [hour bucket, calls, sum of seconds] */
  g: [number, number, number][];
  /** card fields left empty: [field, cards] */
  f: [string, number][];
  /** check outcomes: [key, pass, fail, N/A, unknown] */
  c: [string, number, number, number, number][];
}

export const OUTCOME_INDEX: Record<CheckOutcome, number> = { pass: 0, fail: 1, na: 2, unknown: 3 };

const BAD_INPUT: ReadonlySet<string> = new Set(BAD_INPUT_FLAGS);
const BAD_ANSWER: ReadonlySet<string> = new Set(['answeredBeforeOffered', 'answerDelayOver24h']);
const BAD_DURATION: ReadonlySet<string> = new Set(['endedBeforeAnswered', 'durationNegative', 'durationOver24h']);

export interface Contribution {
  /** the call's vector (dense) and the positions that are not zero */
  vec: Float64Array;
  nonzero: number[];
  answerSec: number | null;
  reviewLagSec: number | null;
  missingFields: string[];
}

/**
 * What one call adds to every sum it belongs to. Impossible inputs never reach an average: the
 * facts already gave them null with a flag, and they are counted apart (delayBad, durBad), so the
 * page can say how many were left out. Pure.
 */
export function contributionOf(call: SumsCall, s: ServiceSettings): Contribution {
  const vec = new Float64Array(VECTOR_LENGTH);
  const nonzero: number[] = [];
  const add = (i: number, v = 1) => {
    if (vec[i] === 0) nonzero.push(i);
    vec[i] += v;
  };
  const f = call.facts;
  if (!f) {
    add(K.noFacts);
    return { vec, nonzero, answerSec: null, reviewLagSec: null, missingFields: [] };
  }
  add(K.offered);
  if (f.flags.length && f.flags.some((x) => BAD_INPUT.has(x))) add(K.badInput);
  let answerSec: number | null = null;
  let reviewLagSec: number | null = null;
  if (f.answerState === 'abandoned') add(K.abandoned);
  else if (f.answerState === 'unknown') add(K.unfinished);
  else {
    add(K.answered);
    if (f.answerDelaySec !== null) {
      answerSec = f.answerDelaySec;
      add(K.delayN);
      add(K.delaySum, answerSec);
      for (let i = 0; i < s.answerSeconds.length; i++) if (answerSec <= s.answerSeconds[i]!) add(K.within + i);
    } else if (f.flags.some((x) => BAD_ANSWER.has(x))) add(K.delayBad);
    else add(K.delayMissing);
    if (f.durationSec !== null) {
      add(K.durN);
      add(K.durSum, f.durationSec);
    } else if (f.flags.some((x) => BAD_DURATION.has(x))) add(K.durBad);
    if (f.reviewLagSec !== null) {
      reviewLagSec = f.reviewLagSec;
      add(K.reviewed);
      if (reviewLagSec <= REVIEW_WITHIN_DAYS * 86400) add(K.reviewedIn5d);
    }
  }
  if (f.dropped) {
    const window = s.callbackMinutes * 60;
    add(K.dropped);
    if (f.reachedCallbackSec !== null && f.reachedCallbackSec <= window && (f.attemptsToReach ?? Infinity) <= CALLBACK_MAX_ATTEMPTS) add(K.cbReached);
    if (f.firstCallbackSec !== null && f.firstCallbackSec <= window) add(K.cbAttempted);
  }
  if (f.cardPresent) {
    add(K.cardPresent);
    if (f.cardComplete) add(K.cardComplete);
  }
  if (f.audioState === 'measured') {
    add(K.measured);
    add(K.talkSum, f.talkSec ?? 0);
    add(K.holdSum, f.holdTotalSec ?? 0);
    add(K.silenceSum, f.silenceTotalSec ?? 0);
    if ((f.holdCount ?? 0) > 0) add(K.holdCalls);
    if (f.talkOverSec !== null) {
      add(K.overN);
      add(K.overSum, f.talkOverSec);
    }
    if (f.greetingLatencySec !== null) {
      add(K.greetN);
      add(K.greetSum, f.greetingLatencySec);
    }
  }
  return { vec, nonzero, answerSec, reviewLagSec, missingFields: f.cardPresent && f.cardComplete === false ? f.cardMissingFields : [] };
}

function cell(map: Map<Key, Vec>, key: Key): Vec {
  let v = map.get(key);
  if (!v) map.set(key, (v = emptyVec()));
  return v;
}

/** Typed cells while a day is summed: 60,000 calls × 5 parts × 6 cells each, in a tight loop. */
function typedCell(map: Map<Key, Float64Array>, key: Key): Float64Array {
  let v = map.get(key);
  if (!v) map.set(key, (v = new Float64Array(VECTOR_LENGTH)));
  return v;
}

function applyAdds(v: Float64Array, c: Contribution): void {
  const idx = c.nonzero;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    v[i] += c.vec[i]!;
  }
}

/** A part of one day while it is being summed. `operators`: keep the per-operator breakdown. */
class PartSums {
  constructor(private readonly operators = true) {}

  t = new Float64Array(VECTOR_LENGTH);
  h = new Map<Key, Float64Array>();
  o = new Map<Key, Float64Array>();
  r = new Map<Key, Float64Array>();
  k = new Map<Key, Float64Array>();
  l = new Map<Key, Float64Array>();
  a: Histogram = new Map();
  g: Histogram = new Map();
  f = new Map<string, number>();
  c = new Map<string, [number, number, number, number]>();

  add(call: SumsCall, c: Contribution): void {
    applyAdds(this.t, c);
    applyAdds(typedCell(this.h, call.hour), c);
    if (this.operators) applyAdds(typedCell(this.o, call.operatorId), c);
    applyAdds(typedCell(this.r, call.regionId), c);
    applyAdds(typedCell(this.k, call.category), c);
    applyAdds(typedCell(this.l, call.language), c);
    if (c.answerSec !== null) addToHistogram(this.a, answerBucket(c.answerSec), 1, c.answerSec);
    if (c.reviewLagSec !== null) addToHistogram(this.g, lagBucket(c.reviewLagSec), 1, c.reviewLagSec);
    for (const field of c.missingFields) this.f.set(field, (this.f.get(field) ?? 0) + 1);
    if (call.facts) {
      for (const [key, outcome] of call.checks) {
        let counts = this.c.get(key);
        if (!counts) this.c.set(key, (counts = [0, 0, 0, 0]));
        counts[OUTCOME_INDEX[outcome]]++;
      }
    }
  }

  stored(): ServiceDaySums {
    const keyed = (m: Map<Key, Float64Array>): KeyedVec[] => [...m].sort(([a], [b]) => String(a).localeCompare(String(b), 'en', { numeric: true })).map(([key, v]) => [key, ...trimVec(v)]);
    const hist = (h: Histogram): [number, number, number][] => [...h].sort(([a], [b]) => a - b).map(([b, [n, sum]]) => [b, n, Math.round(sum * 1000) / 1000]);
    return {
      t: trimVec(this.t),
      h: keyed(this.h),
      o: keyed(this.o),
      r: keyed(this.r),
      k: keyed(this.k),
      l: keyed(this.l),
      a: hist(this.a),
      g: hist(this.g),
      f: [...this.f].sort(([a], [b]) => a.localeCompare(b)),
      c: [...this.c].sort(([a], [b]) => a.localeCompare(b)).map(([key, [p, fl, na, u]]) => [key, p, fl, na, u]),
    };
  }
}

export const partOf = {
  team: (id: number | null) => `team:${id ?? 'none'}`,
  region: (id: number | null) => `region:${id ?? 'none'}`,
  category: (c: string | null) => `category:${c ?? 'none'}`,
  language: (l: string | null) => `language:${l ?? 'none'}`,
};

/** Every part of one day from its calls. Pure. */
export function sumDay(calls: Iterable<SumsCall>, s: ServiceSettings): Map<string, ServiceDaySums> {
  if (s.answerSeconds.length > MAX_THRESHOLDS) throw new RangeError(`at most ${MAX_THRESHOLDS} answer thresholds`);
  const parts = new Map<string, PartSums>();
  // Region, category and language parts carry no per-operator breakdown: operators take calls of
  // every region, category and language, so each such part would hold all of them and the stored
  // sums would grow thirtyfold (a national year: ~1 GB instead of ~150 MB).
  const part = (name: string, operators: boolean) => {
    let p = parts.get(name);
    if (!p) parts.set(name, (p = new PartSums(operators)));
    return p;
  };
  for (const call of calls) {
    const c = contributionOf(call, s);
    part('all', true).add(call, c);
    part(partOf.team(call.teamId), true).add(call, c);
    part(partOf.region(call.regionId), false).add(call, c);
    part(partOf.category(call.category), false).add(call, c);
    part(partOf.language(call.language), false).add(call, c);
  }
  return new Map([...parts].map(([name, p]) => [name, p.stored()]));
}

// ---- a period, from its days' stored parts --------------------------------------------------

/** Stored histogram rows: [bucket, count, sum]. */
export type StoredBuckets = [number, number, number][];

/** A period's sums: the stored parts of its days added up (several parts of a day add too). */
export interface PeriodSums {
  total: Vec;
  /** per day, in order */
  days: Map<string, Vec>;
  /** per day: the stored answer-time and review-lag histograms of its parts (for months' longest-10 % and medians) */
  dayAnswers: Map<string, StoredBuckets[]>;
  dayLags: Map<string, StoredBuckets[]>;
  /** per weekday (0 = Monday) × hour: 7 × 24 vectors */
  weekHours: Vec[];
  operators: Map<Key, Vec>;
  regions: Map<Key, Vec>;
  categories: Map<Key, Vec>;
  languages: Map<Key, Vec>;
  /** the period's histograms, dense (histogramOfDense reads them) */
  answers: Float64Array;
  lags: Float64Array;
  missingFields: Map<string, number>;
  checks: Map<string, [number, number, number, number]>;
}

/** Monday = 0 … Sunday = 6, of a YYYY-MM-DD day. */
export function weekdayOf(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function emptyPeriodSums(): PeriodSums {
  return {
    total: emptyVec(),
    days: new Map(),
    dayAnswers: new Map(),
    dayLags: new Map(),
    weekHours: Array.from({ length: 7 * 24 }, () => emptyVec()),
    operators: new Map(),
    regions: new Map(),
    categories: new Map(),
    languages: new Map(),
    answers: denseHistogram(ANSWER_BUCKETS),
    lags: denseHistogram(LAG_BUCKETS),
    missingFields: new Map(),
    checks: new Map(),
  };
}

function addKeyed(into: Map<Key, Vec>, rows: readonly KeyedVec[]): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    addVec(cell(into, row[0]), row as unknown as number[], 1);
  }
}

/** Adds one stored part of a day into a period's sums. */
export function addDayPart(p: PeriodSums, day: string, s: ServiceDaySums): void {
  addVec(p.total, s.t);
  let dayVec = p.days.get(day);
  if (!dayVec) p.days.set(day, (dayVec = emptyVec()));
  addVec(dayVec, s.t);
  const weekday = weekdayOf(day);
  for (let i = 0; i < s.h.length; i++) addVec(p.weekHours[weekday * 24 + Number(s.h[i]![0])]!, s.h[i] as unknown as number[], 1);
  addKeyed(p.operators, s.o);
  addKeyed(p.regions, s.r);
  addKeyed(p.categories, s.k);
  addKeyed(p.languages, s.l);
  addStoredBuckets(p.answers, s.a);
  addStoredBuckets(p.lags, s.g);
  // The day's own histograms are kept as stored (no copy): only months and a daily trend read them.
  const da = p.dayAnswers.get(day);
  if (da) da.push(s.a);
  else p.dayAnswers.set(day, [s.a]);
  const dl = p.dayLags.get(day);
  if (dl) dl.push(s.g);
  else p.dayLags.set(day, [s.g]);
  for (const [field, n] of s.f) p.missingFields.set(field, (p.missingFields.get(field) ?? 0) + n);
  for (const [key, pass, fail, na, unknown] of s.c) {
    const counts = p.checks.get(key) ?? [0, 0, 0, 0];
    counts[0] += pass;
    counts[1] += fail;
    counts[2] += na;
    counts[3] += unknown;
    p.checks.set(key, counts);
  }
}

/** Sums vectors of a map by a key function (operators → teams). */
export function regroup(rows: ReadonlyMap<Key, Vec>, keyOf: (key: Key) => Key): Map<Key, Vec> {
  const out = new Map<Key, Vec>();
  for (const [key, v] of rows) addVec(cell(out, keyOf(key)), v);
  return out;
}

export { VECTOR_LENGTH };
