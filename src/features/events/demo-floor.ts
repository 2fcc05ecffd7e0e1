// Demo mode's call floor: a synthetic centre whose events go through the same ingest as the API,
// so the live board moves right after `npm start` and working time has history. Operators work a
// 2-2 rotation of 12-hour shifts (a day shift, the next night's shift, two days off); on duty they
// sign in (some late, now and then one absent), take calls while ready, take breaks, and sign out.
// Calls are offered, answered or abandoned, carded, dispatched, scored; some drop and are called
// back. The demo seed replays the last day and a half quickly (events.seed.ts; dispatches and
// outcomes only in its last 12 hours);
// on start the app plays the last hour and then keeps pace with the clock. LIVE_DEMO_REPLAY=false
// turns the live part off.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import { mulberry32, pick, weighted, type Rand } from '../../random';
import { tashkentOffsetMinutes } from '../../time';
import { CATEGORY_SERVICES, CALL_CATEGORIES, type CallCategory } from '../calls/calls.model';
import { shiftLocator, type ShiftKind, type ShiftSlot } from '../worktime/worktime';
import { ingestBatch } from './events.service';

interface Scheduled {
  at: number;
  event: Record<string, unknown>;
}

/** The demo floor's calls: `112-<run>-<n>` (the calls seed's are TEL-…). */
export const DEMO_CALL_PREFIX = '112-';
const REGIONS = ['TK', 'TK', 'TK', 'TO', 'SA', 'FA', 'AN', 'NG', 'QA', 'SU', 'BU', 'XO', 'QR'];
const SHIFT_MS = 12 * 3600000;
const MIN = 60000;
const CARD = (n: string, notes: boolean, phone: string) =>
  `<CallCard><CardNumber>${n}</CardNumber><Caller><Phone>${phone}</Phone></Caller><Incident><Type>medical</Type></Incident><Location><Address>Amir Temur ko'chasi 12</Address><Coordinates lat="41.31" lon="69.27"/></Location><Dispatch><Service code="103"/></Dispatch>${notes ? '<OperatorNotes>Brigada yuborildi.</OperatorNotes>' : ''}</CallCard>`;

/** The demo centre's rotation: operator `index` works the day shift of a date, the night shift of the next, then rests two days. */
export function demoOnDuty(index: number, shiftDate: string, shift: ShiftKind): boolean {
  const day = Math.floor(Date.parse(`${shiftDate}T00:00:00Z`) / 86400000);
  const phase = (((day + index) % 4) + 4) % 4;
  return shift === 'day' ? phase === 0 : phase === 1;
}

/** The operators the demo floor staffs, in rotation order (an operator's index is its place here). */
export async function demoOperatorCodes(db: Knex): Promise<string[]> {
  return (await db('operators').where('is_active', true).orderBy('employee_code').pluck('employee_code')) as string[];
}

/** Calls offered per minute at a Tashkent hour: quiet before dawn, busiest in the afternoon and evening. */
const RATE_BY_HOUR = [0.4, 0.3, 0.3, 0.25, 0.25, 0.3, 0.45, 0.6, 0.75, 0.85, 0.9, 0.95, 0.95, 0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.05, 0.95, 0.8, 0.65, 0.5];

interface Operator {
  code: string;
  index: number;
  status: 'off' | 'available' | 'busy' | 'break';
  /** busy or on break until; ready from */
  until: number;
  loginAt: number | null;
  logoutAt: number;
  breaks: { at: number; ms: number }[];
}

export interface DemoFloorOptions {
  /** SHIFT_DAY_START, "HH:MM" Tashkent */
  dayStart: string;
  /** calls offered before this instant are light: no card drafts, dispatches, outcomes or complex cases (fewer events; every card complete) */
  lightBefore?: number;
  /** event ids start with `demo-<run>-`, call ids are `112-<run>-<n>`: history and each live run never collide */
  run: string;
  /** scales the hourly call rate */
  rateFactor?: number;
}

