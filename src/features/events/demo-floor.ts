// Demo mode's call floor: a synthetic stream of call events (offers, answers, cards, dispatches,
// outcomes, drops and callbacks, operator states, scores, complex cases) fed through the same
// ingest as the API, so the live board moves right after `npm start`. It first plays the last hour
// quickly (the board opens full), then keeps pace with the clock. LIVE_DEMO_REPLAY=false turns it off.
import crypto from 'node:crypto';
import type { AppDeps } from '../../app-context';
import { mulberry32, pick, weighted, type Rand } from '../../random';
import { CATEGORY_SERVICES, CALL_CATEGORIES, type CallCategory } from '../calls/calls.model';
import { ingestBatch } from './events.service';

interface Scheduled {
  at: number;
  event: Record<string, unknown>;
}

const REGIONS = ['TK', 'TK', 'TK', 'TO', 'SA', 'FA', 'AN', 'NG', 'QA', 'SU', 'BU', 'XO', 'QR'];
const CARD = (n: string, notes: boolean) => `<CallCard><CardNumber>${n}</CardNumber><Caller><Phone>+99890${Math.floor(1000000 + Math.random() * 8999999)}</Phone></Caller><Incident><Type>medical</Type></Incident><Location><Address>Amir Temur ko'chasi 12</Address><Coordinates lat="41.31" lon="69.27"/></Location><Dispatch><Service code="103"/></Dispatch>${notes ? '<OperatorNotes>Brigada yuborildi.</OperatorNotes>' : ''}</CallCard>`;

/** Builds the floor's events between two instants for the given operators. Pure but for its seed. */
export class DemoFloor {
  private queue: Scheduled[] = [];
  private busyUntil = new Map<string, number>();
  private n = 0;
  private readonly rand: Rand;
  constructor(private readonly operators: string[], seed: number, private readonly callsPerMinute = 6) {
    this.rand = mulberry32(seed);
  }

  private id(): string {
    return `demo-${crypto.randomBytes(6).toString('hex')}`;
  }

  private push(at: number, event: Record<string, unknown>): void {
    this.queue.push({ at, event: { id: this.id(), at: new Date(at).toISOString(), ...event } });
  }

  start(at: number): void {
    for (const op of this.operators) {
      this.push(at, { type: 'operator.state', operatorCode: op, state: 'logged_in' });
      this.push(at + 1000, { type: 'operator.state', operatorCode: op, state: 'ready' });
      this.busyUntil.set(op, at + 1000);
    }
  }

  /** Plans the calls offered in [from, to). */
  plan(from: number, to: number): void {
    const r = this.rand;
    for (let t = from; t < to; t += 1000) {
      if (r() > this.callsPerMinute / 60) continue;
      const callId = `demo-call-${Date.now().toString(36)}-${++this.n}`;
      const category = weighted(r, CALL_CATEGORIES.map((c) => [c, c === 'medical' ? 30 : c === 'suicide_risk' ? 2 : 8] as [CallCategory, number]));
      this.push(t, { type: 'call.offered', callId, language: r() < 0.8 ? 'uz' : 'ru', category, regionCode: pick(r, REGIONS), callerNumber: `+99890${Math.floor(1000000 + r() * 8999999)}` });
      const free = this.operators.filter((o) => (this.busyUntil.get(o) ?? Infinity) < t);
      const op = free.length ? pick(r, free) : null;
      if (!op || r() < 0.04) {
        this.push(t + 15000 + r() * 30000, { type: 'call.ended', callId, reason: 'dropped' });
        continue;
      }
      const answer = t + (r() < 0.85 ? 2000 + r() * 8000 : 10000 + r() * 25000);
      const end = answer + 50000 + r() * 200000;
      this.push(answer, { type: 'call.answered', callId, operatorCode: op });
      this.push(answer + 200, { type: 'operator.state', operatorCode: op, state: 'busy' });
      this.push(answer + 20000, { type: 'card.created', callId, xml: CARD(`K-${this.n}`, false) });
      for (const service of CATEGORY_SERVICES[category].filter((s) => s !== 'other')) {
        this.push(answer + 40000, { type: 'service.dispatched', callId, service });
        this.push(answer + 300000 + r() * 400000, { type: 'service.outcome', callId, service, outcome: 'arrived' });
        const o = r();
        if (o < 0.85) this.push(answer + 900000 + r() * 1200000, { type: 'service.outcome', callId, service, outcome: 'fulfilled' });
        else if (o < 0.93) this.push(answer + 900000 + r() * 1200000, { type: 'service.outcome', callId, service, outcome: 'not_fulfilled', reason: pick(r, ['Manzil topilmadi', 'Chaqiruvchi javob bermadi', "Ekipaj bo'sh emas edi"]) });
      }
      if (r() < 0.03) this.push(answer + 30000, { type: 'complex.raised', callId, operatorCode: op, note: pick(r, ["Suitsid xavfi, supervayzer yordami kerak", "Bir nechta xizmat, murakkab manzil", "Chaqiruvchi garovda"]) });
      const dropped = r() < 0.05;
      this.push(end, { type: 'call.ended', callId, reason: dropped ? 'dropped' : r() < 0.04 ? 'transferred' : 'normal' });
      if (r() < 0.8) this.push(end + 30000 + r() * 300000, { type: 'card.closed', callId, xml: CARD(`K-${this.n}`, true) });
      this.push(end + 20000, { type: 'operator.state', operatorCode: op, state: 'ready' });
      if (r() < 0.3) this.push(end + 60000, { type: 'satisfaction.scored', callId, score: weighted(r, [[5, 50], [4, 25], [3, 12], [2, 8], [1, 5]] as [number, number][]) });
      if (dropped) {
        const cb = end + 60000 + r() * 240000;
        this.push(cb, { type: 'callback.attempted', callId: `${callId}-cb1`, callbackOf: callId, operatorCode: op, result: r() < 0.7 ? 'reached' : 'no_answer' });
      }
      this.busyUntil.set(op, end + 20000);
    }
  }

  /** Events due up to a time, in time order. */
  due(until: number): Record<string, unknown>[] {
    this.queue.sort((a, b) => a.at - b.at);
    const i = this.queue.findIndex((s) => s.at > until);
    const out = i < 0 ? this.queue.splice(0) : this.queue.splice(0, i);
    return out.map((s) => s.event);
  }
}

/** Starts the demo floor; returns a stop function. */
export function startDemoFloor(deps: AppDeps): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  void (async () => {
    const ops = (await deps.db('operators').where('is_active', true).orderBy('employee_code').limit(14).pluck('employee_code')) as string[];
    if (!ops.length || stopped) return;
    const floor = new DemoFloor(ops, Date.now() % 100000);
    const now = deps.clock().getTime();
    const from = now - 60 * 60000;
    floor.start(from);
    floor.plan(from, now + 10000);
    let planned = now + 10000;
    const send = async (events: Record<string, unknown>[]) => {
      for (let i = 0; i < events.length; i += deps.config.events.maxBatch) {
        await ingestBatch(deps, { events: events.slice(i, i + deps.config.events.maxBatch) }, { apiTokenId: null }).catch((e) => deps.logger.warn({ err: e }, 'demo floor batch refused'));
      }
    };
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