/** Builds the floor's events in time order. Deterministic for a seed, but for event ids. */
export class DemoFloor {
  private queue: Scheduled[] = [];
  private n = 0;
  private readonly rand: Rand;
  private readonly ops: Operator[];
  private readonly shiftOf: (ms: number) => ShiftSlot;
  /** simulated up to (exclusive); null before the first plan() */
  private t: number | null = null;
  private nextShift = 0;
  /** Tashkent's offset from UTC (no daylight saving), read once rather than per simulated second */
  private readonly offsetMs = tashkentOffsetMinutes(new Date()) * 60000;

  constructor(operators: readonly string[], seed: number, private readonly opts: DemoFloorOptions) {
    this.rand = mulberry32(seed);
    this.ops = operators.map((code, index) => ({ code, index, status: 'off', until: 0, loginAt: null, logoutAt: 0, breaks: [] }));
    this.shiftOf = shiftLocator(opts.dayStart);
  }

  private push(at: number, event: Record<string, unknown>): void {
    this.queue.push({ at, event: { id: `demo-${this.opts.run}-${crypto.randomBytes(6).toString('hex')}`, at: new Date(at).toISOString(), ...event } });
  }

  private state(at: number, op: Operator, state: string): void {
    this.push(at, { type: 'operator.state', operatorCode: op.code, state });
  }

  /** The crew of a shift: when each signs in and out, and their breaks. Nobody signs in before `notBefore`. */
  private startShift(slot: ShiftSlot, notBefore: number): void {
    const r = this.rand;
    for (const op of this.ops) {
      if (!demoOnDuty(op.index, slot.date, slot.shift) || r() < 0.03) continue; // now and then one is absent
      const late = r() < 0.08 ? (15 + r() * 25) * MIN : 0;
      op.loginAt = Math.max(notBefore, slot.start + (r() * 14 - 8) * MIN + late);
      op.logoutAt = slot.start + SHIFT_MS + (r() < 0.05 ? -(30 + r() * 60) * MIN : (r() * 11 - 3) * MIN);
      op.breaks = [
        { at: slot.start + (2.5 + r()) * 3600000, ms: (12 + r() * 8) * MIN },
        { at: slot.start + (5.5 + r()) * 3600000, ms: (35 + r() * 15) * MIN },
        { at: slot.start + (9 + r()) * 3600000, ms: (12 + r() * 8) * MIN },
      ].filter((b) => b.at > op.loginAt!);
    }
  }

  private stepOperators(t: number): void {
    for (const op of this.ops) {
      if (op.status === 'off') {
        if (op.loginAt !== null && t >= op.loginAt && t < op.logoutAt) {
          this.state(t, op, 'logged_in');
          this.state(t + 30000, op, 'ready');
          op.status = 'available';
          op.until = t + 30000;
        }
        continue;
      }
      if (t < op.until) continue;
      if (op.status === 'break') this.state(t, op, 'ready');
      op.status = 'available';
      if (t >= op.logoutAt) {
        this.state(t, op, 'logged_out');
        op.status = 'off';
        op.loginAt = null;
      } else if (op.breaks.length && t >= op.breaks[0]!.at) {
        const b = op.breaks.shift()!;
        this.state(t, op, 'break');
        op.status = 'break';
        op.until = t + b.ms;
      }
    }
  }

  private call(t: number): void {
    const r = this.rand;
    const light = t < (this.opts.lightBefore ?? 0);
    const callId = `${DEMO_CALL_PREFIX}${this.opts.run}-${++this.n}`;
    const category = weighted(r, CALL_CATEGORIES.map((c) => [c, c === 'medical' ? 30 : c === 'suicide_risk' ? 2 : 8] as [CallCategory, number]));
    const phone = `+99890${Math.floor(1000000 + r() * 8999999)}`;
    this.push(t, { type: 'call.offered', callId, language: r() < 0.8 ? 'uz' : 'ru', category, regionCode: pick(r, REGIONS), callerNumber: phone });
    const free = this.ops.filter((o) => o.status === 'available' && o.until <= t);
    const op = free.length ? pick(r, free) : null;
    if (!op || r() < 0.04) {
      // Abandoned before an answer: an operator on duty calls back a few minutes later (now and then nobody does).
      const gone = t + 15000 + r() * 30000;
      this.push(gone, { type: 'call.ended', callId, reason: 'dropped' });
      const onDuty = this.ops.filter((o) => o.status !== 'off');
      if (onDuty.length && r() < 0.9) this.callback(callId, pick(r, onDuty), gone + (1 + r() * 4) * MIN);
      return;
    }
    const answer = t + (r() < 0.85 ? 2000 + r() * 8000 : 10000 + r() * 25000);
    const end = answer + 50000 + r() * 200000;
    this.push(answer, { type: 'call.answered', callId, operatorCode: op.code });
    this.state(answer + 200, op, 'busy');
    if (!light) {
      this.push(answer + 20000, { type: 'card.created', callId, xml: CARD(`K-${this.n}`, false, phone) });
      for (const service of CATEGORY_SERVICES[category].filter((s) => s !== 'other')) {
        this.push(answer + 40000, { type: 'service.dispatched', callId, service });
        this.push(answer + 300000 + r() * 400000, { type: 'service.outcome', callId, service, outcome: 'arrived' });
        const o = r();
        if (o < 0.85) this.push(answer + 900000 + r() * 1200000, { type: 'service.outcome', callId, service, outcome: 'fulfilled' });
        else if (o < 0.93) this.push(answer + 900000 + r() * 1200000, { type: 'service.outcome', callId, service, outcome: 'not_fulfilled', reason: pick(r, ['Manzil topilmadi', 'Chaqiruvchi javob bermadi', "Ekipaj bo'sh emas edi"]) });
      }
      if (r() < 0.03) this.push(answer + 30000, { type: 'complex.raised', callId, operatorCode: op.code, note: pick(r, ['Suitsid xavfi, supervayzer yordami kerak', 'Bir nechta xizmat, murakkab manzil', 'Chaqiruvchi garovda']) });
    }
    const dropped = r() < 0.05;
    this.push(end, { type: 'call.ended', callId, reason: dropped ? 'dropped' : r() < 0.04 ? 'transferred' : 'normal' });
    if (light || r() < 0.95) this.push(end + 30000 + r() * 300000, { type: 'card.closed', callId, xml: CARD(`K-${this.n}`, true, phone) });
    this.state(end + 20000, op, 'ready');
    if (r() < 0.3) this.push(end + 60000, { type: 'satisfaction.scored', callId, score: weighted(r, [[5, 50], [4, 25], [3, 12], [2, 8], [1, 5]] as [number, number][]) });
    if (dropped) this.callback(callId, op, end + 60000 + r() * 240000);
    op.status = 'busy';
    op.until = end + 20000;
  }

  /** A callback attempt for a dropped call; it ends too (answered when the caller is reached). */
  private callback(callId: string, op: Operator, at: number): void {
    const r = this.rand;
    const reached = r() < 0.75;
    this.push(at, { type: 'callback.attempted', callId: `${callId}-cb1`, callbackOf: callId, operatorCode: op.code, result: reached ? 'reached' : 'no_answer' });
    this.push(at + (reached ? 30000 + r() * 90000 : 25000), { type: 'call.ended', callId: `${callId}-cb1`, reason: 'normal' });
  }

  /** Simulates [from, to) (continuing where the last call stopped). */
  plan(from: number, to: number): void {
    if (this.t === null) {
      this.t = from;
      const slot = this.shiftOf(from);
      this.startShift(slot, from);
      this.nextShift = slot.start + SHIFT_MS;
    }
    const factor = this.opts.rateFactor ?? 1;
    for (let t = Math.max(this.t, from); t < to; t += 1000) {
      if (t >= this.nextShift) {
        this.startShift(this.shiftOf(t), t);
        this.nextShift += SHIFT_MS;
      }
      this.stepOperators(t);
      const hour = new Date(t + this.offsetMs).getUTCHours(); // Tashkent hour
      if (this.rand() < (RATE_BY_HOUR[hour]! * factor) / 60) this.call(t);
    }
    this.t = Math.max(this.t, to);
  }

  /** Events due up to a time, in time order. */
  due(until: number): Record<string, unknown>[] {
    this.queue.sort((a, b) => a.at - b.at);
    const i = this.queue.findIndex((s) => s.at > until);
    const out = i < 0 ? this.queue.splice(0) : this.queue.splice(0, i);
    return out.map((s) => s.event);
  }
}

/** Sends events through the ingest in API-sized batches. */
export async function feed(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, events: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < events.length; i += deps.config.events.maxBatch) await ingestBatch(deps, { events: events.slice(i, i + deps.config.events.maxBatch) }, { apiTokenId: null });
}

/**
 * What a previous run of the floor left hanging when the app stopped: its calls still open are
 * ended and its operators still signed in sign out, at `at`, so the new run's crew starts clean.
 */
export async function closeLeftovers(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, at: number): Promise<number> {
  const since = new Date(at - 14 * 3600000).toISOString();
  const iso = new Date(at).toISOString();
  const open = await deps.db('calls').whereNull('ended_at').whereNull('deleted_at').where('started_at', '>=', since).where('started_at', '<', iso).where('external_id', 'like', `${DEMO_CALL_PREFIX}%`).select('external_id', 'source');
  const latest = await deps.db('operator_states as s')
    .where('s.started_at', '>=', since)
    .whereNotExists((q) => q.select(deps.db.raw('1')).from('operator_states as n').whereRaw('n.operator_code = s.operator_code').whereRaw('n.started_at > s.started_at'))
    .select('s.operator_code', 's.state');
  const tag = crypto.randomBytes(4).toString('hex');
  const events: Record<string, unknown>[] = [
    ...open.map((c, i) => ({ id: `demo-close-${tag}-c${i}`, type: 'call.ended', at: iso, callId: c.external_id as string, source: c.source as string, reason: 'normal' })),
    ...latest.filter((s) => s.state !== 'logged_out').map((s, i) => ({ id: `demo-close-${tag}-s${i}`, type: 'operator.state', at: iso, operatorCode: s.operator_code as string, state: 'logged_out' })),
  ];
  await feed(deps, events);
  return events.length;
}

/** Starts the demo floor; returns a stop function. */
export function startDemoFloor(deps: AppDeps): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  void (async () => {
    const ops = await demoOperatorCodes(deps.db);
    if (!ops.length || stopped) return;
    const floor = new DemoFloor(ops, Date.now() % 100000, { dayStart: deps.config.shiftDayStart, run: Date.now().toString(36).slice(-5).toUpperCase() });
    const now = deps.clock().getTime();
    // Carry on where the demo history (or the last run) stopped, playing at most the last hour.
    const last = (await deps.db('call_events').max({ at: 'occurred_at' }).first())?.at as string | null | undefined;
    const from = Math.max(now - 60 * MIN, last ? Date.parse(last) + 1000 : 0);
    await closeLeftovers(deps, from);
    floor.plan(from + 1000, now + 10000);
    let planned = now + 10000;
    const send = (events: Record<string, unknown>[]) => feed(deps, events).catch((e) => deps.logger.warn({ err: e }, 'demo floor batch refused'));
    await send(floor.due(now));
    deps.logger.info('demo floor: replaying a synthetic call floor (LIVE_DEMO_REPLAY=false to turn off)');
    const tick = async () => {
      if (stopped) return;
      const t = deps.clock().getTime();
      if (planned < t + 10000) {
        floor.plan(planned, t + 10000);
        planned = t + 10000;
      }
      await send(floor.due(t));
      timer = setTimeout(() => void tick(), 2000);
      timer.unref();
    };
    await tick();
  })().catch((e) => deps.logger.warn({ err: e }, 'demo floor stopped'));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
